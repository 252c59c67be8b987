// The search proper: the chosen bisection (git's or hg's choices with one worker, k-way cuts with several) runs
// on the driver over the range, with any endpoint checks alongside; hands on the first bad commit it found.
import { UsageError } from '../../errors.js';
import type { BisectVerdict, FinalStep } from '../../search/bisection-step.js';
import type { CommitGraph } from '../../search/commit-graph.js';
import { describeFirstBad } from '../first-bad.js';
import { MetricSampler } from '../metric-sampler.js';
import type { HuntContext } from '../hunt-context.js';
import type { HuntProbe, SearchName } from '../hunt-types.js';
import type { RangeHandoff, Stage, StageOutput, SuspectHandoff } from '../stage.js';
import { chooseBisection, type ChosenBisection } from '../strategy-choice.js';
import type { Track } from '../strategy-driver.js';

/** The bisection of a range, ready to drive: the chosen strategy with its probes and progress lines. */
export function bisectionTrack(context: HuntContext, chosen: ChosenBisection, keyOf: (id: number) => string, phase: 'bisect' | 'descend'): Track<number, BisectVerdict, FinalStep> {
  const { observer } = context;
  const parallel = chosen.workers > 1;
  return {
    strategy: chosen.strategy,
    probe: (id, slot, signal) => context.probe({ commit: keyOf(id), phase, slot, signal }),
    judge: (_id, record) => context.verdictOf(record),
    finished: (slot, record) => progress(context, chosen, record, parallel ? slot + 1 : undefined, phase === 'descend' ? 'merge-descent' : context.history.kind === 'versions' ? 'versions' : 'bisection'),
    ...(parallel
      ? {
          started: (slot: number, id: number) => observer.workerStarted?.({ worker: slot + 1, commit: keyOf(id), phase }),
          cancelled: (slot: number, id: number) => observer.workerCancelled?.({ worker: slot + 1, commit: keyOf(id) }),
        }
      : {}),
  };
}

/**
 * With several workers, the candidates whose verdict is already known (this hunt's stored probes, the verdict
 * cache) are asked before any cut that would run: a resumed or repeated hunt runs nothing it has answered.
 */
export async function preferKnownVerdicts(context: HuntContext, chosen: ChosenBisection, graph: CommitGraph): Promise<void> {
  if (chosen.workers <= 1) return;
  const answerable = await context.journalAnswerable(chosen.candidates().map((id) => graph.keyOf(id)));
  chosen.preferKnown(new Set(chosen.candidates().filter((id) => answerable.has(graph.keyOf(id)))));
}

/** `search`: the search the verdict narrowed (absent for an endpoint check probed alongside it). */
function progress(context: HuntContext, chosen: ChosenBisection, record: HuntProbe, worker: number | undefined, search?: SearchName): void {
  const stepsLeft = chosen.stepsLeft();
  context.observer.probeFinished?.(record, { candidatesLeft: chosen.candidateCount(), stepsLeft, ...context.clock.eta(stepsLeft), ...(worker === undefined ? {} : { worker }), ...(search ? { search } : {}) });
}

export const bisectionStage: Stage<'range'> = {
  name: 'bisection',
  accepts: 'range',
  async run(context: HuntContext, input: RangeHandoff): Promise<StageOutput> {
    const { graph } = input;
    const badId = graph.idOf(input.bad);
    if (badId === undefined) throw new Error(`internal: bad ${input.bad} missing from its own history`);
    const goodIds = input.goods.map((good) => graph.idOf(good)).filter((id): id is number => id !== undefined);
    let chosen: ChosenBisection;
    try {
      // With one worker, the bisection the start line was computed with is this one: its first choice is made.
      chosen = context.executor.slots === 1 && input.bisection ? input.bisection : chooseBisection(context.history.kind, graph, badId, goodIds, { firstParent: context.args.firstParent, workers: context.executor.slots });
    } catch (error) {
      // A strategy refuses endpoints it cannot search with a RangeError; anything else is a bug, not bad input.
      if (!(error instanceof RangeError)) throw error;
      throw context.reject(new UsageError(`cannot bisect between these revisions: ${error.message}`, 'pick --good revisions that are ancestors of --bad'));
    }
    const candidatesAtStart = chosen.candidateCount();
    await preferKnownVerdicts(context, chosen, graph);
    const checks = input.endpointChecks;
    if (!checks) context.observer.searching?.();
    const roundsBefore = context.rounds;
    // Endpoint checks alongside get workers first and show in the progress like the cuts.
    const alongside = checks && {
      ...checks,
      started: (slot: number, commit: string) => context.observer.workerStarted?.({ worker: slot + 1, commit, phase: 'verify' }),
      finished: (slot: number, record: HuntProbe) => progress(context, chosen, record, slot + 1),
    };
    const track = bisectionTrack(context, chosen, (id) => graph.keyOf(id), 'bisect');
    // With --metric each probe samples its commit until it looks like one endpoint or the other.
    const spec = context.args.metric;
    const model = input.metric;
    const sampler = spec && model ? new MetricSampler(context, spec) : undefined;
    if (sampler && model) track.probe = (id, slot, signal) => sampler.decide(graph.keyOf(id), model, slot, signal);
    const { result: final } = await context.drive(track, alongside ? { alongside: [alongside] } : {});
    const candidates = final.kind === 'found' ? [graph.keyOf(final.commit)] : final.commits.map((id) => graph.keyOf(id));
    const firstBad = final.kind === 'found' ? await describeFirstBad(context, graph.keyOf(final.commit)) : null;
    const status = final.kind === 'found' ? 'found' : 'ambiguous';
    const next: SuspectHandoff = { kind: 'suspect', status, firstBad, candidates, target: firstBad?.commit ?? null, descended: false };
    return {
      result: {
        stage: 'bisection',
        strategy: chosen.kind,
        workers: chosen.workers,
        status,
        firstBad,
        candidates,
        candidatesAtStart,
        rounds: context.rounds - roundsBefore,
        ...(spec && model ? { metric: { pattern: spec.pattern, worse: spec.worse, good: model.regression.good, bad: model.regression.bad, shift: model.regression.shift, relativeShift: model.regression.relativeShift, pValue: model.regression.pValue } } : {}),
      },
      next,
    };
  },
};
