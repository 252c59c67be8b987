// Everything a hunt checks and computes before it creates anything: the repository, the endpoints resolved and
// sanity-checked, the arguments as they will be stored, the candidate region and the keys. Bad input stops here.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { History } from '../history/history.js';
import { openHistory } from '../history/open-history.js';
import { checkArtifactGlobs } from '../probe/artifact-globs.js';
import { compileSignaturePattern } from '../probe/failure-signature.js';
import { buildRecipeKey, recipeEnvironment, recipeKeyWith } from '../probe/recipe-key.js';
import { subdirectoryOf } from '../probe/subdirectory.js';
import type { CommitGraph } from '../search/commit-graph.js';
import type { HuntArguments, RecipeEnvironment } from '../store/store-types.js';
import { resolveEndpoints } from './hunt-endpoints.js';
import type { HuntOptions } from './hunt-types.js';
import type { RangeHandoff } from './stage.js';
import { chooseBisection, estimatePace, type ChosenBisection } from './strategy-choice.js';

export interface PreparedHunt {
  history: History;
  args: HuntArguments;
  graph: CommitGraph;
  /** The verdict cache's key of the recipe, and the build cache's (with --artifacts). */
  recipeKey: string;
  /** What the recipe key was made of besides the arguments: kept with the hunt, to say what differs on a resume. */
  recipeEnvironment: RecipeEnvironment;
  buildKey: string | undefined;
  /** What makes two runs the same hunt: a rerun of the same command line resumes rather than starts over. */
  huntKey: string;
  /** Candidates and steps (or rounds) as the start line announces them. */
  candidates: number;
  /** git's or hg's bisection of `graph`, made for the start line: the bisection stage's with one worker. */
  preview: ChosenBisection | undefined;
  pace: number;
  /** Whether the bad revision tracks the directory the commands run in (absent at the top). */
  subdirectoryTracked?: boolean;
}

export function huntKey(identity: string, args: HuntArguments, recipe: string): string {
  const material = {
    identity,
    subdirectory: args.subdirectory,
    goods: [...args.goods].sort(),
    bad: args.bad,
    recipe,
    firstParent: args.firstParent,
    verify: args.verify,
    narrow: args.narrow ?? 'none',
    signature: args.signature ?? null,
    narrowOnly: args.narrowOnly ?? false,
    // Absent unless given, so hunts stored before the option existed keep their keys.
    ...(args.narrowCheck === undefined ? {} : { narrowCheck: args.narrowCheck }),
    ...(args.versions === undefined ? {} : { versions: args.versions }),
    ...(args.factors === undefined ? {} : { factors: args.factors }),
    ...(args.flaky === undefined ? {} : { flaky: args.flaky }),
    ...(args.metric === undefined ? {} : { metric: args.metric }),
    ...(args.repeat === undefined ? {} : { repeat: args.repeat }),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** The options every hunt stores alike, whatever it searches: a caller's, or a stored hunt's handed to a later stage. */
export type SearchOptions = Pick<HuntOptions, 'verify' | 'cache' | 'workdir' | 'narrow' | 'signature' | 'narrowCheck' | 'narrowBudget' | 'jobs' | 'cacheSize'>;

/** Those options as a hunt's arguments keep them, defaults filled in; stored arguments come back unchanged. */
export function searchArguments(options: SearchOptions): Pick<HuntArguments, keyof SearchOptions> {
  return {
    verify: options.verify ?? true,
    cache: options.cache ?? true,
    ...(options.workdir === undefined ? {} : { workdir: path.resolve(options.workdir) }),
    narrow: options.narrow ?? 'none',
    ...(options.signature === undefined ? {} : { signature: options.signature }),
    ...(options.narrowCheck === undefined ? {} : { narrowCheck: options.narrowCheck }),
    ...(options.narrowBudget === undefined ? {} : { narrowBudget: { ...options.narrowBudget } }),
    ...(options.jobs !== undefined && options.jobs > 1 ? { jobs: options.jobs } : {}),
    ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
  };
}

/** The first stage's input: the prepared region between the endpoints, with the start line's bisection. */
export function rangeOf(prepared: PreparedHunt): RangeHandoff {
  const { args, graph, preview } = prepared;
  return { kind: 'range', bad: args.bad, goods: [...args.goods], graph, ...(preview ? { bisection: preview } : {}) };
}

export async function prepareHunt(options: HuntOptions): Promise<PreparedHunt> {
  const history = await openHistory(options.repo, options.vcs);
  const subdirectory = subdirectoryOf(history.root, options.repo);
  const { bad, goods } = await resolveEndpoints(history, options);
  const recipe = options.recipe;
  const args: HuntArguments = {
    repo: history.root,
    subdirectory,
    vcs: history.kind,
    goods: [...goods],
    bad,
    goodNames: [...options.goods],
    badName: options.bad,
    recipe,
    firstParent: options.firstParent ?? false,
    ...searchArguments(options),
    ...(options.narrowOnly ? { narrowOnly: true } : {}),
    ...(options.artifacts && options.artifacts.length > 0 ? { artifacts: [...options.artifacts] } : {}),
    ...(options.cleanBuild ? { cleanBuild: true } : {}),
    ...(options.flaky ? { flaky: { ...options.flaky } } : {}),
    ...(options.metric ? { metric: { ...options.metric } } : {}),
    ...(options.repeat && options.repeat.runs > 1 ? { repeat: { ...options.repeat } } : {}),
  };
  if (args.artifacts && !recipe.build) throw new UsageError('--artifacts names build outputs, but there is no --build', "add the build command, e.g. --build 'make' --artifacts 'build/**'");
  if (args.artifacts) checkArtifactGlobs(args.artifacts);
  if (args.signature !== undefined) compileSignaturePattern(args.signature);
  const graph = await history.loadGraph(bad, goods);
  // A preview for the start line; hg's strategy cannot start while a good is off bad's line (merge bases settle that).
  let preview;
  try {
    const badId = graph.idOf(bad);
    if (badId === undefined) throw new Error(`internal: bad ${bad} missing from its own history`);
    const goodIds = goods.map((good) => graph.idOf(good)).filter((id): id is number => id !== undefined);
    preview = chooseBisection(history.kind, graph, badId, goodIds, { firstParent: args.firstParent, workers: 1 });
  } catch {
    preview = undefined;
  }
  const surroundings = recipeEnvironment(recipe);
  const key = recipeKeyWith(recipe, subdirectory, surroundings);
  // A start directory the repository tracks is missing at some candidates for a reason (skipped there); one it does
  // not track is a build's (made when missing).
  const subdirectoryTracked = subdirectory && history.tracksDirectory ? await history.tracksDirectory(bad, subdirectory) : undefined;
  return {
    history,
    args,
    graph,
    ...(subdirectoryTracked === undefined ? {} : { subdirectoryTracked }),
    recipeKey: key,
    recipeEnvironment: surroundings,
    buildKey: args.artifacts ? buildRecipeKey(recipe, subdirectory, args.artifacts) : undefined,
    huntKey: huntKey(history.identity, args, key),
    candidates: preview?.candidateCount() ?? graph.size,
    pace: estimatePace(preview, graph.size, args.jobs ?? 1),
    preview,
  };
}
