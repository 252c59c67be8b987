// Option values: each bad value is refused with a line naming the option; good values pass through.
import { describe, expect, it } from 'vitest';
import { choice, nonNegativeSeconds, positiveSeconds, testCommand } from '../../src/cli/option-parsers.js';
import { EnvironmentError, UsageError } from '../../src/errors.js';
import { reproduceCommand } from '../../src/hunt/reproduce.js';
import { shellQuote } from '../../src/probe/recipe.js';

describe('option parsers', () => {
  it('accepts positive seconds, with an optional s suffix', () => {
    expect(positiveSeconds('--timeout', '2.5')).toBe(2.5);
    expect(positiveSeconds('--timeout', '30s')).toBe(30);
    expect(positiveSeconds('--timeout', undefined)).toBeUndefined();
  });

  it('refuses everything else with the option named', () => {
    for (const value of ['0', '-1', 'abc', '', ' ', 'Infinity', '1e999', 'NaN', '0x']) {
      expect(() => positiveSeconds('--timeout', value)).toThrow(UsageError);
      expect(() => positiveSeconds('--timeout', value)).toThrow(/--timeout must be a positive number/);
    }
    expect(() => nonNegativeSeconds('--grace', '-1', 5)).toThrow(/--grace/);
    expect(nonNegativeSeconds('--grace', '0', 5)).toBe(0);
    expect(() => choice('--on-hang', 'maybe', ['bad', 'good'] as const, 'bad')).toThrow(/--on-hang must be one of bad, good/);
  });

  it('takes plain decimal seconds only: no hex, octal, binary, exponent or blank forms', () => {
    for (const value of ['0x10', '0o7', '0b11', '1e3', '1e12', '1E2', ' ', '\t', '+5', '5 s', '1_000', '.', '5.s']) {
      expect(() => positiveSeconds('--timeout', value), value).toThrow(/--timeout must be a positive number of seconds/);
      expect(() => positiveSeconds('--build-timeout', value), value).toThrow(/--build-timeout must be a positive number of seconds/);
      expect(() => nonNegativeSeconds('--grace', value, 5), value).toThrow(/--grace must be a number of seconds/);
    }
    expect(positiveSeconds('--timeout', ' 16 ')).toBe(16);
    expect(positiveSeconds('--timeout', '0.5')).toBe(0.5);
    expect(positiveSeconds('--timeout', '.5')).toBe(0.5);
    expect(nonNegativeSeconds('--grace', '2.5s', 5)).toBe(2.5);
  });

  it('refuses seconds beyond what a timer can wait, instead of firing at once', () => {
    // setTimeout fires after 1 ms for any delay above 2^31-1 ms: --grace 1e12 meant SIGKILL right after SIGTERM.
    expect(() => nonNegativeSeconds('--grace', '1000000000000', 5)).toThrow(/--grace must be .*at most 3600/);
    expect(() => nonNegativeSeconds('--grace', '3601', 5)).toThrow(/at most 3600/);
    expect(nonNegativeSeconds('--grace', '3600', 5)).toBe(3600);
    expect(() => positiveSeconds('--timeout', '99999999999')).toThrow(/--timeout must be .*at most 604800 \(7 days\)/);
    expect(() => positiveSeconds('--build-timeout', '604801')).toThrow(/at most 604800/);
    expect(positiveSeconds('--timeout', '604800')).toBe(604800);
  });

  it('says every error on one line, whatever the user typed into it', () => {
    const error = new UsageError("unknown revision for --good: 'v1\nv2\r\tx\u001b[31m'", 'give\na revision');
    expect(error.line).toBe("unknown revision for --good: 'v1\\nv2\\r\\tx\\x1b[31m'; give\\na revision");
    expect(new EnvironmentError('a\u2028b').line).toBe('a\\u2028b');
    expect(() => positiveSeconds('--timeout', '1\n2')).toThrow(UsageError);
    try {
      positiveSeconds('--timeout', 'x\ny');
    } catch (caught) {
      expect((caught as UsageError).line).not.toMatch(/\n/);
    }
  });

  it('takes the test as a shell line or an argv, never both, never neither', () => {
    expect(testCommand('make test', [])).toEqual({ shell: 'make test' });
    expect(testCommand(undefined, ['./t.sh', '-x'])).toEqual({ argv: ['./t.sh', '-x'] });
    expect(() => testCommand(undefined, [])).toThrow(/no test command/);
    expect(() => testCommand('x', ['y'])).toThrow(/both/);
  });

  it('quotes reproduce commands so a shell reads them back unchanged', () => {
    expect(shellQuote('plain-word_1.2/x')).toBe('plain-word_1.2/x');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    const line = reproduceCommand('/tmp/my repo', 'abc', { test: { argv: ['sh', '-c', 'exit 1'] }, buildTimeoutSeconds: 1, graceSeconds: 1, onHang: 'skip', onBuildFailure: 'skip' }, 30);
    expect(line).toBe("npx culprit probe --repo '/tmp/my repo' --commit abc --timeout 30 --on-hang skip -- sh -c 'exit 1'");
  });
});
