// What a verdict does to the candidates of a DAG bisection, shared by the one-probe (git's) and parallel strategies:
// a good excludes its ancestors, a bad becomes the new bad, a skip is remembered; goods given at the start likewise.
import { checkId } from './bisect-arithmetic.js';
import type { BisectionArrays } from './bisection-arrays.js';
import type { BisectVerdict } from './bisection-step.js';
import { OUTSIDE, type CommitGraph } from './commit-graph.js';

export interface VerdictState {
  bad: number;
  readonly skipped: Set<number>;
}

/** Excludes the goods' ancestry; goods outside the loaded graph are ignored, since the region already stops there. */
export function excludeGoods(graph: CommitGraph, arrays: BisectionArrays, bad: number, goods: readonly number[]): void {
  checkId(graph, bad, 'bad');
  for (const good of goods) {
    if (good === OUTSIDE) continue;
    checkId(graph, good, 'good');
    arrays.exclude(good);
  }
  if (arrays.excluded[bad]) throw new RangeError(`bad commit ${graph.keyOf(bad)} is an ancestor of a good commit`);
}

/** Applies a verdict on a current candidate (the caller checks that it is one). */
export function applyVerdict(graph: CommitGraph, arrays: BisectionArrays, state: VerdictState, commit: number, verdict: BisectVerdict): void {
  switch (verdict) {
    case 'good':
      if (commit === state.bad) throw new RangeError(`commit ${graph.keyOf(commit)} is the current bad commit; it cannot be good`);
      arrays.exclude(commit);
      break;
    case 'bad':
      state.bad = commit;
      break;
    case 'skip':
      state.skipped.add(commit);
      break;
    default:
      throw new TypeError(`unknown verdict ${String(verdict)}`);
  }
}
