// Everything a hunt over factors checks and computes before it creates anything: the project, the lockfiles and
// their package changes (or the factors file's factors), the install recipe and the keys. Bad input stops here.
import path from 'node:path';
import { UsageError } from '../errors.js';
import { FactorBase } from '../history/factor-base.js';
import { BAD_SETUP, GOOD_SETUP, type FactorsSpec } from '../model/factors-spec.js';
import type { Recipe } from '../model/recipe.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { projectDirectory, readProject } from '../probe/project-copy.js';
import { buildRecipeKey, recipeEnvironment, recipeKeyWith } from '../probe/recipe-key.js';
import { CommitGraph } from '../search/commit-graph.js';
import type { HuntArguments } from '../store/store-types.js';
import { locksDigest, openFactorSpace, type FactorSpace } from './factor-space.js';
import { huntKey, searchArguments, type PreparedHunt } from './hunt-preparation.js';
import type { HuntOptions } from './hunt-types.js';

/** How each configuration of `culprit deps` is installed: exactly what the lockfile says, nothing asked of the user. */
export const NPM_CI = 'npm ci --no-audit --no-fund --loglevel=error';

export interface PreparedFactorsHunt extends PreparedHunt {
  space: FactorSpace;
}

/** The install (npm ci for lockfiles), then the user's build: the probe's build step, cached per configuration. */
function buildOf(spec: FactorsSpec): string | undefined {
  const install = spec.kind === 'deps' ? NPM_CI : undefined;
  if (install && spec.build) return `(${install}) && (${spec.build})`;
  return install ?? spec.build;
}

export function prepareFactorsHunt(options: HuntOptions & { factors: FactorsSpec }): PreparedFactorsHunt {
  const spec = options.factors;
  if (spec.kind === 'deps' && !spec.project) throw new Error('internal: a deps hunt without its project');
  const root = spec.project ? projectDirectory(spec.project, cacheDirectory(options.workdir)) : path.resolve(options.repo);
  if (spec.deps && options.resume !== undefined && locksDigest(spec.deps.goodLock, spec.deps.badLock) !== spec.deps.locksDigest) {
    throw new UsageError(`the lockfiles of hunt ${options.resume} changed since it started (${spec.deps.goodLock}, ${spec.deps.badLock})`, 'start a new hunt: culprit deps with the same options');
  }
  const space = openFactorSpace(spec, root);
  const project = spec.project ? readProject(root, spec.registry ?? '') : undefined;
  const history = new FactorBase({ origin: spec.kind, root, ...(project ? { project } : {}) });
  const build = buildOf(spec);
  const recipe: Recipe = { ...options.recipe, ...(build ? { build: { shell: build } } : {}) };
  // The install cache keeps a configuration's dependencies, or (with a build) the whole workspace. Setups are not
  // cached: what they do outside the workspace (a tool installed, a link made) cannot be restored.
  const artifacts = spec.kind === 'deps' ? (spec.build === undefined ? ['node_modules'] : ['**']) : undefined;
  const args: HuntArguments = {
    repo: root,
    subdirectory: '',
    vcs: 'factors',
    goods: [GOOD_SETUP],
    bad: BAD_SETUP,
    goodNames: [spec.kind === 'deps' ? (spec.deps?.goodLock ?? GOOD_SETUP) : GOOD_SETUP],
    badName: spec.kind === 'deps' ? (spec.deps?.badLock ?? BAD_SETUP) : BAD_SETUP,
    recipe,
    firstParent: false,
    ...searchArguments({ ...options, narrow: 'none' }),
    ...(artifacts ? { artifacts } : {}),
    factors: spec,
  };
  const surroundings = recipeEnvironment(recipe);
  const key = recipeKeyWith(recipe, '', surroundings);
  const count = space.names.length;
  return {
    history,
    args,
    graph: CommitGraph.fromRecords([]),
    recipeKey: key,
    recipeEnvironment: surroundings,
    buildKey: artifacts ? buildRecipeKey(recipe, '', artifacts) : undefined,
    huntKey: huntKey(history.identity, args, key),
    candidates: count,
    // One needed factor: a bisection of the factors and a test of it alone.
    pace: Math.ceil(Math.log2(Math.max(count, 1))) + 1,
    preview: undefined,
    space,
  };
}
