// The cheap checks a narrowing configuration goes through before its build and test: the user's --narrow-check,
// or by default Python files compiled by the interpreter on PATH (in the workspace) and JS/JSON parsed in-process.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { FileState } from '../changes/materialize.js';
import { SyntaxCheck } from '../changes/syntax-check.js';
import type { CommandSpec } from '../model/recipe.js';

/** Compiles the named files (relative to the workspace's top) without writing bytecode; lists what does not compile. */
const PYTHON_COMPILE = [
  'import os, sys',
  "root = os.environ.get('CULPRIT_WORKSPACE', '.')",
  'failed = 0',
  'for name in sys.argv[1:]:',
  '    full = os.path.join(root, name)',
  '    if not os.path.exists(full): continue',
  '    try:',
  "        with open(full, 'rb') as source: compile(source.read(), name, 'exec', dont_inherit=True)",
  '    except (SyntaxError, ValueError) as error:',
  "        print('%s: %s' % (name, error)); failed = 1",
  'sys.exit(failed)',
].join('\n');

export interface NarrowingChecks {
  /** Run in the workspace before each configuration's build. */
  command: CommandSpec | undefined;
  /** Parsed in-process: configurations it rejects are never probed. */
  syntax: SyntaxCheck | undefined;
  /** What the report says was checked: the in-process parse and the command. */
  descriptions: string[];
  /** The in-process part of it alone (what is left when the command is dropped). */
  parsed: string[];
  /** The command is culprit's default, not the user's (a default that fails on the commit itself is dropped quietly). */
  defaultCommand: boolean;
}

function onPath(program: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!directory) continue;
    const candidate = path.join(directory, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `setting`: the user's --narrow-check command, false for --no-narrow-check, undefined for the defaults.
 * `commit`: the states of the whole change, which decide what there is to check.
 */
export function narrowingChecks(setting: string | false | undefined, commit: readonly FileState[]): NarrowingChecks {
  if (setting === false) return { command: undefined, syntax: undefined, descriptions: [], parsed: [], defaultCommand: false };
  const syntax = new SyntaxCheck(commit);
  const parsed = syntax.paths.length > 0 ? [`parsed in-process: ${syntax.paths.join(', ')}`] : [];
  if (setting !== undefined) return { command: { shell: setting }, syntax, descriptions: [...parsed, `--narrow-check ${setting}`], parsed, defaultCommand: false };
  const python = commit.filter((state) => state.content !== null && /\.pyw?$/i.test(state.path)).map((state) => state.path);
  const interpreter = python.length > 0 ? (onPath('python3') ?? onPath('python')) : undefined;
  if (!interpreter) return { command: undefined, syntax, descriptions: parsed, parsed, defaultCommand: false };
  return {
    command: { argv: [interpreter, '-c', PYTHON_COMPILE, ...python] },
    syntax,
    descriptions: [...parsed, `compiled by ${path.basename(interpreter)} in the workspace: ${python.join(', ')}`],
    parsed,
    defaultCommand: true,
  };
}
