// A --first-parent hunt that lands on a merge knows which merge brought the change in, not which commit made it:
// before narrowing, the commits the merge brought in (its second parent's side) are bisected in turn.
import type { MergeDescent } from '../../model/stage-results.js';
import type { HuntContext } from '../hunt-context.js';
import type { Stage, StageOutput, SuspectHandoff } from '../stage.js';
import { chooseBisection } from '../strategy-choice.js';
import { bisectionTrack, preferKnownVerdicts } from './bisection-stage.js';

async function descend(context: HuntContext, merge: string): Promise<MergeDescent | undefined> {
  const { history } = context;
  const [first, second] = await history.parents(merge);
  if (first === undefined || second === undefined) return undefined;
  const tip = await context.probeOne({ commit: second, phase: 'descend' });
  context.observer.probeFinished?.(tip, undefined);
  const tipVerdict = context.verdictOf(tip);
  if (tipVerdict === 'good') {
    context.note(`the merged branch (${context.name(second)}) passes: ${context.name(merge)} itself introduced the failure`);
    return { merge, commit: null, candidates: [], probes: 1 };
  }
  if (tipVerdict !== 'bad') {
    context.note(`the merged branch's tip ${context.name(second)} cannot be tested: not descending into it`);
    return undefined;
  }
  // The merge bases are ancestors of the first parent, which the first-parent bisection found good.
  const bases = await history.mergeBases(second, [first]);
  const graph = await history.loadGraph(second, bases);
  const badId = graph.idOf(second);
  if (badId === undefined) return undefined;
  const goodIds = bases.map((base) => graph.idOf(base)).filter((id): id is number => id !== undefined);
  const chosen = chooseBisection(history.kind, graph, badId, goodIds, { firstParent: false, workers: context.executor.slots });
  const candidatesAtStart = chosen.candidateCount();
  context.note(`descending into the merged branch: ${chosen.candidateCount()} commits between the merge base and ${context.name(second)}`);
  await preferKnownVerdicts(context, chosen, graph);
  const before = context.probes.length;
  const track = bisectionTrack(context, chosen, (id) => graph.keyOf(id), 'descend');
  const { result: final } = await context.drive(track);
  const probes = 1 + context.probes.length - before;
  if (final.kind === 'found') {
    const commit = graph.keyOf(final.commit);
    context.note(`${context.name(commit)} is the first bad commit on the branch merged by ${context.name(merge)}`);
    return { merge, commit, candidates: [commit], probes, candidatesAtStart };
  }
  return { merge, commit: null, candidates: final.commits.map((id) => graph.keyOf(id)), probes, candidatesAtStart };
}

export const mergeDescentStage: Stage<'suspect'> = {
  name: 'merge-descent',
  accepts: 'suspect',
  async run(context: HuntContext, input: SuspectHandoff): Promise<StageOutput> {
    const { args } = context;
    // Only a narrowing needs the commit inside the merge; a plain --first-parent hunt's answer is the merge.
    if (!args.firstParent || args.narrowOnly || (args.narrow ?? 'none') === 'none' || input.target === null) return { next: input };
    if ((await context.history.parents(input.target)).length <= 1) return { next: input };
    const descent = await descend(context, input.target);
    if (!descent) return { next: input };
    return { result: { stage: 'merge-descent', ...descent }, next: { ...input, target: descent.commit ?? input.target, descended: true } };
  },
};
