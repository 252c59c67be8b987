// git's choice once any commit has been skipped: rank all candidates, and step away from a skipped best.
// Transcribes best_bisection_sorted, filter_skipped and skip_away, so skips lead to the probes git makes.
import { skipAwayIndex } from './bisect-arithmetic.js';
import type { BisectionStep } from './bisection-step.js';
import type { CommitGraph } from './commit-graph.js';

/**
 * With skips, git ranks every candidate by (min(w, nr - w) desc, hash asc) (best_bisection_sorted).
 * If the best is not skipped it is the answer; otherwise skip_away picks a rank among the others.
 * `order` holds the candidates in walk order (bad first) and `weight` their candidate-ancestor counts.
 */
export function chooseRanked(
  graph: CommitGraph,
  weight: Int32Array,
  order: Int32Array,
  skipped: ReadonlySet<number>,
  bad: number,
): BisectionStep {
  const nr = order.length;
  const distance = (v: number): number => Math.min(weight[v] as number, nr - (weight[v] as number));

  let top = order[0] as number;
  let topDistance = -1;
  for (let i = 0; i < nr; i++) {
    const v = order[i] as number;
    const d = distance(v);
    if (d > topDistance || (d === topDistance && graph.keyOf(v) < graph.keyOf(top))) {
      top = v;
      topDistance = d;
    }
  }
  if (!skipped.has(top)) return top === bad ? { kind: 'found', commit: bad } : { kind: 'probe', commit: top };

  // filter_skipped: the skipped candidates are "tried"; the rest keep their rank order.
  const tried: number[] = [];
  const byDistance = new Int32Array(Math.floor(nr / 2) + 2);
  let count = 0;
  for (let i = 0; i < nr; i++) {
    const v = order[i] as number;
    if (skipped.has(v)) {
      tried.push(v);
    } else {
      (byDistance[distance(v)] as number)++;
      count++;
    }
  }
  const ambiguous = (withBad: boolean): BisectionStep => {
    const commits = new Set(tried);
    if (withBad) commits.add(bad);
    return { kind: 'ambiguous', commits: [...commits].sort((a, b) => a - b) };
  };
  if (count === 0) return ambiguous(false);

  // The element at a rank, found through a histogram of distances so only one tie group is sorted.
  const atRank = (rank: number): number => {
    let remaining = rank;
    for (let d = byDistance.length - 1; d >= 0; d--) {
      const inGroup = byDistance[d] as number;
      if (remaining < inGroup) {
        const group: number[] = [];
        for (let i = 0; i < nr; i++) {
          const v = order[i] as number;
          if (!skipped.has(v) && distance(v) === d) group.push(v);
        }
        group.sort((a, b) => compareKeys(graph.keyOf(a), graph.keyOf(b)));
        return group[remaining] as number;
      }
      remaining -= inGroup;
    }
    throw new Error('rank out of range');
  };

  // skip_away: an index that matches no element (negative after C int overflow) means the first one.
  const index = skipAwayIndex(count);
  let chosen: number;
  if (index < 0 || index >= count) {
    chosen = atRank(0);
  } else {
    chosen = atRank(index);
    if (chosen === bad) chosen = atRank(index > 0 ? index - 1 : 0);
  }
  if (chosen === bad) return ambiguous(true);
  return { kind: 'probe', commit: chosen };
}

/** oidcmp on hex keys: plain code-unit order matches byte order for lowercase hex. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
