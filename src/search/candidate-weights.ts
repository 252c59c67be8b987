// Candidate-ancestor weights the way git's do_find_bisection fills them in, with its early "halfway" exit.
// git's pass-by-pass order decides which halfway commit it returns, so that order is reproduced, not just the counts.
import { approxHalfway } from './bisect-arithmetic.js';
import type { BisectionArrays } from './bisection-arrays.js';
import { OUTSIDE } from './commit-graph.js';
import { countMerges } from './merge-weights.js';

/**
 * Fills in `weight` for the candidates in `order` (the current candidate set, in walk order) the way
 * do_find_bisection does; returns the commit git would return early as "approximately halfway", or
 * OUTSIDE when it would go on to rank all of them (always OUTSIDE unless `allowEarly`).
 */
export function computeWeights(arrays: BisectionArrays, order: Int32Array, firstParent: boolean, allowEarly: boolean): number {
  const nr = order.length;
  const { weight, pass, listPos, parentStart, parentIds, inSet, stack } = arrays;
  const stamp = arrays.setStamp;
  let merges = 0;

  // First pass: roots weigh 1; the others are unknown, single-parent (-1) or merge (-2).
  for (let i = nr - 1; i >= 0; i--) {
    const v = order[i] as number;
    listPos[v] = nr - 1 - i;
    let interesting = 0;
    const end = parentStart[v + 1] as number;
    for (let k = parentStart[v] as number; k < end; k++) {
      const p = parentIds[k] as number;
      if (p >= 0 && inSet[p] === stamp) interesting++;
      if (firstParent) break;
    }
    if (interesting === 0) {
      weight[v] = 1;
      pass[v] = 0;
    } else if (interesting === 1) {
      weight[v] = -1;
      pass[v] = -1;
    } else {
      weight[v] = -2;
      pass[v] = 0;
      merges++;
    }
  }

  if (merges > 0) {
    countMerges(arrays, order);
    if (allowEarly) {
      for (let i = nr - 1; i >= 0; i--) {
        const v = order[i] as number;
        // Known weights other than 1 are merges: a merge reaches itself and at least two parents.
        if (pass[v] === 0 && weight[v] !== 1 && approxHalfway(weight[v] as number, nr)) return v;
      }
    }
  }

  // Single-parent commits inherit their parent's weight plus one. git does this in repeated passes
  // over the list and returns at the first halfway commit; `pass` records in which pass git would
  // have set each weight, so the first halfway commit in (pass, list position) order is git's.
  let earlyPass = Infinity;
  let earlyPos = Infinity;
  let early = OUTSIDE;
  for (let i = nr - 1; i >= 0; i--) {
    const v = order[i] as number;
    if (pass[v] !== -1) continue;
    let top = 0;
    let u = v;
    while (pass[u] === -1) {
      if (top >= nr) throw new Error('the commit graph has a cycle');
      stack[top++] = u;
      u = interestingParent(arrays, u, firstParent);
    }
    while (top > 0) {
      const p = stack[--top] as number;
      const w = (weight[u] as number) + 1;
      const qPass = pass[u] as number;
      const pPass = qPass === 0 ? 1 : (listPos[u] as number) < (listPos[p] as number) ? qPass : qPass + 1;
      weight[p] = w;
      pass[p] = pPass;
      if (allowEarly && approxHalfway(w, nr)) {
        const pos = listPos[p] as number;
        if (pPass < earlyPass || (pPass === earlyPass && pos < earlyPos)) {
          earlyPass = pPass;
          earlyPos = pos;
          early = p;
        }
      }
      u = p;
    }
  }
  return early;
}

/** The unique interesting parent of a single-parent candidate (the first parent in first-parent mode). */
function interestingParent(arrays: BisectionArrays, v: number, firstParent: boolean): number {
  const { parentStart, parentIds, inSet } = arrays;
  const stamp = arrays.setStamp;
  const end = parentStart[v + 1] as number;
  for (let i = parentStart[v] as number; i < end; i++) {
    const p = parentIds[i] as number;
    if (p >= 0 && inSet[p] === stamp) return p;
    if (firstParent) break;
  }
  return OUTSIDE;
}
