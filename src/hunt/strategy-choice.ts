// Which bisection a search runs, decided in one place: with one worker the one that makes the same choices as
// the repository's own bisect command (so culprit never probes more than `git bisect run` or `hg bisect
// --command`), with several the k-way cuts of ParallelBisection over the same candidate set.
import type { History } from '../history/history.js';
import type { Bisection, BisectVerdict, FinalStep } from '../search/bisection-step.js';
import type { CommitGraph } from '../search/commit-graph.js';
import { DagBisection } from '../search/dag-bisection.js';
import { HgBisection } from '../search/hg-bisection.js';
import { estimateRounds, ParallelBisection } from '../search/parallel-bisection.js';
import { StepwiseStrategy } from '../search/stepwise-strategy.js';
import type { Strategy } from '../search/strategy.js';

export interface ChosenBisection {
  strategy: Strategy<number, BisectVerdict, FinalStep>;
  kind: 'git' | 'hg' | 'parallel';
  workers: number;
  candidateCount(): number;
  /** Probes left one after another: steps with one worker, rounds with several. */
  stepsLeft(): number;
  /** Commits with a known verdict (stored or cached): a parallel search asks them before any cut that would run. */
  preferKnown(commits: ReadonlySet<number>): void;
  candidates(): number[];
}

/** One worker: git's or hg's own choices, one step at a time. */
function stepwise(bisection: Bisection & { candidates(): number[] }, kind: 'git' | 'hg'): ChosenBisection {
  const strategy = new StepwiseStrategy<number, BisectVerdict, FinalStep>({
    next: () => {
      const step = bisection.next();
      return step.kind === 'probe' ? { kind: 'probe', candidate: step.commit } : { kind: 'done', result: step };
    },
    record: (commit, verdict) => bisection.record(commit, verdict),
  });
  return {
    strategy,
    kind,
    workers: 1,
    candidateCount: () => bisection.candidateCount(),
    stepsLeft: () => bisection.estimatedSteps(),
    preferKnown: () => undefined,
    candidates: () => bisection.candidates(),
  };
}

/** hg bisect's candidates: descendants of a good that are ancestors of bad, minus the goods' ancestors. */
function hgCandidates(graph: CommitGraph, bad: number, goods: readonly number[]): Set<number> {
  return new Set(new HgBisection(graph, bad, goods).candidates());
}

/** Throws a RangeError when the endpoints cannot be bisected (bad not a descendant of a good, for hg). */
export function chooseBisection(kind: History['kind'], graph: CommitGraph, bad: number, goods: readonly number[], options: { firstParent: boolean; workers: number }): ChosenBisection {
  const { firstParent, workers } = options;
  // hg bisect has no --first-parent; git's first-parent walk is the natural meaning on any DAG.
  const hgRules = kind === 'hg' && !firstParent;
  if (workers <= 1) return hgRules ? stepwise(new HgBisection(graph, bad, goods), 'hg') : stepwise(new DagBisection(graph, bad, goods, { firstParent }), 'git');
  const parallel = new ParallelBisection(graph, bad, goods, { firstParent, ...(hgRules ? { restrictTo: hgCandidates(graph, bad, goods) } : {}) });
  return {
    strategy: parallel,
    kind: 'parallel',
    workers,
    candidateCount: () => parallel.candidateCount(),
    stepsLeft: () => parallel.estimatedRounds(workers),
    preferKnown: (commits) => parallel.preferKnown(commits),
    candidates: () => parallel.candidates(),
  };
}

/** The start line's estimate: steps with one worker, rounds with several (each leaves ~1/(workers+1)). */
export function estimatePace(preview: ChosenBisection | undefined, graphSize: number, workers: number): number {
  if (workers > 1) return estimateRounds(graphSize + 1, workers);
  return preview?.stepsLeft() ?? Math.ceil(Math.log2(graphSize + 1));
}
