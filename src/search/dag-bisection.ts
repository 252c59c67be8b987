// Bisection on a commit DAG that makes exactly the choices `git bisect` (2.39) makes, tie-breaks and skips included.
// Matching git probe for probe means a hunt never costs more builds than `git bisect run` on the same history.
import { estimateBisectSteps } from './bisect-arithmetic.js';
import { BisectionArrays } from './bisection-arrays.js';
import { cloneStep, type BisectionStep, type BisectVerdict } from './bisection-step.js';
import { computeWeights } from './candidate-weights.js';
import { OUTSIDE, type CommitGraph } from './commit-graph.js';
import { walkCandidates } from './limit-list-walk.js';
import { chooseRanked } from './ranked-choice.js';

export type { BisectionStep, BisectVerdict } from './bisection-step.js';
import { applyVerdict, excludeGoods } from './candidate-verdicts.js';
export { approxHalfway, estimateBisectSteps, getPrn, skipAwayIndex, sqrti } from './bisect-arithmetic.js';

export interface DagBisectionOptions {
  /** Follow only first parents from bad, like `git bisect start --first-parent`. */
  firstParent?: boolean;
}

/**
 * Candidate selection by git's rules:
 * - candidates are the commits reachable from bad (first parents only with `firstParent`) that are not
 *   ancestors of a good; their order is the one git's limit_list walk produces (newest commit date first,
 *   first queued first among equal dates), reversed, as find_bisection uses it;
 * - weights are candidate-ancestor counts; without skips, git stops at the first commit "approximately
 *   halfway" in its counting order, else takes the first best in list order;
 * - once any commit has been skipped, all weights are counted, candidates are ranked by
 *   (min(w, nr - w) desc, hash asc), and when the best is skipped, skip_away picks a pseudo-random rank.
 *
 * The graph may hold only the candidate region (parents outside it are OUTSIDE); goods that are in the
 * graph exclude their ancestors, goods outside it are ignored since the region already stops there.
 */
export class DagBisection {
  private readonly graph: CommitGraph;
  private readonly firstParent: boolean;
  /** CSR copy, good-ancestor marks and the scratch every step reuses. */
  private readonly arrays: BisectionArrays;
  private readonly state: { bad: number; readonly skipped: Set<number> };

  /** Candidates in walk order (bad first), valid while the arrays' set stamp is current. */
  private order: Int32Array | undefined;
  private step: BisectionStep | undefined;

  constructor(graph: CommitGraph, bad: number, goods: readonly number[], options: DagBisectionOptions = {}) {
    this.graph = graph;
    this.firstParent = options.firstParent ?? false;
    this.arrays = new BisectionArrays(graph);
    excludeGoods(graph, this.arrays, bad, goods);
    this.state = { bad, skipped: new Set() };
  }

  get bad(): number {
    return this.state.bad;
  }

  /** Every commit ever skipped: git keeps its skip refs, and any of them switches it to ranking all. */
  private get skipped(): Set<number> {
    return this.state.skipped;
  }

  next(): BisectionStep {
    this.step ??= this.choose();
    return cloneStep(this.step);
  }

  record(commit: number, verdict: BisectVerdict): void {
    if (!Number.isInteger(commit) || commit < 0 || commit >= this.graph.size || !this.isCandidate(commit)) {
      throw new RangeError(`commit ${String(commit)} is not a current candidate`);
    }
    applyVerdict(this.graph, this.arrays, this.state, commit, verdict);
    this.order = undefined;
    this.step = undefined;
  }

  candidateCount(): number {
    return this.walk().length;
  }

  /** Current candidates in git's walk order: bad first, then by commit date, newest first. */
  candidates(): number[] {
    return Array.from(this.walk());
  }

  /** git's estimate_bisect_steps: the "(roughly k steps)" left after the next probe. */
  estimatedSteps(): number {
    return estimateBisectSteps(this.candidateCount());
  }

  private isCandidate(commit: number): boolean {
    this.walk();
    return this.arrays.inSet[commit] === this.arrays.setStamp;
  }

  private walk(): Int32Array {
    this.order ??= walkCandidates(this.arrays, this.state.bad, this.firstParent);
    return this.order;
  }

  private choose(): BisectionStep {
    const order = this.walk();
    const nr = order.length;
    const all = this.skipped.size > 0;
    const early = computeWeights(this.arrays, order, this.firstParent, !all);
    const bad = this.state.bad;
    if (early !== OUTSIDE) return early === bad ? { kind: 'found', commit: bad } : { kind: 'probe', commit: early };
    const { weight } = this.arrays;
    if (!all) {
      // best_bisection: the first maximum in list order (oldest first).
      let best = bad;
      let bestDistance = -1;
      for (let i = nr - 1; i >= 0; i--) {
        const v = order[i] as number;
        const w = weight[v] as number;
        const distance = Math.min(w, nr - w);
        if (distance > bestDistance) {
          best = v;
          bestDistance = distance;
        }
      }
      return best === bad ? { kind: 'found', commit: bad } : { kind: 'probe', commit: best };
    }
    return chooseRanked(this.graph, weight, order, this.skipped, bad);
  }
}

