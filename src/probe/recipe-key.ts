// The verdict cache's notion of "the same recipe": commands, timeouts, verdict mapping, the directory the
// commands run in, the environment variables that commonly change builds, and the contents of command files.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RecipeEnvironment } from '../store/store-types.js';
import { canonicalJson } from '../text/canonical-json.js';
import type { CommandSpec } from './process-runner.js';
import type { Recipe } from './recipe.js';

/** Variables that change what a build or test does without changing the tree; PATH picks the toolchain. */
export const KEYED_ENVIRONMENT = [
  'PATH', 'LANG', 'LC_ALL', 'TZ', 'CC', 'CXX', 'CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS', 'NODE_OPTIONS', 'NODE_ENV',
  'PYTHONPATH', 'VIRTUAL_ENV', 'JAVA_HOME', 'GOFLAGS', 'RUSTFLAGS', 'CARGO_BUILD_TARGET',
] as const;

/**
 * The words of a command as the shell would see the file names in them: `~/check.sh` and `$CHECK` or `${CHECK}` are
 * expanded from the environment, so editing the script they name changes the key like an absolute path does.
 */
function words(command: CommandSpec, environment: NodeJS.ProcessEnv): readonly string[] {
  if (!('shell' in command)) return command.argv;
  const expand = (word: string): string =>
    word
      .replace(/^~(?=\/|$)/, environment.HOME ?? '~')
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, bare: string | undefined) => environment[braced ?? bare ?? ''] ?? whole);
  // A variable may hold several words (`CHECK='sh /opt/check.sh'`): each of them is looked at.
  return command.shell.split(/[\s;&|()<>`'"]+/).flatMap((word) => expand(word).split(/\s+/));
}

/** What a command runs rather than writes: an executable file, or a script an interpreter is given. */
const SCRIPT = /\.(sh|bash|zsh|py|js|mjs|cjs|ts|rb|pl|php|lua|tcl|r|jl|ps1)$/i;

/**
 * Scripts named by absolute path in a command, hashed by content: editing a test script that lives outside the
 * workspace changes the recipe. Relative paths resolve inside the workspace, where the tree hash covers them;
 * other files (a log the test appends to, a data file) are not the recipe.
 */
function commandFiles(commands: readonly CommandSpec[], environment: NodeJS.ProcessEnv): Record<string, string> {
  const files: Record<string, string> = {};
  for (const command of commands) {
    for (const word of words(command, environment)) {
      if (!path.isAbsolute(word)) continue;
      const file = word;
      try {
        const stat = statSync(file);
        if (!stat.isFile() || ((stat.mode & 0o111) === 0 && !SCRIPT.test(file))) continue;
        files[word] = createHash('sha256').update(readFileSync(file)).digest('hex');
      } catch {
        // Not a file (a directory, or an argument that only looks like a path).
      }
    }
  }
  return files;
}

/**
 * PATH without what npm and npx put in front of it for the directory they run in (`…/node_modules/.bin` of it and its
 * parents, npm's node-gyp shim): `npx culprit resume` from a subdirectory is the same recipe as from the top.
 */
function toolchainPath(value: string): string {
  return value
    .split(':')
    .filter((entry) => !/\/node_modules\/\.bin\/?$/.test(entry) && !/\/node-gyp-bin\/?$/.test(entry))
    .join(':');
}

export function keyedEnvironment(environment: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of KEYED_ENVIRONMENT) if (environment[name] !== undefined) env[name] = environment[name] ?? '';
  if (env.PATH !== undefined) env.PATH = toolchainPath(env.PATH);
  return env;
}

function digest(material: unknown): string {
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/**
 * Which recipe fields can change what a build produces. `satisfies` makes a new Recipe field a compile error here
 * until someone decides whether it belongs to the build cache's key.
 */
const SHAPES_THE_BUILD = {
  build: true,
  buildTimeoutSeconds: true,
  test: false,
  timeoutSeconds: false,
  graceSeconds: false,
  onHang: false,
  onBuildFailure: false,
} as const satisfies Record<keyof Recipe, boolean>;

/**
 * The build cache's notion of "the same build": the build command and what it reads besides the tree, and the
 * artifact globs. The test is not part of it, so a hunt with another test reuses the builds.
 */
export function buildRecipeKey(recipe: Recipe, subdirectory: string, artifacts: readonly string[], environment: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!recipe.build) return undefined;
  const fields = Object.fromEntries(Object.entries(recipe).filter(([name]) => SHAPES_THE_BUILD[name as keyof Recipe] !== false));
  return digest({ recipe: fields, subdirectory, artifacts: [...artifacts].sort(), env: keyedEnvironment(environment), files: commandFiles([recipe.build], environment) });
}

/**
 * The verdict cache's notion of "the same recipe": every field of the recipe (a field added later is part of the key
 * without anyone listing it), the directory the commands run in, the keyed environment and the command files.
 */
export function recipeKey(recipe: Recipe, subdirectory: string, environment: NodeJS.ProcessEnv = process.env): string {
  return recipeKeyWith(recipe, subdirectory, recipeEnvironment(recipe, environment));
}

/** The same key from the environment part read once: what a hunt keeps, to say later what differs. */
export function recipeKeyWith(recipe: Recipe, subdirectory: string, surroundings: RecipeEnvironment): string {
  return digest({ recipe: { ...recipe, timeoutSeconds: recipe.timeoutSeconds ?? 'derived' }, subdirectory, env: surroundings.env, files: surroundings.files });
}

/** What the key is made of besides the recipe and the directory: the keyed variables and the scripts' digests. */
export function recipeEnvironment(recipe: Recipe, environment: NodeJS.ProcessEnv = process.env): RecipeEnvironment {
  return { env: keyedEnvironment(environment), files: recipeScripts(recipe, environment) };
}

/** The scripts the recipe's build and test name by path, with the SHA-256 of each: part of "the same recipe". */
export function recipeScripts(recipe: Recipe, environment: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return commandFiles(recipe.build ? [recipe.build, recipe.test] : [recipe.test], environment);
}
