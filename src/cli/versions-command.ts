// `culprit versions` and `culprit npm`: read the list of released versions (given, from a file, a command, or an
// npm registry), check the options, and run the hunt over them in a hunt session, with the hand-off to the source.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { runHunt } from '../hunt/hunt.js';
import type { HuntOptions } from '../hunt/hunt-types.js';
import { packageVersions } from '../history/npm-registry.js';
import { parseVersionList } from '../history/version-list-input.js';
import { LISTED } from '../model/versions-spec.js';
import type { CommandSpec, Recipe } from '../model/recipe.js';
import type { SourceSpec, VersionsSpec } from '../model/versions-spec.js';
import { npmInstallCommand, projectTestOfCheckout } from '../probe/npm-source-test.js';
import { readProject } from '../probe/project-copy.js';
import { describeCommand } from '../text/format.js';
import { huntSession } from './hunt-session.js';
import { readListCommand } from './list-command.js';
import { buildCommand, jobsOption, narrowingOptions, vcsOption } from './option-parsers.js';
import { recipeFromOptions } from './recipe-options.js';

type Options = Record<string, unknown>;

function text(options: Options, name: string): string | undefined {
  return typeof options[name] === 'string' ? (options[name] as string) : undefined;
}

/** Exactly one of --list, --list-file and --list-cmd. */
async function versionList(options: Options): Promise<{ versions: string[]; origin: string }> {
  const given = (['list', 'listFile', 'listCmd'] as const).filter((name) => text(options, name) !== undefined);
  if (given.length === 0) throw new UsageError('no versions to search', "give them oldest first: --list '1.0 1.1 1.2', --list-file FILE (one a line) or --list-cmd CMD");
  if (given.length > 1) throw new UsageError('give only one of --list, --list-file and --list-cmd', 'they all name the versions to search');
  const list = text(options, 'list');
  if (list !== undefined) return { versions: parseVersionList(list), origin: LISTED };
  const file = text(options, 'listFile');
  if (file !== undefined) {
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --list-file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 'give a file with one version a line, oldest first');
    }
    return { versions: parseVersionList(content), origin: path.basename(file) };
  }
  const command = text(options, 'listCmd') ?? '';
  return { versions: parseVersionList(await readListCommand(command)), origin: LISTED };
}

/** --source DIR with --tag, --source-build and --source-test; without --source, those options make no sense. */
function sourceSpec(options: Options, recipe: Recipe, sourceTest: CommandSpec): SourceSpec | undefined {
  const repo = text(options, 'source');
  const tags = (options.tag as string[] | undefined) ?? [];
  if (repo === undefined) {
    const stray = ['tag', 'sourceBuild', 'sourceTest', 'sourceVcs'].find((name) => options[name] !== undefined);
    if (stray) throw new UsageError(`--${stray.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} is for the hand-off to the source, but there is no --source`, 'add --source DIR, the repository the versions were built from');
    return undefined;
  }
  if (repo.trim() === '') throw new UsageError('--source is empty', 'give the directory of a local git or hg clone');
  const badTag = tags.find((tag) => !tag.includes('{version}'));
  if (badTag !== undefined) throw new UsageError(`--tag ${badTag} does not say where the version goes`, "write {version} in it, e.g. --tag 'v{version}'");
  const build = buildCommand(text(options, 'sourceBuild'));
  const vcs = vcsOption(options.sourceVcs);
  const { build: _versionsBuild, ...shared } = recipe;
  return {
    repo: path.resolve(repo),
    ...(vcs ? { vcs } : {}),
    tags,
    recipe: { ...shared, test: sourceTest, ...(build ? { build } : {}) },
    ...(options.firstParent === true ? { firstParent: true } : {}),
  };
}

/** The versions' test run in a checkout of the source: its `{workspace}` is the checkout, as the shell's variable says. */
function inCheckout(test: CommandSpec): CommandSpec {
  return 'shell' in test ? { shell: test.shell.replaceAll('{workspace}', '$CULPRIT_WORKSPACE') } : test;
}

function sourceTestOption(options: Options): CommandSpec | undefined {
  const test = text(options, 'sourceTest');
  if (test !== undefined && test.trim() === '') throw new UsageError('--source-test is empty', 'give the test to run in each checkout of the source, or leave it out');
  return test === undefined ? undefined : { shell: test };
}

function huntOptions(options: Options, recipe: Recipe, versions: VersionsSpec, endpoints: { good: string; bad: string }, repo: string): Omit<HuntOptions, 'observer' | 'signal'> {
  return {
    repo,
    goods: [endpoints.good],
    bad: endpoints.bad,
    recipe,
    versions,
    jobs: jobsOption(options.jobs),
    verify: options.verify !== false,
    cache: options.cache !== false,
    ...(text(options, 'workdir') === undefined ? {} : { workdir: text(options, 'workdir') }),
    ...(text(options, 'store') === undefined ? {} : { store: text(options, 'store') }),
    // Narrowing happens in the source; without one there is nothing to narrow.
    ...(versions.source ? narrowingOptions(options) : { narrow: 'none' }),
  };
}

export async function versionsCommandLine(argv: readonly string[], options: Options): Promise<number> {
  return huntSession(options, async ({ observer, signal }) => {
    const recipe = recipeFromOptions(argv, options);
    const install = text(options, 'install');
    if (install === undefined) throw new UsageError('no --install command', "say how a version is put into its workspace, e.g. --install 'tar -xzf /builds/app-{version}.tgz -C \"$CULPRIT_WORKSPACE\"'");
    const listed = await versionList(options);
    const { versions } = listed;
    const name = text(options, 'name');
    if (name !== undefined && !/^[\w@./+-]{1,80}$/.test(name)) throw new UsageError(`--name ${JSON.stringify(name)} is not a plain name`, 'e.g. --name python or --name @scope/lib');
    const origin = name ?? listed.origin;
    const project = text(options, 'project');
    const source = sourceSpec(options, recipe, sourceTestOption(options) ?? inCheckout(recipe.test));
    const spec: VersionsSpec = {
      list: versions,
      origin,
      install,
      ...(recipe.build ? { build: describeCommand(recipe.build) } : {}),
      ...(project === undefined ? {} : { project: path.resolve(project) }),
      ...(source ? { source } : {}),
    };
    const endpoints = { good: text(options, 'good') ?? versions[0] ?? '', bad: text(options, 'bad') ?? versions.at(-1) ?? '' };
    return runHunt({ ...huntOptions(options, recipe, spec, endpoints, project ?? '.'), observer, signal });
  });
}

export async function npmCommandLine(name: string, argv: readonly string[], options: Options): Promise<number> {
  return huntSession(options, async ({ observer, signal }) => {
    const recipe = recipeFromOptions(argv, options);
    if (options.build !== undefined) throw new UsageError('culprit npm installs each version itself and has no --build', 'put any build step into --test');
    const good = text(options, 'good');
    const bad = text(options, 'bad');
    if (good === undefined || bad === undefined) throw new UsageError(`culprit npm needs --good and --bad versions of ${name}`, `e.g. culprit npm ${name} --good 1.3.0 --bad 1.4.0 --test 'npm test'`);
    const project = path.resolve(text(options, 'project') ?? '.');
    checkProject(project);
    const published = await packageVersions(name, project, { prereleases: options.prereleases === true, keep: [good, bad] });
    for (const [role, version] of [['--good', good], ['--bad', bad]] as const) {
      if (!published.versions.includes(version)) {
        const range = published.versions.length > 0 ? `${published.versions[0] ?? ''} … ${published.versions.at(-1) ?? ''}` : 'none';
        throw new UsageError(`${role} ${version} is not a published version of ${name} in ${published.registry}`, `pick one of its ${published.versions.length} versions (${range})`);
      }
    }
    const ownTest = sourceTestOption(options);
    const sourceTest = ownTest ?? projectTestOfCheckout(project, readProject(project).filesDigest, recipe.test);
    const given = sourceSpec(options, recipe, sourceTest);
    // The default test packs each checkout as the package: the checkout's top must be that package.
    const source = given && !ownTest ? { ...given, packs: name } : given;
    const spec: VersionsSpec = {
      list: published.versions,
      origin: name,
      install: npmInstallCommand(name),
      npm: true,
      registry: published.registry,
      project,
      ...(Object.keys(published.gitHeads).length > 0 ? { gitHeads: published.gitHeads } : {}),
      ...(source ? { source } : {}),
    };
    return runHunt({ ...huntOptions(options, recipe, spec, { good, bad }, project), observer, signal });
  });
}

function checkProject(project: string): void {
  try {
    readFileSync(path.join(project, 'package.json'));
  } catch {
    throw new UsageError(`${project} has no package.json`, 'run culprit npm in your project, or name it with --project DIR');
  }
}
