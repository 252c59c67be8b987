// Mercurial hunts side by side in one run: `hg bisect --command` (the anchor), culprit with its hg command server,
// and culprit running one hg process per command (CULPRIT_HG_SERVER=0), on a linear and a merge-heavy history.
//
//   node bench/hg.js [--repeat N] [--commits N]
//
// The histories are bench/history.js's git histories converted with `hg convert`. The table goes to stdout and to
// bench/HG.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchRepository } from './history.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
const TEST = 'grep -q ok state.txt';
const HG_ENV = { ...process.env, HGPLAIN: '1', HGRCPATH: '', HGUSER: 'Bench <bench@example.org>' };

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`hg bench: ${name} takes a positive whole number`);
    process.exit(2);
  }
  return value;
}
const repeats = option('--repeat', 3);
const commits = option('--commits', 256);

function hg(cwd, args) {
  return execFileSync('hg', args, { cwd, env: HG_ENV, encoding: 'utf8' }).trim();
}

/** The git bench history converted to hg once (kept under bench/out), with the culprit's node. */
async function hgRepository(name, mergeEvery) {
  const gitDir = await benchRepository(path.join(out, `repo-${commits}-${name}`), { total: commits, culprit: Math.floor(commits * 0.683), mergeEvery });
  const dir = path.join(out, `hg-${commits}-${name}`);
  if (!existsSync(path.join(dir, '.hg', 'bench-ready'))) {
    rmSync(dir, { recursive: true, force: true });
    execFileSync('hg', ['--config', 'extensions.convert=', 'convert', '--quiet', gitDir, dir], { env: HG_ENV });
    hg(dir, ['update', '--quiet', 'tip']);
    writeFileSync(path.join(dir, '.hg', 'bench-ready'), 'ok\n');
  }
  const culpritGit = execFileSync('git', ['rev-parse', 'culprit'], { cwd: gitDir, encoding: 'utf8' }).trim();
  const shamap = execFileSync('grep', [culpritGit, path.join(dir, '.hg', 'shamap')], { encoding: 'utf8' }).trim();
  return { dir, culprit: shamap.split(' ')[1] };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** `hg bisect --command` in a fresh clone (it writes bisect state and updates the working directory). */
function hgBisect(repo) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'culprit-hg-bench-'));
  const clone = path.join(scratch, 'clone');
  hg(scratch, ['clone', '--quiet', repo.dir, clone]);
  const started = performance.now();
  hg(clone, ['bisect', '--reset']);
  hg(clone, ['bisect', '--good', '0']);
  hg(clone, ['bisect', '--bad', 'tip']);
  const output = spawnSync('hg', ['bisect', '--command', TEST], { cwd: clone, env: HG_ENV, encoding: 'utf8' }).stdout;
  const wall = (performance.now() - started) / 1000;
  const found = /The first bad revision is:\s*\nchangeset:\s+\d+:([0-9a-f]+)/.exec(output)?.[1];
  const probes = (output.match(/^changeset \d+:[0-9a-f]+ .*: (good|bad|skip)$/gm) ?? []).length;
  rmSync(scratch, { recursive: true, force: true });
  return { wall, probes, found: found !== undefined && repo.culprit.startsWith(found) };
}

function culpritRun(repo, server) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'culprit-hg-bench-'));
  const started = performance.now();
  const result = spawnSync(process.execPath, [path.join(root, 'bin', 'culprit.js'), 'run', '--repo', repo.dir, '--good', '0', '--bad', 'tip', '--test', TEST, '--narrow', 'none', '--no-cache', '--json', '--store', path.join(scratch, 'hunts.sqlite'), '--workdir', path.join(scratch, 'cache')], {
    env: { ...process.env, CULPRIT_HG_SERVER: server ? '1' : '0' },
    encoding: 'utf8',
  });
  const wall = (performance.now() - started) / 1000;
  rmSync(scratch, { recursive: true, force: true });
  const document = JSON.parse(result.stdout);
  return { wall, probes: document.probes.length, found: document.firstBad?.commit === repo.culprit };
}

mkdirSync(out, { recursive: true });
const rows = [];
for (const [name, mergeEvery] of [['linear', 0], ['merge-heavy', 6]]) {
  const repo = await hgRepository(name, mergeEvery);
  const runs = { 'hg bisect --command': [], 'culprit run (hg command server)': [], 'culprit run, one hg process per command': [] };
  // Interleaved, so a slow spell of the shared machine hits every tool alike.
  for (let i = 0; i < repeats; i++) {
    runs['hg bisect --command'].push(hgBisect(repo));
    runs['culprit run (hg command server)'].push(culpritRun(repo, true));
    runs['culprit run, one hg process per command'].push(culpritRun(repo, false));
  }
  const anchor = median(runs['hg bisect --command'].map((run) => run.wall));
  for (const [tool, list] of Object.entries(runs)) {
    const wall = median(list.map((run) => run.wall));
    rows.push(`| ${commits} changesets, ${name} | ${tool} | ${list[0].probes} | ${wall.toFixed(2)} s | ${(wall / anchor).toFixed(2)}x | ${list.every((run) => run.found) ? 'yes' : 'NO'} |`);
  }
}
const table = [
  '# Mercurial hunts',
  '',
  `\`node bench/hg.js --repeat ${repeats} --commits ${commits}\` on ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}; ${execFileSync('hg', ['--version', '--quiet'], { encoding: 'utf8' }).trim()}. Median of ${repeats} interleaved runs; the test is \`${TEST}\`. culprit's probes include its two endpoint checks, which \`hg bisect\` does not run.`,
  '',
  '| history | tool | probes | wall | vs hg bisect | correct |',
  '|---|---|---:|---:|---:|---|',
  ...rows,
  '',
].join('\n');
console.log(table);
writeFileSync(path.join(here, 'HG.md'), table);
