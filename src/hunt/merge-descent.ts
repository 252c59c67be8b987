// A --first-parent hunt that lands on a merge knows which merge brought the change in, not which commit made it:
// bisect the commits the merge brought in (its second parent's side) before narrowing.
import type { History } from '../history/history.js';
import type { BisectionStep } from '../search/bisection-step.js';
import type { HuntProbe } from './hunt-types.js';
import { chooseBisection } from './strategy-choice.js';

export interface MergeDescent {
  merge: string;
  /** The first bad commit on the merged branch; null when the branch passes and the merge itself is to blame. */
  commit: string | null;
  /** Commits that may be it when skipped ones hide which. */
  candidates: string[];
  probes: number;
}

export interface DescentRequest {
  history: History;
  merge: string;
  probe(commit: string): Promise<HuntProbe>;
  note(message: string): void;
}

export async function descendIntoMerge(request: DescentRequest): Promise<MergeDescent | undefined> {
  const { history, merge } = request;
  const [first, second] = await history.parents(merge);
  if (first === undefined || second === undefined) return undefined;
  let probes = 0;
  const tip = await request.probe(second);
  probes += 1;
  if (tip.searchVerdict === 'good') {
    request.note(`the merged branch (${history.shortName(second)}) passes: ${history.shortName(merge)} itself introduced the failure`);
    return { merge, commit: null, candidates: [], probes };
  }
  if (tip.searchVerdict !== 'bad') {
    request.note(`the merged branch's tip ${history.shortName(second)} cannot be tested: not descending into it`);
    return undefined;
  }
  // The merge bases are ancestors of the first parent, which the first-parent bisection found good.
  const bases = await history.mergeBases(second, [first]);
  const graph = await history.loadGraph(second, bases);
  const badId = graph.idOf(second);
  if (badId === undefined) return undefined;
  const goodIds = bases.map((base) => graph.idOf(base)).filter((id): id is number => id !== undefined);
  const bisection = chooseBisection(history.kind, graph, badId, goodIds, false);
  request.note(`descending into the merged branch: ${bisection.candidateCount()} commits between the merge base and ${history.shortName(second)}`);
  let step: BisectionStep = bisection.next();
  while (step.kind === 'probe') {
    const record = await request.probe(graph.keyOf(step.commit));
    probes += 1;
    bisection.record(step.commit, record.searchVerdict === 'abort' ? 'skip' : record.searchVerdict);
    step = bisection.next();
  }
  if (step.kind === 'found') {
    const commit = graph.keyOf(step.commit);
    request.note(`${history.shortName(commit)} is the first bad commit on the branch merged by ${history.shortName(merge)}`);
    return { merge, commit, candidates: [commit], probes };
  }
  return { merge, commit: null, candidates: step.commits.map((id) => graph.keyOf(id)), probes };
}
