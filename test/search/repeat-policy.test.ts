// Repeated runs against brute force: for every sequence of up to 6 run verdicts, stopping early never changes the
// verdict the whole sequence would give, under either policy.
import { describe, expect, it } from 'vitest';
import { decidedEarly, verdictOfRuns, type RepeatPolicy, type RunVerdict } from '../../src/search/repeat-policy.js';

function* sequences(length: number): Generator<RunVerdict[]> {
  if (length === 0) {
    yield [];
    return;
  }
  for (const rest of sequences(length - 1)) for (const verdict of ['good', 'bad', 'skip'] as const) yield [...rest, verdict];
}

describe('repeat policy', () => {
  it('any-fail: bad when one run failed; majority: the most runs, a tie or no testable run is skip', () => {
    expect(verdictOfRuns(['good', 'bad', 'good'], 'any-fail')).toBe('bad');
    expect(verdictOfRuns(['good', 'bad', 'good'], 'majority')).toBe('good');
    expect(verdictOfRuns(['good', 'bad'], 'majority')).toBe('skip');
    expect(verdictOfRuns(['skip', 'skip'], 'any-fail')).toBe('skip');
    expect(verdictOfRuns(['skip', 'bad', 'bad', 'good'], 'majority')).toBe('bad');
  });

  it('stops early only when the remaining runs could not change the verdict', () => {
    for (const policy of ['any-fail', 'majority'] as RepeatPolicy[]) {
      for (let total = 1; total <= 6; total++) {
        for (const whole of sequences(total)) {
          for (let ran = 1; ran <= total; ran++) {
            const prefix = whole.slice(0, ran);
            if (decidedEarly(prefix, policy, total)) expect(verdictOfRuns(prefix, policy)).toBe(verdictOfRuns(whole, policy));
          }
        }
      }
    }
  });
});
