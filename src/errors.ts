// Typed errors that carry what the user needs to fix the problem and the exit code culprit ends with.
// The CLI prints `culprit: <message>` and, when given, the hint, on one line; nothing else decides exit codes.

export const EXIT = {
  found: 0,
  noSingleCulprit: 1,
  usage: 2,
  abortedByTest: 3,
  /** git, hg, the disk or the store failed under the hunt: not the user's input, not the test. */
  environment: 4,
  interrupted: 130,
} as const;

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with its control characters (newlines, escapes, line separators) written as escapes, so it stays one line. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    return NAMED[char] ?? (code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`);
  });
}

export class CulpritError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode: number; hint?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }

  /** The one line shown to the user: what they typed (a revision with a newline) cannot break it in two. */
  get line(): string {
    return oneLine(this.hint ? `${this.message}; ${this.hint}` : this.message);
  }
}

/** Something the user asked for cannot work as given: exit 2, nothing left behind. */
export class UsageError extends CulpritError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.usage, hint });
  }
}

/** The test ended with 128 or above, or died of a signal culprit did not send (git bisect run aborts too). */
export class TestAbortedError extends CulpritError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.abortedByTest, hint });
  }
}

/**
 * The recipe's own policy stopped the hunt (`--on-build-failure abort`): the hunt is kept, marked aborted, and
 * `culprit resume` continues it once the cause is fixed.
 */
export class PolicyAbortError extends CulpritError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.abortedByTest, hint });
  }
}

/** A tool culprit relies on failed (git or hg on a corrupt repository, a full disk, an unwritable store). */
export class EnvironmentError extends CulpritError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: EXIT.environment, hint, cause });
  }
}

/** The user pressed Ctrl-C (or culprit got SIGTERM): the probe's group is dead and the hunt stops. */
export class InterruptedError extends CulpritError {
  constructor(signal: string) {
    super(`interrupted by ${signal}`, { exitCode: EXIT.interrupted });
  }
}
