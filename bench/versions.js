// The benchmark of `culprit versions --source` (installs of published builds first, then the commits between two
// releases) against `git bisect run` over all commits, on seeded library histories of R releases × C commits.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importHistory } from '../dist/demo/fast-import.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', 'bin', 'culprit.js');
const TEST = 'grep -q ok state.txt';
const list = (name, fallback) => (process.env[name] ?? fallback).split(',').map(Number);
const RELEASES = list('BENCH_RELEASES', '8,16,32');
const COMMITS = list('BENCH_COMMITS', '10,50,200');
const SEEDS = Number(process.env.BENCH_SEEDS ?? 5);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const git = (cwd, args) => execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 }).trim();

/** mulberry32: a small seeded generator, so every case is the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * A library with `releases` releases of `commits` commits each (marks 1…R·C, release i tagged v1.i.0 at its last
 * commit), one commit after v1.0.0 turning state.txt from ok to bug for good, and a published build per release.
 */
async function scenario(directory, releases, commits, seed) {
  const random = rng(releases * 1_000_003 + commits * 7919 + seed);
  const planted = commits + 1 + Math.floor(random() * (releases - 1) * commits);
  const author = 'Bench <bench@example.org>';
  function* history() {
    for (let mark = 1; mark <= releases * commits; mark++) {
      const files = { 'lib.txt': `change ${mark}\n`, 'state.txt': mark >= planted ? 'bug\n' : 'ok\n' };
      yield { mark, branch: 'main', parents: mark > 1 ? [mark - 1] : [], message: `commit ${mark}`, author, time: 1_600_000_000 + mark, files };
    }
  }
  const versions = Array.from({ length: releases }, (_, i) => `1.${i}.0`);
  const tags = versions.flatMap((version, i) => [`reset refs/tags/v${version}`, `from :${(i + 1) * commits}`, '']);
  const repo = path.join(directory, 'repo');
  const builds = path.join(directory, 'builds');
  mkdirSync(repo, { recursive: true });
  const marks = await importHistory(repo, history(), tags);
  for (const version of versions) {
    mkdirSync(path.join(builds, version), { recursive: true });
    execFileSync('sh', ['-c', `git archive v${version} | tar -x -C "${path.join(builds, version)}"`], { cwd: repo });
  }
  const release = Math.ceil(planted / commits) - 1;
  return { repo, builds, versions, planted: marks.get(planted), where: `mark ${planted}, commit ${planted - release * commits} of ${commits} in 1.${release}.0` };
}

/** `git bisect run` in a clone from v1.0.0 (good) to the last tag (bad): every probe is a build from source. */
function gitBisectRun(repo, versions) {
  const clone = mkdtempSync(path.join(os.tmpdir(), 'culprit-bench-git-'));
  git(clone, ['clone', '-q', repo, '.']);
  const start = process.hrtime.bigint();
  git(clone, ['bisect', 'start', `v${versions.at(-1)}`, `v${versions[0]}`]);
  const run = spawnSync('git', ['bisect', 'run', 'sh', '-c', TEST], { cwd: clone, encoding: 'utf8' });
  const wall = seconds(start);
  const found = /([0-9a-f]{40}) is the first bad commit/.exec(run.stdout)?.[1];
  // The two endpoints given to `git bisect start` are not probes.
  const builds = git(clone, ['bisect', 'log']).split('\n').filter((line) => /^git bisect (good|bad|skip)/.test(line)).length;
  rmSync(clone, { recursive: true, force: true });
  return { wall, builds, found };
}

/** One `culprit versions` hunt with a cache and a store of its own; probes of a version are installs, the rest builds. */
function culpritVersions({ repo, builds, versions }, extra) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'culprit-bench-versions-'));
  const env = { ...process.env, XDG_CACHE_HOME: path.join(home, 'cache'), XDG_DATA_HOME: path.join(home, 'data') };
  const args = [
    BIN, 'versions', '--list', versions.join(' '), '--install', `cp -R ${builds}/{version}/. "$CULPRIT_WORKSPACE"`, '--test', TEST,
    '--source', repo, '--tag', 'v{version}', '--narrow', 'none', '--timeout', '30', '--json', ...extra,
  ];
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const wall = seconds(start);
  rmSync(home, { recursive: true, force: true });
  let document;
  try {
    document = JSON.parse(run.stdout);
  } catch {
    return { wall, error: `exit ${run.status}, no JSON: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }
  const isVersion = new Set(versions);
  const probes = document.probes ?? [];
  const installs = probes.filter((p) => isVersion.has(p.commit)).length;
  const stageInstalls = document.stages?.find((s) => s.stage === 'versions')?.installs;
  const note = stageInstalls === installs ? '' : `versions stage says ${stageInstalls} installs, probes of versions: ${installs}`;
  return {
    wall, installs, note,
    builds: probes.length - installs,
    endpoints: probes.filter((p) => p.phase === 'verify').length,
    versions: `${document.stages?.find((s) => s.stage === 'versions')?.lastGood} → ${document.stages?.find((s) => s.stage === 'versions')?.firstBad}`,
    found: document.firstBad?.commit,
    status: `${document.status} (exit ${run.status})`,
  };
}

const tools = [
  ['git', 'git bisect run'],
  ['culprit', 'culprit versions'],
  ['noVerify', 'culprit versions --no-verify'],
];
const rows = [];
const surprises = [];
const started = process.hrtime.bigint();
for (const releases of RELEASES) {
  for (const commits of COMMITS) {
    const runs = { git: [], culprit: [], noVerify: [] };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const directory = mkdtempSync(path.join(os.tmpdir(), 'culprit-bench-case-'));
      const scene = await scenario(directory, releases, commits, seed);
      // Interleaved, so a slow spell of the shared machine hits every tool alike.
      const result = { git: gitBisectRun(scene.repo, scene.versions), culprit: culpritVersions(scene, []), noVerify: culpritVersions(scene, ['--no-verify']) };
      rmSync(directory, { recursive: true, force: true });
      for (const [key, label] of tools) {
        const r = result[key];
        r.right = r.found === scene.planted;
        runs[key].push(r);
        const where = `R=${releases} C=${commits} seed ${seed} (planted ${scene.planted.slice(0, 12)}, ${scene.where})`;
        if (r.error) surprises.push(`${where}: ${label} failed: ${r.error}`);
        else if (!r.right) surprises.push(`${where}: ${label} named ${r.found ?? 'nothing'} (${r.status ?? ''}${r.versions ? `, versions ${r.versions}` : ''})`);
        if (key !== 'git' && !r.error && r.found !== result.git.found) surprises.push(`${where}: ${label} named ${r.found ?? 'nothing'}, git named ${result.git.found ?? 'nothing'}`);
        if (r.note) surprises.push(`${where}: ${label}: ${r.note}`);
      }
      process.stderr.write(
        `R=${releases} C=${commits} seed ${seed}: git ${result.git.builds} builds; culprit ${result.culprit.builds} builds + ${result.culprit.installs} installs; ` +
          `--no-verify ${result.noVerify.builds} + ${result.noVerify.installs}; right: ${tools.map(([key]) => (result[key].right ? 'y' : 'N')).join('')}\n`,
      );
    }
    const ok = (key) => runs[key].filter((r) => !r.error);
    const med = (key, field) => median(ok(key).map((r) => r[field]));
    rows.push({
      releases, commits, range: (releases - 1) * commits,
      git: med('git', 'builds'),
      culprit: { builds: med('culprit', 'builds'), installs: med('culprit', 'installs') },
      noVerify: { builds: med('noVerify', 'builds'), installs: med('noVerify', 'installs') },
      right: Object.fromEntries(tools.map(([key]) => [key, `${runs[key].filter((r) => r.right).length}/${runs[key].length}`])),
      wall: Object.fromEntries(tools.map(([key]) => [key, med(key, 'wall')])),
    });
  }
}
const total = seconds(started);

const ratio = (a, b) => (a / b).toFixed(2);
const probeTable = [
  '| releases × commits | commits git searches | git: builds | culprit: builds (incl. 2 endpoint) | culprit: installs (incl. 2 endpoint) | builds culprit / git | --no-verify: builds | --no-verify: installs | builds --no-verify / git | right commit: git / culprit / --no-verify |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.releases} × ${r.commits} | ${r.range} | ${r.git} | ${r.culprit.builds} | ${r.culprit.installs} | ${ratio(r.culprit.builds, r.git)} | ${r.noVerify.builds} | ${r.noVerify.installs} | ${ratio(r.noVerify.builds, r.git)} | ${r.right.git} / ${r.right.culprit} / ${r.right.noVerify} |`,
  ),
].join('\n');
const wallTable = [
  '| releases × commits | git bisect run | culprit versions | culprit versions --no-verify |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.releases} × ${r.commits} | ${r.wall.git.toFixed(2)} s | ${r.wall.culprit.toFixed(2)} s | ${r.wall.noVerify.toFixed(2)} s |`),
].join('\n');

const ratios = rows.map((r) => r.culprit.builds / r.git);
const bare = rows.map((r) => r.noVerify.builds / r.git);
const best = rows.reduce((a, b) => (b.culprit.builds / b.git < a.culprit.builds / a.git ? b : a));
const worst = rows.reduce((a, b) => (b.culprit.builds / b.git > a.culprit.builds / a.git ? b : a));
const extraProbes = rows.map((r) => r.culprit.builds + r.culprit.installs - r.git);
const interpretation = [
  `Counted in builds from source, the expensive unit, culprit needs ${ratio(Math.min(...ratios), 1)}–${ratio(Math.max(...ratios), 1)}x of git's builds with its endpoint checks and ${ratio(Math.min(...bare), 1)}–${ratio(Math.max(...bare), 1)}x without them: the releases cut the range down to one release's C commits before anything is built, so git's log2((R−1)·C) builds become about log2(C).`,
  `Since git needs about log2(R−1) + log2(C) builds and culprit log2(C) + 2, the releases save about log2(R−1) − 2 builds once the endpoint checks are paid: most at ${best.releases} × ${best.commits} (${best.culprit.builds} builds against ${best.git}), least at ${worst.releases} × ${worst.commits} (${worst.culprit.builds} against ${worst.git})${worst.culprit.builds >= worst.git ? ', where the endpoint builds eat the whole saving and the installs are pure extra' : ''}.`,
  `It is not free: the installs are probes git never makes (about log2(R−1), plus 2 endpoint installs), and the endpoint checks cost 4 probes over the two stages, 2 of them builds of the two release commits whose installs were just tested; counting every probe alike, culprit makes ${Math.min(...extraProbes)} to ${Math.max(...extraProbes)} more probes than git (medians per size).`,
  'So the hunt wins when an install is much cheaper than a build from source, as unpacking a published build is, and when there are many releases; with few releases, or installs as dear as builds, `git bisect run` over the commits (or `--no-verify` once the endpoints are known) is as good or better.',
  'Wall times here are of a trivial test and a `cp -R` install, so they measure process start-up and culprit\'s own overhead, not builds, and this shared machine is noisy: read them as secondary.',
].join(' ');

const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, Node ${process.version}, ${git(here, ['--version'])}`;
const report = `# Versions first, then commits: \`culprit versions --source\` against \`git bisect run\`

${new Date().toISOString().slice(0, 10)} on ${machine}; ${SEEDS} seeds per size, ${(total / 60).toFixed(1)} min in all. Produced by \`node bench/versions.js\` (\`npm run bench:versions\` builds dist/ first); sizes and seeds: \`BENCH_RELEASES=${RELEASES} BENCH_COMMITS=${COMMITS} BENCH_SEEDS=${SEEDS}\` (defaults 8,16,32, 10,50,200 and 5).

**Scenario.** Per case, a temporary linear library history written with \`git fast-import\`: R releases of C commits each, release i tagged \`v1.i.0\` at its last commit; one commit after v1.0.0, placed by a seeded RNG (mulberry32 of R, C and the seed), turns \`state.txt\` from \`ok\` to \`bug\` for good. Each release has a published build, a directory made with \`git archive\`. The test is \`${TEST}\`.

**Anchor.** \`git bisect start v<last> v1.0.0; git bisect run sh -c '${TEST}'\` in a clone, over all (R−1)·C commits; builds are the good/bad/skip lines of \`git bisect log\` (the two endpoints are not tested).

**culprit.** \`node bin/culprit.js versions --list '<all versions>' --install 'cp -R <builds>/{version}/. "$CULPRIT_WORKSPACE"' --test '${TEST}' --source <repo> --tag 'v{version}' --narrow none --timeout 30 --json\`, with fresh \`XDG_CACHE_HOME\` and \`XDG_DATA_HOME\` per run, and again with \`--no-verify\` (which skips the endpoint checks of both stages). From the JSON, a probe whose \`commit\` is a version is an install, any other a build from source; the installs agree with the \`versions\` stage's \`installs\`. culprit's counts include its endpoint checks: 2 installs (first and last version) and 2 builds (the two release commits handed to the source), 4 probes over the two stages. A tool is right when \`firstBad.commit\` (git: "is the first bad commit") is the planted commit; culprit is also checked against git's answer.

## Probes (median over seeds; ratio of the medians)

${probeTable}

## Wall time (secondary: median over seeds, trivial test, shared and noisy machine; git's excludes the clone)

${wallTable}

## Interpretation

${interpretation}

## Surprises

${surprises.length ? surprises.map((s) => `- ${s}`).join('\n') : `None: every hunt of both tools named the planted commit, and culprit always named git's commit.`}
`;
writeFileSync(path.join(here, 'VERSIONS.md'), report);
process.stdout.write(report);
