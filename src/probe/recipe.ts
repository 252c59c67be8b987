// The recipe: everything that decides how a candidate is built and tested and what its outcome means.
// Kept as plain data so it can be shown, hashed (verdict cache) and reproduced on the command line.
import type { CommandSpec } from './process-runner.js';

export type HangMeaning = 'bad' | 'good' | 'skip';
export type BuildFailureMeaning = 'skip' | 'bad' | 'abort';

export interface Recipe {
  build?: CommandSpec;
  test: CommandSpec;
  /** Explicit --timeout; when absent the hunt derives one from the good endpoints' run time. */
  timeoutSeconds?: number;
  buildTimeoutSeconds: number;
  graceSeconds: number;
  onHang: HangMeaning;
  onBuildFailure: BuildFailureMeaning;
}

export function describeCommand(command: CommandSpec): string {
  return 'shell' in command ? command.shell : command.argv.map(shellQuote).join(' ');
}

/** Quotes a word for a POSIX shell, leaving plain words readable. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
