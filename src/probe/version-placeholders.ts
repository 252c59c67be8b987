// The placeholders of a versions hunt's commands: `{version}` and `{workspace}` become the candidate and its
// workspace, as `$CULPRIT_VERSION` and `$CULPRIT_WORKSPACE` do in the environment, right before a probe runs them.
import type { CommandSpec, Recipe } from '../model/recipe.js';

function expand(text: string, version: string, workspace: string): string {
  return text.replaceAll('{version}', version).replaceAll('{workspace}', workspace);
}

function expandCommand(command: CommandSpec, version: string, workspace: string): CommandSpec {
  return 'shell' in command ? { shell: expand(command.shell, version, workspace) } : { argv: command.argv.map((word) => expand(word, version, workspace)) };
}

/** The recipe as it runs for one version in one workspace. */
export function recipeForVersion(recipe: Recipe, version: string, workspace: string): Recipe {
  return { ...recipe, test: expandCommand(recipe.test, version, workspace), ...(recipe.build ? { build: expandCommand(recipe.build, version, workspace) } : {}) };
}
