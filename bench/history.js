// Synthetic histories for the benchmarks, written with git fast-import (via the built dist/):
// linear, or a main line that merges a short topic branch every few commits.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { importHistory } from '../dist/demo/fast-import.js';

/** Yields the commits of a history of `total` commits; commit i writes state.txt = ok before `culprit`, bug after. */
function* commits(total, culprit, mergeEvery) {
  const author = 'Bench <bench@example.org>';
  let mark = 0;
  let main = 0;
  let time = 1_600_000_000;
  // Whether each line of history already contains the culprit, so the test stays monotone across merges.
  let mainBad = false;
  const text = (bad) => (bad ? 'bug\n' : 'ok\n');
  while (mark < total) {
    if (mergeEvery && main && (mark + 4) % mergeEvery === 0 && mark + 4 <= total) {
      let side = main;
      let sideBad = mainBad;
      for (let i = 0; i < 3; i++) {
        sideBad ||= mark + 1 === culprit;
        const files = { [`topic-${mark % 97}.txt`]: `${mark}\n`, 'state.txt': text(sideBad) };
        mark += 1;
        time += 1;
        yield { mark, branch: 'topic', parents: [side], message: `topic ${mark}`, author, time, files };
        side = mark;
      }
      mainBad ||= sideBad || mark + 1 === culprit;
      const files = { 'main.txt': `${mark}\n`, 'state.txt': text(mainBad) };
      mark += 1;
      time += 1;
      yield { mark, branch: 'main', parents: [main, side], message: `merge ${mark}`, author, time, files };
      main = mark;
      continue;
    }
    mainBad ||= mark + 1 === culprit;
    const files = { 'main.txt': `${mark}\n`, 'state.txt': text(mainBad) };
    mark += 1;
    time += 1;
    yield { mark, branch: 'main', parents: main ? [main] : [], message: `commit ${mark}`, author, time, files };
    main = mark;
  }
}

/** Creates (or reuses) a repository; returns its directory and the hashes of root, culprit and head. */
export async function benchRepository(directory, { total, culprit, mergeEvery = 0 }) {
  const done = `${directory}/.git/bench-ready`;
  if (!existsSync(done)) {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    await importHistory(directory, commits(total, culprit, mergeEvery), [`reset refs/tags/root`, 'from :1', '', `reset refs/tags/culprit`, `from :${culprit}`, '']);
    writeFileSync(done, 'ok\n');
  }
  return directory;
}
