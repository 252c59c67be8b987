// `--list-cmd CMD`: the versions a command prints, one a line, oldest first. It runs through the process runner,
// so a command that hangs is stopped (its whole process group) and reported instead of hanging culprit.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { runCommand } from '../probe/process-runner.js';
import { shellQuote } from '../text/format.js';

const LIST_TIMEOUT_MS = 120_000;

export async function readListCommand(command: string): Promise<string> {
  if (command.trim() === '') throw new UsageError('--list-cmd is empty', 'give a command that prints the versions, one a line, oldest first');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'culprit-list-'));
  try {
    const logPath = path.join(scratch, 'list.log');
    const run = await runCommand({ command: { shell: `(${command}) > ${shellQuote(path.join(scratch, 'versions'))}` }, cwd: process.cwd(), env: process.env, timeoutMs: LIST_TIMEOUT_MS, graceMs: 2000, logPath });
    if (run.timedOut) throw new UsageError(`--list-cmd did not finish within ${LIST_TIMEOUT_MS / 1000} s: ${command}`, 'make it print the versions and exit');
    if (run.exitCode !== 0) {
      const said = run.outputTail.trim().split('\n').at(-1) ?? '';
      throw new UsageError(`--list-cmd failed (exit code ${String(run.exitCode ?? run.signal)}): ${said || command}`, 'run it yourself to see why; it must print the versions, one a line, oldest first');
    }
    return readFileSync(path.join(scratch, 'versions'), 'utf8');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
