// A configuration of factors as a probe runs it: its setups (each factor's chosen side) before the build, and the
// variables the test gets: the ones the factors name, and those a setup wrote to $CULPRIT_ENV (NAME=value lines).
import { readFileSync, rmSync } from 'node:fs';
import type { CommandSpec, Recipe } from '../model/recipe.js';
import { describeCommand } from '../text/format.js';

/** The recipe with the setups first, each in its own shell, then the build; the first to fail ends the build. */
export function recipeWithSetups(recipe: Recipe, setups: readonly string[]): Recipe {
  if (setups.length === 0) return recipe;
  const steps = [...setups, ...(recipe.build ? [describeCommand(recipe.build)] : [])];
  // Each step on lines of its own: a setup that ends in a # comment must not swallow the parenthesis.
  const build: CommandSpec = { shell: steps.map((step) => `(\n${step}\n)`).join(' && ') };
  return { ...recipe, build };
}

/** Where a workspace's setups leave variables for the test: beside the workspace, so the test never sees the file. */
export function environmentFileOf(workspaceDirectory: string): string {
  return `${workspaceDirectory}.env`;
}

/** Empties the file before a probe: what a previous configuration's setups wrote must not reach this one's test. */
export function resetEnvironmentFile(file: string): void {
  rmSync(file, { force: true });
}

/** NAME=value lines (as GitHub Actions' $GITHUB_ENV takes them); blank lines and # comments skipped, later lines win. */
export function readEnvironmentFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const variables: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined) variables[match[1]] = match[2] ?? '';
  }
  return variables;
}
