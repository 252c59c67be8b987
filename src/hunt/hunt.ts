// A hunt is a list of stages run by one driver: check the endpoints, settle merge bases, bisect, descend into a
// merge, narrow the change. Each stage hands the next its input; every verdict is stored before the next decision.
import type { HuntOutcome } from '../model/stage-results.js';
import { reproduceCommand } from './reproduce.js';
import type { HuntContext } from './hunt-context.js';
import { withHunt } from './hunt-lifecycle.js';
import { prepareHunt } from './hunt-preparation.js';
import type { HuntOptions, HuntResult } from './hunt-types.js';
import { runStages, type AnyStage } from './stage.js';
import { bisectionStage } from './stages/bisection-stage.js';
import { endpointsStage } from './stages/endpoints-stage.js';
import { givenCommitStage } from './stages/given-commit-stage.js';
import { mergeBasesStage } from './stages/merge-bases-stage.js';
import { mergeDescentStage } from './stages/merge-descent-stage.js';
import { narrowingStage } from './stages/narrowing-stage.js';

/** `culprit run`: the whole pipeline. */
const HUNT: readonly AnyStage[] = [endpointsStage, mergeBasesStage, bisectionStage, mergeDescentStage, narrowingStage];
/** `culprit narrow`: the commit is given, so its change is narrowed right after the endpoints are checked. */
const NARROW_ONLY: readonly AnyStage[] = [endpointsStage, givenCommitStage, narrowingStage];

export async function runHunt(options: HuntOptions): Promise<HuntResult> {
  const prepared = await prepareHunt(options);
  const { args, graph } = prepared;
  return withHunt(prepared, options, async (context: HuntContext): Promise<HuntOutcome> => {
    const { results, last } = await runStages(context, args.narrowOnly ? NARROW_ONLY : HUNT, { kind: 'range', bad: args.bad, goods: [...args.goods], graph, ...(prepared.preview ? { bisection: prepared.preview } : {}) });
    if (last.kind !== 'suspect') throw new Error('internal: the stages ended without a suspect');
    return {
      status: last.status,
      firstBad: last.firstBad,
      candidates: last.candidates,
      reproduce: last.firstBad ? reproduceCommand(args.repo, last.firstBad.commit, args.recipe, context.timeout.seconds) : null,
      rounds: context.rounds,
      stages: results,
    };
  });
}
