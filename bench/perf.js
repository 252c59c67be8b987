// Performance benchmark: samples a metric hunt needs to decide, how often it says "no regression" when there is
// none, and whole simulated hunts on 1,024 commits against a threshold script under git bisect run (one run a step).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifySamples, regressionBetween } from '../dist/search/metric-verdict.js';
import { seededRandom } from '../dist/demo/seeded-random.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SEEDS = Number(process.env.BENCH_SEEDS ?? 1000);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 1024);
const IQR = 1.349; // of a standard normal


function normal(random, mean, sd) {
  return mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The endpoints as the hunt samples them: 10 more a side per look, up to 30; the samples a side it took, or none. */
function endpoints(random, good, bad) {
  const [g, b] = [[], []];
  for (let look = 1; look <= 3; look++) {
    while (g.length < look * 10) g.push(good(random));
    while (b.length < look * 10) b.push(bad(random));
    if (regressionBetween(g, b, 'higher', 3).regressed) return { samples: g.length, g, b };
  }
  return { samples: 30, g, b, none: true };
}

/** A commit as a probe samples it: 5 more at a time, up to 30, until it looks like one endpoint. */
function classify(random, sample, g, b) {
  const values = [];
  while (values.length < 30) {
    for (let run = 0; run < 5; run++) values.push(sample(random));
    const verdict = classifySamples(values, g, b);
    if (verdict !== 'undecided') return { verdict, samples: values.length };
  }
  return { verdict: 'skip', samples: values.length };
}

const lines = [
  '# Performance regressions: samples to decide, false alarms, and whole hunts',
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}; ${SEEDS} seeds per row. Produced by \`node bench/perf.js\` (\`npm run bench:perf\` builds dist/ first); \`BENCH_SEEDS=${SEEDS} BENCH_COMMITS=${COMMITS}\`.`,
  '',
  '**Decisions.** Normal noise (sd 1); the bad side shifted by a number of IQRs (1 IQR = 1.349 sd). Endpoints: 10 samples a side per look, up to 30, regression when min(Mann-Whitney one-sided, KS) × 2 ≤ 0.01/3. A commit: 5 samples at a time, up to 30, until it differs from one endpoint (p ≤ 0.01) and not from the other, its median nearer that one.',
  '',
  '| shift | endpoints: regression found | endpoints: mean samples a side | a bad commit: called bad | a good commit: called good | mean samples a commit |',
  '|---:|---:|---:|---:|---:|---:|',
];
for (const shift of [0, 0.5, 1, 2]) {
  let found = 0;
  let sides = 0;
  let badRight = 0;
  let goodRight = 0;
  let commitSamples = 0;
  let classified = 0;
  for (let seed = 0; seed < SEEDS; seed++) {
    const random = seededRandom(seed * 7919 + Math.round(shift * 100));
    const good = (r) => normal(r, 100, 1);
    const bad = (r) => normal(r, 100 + shift * IQR, 1);
    const ends = endpoints(random, good, bad);
    sides += ends.samples;
    if (ends.none) continue;
    found += 1;
    const asBad = classify(random, bad, ends.g, ends.b);
    const asGood = classify(random, good, ends.g, ends.b);
    if (asBad.verdict === 'bad') badRight += 1;
    if (asGood.verdict === 'good') goodRight += 1;
    commitSamples += asBad.samples + asGood.samples;
    classified += 2;
  }
  const share = (count, of) => (of === 0 ? '—' : (count / of).toFixed(3));
  lines.push(`| ${shift} IQR | ${share(found, SEEDS)} | ${(sides / SEEDS).toFixed(1)} | ${share(badRight, found)} | ${share(goodRight, found)} | ${classified === 0 ? '—' : (commitSamples / classified).toFixed(1)} |`);
  console.error(`shift ${shift}: found ${found}/${SEEDS}`);
}

/** A whole hunt on a line: culprit's (endpoints, then a bisection whose probes sample) and a threshold script's. */
function hunts(slowdown, noise) {
  let culpritRight = 0;
  let culpritNone = 0;
  let culpritRuns = 0;
  let thresholdRight = 0;
  const seeds = Math.min(SEEDS, 300);
  for (let seed = 0; seed < seeds; seed++) {
    const random = seededRandom(seed * 104729 + Math.round(slowdown * 1000));
    const culprit = 1 + Math.floor(random() * (COMMITS - 1));
    const timing = (at) => (r) => normal(r, 100 * (at >= culprit ? slowdown : 1), 100 * noise);
    let runs = 0;
    const counted = (sampler) => (r) => {
      runs += 1;
      return sampler(r);
    };
    const ends = endpoints(random, counted(timing(0)), counted(timing(COMMITS - 1)));
    if (ends.none) {
      culpritNone += 1;
      culpritRuns += runs;
    } else {
      let good = 0;
      let bad = COMMITS - 1;
      while (bad - good > 1) {
        const middle = Math.floor((good + bad) / 2);
        const { verdict } = classify(random, counted(timing(middle)), ends.g, ends.b);
        if (verdict === 'bad') bad = middle;
        else good = middle;
      }
      culpritRuns += runs;
      if (bad === culprit && slowdown !== 1) culpritRight += 1;
    }
    // git bisect run with `test $(time) -lt threshold`, the threshold halfway between the two means, one run a step.
    let good = 0;
    let bad = COMMITS - 1;
    const threshold = 100 * (1 + slowdown) / 2;
    while (bad - good > 1) {
      const middle = Math.floor((good + bad) / 2);
      if (timing(middle)(random) >= threshold) bad = middle;
      else good = middle;
    }
    if (bad === culprit && slowdown !== 1) thresholdRight += 1;
  }
  return { seeds, culpritRight, culpritNone, culpritRuns: culpritRuns / seeds, thresholdRight };
}

lines.push('', `**Whole hunts** on ${COMMITS} commits (a line, the culprit placed by a seeded RNG), timings 100 × (slowdown after the culprit) with normal noise. culprit: the endpoints, then git's bisection with each probe sampled (here a probe that cannot tell counts as good; the real hunt skips it, which can only help). Anchor: \`git bisect run\` with a script that compares one timing to a threshold halfway between the two means (it must know both, which culprit learns), one run a step.`, '', '| slowdown, noise | seeds | culprit: right commit | culprit: "no regression" | culprit: mean runs | threshold script: right commit (10 runs) |', '|---|---:|---:|---:|---:|---:|');
for (const [slowdown, noise] of [[1.2, 0.05], [1.05, 0.05], [1, 0.05]]) {
  const result = hunts(slowdown, noise);
  lines.push(`| ${Math.round((slowdown - 1) * 100)}%, ${noise * 100}% | ${result.seeds} | ${(result.culpritRight / result.seeds).toFixed(3)} | ${(result.culpritNone / result.seeds).toFixed(3)} | ${result.culpritRuns.toFixed(1)} | ${slowdown === 1 ? '— (names a commit every time)' : (result.thresholdRight / result.seeds).toFixed(3)} |`);
  console.error(`slowdown ${slowdown}: right ${result.culpritRight}/${result.seeds}, none ${result.culpritNone}`);
}
lines.push('', 'Goals (issue): a shift of one IQR decided with at most 30 samples a side; a 20% slowdown under 5% noise named; with no slowdown, "no regression found" in at least 99% of seeds, never a commit.', '');
writeFileSync(path.join(here, 'PERF.md'), lines.join('\n'));
console.error(`wrote ${path.join(here, 'PERF.md')}`);
