// The first stage: the test must pass at every good and fail at the bad, or every later verdict is meaningless.
// With several workers and every good on bad's line, the checks are handed on to run alongside the first cuts.
import { UsageError } from '../../errors.js';
import { ProbeList } from '../../search/probe-list.js';
import { EndpointVerification } from '../endpoint-checks.js';
import type { HuntContext } from '../hunt-context.js';
import { allAncestors } from '../hunt-endpoints.js';
import type { HuntProbe } from '../hunt-types.js';
import type { RangeHandoff, Stage, StageOutput } from '../stage.js';
import type { Track } from '../strategy-driver.js';

/** The endpoint checks as a track of probes: each endpoint once, judged as its probe arrives. */
export function endpointTrack(context: HuntContext, input: { bad: string }, events: { overlapped: boolean }): Track<string, HuntProbe, unknown> {
  const { args, timeout } = context;
  const verification = new EndpointVerification(args.goods, input.bad, (commit) => context.name(commit), () => timeout.seconds, context.history.kind === 'versions' ? 'install' : 'build');
  /** An endpoint's cached verdict that contradicts the user is tested again: the environment may have changed since. */
  const probe = async (commit: string, slot: number, signal: AbortSignal): Promise<HuntProbe> => {
    const expected = commit === input.bad ? 'bad' : 'good';
    const record = await context.probe({ commit, phase: 'verify', slot, signal });
    if (record.source !== 'cached' || record.searchVerdict === expected) return record;
    context.note(`the cached verdict for ${context.name(commit)} (${record.verdict}) contradicts --${expected}; testing it again`);
    return context.probe({ commit, phase: 'verify', freshness: 'retest', slot, signal });
  };
  const judge = (commit: string, record: HuntProbe): HuntProbe => {
    try {
      if (commit === input.bad) verification.badProbe(record);
      else {
        verification.good(commit, record);
        timeout.observeGood(record.testSeconds);
      }
      if (verification.complete) verification.finish();
    } catch (error) {
      // A wrong endpoint is wrong input: the hunt never really started.
      throw error instanceof UsageError ? context.reject(error) : error;
    }
    if (verification.complete) {
      if (events.overlapped) context.observer.searching?.();
      if (timeout.derived) context.note(`test timeout set to ${timeout.seconds} s from the good endpoints' run time (override with --timeout)`);
    }
    return record;
  };
  return { strategy: new ProbeList<string, HuntProbe>([...args.goods, input.bad]), probe, judge };
}

export const endpointsStage: Stage<'range'> = {
  name: 'endpoints',
  accepts: 'range',
  async run(context: HuntContext, input: RangeHandoff): Promise<StageOutput> {
    const { args } = context;
    const result = { stage: 'endpoints' as const, goods: args.goods, bad: input.bad, checked: args.verify, overlapped: false };
    if (!args.verify) return { result, next: input };
    // With several workers and goods on bad's line, the endpoints are probed alongside the first cuts.
    const overlapped = context.executor.slots > 1 && !args.narrowOnly && (await allAncestors(context.history, input.goods, input.bad));
    const track = endpointTrack(context, input, { overlapped });
    if (overlapped) return { result: { ...result, overlapped }, next: { ...input, endpointChecks: track } };
    await context.drive({ ...track, finished: (_slot, record) => context.observer.probeFinished?.(record, undefined) }, { slots: 1 });
    return { result, next: input };
  },
};
