// A hunt is a list of stages run by one driver: the factors that changed, released versions handed to their source;
// check the endpoints, settle merge bases, bisect, descend into a merge, narrow the change. Every verdict is stored
// before the next decision.
import type { HuntOutcome } from '../model/stage-results.js';
import { versionTitle, type VersionsSpec } from '../model/versions-spec.js';
import { reproduceCommand, reproduceVersionsCommand } from './reproduce.js';
import type { HuntContext } from './hunt-context.js';
import { withHunt } from './hunt-lifecycle.js';
import { prepareHunt, rangeOf } from './hunt-preparation.js';
import type { HuntOptions, HuntResult } from './hunt-types.js';
import { runStages, type AnyStage } from './stage.js';
import { bisectionStage } from './stages/bisection-stage.js';
import { endpointsStage } from './stages/endpoints-stage.js';
import { givenCommitStage } from './stages/given-commit-stage.js';
import { mergeBasesStage } from './stages/merge-bases-stage.js';
import { mergeDescentStage } from './stages/merge-descent-stage.js';
import { narrowingStage } from './stages/narrowing-stage.js';
import { sourceStage } from './stages/source-stage.js';
import { versionsStage } from './stages/versions-stage.js';
import { prepareVersionsHunt } from './versions-preparation.js';
import { prepareFactorsHunt } from './factors-preparation.js';
import { factorsStage } from './stages/factors-stage.js';
import { flakyBisectionStage } from './stages/flaky-bisection-stage.js';
import { metricEndpointsStage } from './stages/metric-endpoints-stage.js';
import { packageVersionsStage } from './stages/package-versions-stage.js';
import type { FactorSpace } from './factor-space.js';
import type { FactorsSpec } from '../model/factors-spec.js';

/** `culprit run`: the whole pipeline. */
const HUNT: readonly AnyStage[] = [endpointsStage, mergeBasesStage, bisectionStage, mergeDescentStage, narrowingStage];
/**
 * `culprit run --flaky`: the flaky search checks its own endpoints (the bad one several times); narrowing then runs
 * each configuration until it fails or has passed often enough for the requested confidence.
 */
const FLAKY: readonly AnyStage[] = [flakyBisectionStage, narrowingStage];
/** `culprit run --metric`: both endpoints sampled first, then a bisection whose every probe samples until it can tell. */
const METRIC: readonly AnyStage[] = [metricEndpointsStage, bisectionStage];
/** `culprit narrow`: the commit is given, so its change is narrowed right after the endpoints are checked. */
const NARROW_ONLY: readonly AnyStage[] = [endpointsStage, givenCommitStage, narrowingStage];
/** `culprit versions` and `culprit npm`: the first bad release. */
const VERSIONS: readonly AnyStage[] = [endpointsStage, versionsStage];
/** With `--source`: then the commits between the last good and the first bad release, as `culprit run` hunts them. */
const VERSIONS_THEN_SOURCE: readonly AnyStage[] = [endpointsStage, versionsStage, sourceStage(HUNT)];

/**
 * `culprit deps` and `culprit factors`: which differences between two environments the failure needs; with
 * --bisect-versions and one package upgrade to blame, then its first bad release.
 */
function factorStages(space: FactorSpace): readonly AnyStage[] {
  return [factorsStage, packageVersionsStage([endpointsStage, versionsStage], space)];
}

export async function runHunt(options: HuntOptions): Promise<HuntResult> {
  if (options.factors) return runFactorsHunt({ ...options, factors: options.factors });
  if (options.versions) return runVersionsHunt({ ...options, versions: options.versions });
  const prepared = await prepareHunt(options);
  const { args } = prepared;
  return withHunt(prepared, options, async (context: HuntContext): Promise<HuntOutcome> => {
    const stages = args.narrowOnly ? NARROW_ONLY : args.flaky ? FLAKY : args.metric ? METRIC : HUNT;
    const { results, last } = await runStages(context, stages, rangeOf(prepared));
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

async function runVersionsHunt(options: HuntOptions & { versions: VersionsSpec }): Promise<HuntResult> {
  const prepared = await prepareVersionsHunt(options);
  const { args } = prepared;
  const { source, origin } = options.versions;
  return withHunt(prepared, options, async (context: HuntContext): Promise<HuntOutcome> => {
    const { results, last } = await runStages(context, source ? VERSIONS_THEN_SOURCE : VERSIONS, rangeOf(prepared));
    if (last.kind === 'versions') {
      const found = last.status === 'found';
      return {
        status: last.status,
        firstBad: found ? { commit: last.firstBad, subject: versionTitle(origin, last.firstBad), author: '', date: '', files: [] } : null,
        candidates: last.candidates,
        reproduce: found && last.lastGood !== null ? reproduceVersionsCommand(options.versions, last.lastGood, last.firstBad, args.recipe, context.timeout.seconds) : null,
        rounds: context.rounds,
        stages: results,
      };
    }
    if (last.kind !== 'suspect' || !source) throw new Error('internal: the hand-off to the source ended without a suspect');
    return {
      status: last.status,
      firstBad: last.firstBad,
      candidates: last.candidates,
      reproduce: last.firstBad ? reproduceCommand(source.repo, last.firstBad.commit, source.recipe, source.recipe.timeoutSeconds ?? context.timeout.seconds) : null,
      rounds: context.rounds,
      stages: results,
    };
  });
}

async function runFactorsHunt(options: HuntOptions & { factors: FactorsSpec }): Promise<HuntResult> {
  const prepared = prepareFactorsHunt(options);
  return withHunt(prepared, options, async (context: HuntContext): Promise<HuntOutcome> => {
    const { results, last } = await runStages(context, factorStages(prepared.space), { kind: 'environment', space: prepared.space });
    if (last.kind !== 'factors') throw new Error('internal: the factors stage handed on no answer');
    const { needed, alongside } = last.result;
    return {
      status: last.status,
      firstBad: null,
      candidates: [...needed, ...alongside].map((factor) => factor.name),
      reproduce: null,
      rounds: context.rounds,
      stages: results,
    };
  });
}
