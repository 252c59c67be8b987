// Option values: each bad value is refused with a line naming the option; good values pass through.
import { describe, expect, it } from 'vitest';
import { choice, nonNegativeSeconds, positiveSeconds, testCommand } from '../../src/cli/option-parsers.js';
import { UsageError } from '../../src/errors.js';
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
