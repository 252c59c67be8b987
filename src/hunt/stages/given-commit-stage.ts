// `culprit narrow` names the commit itself: there is nothing to bisect, the bad revision is the suspect and its
// (single) good the parent its change is narrowed against.
import type { HuntContext } from '../hunt-context.js';
import type { RangeHandoff, Stage, StageOutput } from '../stage.js';
import { describeFirstBad } from '../first-bad.js';

export const givenCommitStage: Stage<'range'> = {
  name: 'bisection',
  accepts: 'range',
  async run(context: HuntContext, input: RangeHandoff): Promise<StageOutput> {
    // Endpoint checks are only ever handed to a bisection to run alongside it: here they would be lost.
    if (input.endpointChecks) throw new Error('internal: endpoint checks handed to a stage that does not run them');
    const described = await describeFirstBad(context, input.bad);
    // A good that is not the bad's parent makes the change several commits': not one commit to name as first bad.
    const good = input.goods[0];
    const since = good !== undefined && !(await context.history.parents(input.bad)).includes(good) ? good : undefined;
    const firstBad = since === undefined ? described : { ...described, since, files: (await context.history.fileDeltas(since, input.bad)).map((delta) => delta.path) };
    return { next: { kind: 'suspect', status: 'found', firstBad, candidates: [input.bad], target: input.bad, descended: false } };
  },
};
