// Goods off bad's line: their merge bases are tested first, as git bisect does, so the search starts from
// ancestors of bad; merge bases that prove good join the goods and the candidate region is loaded anew.
import type { MergeBasesResult } from '../../model/stage-results.js';
import type { HuntContext } from '../hunt-context.js';
import { settleMergeBases } from '../merge-bases.js';
import type { RangeHandoff, Stage, StageOutput } from '../stage.js';

export const mergeBasesStage: Stage<'range'> = {
  name: 'merge-bases',
  accepts: 'range',
  async run(context: HuntContext, input: RangeHandoff): Promise<StageOutput> {
    // Endpoint checks overlap the first cuts only when every good is on bad's line: no merge base to settle.
    if (input.endpointChecks) return { next: input };
    const goods = [...input.goods];
    const tested: MergeBasesResult['tested'] = [];
    await settleMergeBases(
      context.history,
      input.bad,
      goods,
      async (commit) => {
        const record = await context.probeOne({ commit, phase: 'merge-base' });
        context.observer.probeFinished?.(record, undefined);
        const verdict = context.verdictOf(record);
        tested.push({ commit, verdict });
        return { verdict, log: record.logPath };
      },
      (message) => context.note(message),
      (error) => context.reject(error),
    );
    if (tested.length === 0) return { next: input };
    if (goods.length === input.goods.length) return { result: { stage: 'merge-bases', tested, goods }, next: input };
    // New goods: a new region, and any bisection made for the old one no longer applies.
    const { bisection: _stale, ...rest } = input;
    return { result: { stage: 'merge-bases', tested, goods }, next: { ...rest, goods, graph: await context.history.loadGraph(input.bad, goods) } };
  },
};
