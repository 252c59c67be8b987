// `culprit deps` and `culprit factors`: read the two lockfiles (or the factors file), check the options, and run
// the hunt over the differences between the good and the bad environment in a hunt session.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { readFactorsFile } from '../hunt/factors-file.js';
import { locksDigest } from '../hunt/factor-space.js';
import { runHunt } from '../hunt/hunt.js';
import type { HuntOptions } from '../hunt/hunt-types.js';
import { registryOf } from '../history/npm-registry.js';
import type { FactorsSpec } from '../model/factors-spec.js';
import type { Recipe } from '../model/recipe.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { projectDirectory } from '../probe/project-copy.js';
import { describeCommand } from '../text/format.js';
import { huntSession } from './hunt-session.js';
import { recipeFromOptions } from './recipe-options.js';

type Options = Record<string, unknown>;

function text(options: Options, name: string): string | undefined {
  return typeof options[name] === 'string' ? (options[name] as string) : undefined;
}

function huntOptions(options: Options, recipe: Recipe, factors: FactorsSpec, repo: string): Omit<HuntOptions, 'observer' | 'signal'> {
  return {
    repo,
    goods: [],
    bad: '',
    recipe,
    factors,
    verify: options.verify !== false,
    cache: options.cache !== false,
    narrow: 'none',
    ...(text(options, 'workdir') === undefined ? {} : { workdir: text(options, 'workdir') }),
    ...(text(options, 'store') === undefined ? {} : { store: text(options, 'store') }),
  };
}

/** The user's build, kept as the shell line it was given: it runs after the install or the setups. */
function userBuild(recipe: Recipe): { build?: string } {
  return recipe.build ? { build: describeCommand(recipe.build) } : {};
}

export async function depsCommandLine(argv: readonly string[], options: Options): Promise<number> {
  return huntSession(options, async ({ observer, signal }) => {
    const recipe = recipeFromOptions(argv, options);
    const { build: _build, ...withoutBuild } = recipe;
    const project = projectDirectory(path.resolve(text(options, 'project') ?? '.'), cacheDirectory(text(options, 'workdir')));
    const goodLock = text(options, 'goodLock');
    if (goodLock === undefined) throw new UsageError('no --good-lock', 'name the package-lock.json of a setup where the test passes, e.g. git show v1.2.0:package-lock.json > good-lock.json');
    const ownLock = path.join(project, 'package-lock.json');
    const badLock = text(options, 'badLock') ?? (existsSync(ownLock) ? ownLock : undefined);
    if (badLock === undefined) throw new UsageError(`no --bad-lock, and ${project} has no package-lock.json`, 'name the package-lock.json of the setup where the test fails with --bad-lock FILE');
    const [good, bad] = [path.resolve(goodLock), path.resolve(badLock)];
    if (good === bad) throw new UsageError(`--good-lock and --bad-lock are the same file (${good})`, 'compare the lockfile of a setup where the test passes with one where it fails');
    const spec: FactorsSpec = {
      kind: 'deps',
      deps: { goodLock: good, badLock: bad, locksDigest: locksDigest(good, bad), ...(options.bisectVersions === true ? { bisectVersions: true } : {}) },
      project,
      ...userBuild(recipe),
      registry: await registryOf(project),
    };
    return runHunt({ ...huntOptions(options, withoutBuild, spec, project), observer, signal });
  });
}

export async function factorsCommandLine(argv: readonly string[], options: Options): Promise<number> {
  return huntSession(options, async ({ observer, signal }) => {
    const recipe = recipeFromOptions(argv, options);
    const { build: _build, ...withoutBuild } = recipe;
    const file = text(options, 'factors');
    if (file === undefined) throw new UsageError('no --factors file', 'list the factors in a JSON or YAML file: factors: [{ name: LANG, good: { env: { LANG: C } }, bad: { env: { LANG: en_US.UTF-8 } } }]');
    const factors = readFactorsFile(file);
    const project = text(options, 'project');
    const spec: FactorsSpec = {
      kind: 'factors',
      factors,
      file: path.resolve(file),
      ...(project === undefined ? {} : { project: path.resolve(project) }),
      ...userBuild(recipe),
    };
    return runHunt({ ...huntOptions(options, withoutBuild, spec, project ?? '.'), observer, signal });
  });
}
