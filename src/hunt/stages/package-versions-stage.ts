// With --bisect-versions, when one package upgrade is what the failure needs: its releases between the two versions
// are bisected in the same hunt, each installed with npm into the good lockfile's setup, for the first bad release.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { VersionsSpec } from '../../model/versions-spec.js';
import { cacheDirectory } from '../../probe/cache-directory.js';
import { writeConfiguration } from '../../probe/configuration-writer.js';
import { shellQuote } from '../../text/format.js';
import type { HuntContext } from '../hunt-context.js';
import { rangeOf, searchArguments } from '../hunt-preparation.js';
import { singleUpgrade } from '../package-releases.js';
import { runStages, type AnyStage, type FactorsHandoff, type Stage, type StageOutput } from '../stage.js';
import { prepareVersionsHunt } from '../versions-preparation.js';
import type { FactorSpace } from '../factor-space.js';

/**
 * The good lockfile's package.json and package-lock.json, kept under culprit's cache by their contents: each
 * version's install copies them into its project copy, so every release is installed into the good setup.
 */
function goodSetupFiles(space: FactorSpace, workdir: string | undefined): string {
  const { states, digest } = space.configurationOf([]);
  const directory = path.join(cacheDirectory(workdir), 'factor-bases', createHash('sha256').update(digest).digest('hex').slice(0, 16));
  mkdirSync(directory, { recursive: true });
  writeConfiguration(directory, states);
  return directory;
}

/** A stage that runs `versionStages` over one package's releases when the factors answer is that package's upgrade. */
export function packageVersionsStage(versionStages: readonly AnyStage[], space: FactorSpace): Stage<'factors'> {
  return {
    name: 'versions',
    accepts: 'factors',
    async run(context: HuntContext, input: FactorsHandoff): Promise<StageOutput> {
      const { args } = context;
      const spec = args.factors;
      if (!spec?.deps?.bisectVersions || !spec.project) return { next: input };
      const upgrade = singleUpgrade(input.result.needed);
      const between = input.result.between ?? [];
      if (!upgrade || input.status !== 'found') {
        context.note('--bisect-versions: the answer is not one package upgraded from one version to another, so there are no releases to bisect');
        return { next: input };
      }
      if (between.length === 0) {
        context.note(`--bisect-versions: ${upgrade.name} has no release between ${upgrade.from} and ${upgrade.to}: ${upgrade.to} is the first bad one`);
        return { next: input };
      }
      const base = goodSetupFiles(space, args.workdir);
      const copy = ['package.json', 'package-lock.json'].map((file) => shellQuote(path.join(base, file))).join(' ');
      const versions: VersionsSpec = {
        list: [upgrade.from, ...between, upgrade.to],
        origin: upgrade.name,
        install: `cp ${copy} . && npm install ${shellQuote(upgrade.name)}@{version} --no-save --no-audit --no-fund --loglevel=error`,
        npm: true,
        project: spec.project,
        ...(spec.registry === undefined ? {} : { registry: spec.registry }),
        ...(spec.build === undefined ? {} : { build: spec.build }),
      };
      const { build: _install, ...recipe } = args.recipe;
      const prepared = await prepareVersionsHunt({ repo: spec.project, goods: [upgrade.from], bad: upgrade.to, recipe, versions, ...searchArguments(args) });
      context.note(`--bisect-versions: ${between.length + 1} releases of ${upgrade.name} after ${upgrade.from} to search, each installed into the good lockfile's setup`);
      const session = await context.continueIn(prepared);
      try {
        const { results } = await runStages(session.context, versionStages, rangeOf(prepared));
        context.rounds += session.context.rounds;
        return { inner: results, next: input };
      } catch (error) {
        // The releases could not be bisected (one does not install into the good setup, an endpoint does not behave
        // as the lockfiles did): the answer about the lockfiles stands, and the hunt says why it went no further.
        if (!(error instanceof UsageError)) throw error;
        context.note(`--bisect-versions stopped: ${error.line}`);
        return { next: input };
      } finally {
        session.close();
      }
    },
  };
}
