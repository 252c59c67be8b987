// `culprit narrow` names the commit itself: there is nothing to bisect, the bad revision is the suspect and its
// (single) good the parent its change is narrowed against.
import type { HuntContext } from '../hunt-context.js';
import type { RangeHandoff, Stage, StageOutput } from '../stage.js';
import { describeFirstBad } from './bisection-stage.js';

export const givenCommitStage: Stage<'range'> = {
  name: 'bisection',
  accepts: 'range',
  async run(context: HuntContext, input: RangeHandoff): Promise<StageOutput> {
    const firstBad = await describeFirstBad(context, input.bad);
    return { next: { kind: 'suspect', status: 'found', firstBad, candidates: [input.bad], target: input.bad, descended: false } };
  },
};
