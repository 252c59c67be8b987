// The default test of an npm package's source checkout: the dependent project, copied next to the workspace, gets
// the checkout installed as the package (packed, as a release would be) and runs its own test against it.
import type { CommandSpec } from '../model/recipe.js';
import { describeCommand, shellQuote } from '../text/format.js';

/**
 * A shell script for `--source-test`'s default. The project digest is part of the text, so the verdict cache's
 * recipe key changes when the project's files do (its test, its lockfile), as the versions stage's keys do.
 */
export function projectTestOfCheckout(project: string, projectDigest: string, test: CommandSpec): CommandSpec {
  const copy = '"$CULPRIT_WORKSPACE.project"';
  return {
    shell: [
      // The path as JSON: no newline in it can end the comment and start a command.
      `# culprit: the test of ${JSON.stringify(project)} (files ${projectDigest.slice(0, 16)}) with this checkout installed`,
      'set -e',
      `rm -rf ${copy}`,
      `mkdir -p ${copy}`,
      `tar -C ${shellQuote(project)} --exclude=node_modules --exclude=.git --exclude=.hg -cf - . | tar -C ${copy} -xf -`,
      `cd ${copy}`,
      // A checkout npm cannot pack or install is untestable, not bad.
      'npm install --no-save --no-audit --no-fund --install-links --loglevel=error "$CULPRIT_WORKSPACE" >&2 || exit 125',
      'set +e',
      describeCommand(test),
    ].join('\n'),
  };
}

/** The install of one version into a copy of the project; npm reads the user's own config (registry, auth). */
export function npmInstallCommand(name: string): string {
  return `npm install --no-save --no-audit --no-fund --loglevel=error ${shellQuote(`${name}@{version}`)}`;
}
