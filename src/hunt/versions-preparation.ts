// Everything a hunt over released versions checks and computes before it creates anything: the list, the
// endpoints in it, the install recipe, the project copy and the source repository. Bad input stops here.
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { History } from '../history/history.js';
import { openHistory } from '../history/open-history.js';
import { checkVersionList } from '../history/version-list-input.js';
import { VersionList } from '../history/version-list.js';
import type { CommandSpec, Recipe } from '../model/recipe.js';
import type { VersionsSpec } from '../model/versions-spec.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { projectDirectory, readProject } from '../probe/project-copy.js';
import { buildRecipeKey, recipeEnvironment, recipeKeyWith } from '../probe/recipe-key.js';
import type { HuntArguments } from '../store/store-types.js';
import { huntKey, searchArguments, type PreparedHunt } from './hunt-preparation.js';
import type { HuntOptions } from './hunt-types.js';
import { resolveSourceRevision } from './source-revisions.js';
import { chooseBisection, estimatePace } from './strategy-choice.js';

const MENTIONS_VERSION = /\{version\}|\$\{?CULPRIT_VERSION\b/;
const MENTIONS_WORKSPACE = /\{workspace\}|\$\{?CULPRIT_WORKSPACE\b/;

/**
 * The install, then the user's build if any, as the one build command of each version's probe. Made from the spec
 * alone, so a resumed hunt (whose stored recipe already holds it) composes the same command, not install twice.
 */
function installThenBuild(install: string, build: string | undefined): CommandSpec {
  return { shell: build ? `(${install}) && (${build})` : install };
}

function checkInstall(spec: VersionsSpec): void {
  const install = spec.install.trim();
  if (!install) throw new UsageError('the install command is empty', "e.g. --install 'tar -xzf /builds/app-{version}.tgz -C \"$CULPRIT_WORKSPACE\"'");
  if (!MENTIONS_VERSION.test(install)) throw new UsageError(`the install command does not mention which version to install: ${install}`, 'write {version} (or $CULPRIT_VERSION) where the version goes');
  // A project copy is the install's working directory by design; a scratch install must say where it puts things.
  if (!spec.project && !MENTIONS_WORKSPACE.test(install)) {
    throw new UsageError(`the install command does not mention where to install: ${install}`, 'write {workspace} (or "$CULPRIT_WORKSPACE") where the version goes; the test then runs there');
  }
}

/** A checkout packed as the package must hold it at its top: a monorepo's root is some other package, or none. */
async function checkPackageAtTop(source: History, name: string, revision: string, version: string): Promise<void> {
  const manifest = (await source.readFiles(revision, ['package.json'])).get('package.json');
  let found: unknown;
  try {
    found = manifest ? (JSON.parse(manifest.toString('utf8')) as { name?: unknown }).name : undefined;
  } catch {
    found = undefined;
  }
  if (found === name) return;
  const what = manifest ? (typeof found === 'string' ? `names the package ${found}` : 'names no package') : 'has no package.json';
  throw new UsageError(`the top of ${source.root} at ${version} ${what}, so its checkouts cannot be installed as ${name}`, `give --source-test, e.g. one that packs the package's directory into your project and runs your test`);
}

export async function prepareVersionsHunt(options: HuntOptions & { versions: VersionsSpec }): Promise<PreparedHunt> {
  const spec = options.versions;
  checkVersionList(spec.list, spec.origin);
  checkInstall(spec);
  const root = spec.project ? projectDirectory(spec.project, cacheDirectory(options.workdir)) : path.resolve(options.repo);
  const read = spec.project ? readProject(root, spec.registry ?? '') : undefined;
  // With a build after the install, what the build step leaves depends on every project file, and all of it is kept.
  const project = read && spec.build !== undefined ? { ...read, installDigest: read.filesDigest } : read;
  const history = new VersionList({ versions: spec.list, origin: spec.origin, root, ...(project ? { project } : {}) });
  if (options.goods.length === 0) throw new UsageError('no --good version given', 'name a version where the test passes');
  if (options.goods.length > 1) throw new UsageError('give one --good version', 'versions are in a line: the newest good one is all that counts');
  const good = await history.resolve(options.goods[0] ?? '', '--good');
  const bad = await history.resolve(options.bad, '--bad');
  const [goodAt = 0, badAt = 0] = [history.positionOf(good), history.positionOf(bad)];
  if (goodAt >= badAt) {
    throw new UsageError(`--good ${good} is not older than --bad ${bad} in the list of ${spec.origin}`, good === bad ? 'pick a good version released before the bad one' : 'swap --good and --bad if the test started passing, or list the versions oldest first');
  }
  // A source that cannot take the hand-off is wrong input too: found out now, before anything is installed.
  if (spec.source) {
    const source = await openHistory(spec.source.repo, spec.source.vcs).catch((error: unknown) => {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(`--source: ${error.message}`, 'give --source the directory of a local git or hg clone of what the versions were built from');
    });
    await resolveSourceRevision(source, spec, good);
    const badRevision = await resolveSourceRevision(source, spec, bad);
    if (spec.source.packs !== undefined) await checkPackageAtTop(source, spec.source.packs, badRevision.revision, bad);
  }
  const recipe: Recipe = { ...options.recipe, build: installThenBuild(spec.install, spec.build) };
  // The install cache keeps what the install wrote: a project copy's dependencies, or the whole workspace (a scratch
  // one, or a project copy that a build then changed).
  const artifacts = spec.project && spec.build === undefined ? ['node_modules'] : ['**'];
  const args: HuntArguments = {
    repo: root,
    subdirectory: '',
    vcs: 'versions',
    goods: [good],
    bad,
    goodNames: [good],
    badName: bad,
    recipe,
    firstParent: false,
    ...searchArguments(options),
    artifacts,
    versions: spec,
  };
  const graph = await history.loadGraph(bad, [good]);
  const badId = graph.idOf(bad) ?? 0;
  const preview = chooseBisection('git', graph, badId, [], { firstParent: false, workers: 1 });
  const surroundings = recipeEnvironment(recipe);
  const key = recipeKeyWith(recipe, '', surroundings);
  return {
    history,
    args,
    graph,
    recipeKey: key,
    recipeEnvironment: surroundings,
    buildKey: buildRecipeKey(recipe, '', artifacts),
    huntKey: huntKey(history.identity, args, key),
    candidates: preview.candidateCount(),
    pace: estimatePace(preview, graph.size, args.jobs ?? 1),
    preview,
  };
}
