// The benchmarks of `culprit run` against `git bisect run`, side by side in one run, reported as ratios: per-probe
// overhead (trivial test), --jobs 1/2/4 with a test of fixed cost, and the cost of choosing a probe on a big history.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitHistory } from '../dist/history/git-history.js';
import { DagBisection } from '../dist/search/dag-bisection.js';
import { ParallelBisection } from '../dist/search/parallel-bisection.js';
import { benchRepository } from './history.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'out');
const BIN = path.join(here, '..', 'bin', 'culprit.js');
const TEST = 'grep -q ok state.txt';
const bigCommits = Number(process.env.BENCH_BIG_COMMITS ?? 200_000);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
/** The fixed cost of the parallel benchmark's test: long enough that it, not process start-up, is what waits. */
const testSeconds = Number(process.env.BENCH_TEST_SECONDS ?? 1);
const parallelSizes = (process.env.BENCH_PARALLEL_SIZES ?? '1024,10000').split(',').map(Number);
const JOBS = [1, 2, 4];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const git = (cwd, args) => execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 }).trim();

function gitBisectRun(repo, test = TEST) {
  const clone = mkdtempSync(path.join(os.tmpdir(), 'culprit-bench-git-'));
  git(clone, ['clone', '-q', repo, '.']);
  const start = process.hrtime.bigint();
  git(clone, ['bisect', 'start', 'HEAD', 'root']);
  const run = spawnSync('git', ['bisect', 'run', 'sh', '-c', test], { cwd: clone, encoding: 'utf8' });
  const wall = seconds(start);
  const found = /([0-9a-f]{40}) is the first bad commit/.exec(run.stdout)?.[1];
  const probes = git(clone, ['bisect', 'log']).split('\n').filter((line) => /^git bisect (good|bad|skip)/.test(line)).length;
  rmSync(clone, { recursive: true, force: true });
  // The two endpoints given to `git bisect start` are not probes.
  return { wall, probes, found };
}

/** One hunt with a cache and a store of its own and no verdict cache: every probe really runs. */
function culpritRun(repo, extra, test = TEST) {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'culprit-bench-cache-'));
  const start = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [BIN, 'run', '--repo', repo, '--good', 'root', '--bad', 'HEAD', '--test', test, '--json', '--no-cache', '--narrow', 'none', '--store', path.join(cache, 'hunts.sqlite'), ...extra],
    { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } },
  );
  const wall = seconds(start);
  rmSync(cache, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`culprit run failed (${run.status}): ${run.stderr.slice(-2000)}`);
  const document = JSON.parse(run.stdout);
  const endpoints = extra.includes('--no-verify') ? 0 : 2;
  return { wall, probes: document.probes.length - endpoints, endpoints, rounds: document.rounds, found: document.firstBad?.commit };
}

/** --jobs 1, 2 and 4 against git bisect run with a test that takes `testSeconds`: probes, rounds, wall time. */
async function parallelRounds(rows) {
  const test = `sleep ${testSeconds}; ${TEST}`;
  for (const total of parallelSizes) {
    for (const shape of [{ name: 'linear', mergeEvery: 0 }, { name: 'merge-heavy', mergeEvery: 6 }]) {
      const repo = await benchRepository(path.join(out, `repo-${total}-${shape.name}`), { total, culprit: Math.floor(total * 0.683), mergeEvery: shape.mergeEvery });
      const expected = git(repo, ['rev-parse', 'culprit']);
      const runs = new Map([['git bisect run', []], ...JOBS.map((jobs) => [`culprit run --jobs ${jobs}`, []])]);
      // Interleaved, so a slow spell of the shared machine hits every tool alike.
      for (let i = 0; i < repeats; i++) {
        runs.get('git bisect run').push(gitBisectRun(repo, test));
        for (const jobs of JOBS) runs.get(`culprit run --jobs ${jobs}`).push(culpritRun(repo, ['--jobs', String(jobs)], test));
      }
      const gitWall = median(runs.get('git bisect run').map((r) => r.wall));
      for (const [tool, list] of runs) {
        const wall = median(list.map((r) => r.wall));
        const first = list[0];
        rows.push({
          history: `${total.toLocaleString('en')} commits, ${shape.name}`,
          tool,
          probes: String(first.probes) + (first.endpoints ? ` (+${first.endpoints} endpoints)` : ''),
          rounds: String(median(list.map((r) => r.rounds ?? r.probes))),
          wall: `${wall.toFixed(2)} s`,
          ratio: `${(wall / gitWall).toFixed(2)}x`,
          correct: list.every((r) => r.found === expected) ? 'yes' : 'NO',
        });
      }
    }
  }
}

async function probesAndWallTime(rows) {
  for (const shape of [{ name: 'linear', mergeEvery: 0 }, { name: 'merge-heavy', mergeEvery: 6 }]) {
    const repo = await benchRepository(path.join(out, `repo-1024-${shape.name}`), { total: 1024, culprit: 700, mergeEvery: shape.mergeEvery });
    const expected = git(repo, ['rev-parse', 'culprit']);
    const gitRuns = [];
    const verified = [];
    const unverified = [];
    for (let i = 0; i < repeats; i++) {
      gitRuns.push(gitBisectRun(repo));
      verified.push(culpritRun(repo, []));
      unverified.push(culpritRun(repo, ['--no-verify']));
    }
    const gitWall = median(gitRuns.map((r) => r.wall));
    for (const [label, runs] of [['git bisect run', gitRuns], ['culprit run', verified], ['culprit run --no-verify', unverified]]) {
      const wall = median(runs.map((r) => r.wall));
      rows.push({
        history: `1,024 commits, ${shape.name}`,
        tool: label,
        probes: runs[0].probes + (runs[0].endpoints ? ` (+${runs[0].endpoints} endpoints)` : ''),
        wall: `${wall.toFixed(2)} s`,
        ratio: `${(wall / gitWall).toFixed(2)}x`,
        correct: runs.every((r) => r.found === expected) ? 'yes' : 'NO',
      });
    }
  }
}

async function choosingAProbe(rows) {
  const repo = await benchRepository(path.join(out, `repo-${bigCommits}-merge-heavy`), { total: bigCommits, culprit: Math.floor(bigCommits * 0.61), mergeEvery: 10 });
  const candidates = Number(git(repo, ['rev-list', '--count', 'HEAD', '^root']));
  const gitTimes = [];
  // git counts every merge with a full walk here (minutes on this history), so it runs once.
  for (let i = 0; i < 1; i++) {
    const start = process.hrtime.bigint();
    git(repo, ['rev-list', '--bisect', 'HEAD', '^root']);
    gitTimes.push(seconds(start));
  }
  const loadTimes = [];
  const chooseTimes = [];
  const huntTimes = [];
  const planTimes = [];
  let steps = 0;
  for (let i = 0; i < repeats; i++) {
    const history = await GitHistory.open(repo);
    const bad = await history.resolve('HEAD', '--bad');
    const good = await history.resolve('root', '--good');
    const culprit = await history.resolve('culprit', 'culprit');
    let start = process.hrtime.bigint();
    const graph = await history.loadGraph(bad, [good]);
    loadTimes.push(seconds(start));
    start = process.hrtime.bigint();
    const search = new DagBisection(graph, graph.idOf(bad), []);
    let step = search.next();
    chooseTimes.push(seconds(start));
    // The rest of the hunt, with an oracle that knows the culprit: every later choice, no process spawned.
    const culpritId = graph.idOf(culprit);
    const reaches = (from) => {
      const seen = new Uint8Array(graph.size);
      const stack = [from];
      while (stack.length) {
        const id = stack.pop();
        if (id === culpritId) return true;
        if (seen[id]) continue;
        seen[id] = 1;
        for (const parent of graph.parentsOf(id)) if (parent >= 0 && !seen[parent]) stack.push(parent);
      }
      return false;
    };
    start = process.hrtime.bigint();
    steps = 0;
    let oracleTime = 0;
    while (step.kind === 'probe') {
      const oracleStart = process.hrtime.bigint();
      const verdict = reaches(step.commit) ? 'bad' : 'good';
      oracleTime += seconds(oracleStart);
      search.record(step.commit, verdict);
      step = search.next();
      steps += 1;
    }
    huntTimes.push(seconds(start) - oracleTime);
    start = process.hrtime.bigint();
    new ParallelBisection(graph, graph.idOf(bad), []).plan(4);
    planTimes.push(seconds(start));
    if (step.kind !== 'found' || graph.keyOf(step.commit) !== culprit) throw new Error('the bisection did not find the culprit');
  }
  const gitChoose = median(gitTimes);
  rows.push({ history: `${bigCommits.toLocaleString('en')} commits (${candidates.toLocaleString('en')} candidates), merge-heavy`, tool: 'git rev-list --bisect (one choice, one run)', probes: '', wall: `${gitChoose.toFixed(2)} s`, ratio: '1.00x', correct: '' });
  rows.push({ history: '', tool: 'culprit: load the graph (one rev-list)', probes: '', wall: `${median(loadTimes).toFixed(2)} s`, ratio: `${(median(loadTimes) / gitChoose).toFixed(2)}x`, correct: '' });
  rows.push({ history: '', tool: 'culprit: first choice on the loaded graph', probes: '', wall: `${median(chooseTimes).toFixed(2)} s`, ratio: `${(median(chooseTimes) / gitChoose).toFixed(2)}x`, correct: '' });
  rows.push({ history: '', tool: `culprit: all ${steps} later choices of the hunt`, probes: String(steps + 1), wall: `${median(huntTimes).toFixed(2)} s`, ratio: `${(median(huntTimes) / (gitChoose * steps)).toFixed(2)}x of git's ${steps} re-walks`, correct: 'yes' });
  rows.push({ history: '', tool: 'culprit --jobs 4: first plan of 4 cuts', probes: '', wall: `${median(planTimes).toFixed(2)} s`, ratio: `${(median(planTimes) / gitChoose).toFixed(2)}x`, correct: '' });
}

const table = (rows, withRounds) =>
  [
    `| history | tool | probes |${withRounds ? ' rounds |' : ''} wall (median of ${repeats}) | ratio to git | right culprit |`,
    `|---|---|---|${withRounds ? '---|' : ''}---|---|---|`,
    ...rows.map((r) => `| ${r.history} | ${r.tool} | ${r.probes} |${withRounds ? ` ${r.rounds} |` : ''} ${r.wall} | ${r.ratio} | ${r.correct} |`),
  ].join('\n');
const overhead = [];
const parallel = [];
const choosing = [];
const only = process.env.BENCH_ONLY;
if (!only || only === 'parallel') await parallelRounds(parallel);
if (!only || only === 'overhead') await probesAndWallTime(overhead);
if (!only || only === 'choose') await choosingAProbe(choosing);
const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${git(here, ['--version'])}`;
const sections = [
  `# Benchmark results\n\n${new Date().toISOString().slice(0, 10)} on ${machine}. Produced by \`npm run bench\` (bench/run.js); every culprit hunt runs with \`--no-cache\` and a store of its own, so every probe really runs. Probes of culprit exclude the two endpoint verifications, shown apart; git bisect run does not test its endpoints.`,
  parallel.length
    ? `## Parallel hunts: \`--jobs\` against \`git bisect run\`\n\nTest: \`sleep ${testSeconds}; ${TEST}\` (fixed cost). Rounds: the longest chain of probes that ran one after another, endpoint checks included (culprit overlaps them with the first cuts when it has several workers); for git and --jobs 1 every probe is a round. Goal: 1,024 commits with 4 workers in at most 5 rounds and at most 0.55x git's wall time.\n\n${table(parallel, true)}`
    : '',
  overhead.length ? `## Per-probe overhead\n\nTest: \`${TEST}\` (trivial, so the numbers measure culprit's own overhead).\n\n${table(overhead, false)}` : '',
  choosing.length ? `## Choosing a probe\n\n${table(choosing, false)}` : '',
].filter(Boolean);
const report = `${sections.join('\n\n')}\n`;
writeFileSync(path.join(here, 'RESULTS.md'), report);
process.stdout.write(report);
