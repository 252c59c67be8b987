// Narrowing benchmark: tests used to find one decisive line (and a pair that only fails together) among H hunks,
// hierarchical narrowing (files > hunks > lines) against plain ddmin over all lines, in the same run.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildChangeTree, nodesAtLevel } from '../dist/changes/change-tree.js';
import { closeConfiguration, materialize } from '../dist/changes/materialize.js';
import { changeNarrowing, levelName, nodesOf } from '../dist/hunt/change-narrowing.js';
import { NarrowingStrategy } from '../dist/search/narrowing-strategy.js';
import { DeltaDebugging } from '../dist/search/delta-debugging.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIZES = (process.env.BENCH_HUNKS ?? '10,100,1000,8000').split(',').map(Number);

/** H one-line hunks spread over H/20 files (at least one); hunk `decisive[i]` adds a marker the test looks for. */
function syntheticCommit(hunks, decisive) {
  const files = Math.max(1, Math.ceil(hunks / 20));
  const deltas = [];
  let hunk = 0;
  for (let file = 0; file < files; file++) {
    const count = Math.ceil((hunks - hunk) / (files - file));
    const before = [];
    const after = [];
    for (let index = 0; index < count; index++, hunk++) {
      before.push(`context ${index} a`, `context ${index} b`, `value_${hunk} = ${hunk}`);
      after.push(`context ${index} a`, `context ${index} b`, decisive.includes(hunk) ? `value_${hunk} = ${hunk} + MARKER_${hunk}` : `value_${hunk} = ${hunk + 1}`);
    }
    deltas.push({ path: `src/file-${file}.py`, oldPath: null, status: 'modified', before: Buffer.from(`${before.join('\n')}\n`), after: Buffer.from(`${after.join('\n')}\n`), modeBefore: 'file', modeAfter: 'file' });
  }
  return buildChangeTree(deltas);
}

function oracleFor(tree, decisive) {
  const markers = decisive.map((hunk) => `MARKER_${hunk}`);
  return (configuration) => {
    const text = materialize(tree, configuration).map((state) => state.content?.toString('utf8') ?? '').join('');
    return markers.every((marker) => text.includes(marker)) ? 'fail' : 'pass';
  };
}

/** The narrowing strategy run on one worker, as the hunt's driver runs it: ask, test, record, until done. */
async function oneWorker(strategy, tree, oracle) {
  for (;;) {
    const plan = strategy.plan(1, []);
    if (plan.done) return plan.done;
    for (const configuration of plan.start) strategy.record(configuration, oracle(nodesOf(tree, configuration)));
  }
}

async function hierarchical(tree, oracle) {
  const result = await oneWorker(new NarrowingStrategy(changeNarrowing(tree, 'line')), tree, oracle);
  return { tests: result.levels.reduce((sum, level) => sum + level.tests, 0), levels: result.levels.map((level) => `${levelName(tree, level.unitIds)} ${level.tests}`).join(', '), found: result.minimal.length };
}

function plain(tree, oracle) {
  const lines = nodesAtLevel(tree, 'line');
  const search = new DeltaDebugging(lines.length);
  for (;;) {
    const step = search.next();
    if (step.kind === 'done') return { tests: search.testsUsed, found: step.minimal.length };
    search.record(step.configuration, oracle(closeConfiguration(tree, step.configuration.map((index) => lines[index]))));
  }
}

const rows = [];
for (const hunks of SIZES) {
  for (const [label, decisive] of [
    ['one decisive line', [Math.floor(hunks * 0.61)]],
    ['a pair that only fails together', [Math.floor(hunks * 0.13), Math.floor(hunks * 0.87)]],
  ]) {
    if (decisive.length === 2 && decisive[0] === decisive[1]) continue;
    const tree = syntheticCommit(hunks, decisive);
    const oracle = oracleFor(tree, decisive);
    const started = performance.now();
    const ours = await hierarchical(tree, oracle);
    const oursSeconds = (performance.now() - started) / 1000;
    const theirs = plain(tree, oracle);
    const goal = Math.ceil(4 * Math.log2(hunks) + 10);
    rows.push({ hunks, label, ours, theirs, goal, oursSeconds });
    console.log(`${hunks} hunks, ${label}: hierarchical ${ours.tests} tests (${ours.levels}), plain ddmin ${theirs.tests} tests, goal ≤ ${goal}`);
  }
}

const table = rows
  .map((row) => `| ${row.hunks} | ${row.label} | ${row.ours.tests} (${row.ours.levels}) | ${row.theirs.tests} | ${(row.theirs.tests / row.ours.tests).toFixed(2)}x | ${row.goal} | ${row.ours.tests <= row.goal || row.label !== 'one decisive line' ? 'yes' : 'NO'} |`)
  .join('\n');
const report = `# Narrowing benchmark

\`node bench/narrow.js\` (after \`npm run build\`), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}.

A synthetic first bad commit of H one-line hunks over H/20 files; the test fails when the decisive line (or both
lines of a pair) is present. *Tests* are configurations built and tested, not counting the two known endpoints
(the parent passes, the commit fails) nor the re-run of the whole change that \`culprit\` adds as a flakiness check.
Hierarchical narrowing (files, then hunks, then lines) against plain ddmin over all changed lines, same run.
The goal is one decisive line in at most 4·log2(H)+10 tests (the published GDB case took 289 tests).

| hunks | decisive change | hierarchical tests (per level) | plain ddmin tests | ratio | goal | within goal |
|---:|---|---|---:|---:|---:|---|
${table}
`;
writeFileSync(path.join(here, 'NARROWING.md'), report);
console.log(`\nwrote ${path.join(here, 'NARROWING.md')}`);
