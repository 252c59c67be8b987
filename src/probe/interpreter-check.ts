// Why a command "was not found" when its file is right there: the interpreter its #! line names is missing, or the
// line ends in a carriage return (a script saved with CRLF line ends). Said in words instead of exit 127.
import { accessSync, constants, closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CommandSpec } from '../model/recipe.js';

function firstWord(command: CommandSpec): string | undefined {
  if (!('shell' in command)) return command.argv[0];
  // The script a shell line starts with (`./t.sh args`, `sh t.sh` names t.sh through sh, which exists).
  return /^\s*([^\s;&|()<>`'"$]+)/.exec(command.shell)?.[1];
}

function onPath(name: string, environment: NodeJS.ProcessEnv): boolean {
  for (const directory of (environment.PATH ?? '').split(':').filter(Boolean)) {
    try {
      accessSync(path.join(directory, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** A sentence on why the command's script cannot start, or undefined when that is not the reason. */
export function interpreterProblem(command: CommandSpec, cwd: string, environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const word = firstWord(command);
  if (!word || !word.includes('/')) return undefined;
  const file = path.resolve(cwd, word);
  // A regular file only: opening a FIFO would wait for a writer forever.
  try {
    if (!statSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  let head = '';
  try {
    const descriptor = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(256);
      head = buffer.subarray(0, readSync(descriptor, buffer, 0, 256, 0)).toString('utf8');
    } finally {
      closeSync(descriptor);
    }
  } catch {
    return undefined;
  }
  const line = head.split('\n')[0] ?? '';
  if (!line.startsWith('#!')) return undefined;
  if (line.endsWith('\r')) return `${word} has CRLF line ends: its #! line names '${line.slice(2).trim()}\\r', which does not exist (convert it with dos2unix)`;
  const [interpreter, argument] = line.slice(2).trim().split(/\s+/);
  if (!interpreter) return undefined;
  if (!existsSync(interpreter)) return `${word} names the interpreter ${interpreter} in its #! line, which does not exist on this machine`;
  if (path.basename(interpreter) === 'env' && argument && !argument.startsWith('-') && !onPath(argument, environment)) return `${word} runs '${argument}' through ${interpreter} (its #! line), and no ${argument} is on PATH`;
  return undefined;
}
