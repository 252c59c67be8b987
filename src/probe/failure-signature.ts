// What makes a failure *the* failure while narrowing: the bad commit's hang, its exit code, or --signature REGEX
// on the output. A configuration that fails any other way is unresolved, never bad.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { ProbeRecord } from '../model/probe-record.js';
import type { NarrowingOutcome } from '../model/stage-results.js';

export type FailureSignature = { kind: 'hang' } | { kind: 'exit'; exitCode: number } | { kind: 'output'; pattern: string };

export type { NarrowingOutcome } from '../model/stage-results.js';

/** How much of a run's log is searched for --signature: the end of it, where a failure usually says itself. */
const SEARCHED_BYTES = 1 << 20;

export function compileSignaturePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'm');
  } catch (error) {
    throw new UsageError(`--signature is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`, "e.g. --signature 'TimeoutError|hangs'");
  }
}

/** The signature the bad commit's probe defines; undefined when that probe did not fail at all. */
export function signatureOf(bad: ProbeRecord, pattern?: string): FailureSignature | undefined {
  if (pattern !== undefined) return { kind: 'output', pattern };
  if (bad.outcome.kind === 'hung') return { kind: 'hang' };
  if (bad.outcome.kind === 'failed' || bad.outcome.kind === 'not-found') return { kind: 'exit', exitCode: bad.outcome.exitCode };
  return undefined;
}

export function describeSignature(signature: FailureSignature): string {
  switch (signature.kind) {
    case 'hang':
      return 'a hang';
    case 'exit':
      return `exit code ${signature.exitCode}`;
    case 'output':
      return `output matching /${signature.pattern}/`;
  }
}

function logEnd(logPath: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(logPath, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, SEARCHED_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function narrowingOutcome(record: ProbeRecord, signature: FailureSignature): NarrowingOutcome {
  const outcome = record.outcome;
  if (outcome.kind === 'passed') return 'pass';
  if (outcome.kind === 'build-failed' || outcome.kind === 'untestable' || outcome.kind === 'crashed') return 'unresolved';
  switch (signature.kind) {
    case 'hang':
      return outcome.kind === 'hung' ? 'fail' : 'unresolved';
    case 'exit':
      return (outcome.kind === 'failed' || outcome.kind === 'not-found') && outcome.exitCode === signature.exitCode ? 'fail' : 'unresolved';
    case 'output': {
      // The log's own lines (the command line, the exit status) are culprit's, not the test's output.
      const text = `${record.outputTail}\n${logEnd(record.logPath)
        .split('\n')
        .filter((line) => !line.startsWith('[culprit] '))
        .join('\n')}`;
      return compileSignaturePattern(signature.pattern).test(text) ? 'fail' : 'unresolved';
    }
  }
}
