// Flaky benchmark: on 1,024 simulated commits whose test passes with probability q on a bad commit (never fails on a
// good one), accuracy and mean test runs of plain bisection, naive repeats x4 and x8, and culprit's --flaky search.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommitGraph } from '../dist/search/commit-graph.js';
import { FlakyBisection } from '../dist/search/flaky-bisection.js';
import { seededRandom } from '../dist/demo/seeded-random.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const COMMITS = Number(process.env.BENCH_COMMITS ?? 1024);
const RATES = (process.env.BENCH_RATES ?? '0.1,0.3,0.5').split(',').map(Number);
const SEEDS = Number(process.env.BENCH_SEEDS ?? 1000);
const CONFIDENCE = 0.99;
const BAD_RUNS = 10;


const graph = CommitGraph.fromRecords(Array.from({ length: COMMITS }, (_, index) => ({ key: `c${index}`, time: index, parents: index === 0 ? ['good'] : [`c${index - 1}`] })));

/** One run of commit `at`: fails only when it is at or after the culprit, and then with probability 1 − q. */
function runner(culprit, q, random) {
  let runs = 0;
  return {
    fails: (at) => {
      runs += 1;
      return at >= culprit && random() >= q;
    },
    get runs() {
      return runs;
    },
  };
}

/** git bisect's search on a line: each commit asked once (repeats: bad if any of `repeats` runs fails). */
function bisection(culprit, q, random, repeats) {
  const test = runner(culprit, q, random);
  let good = -1;
  let bad = COMMITS - 1;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    let failed = false;
    for (let run = 0; run < repeats && !failed; run++) failed = test.fails(middle);
    if (failed) bad = middle;
    else good = middle;
  }
  return { answer: bad, runs: test.runs };
}

/** culprit --flaky: with the flake rate given, or estimated from runs of the bad commit (counted). */
function flaky(culprit, q, random, estimate) {
  const test = runner(culprit, q, random);
  let rate = q;
  if (estimate) {
    let passes = 0;
    for (let run = 0; run < BAD_RUNS; run++) if (!test.fails(COMMITS - 1)) passes += 1;
    if (passes === BAD_RUNS) return { answer: -1, runs: test.runs };
    rate = { passes, failures: BAD_RUNS - passes };
  }
  const search = new FlakyBisection(graph, COMMITS - 1, { flakeRate: rate, confidence: CONFIDENCE, maxRuns: 400 });
  for (;;) {
    const step = search.next(1);
    if (step.kind === 'done') return { answer: step.found ? step.commit : -1, runs: test.runs };
    for (const commit of step.commits) search.record(commit, test.fails(commit) ? 'bad' : 'good');
  }
}

const METHODS = {
  'plain bisection': (culprit, q, random) => bisection(culprit, q, random, 1),
  'repeats x4': (culprit, q, random) => bisection(culprit, q, random, 4),
  'repeats x8': (culprit, q, random) => bisection(culprit, q, random, 8),
  '--flaky (q given)': (culprit, q, random) => flaky(culprit, q, random, false),
  '--flaky (q learnt)': (culprit, q, random) => flaky(culprit, q, random, true),
};

const started = Date.now();
const rows = [];
for (const q of RATES) {
  const row = { q, methods: {} };
  for (const [name, method] of Object.entries(METHODS)) {
    let right = 0;
    let runs = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const random = seededRandom(seed * 7919 + Math.round(q * 1000));
      const culprit = Math.floor(seededRandom(seed * 104729 + 1)() * COMMITS);
      const result = method(culprit, q, random);
      if (result.answer === culprit) right += 1;
      runs += result.runs;
    }
    row.methods[name] = { accuracy: right / SEEDS, runs: runs / SEEDS };
  }
  rows.push(row);
  console.error(`q=${q}: ${Object.entries(row.methods).map(([name, m]) => `${name} ${m.accuracy.toFixed(3)} in ${m.runs.toFixed(1)} runs`).join('; ')}`);
}

const names = Object.keys(METHODS);
const lines = [
  `# Flaky tests: accuracy and test runs on ${COMMITS} commits`,
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}; ${SEEDS} seeds per flake rate, ${((Date.now() - started) / 1000).toFixed(1)} s in all. Produced by \`node bench/flaky.js\` (\`npm run bench:flaky\` builds dist/ first); \`BENCH_COMMITS=${COMMITS} BENCH_RATES=${RATES.join(',')} BENCH_SEEDS=${SEEDS}\`.`,
  '',
  `**Scenario.** A line of ${COMMITS} commits above a good one; a culprit placed by a seeded RNG; a run of a commit at or after it fails with probability 1 − q and passes with probability q (the flake rate); a run before it always passes. Every method gets the same random stream per seed. Runs count every test run, including the 10 runs of the bad commit that estimate q in the last column.`,
  '',
  `**Methods.** Plain bisection: git bisect run's binary search, one run per step. Repeats x4, x8: the same, a commit bad when any of its runs fails. --flaky: culprit's Bayesian search (\`src/search/flaky-bisection.ts\`), probing where the posterior splits in half, stopping at posterior ≥ ${CONFIDENCE}; with q given (\`--flake-rate\`), and with q learnt (the default): 10 runs of the bad commit start a Beta posterior of q that the search's own runs refine, and the posterior over commits is its marginal.`,
  '',
  `| q | ${names.map((name) => `${name}: accuracy`).join(' | ')} | ${names.map((name) => `${name}: mean runs`).join(' | ')} |`,
  `|---:|${names.map(() => '---:').join('|')}|${names.map(() => '---:').join('|')}|`,
];
for (const row of rows) lines.push(`| ${row.q} | ${names.map((name) => row.methods[name].accuracy.toFixed(3)).join(' | ')} | ${names.map((name) => row.methods[name].runs.toFixed(1)).join(' | ')} |`);
lines.push('', `Goal (issue): at q = 0.3, accuracy ≥ 0.99 with at most 22 runs on average; the information bound is about 20.`, '');
writeFileSync(path.join(here, 'FLAKY.md'), lines.join('\n'));
console.error(`wrote ${path.join(here, 'FLAKY.md')}`);
