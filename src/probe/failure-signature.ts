// What makes a failure *the* failure while narrowing: the bad commit's hang, its exit code with the error its
// output names, or --signature REGEX on the output. A configuration that fails any other way is unresolved.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { ProbeRecord } from '../model/probe-record.js';
import type { NarrowingOutcome } from '../model/stage-results.js';

/**
 * `marker`: the last error line of the bad commit's output (`AssertionError: core.score: expected #, got #`),
 * which a configuration's output must have too (values aside); without one, a configuration that fails to load (a syntax error, a missing name) is not it.
 */
export type FailureSignature = { kind: 'hang' } | { kind: 'exit'; exitCode: number; marker?: string | null } | { kind: 'output'; pattern: string };

/** Named errors as Python, JavaScript, Java and most test runners print them. */
const ERROR_NAME_ONCE = /\b[A-Z][A-Za-z0-9_]*(?:Error|Exception|Failure)\b/;
/** What code that does not load or link says: never the failure when the bad commit's own output says none of it. */
const LOAD_FAILURE = /\b(?:SyntaxError|IndentationError|TabError|ModuleNotFoundError|ImportError|NameError|UnboundLocalError|ReferenceError)\b|Cannot find module|ERR_MODULE_NOT_FOUND|is not defined\b|undefined reference to|cannot find symbol|was not declared in this scope/;

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

/**
 * An error line as a signature: from the error's name to the end of its line, with numbers and quoted strings
 * blanked, so `AssertionError: core.score: expected 332483, got 166241` matches the same assertion with other
 * values, and not another assertion.
 */
function normalizedErrorLine(line: string): string | null {
  const at = line.search(ERROR_NAME_ONCE);
  if (at < 0) return null;
  return line
    .slice(at)
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`/g, '…')
    .replace(/\b0x[0-9a-f]+\b|\d+(?:\.\d+)?/gi, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/** The last error line in a run's output, normalized: where a failing test says what failed. */
function lastErrorLine(text: string): string | null {
  let found: string | null = null;
  for (const line of text.split('\n')) found = normalizedErrorLine(line) ?? found;
  return found;
}

function mentionsError(text: string, marker: string): boolean {
  return text.split('\n').some((line) => normalizedErrorLine(line) === marker);
}

/** The signature the bad commit's probe defines; undefined when that probe did not fail at all. */
export function signatureOf(bad: ProbeRecord, pattern?: string): FailureSignature | undefined {
  if (pattern !== undefined) return { kind: 'output', pattern };
  if (bad.outcome.kind === 'hung') return { kind: 'hang' };
  if (bad.outcome.kind === 'failed' || bad.outcome.kind === 'not-found') return { kind: 'exit', exitCode: bad.outcome.exitCode, marker: lastErrorLine(outputOf(bad)) };
  return undefined;
}

export function describeSignature(signature: FailureSignature): string {
  switch (signature.kind) {
    case 'hang':
      return 'a hang';
    case 'exit':
      return `exit code ${signature.exitCode}${signature.marker ? ` with the error "${signature.marker}"` : ', and no sign of code that fails to load'}`;
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

/** A run's output: the end of its log without culprit's own lines (the command line, the exit status). */
function outputOf(record: ProbeRecord): string {
  const logged = logEnd(record.logPath)
    .split('\n')
    .filter((line) => !line.startsWith('[culprit] '))
    .join('\n');
  return logged.includes(record.outputTail) ? logged : `${record.outputTail}\n${logged}`;
}

export function narrowingOutcome(record: ProbeRecord, signature: FailureSignature): NarrowingOutcome {
  const outcome = record.outcome;
  if (outcome.kind === 'passed') return 'pass';
  if (outcome.kind === 'build-failed' || outcome.kind === 'untestable' || outcome.kind === 'crashed' || outcome.kind === 'check-failed') return 'unresolved';
  switch (signature.kind) {
    case 'hang':
      return outcome.kind === 'hung' ? 'fail' : 'unresolved';
    case 'exit': {
      if (!((outcome.kind === 'failed' || outcome.kind === 'not-found') && outcome.exitCode === signature.exitCode)) return 'unresolved';
      if (signature.marker === undefined) return 'fail';
      const text = outputOf(record);
      if (signature.marker !== null) return mentionsError(text, signature.marker) ? 'fail' : 'unresolved';
      return LOAD_FAILURE.test(text) ? 'unresolved' : 'fail';
    }
    case 'output':
      return compileSignaturePattern(signature.pattern).test(outputOf(record)) ? 'fail' : 'unresolved';
  }
}
