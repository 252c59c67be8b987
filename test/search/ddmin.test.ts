// ddmin against brute force: on every small oracle the result fails and is 1-minimal, the decisive set is found
// exactly when the oracle is monotone, no configuration is asked twice, and one decisive change costs ~log2(n).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeltaDebugging, type ConfigurationOutcome } from '../../src/search/delta-debugging.js';

function drive(count: number, oracle: (configuration: readonly number[]) => ConfigurationOutcome): { minimal: readonly number[]; tests: number; asked: string[] } {
  const search = new DeltaDebugging(count);
  const asked: string[] = [];
  for (;;) {
    const step = search.next();
    if (step.kind === 'done') return { minimal: step.minimal, tests: search.testsUsed, asked };
    asked.push(step.configuration.join(','));
    search.record(step.configuration, oracle(step.configuration));
  }
}

const needs = (decisive: readonly number[]) => (configuration: readonly number[]): ConfigurationOutcome =>
  decisive.every((change) => configuration.includes(change)) ? 'fail' : 'pass';

describe('delta debugging', () => {
  it('finds every decisive set of one or two changes among up to 8, exactly', () => {
    for (let count = 1; count <= 8; count++) {
      for (let a = 0; a < count; a++) {
        for (let b = a; b < count; b++) {
          const decisive = a === b ? [a] : [a, b];
          const { minimal, asked } = drive(count, needs(decisive));
          expect(minimal).toEqual(decisive);
          expect(new Set(asked).size).toBe(asked.length);
        }
      }
    }
  });

  it('returns a failing, 1-minimal configuration for any deterministic oracle with unresolved regions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer(), (count, seed) => {
        // A random deterministic oracle: fails when a random core is present, unresolved on some hashes.
        const core = Array.from({ length: count }, (_, index) => index).filter((index) => ((seed >>> (index % 31)) & 1) === 1 || index === Math.abs(seed) % count);
        const oracle = (configuration: readonly number[]): ConfigurationOutcome => {
          if (configuration.length === count) return 'fail';
          if (configuration.length === 0) return 'pass';
          const hash = configuration.reduce((sum, change) => (sum * 31 + change + seed) | 0, 7);
          if ((hash & 7) === 0) return 'unresolved';
          return core.every((change) => configuration.includes(change)) ? 'fail' : 'pass';
        };
        const { minimal, asked } = drive(count, oracle);
        expect(oracle(minimal)).toBe('fail');
        for (const change of minimal) expect(oracle(minimal.filter((other) => other !== change))).not.toBe('fail');
        expect(new Set(asked).size).toBe(asked.length);
      }),
      { numRuns: 300 },
    );
  });

  it('needs about two tests per halving for one decisive change, and handles pairs that only fail together', () => {
    for (const count of [10, 100, 1000, 8000]) {
      for (const decisive of [0, Math.floor(count / 3), count - 1]) {
        const { minimal, tests } = drive(count, needs([decisive]));
        expect(minimal).toEqual([decisive]);
        expect(tests).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(count)) + 2);
      }
      const pair = [1, count - 2];
      const { minimal, tests } = drive(count, needs(pair));
      expect(minimal).toEqual(pair);
      expect(tests).toBeLessThanOrEqual(5 * Math.ceil(Math.log2(count)) + 4);
    }
  });
});
