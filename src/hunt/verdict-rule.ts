// Where a probe's outcome becomes what a bisecting stage acts on (bisection, merge bases, merge descent): good,
// bad or skip; a crashed test (128+, a foreign signal) or a policy that says abort stops the hunt, in each alike.
// Endpoint checks judge the user's input instead, and narrowing judges against the failure signature.
import { PolicyAbortError, TestAbortedError } from '../errors.js';
import type { ProbeRecord } from '../model/probe-record.js';
import { describeOutcome } from '../probe/outcome.js';
import type { BisectVerdict } from '../search/bisection-step.js';

/** Throws when the test ended with 128+ or a foreign signal: git bisect run aborts there, and so do we. */
export function abortIfCrashed(probe: ProbeRecord, name: string): void {
  if (probe.outcome.kind !== 'crashed') return;
  throw new TestAbortedError(
    `the test ${describeOutcome(probe.outcome)} at ${name}, which aborts the hunt as in git bisect run`,
    `make the test exit 1-127 for bad, 125 to skip; log: ${probe.logPath}`,
  );
}

/** The verdict a search records for a probe of `name`; throws when the hunt must stop instead. */
export function searchVerdictOf(probe: ProbeRecord, name: string): BisectVerdict {
  abortIfCrashed(probe, name);
  if (probe.searchVerdict === 'abort') {
    throw new PolicyAbortError(
      `the ${describeOutcome(probe.outcome)} at ${name} and --on-build-failure is abort`,
      `fix the build (log: ${probe.logPath})`,
    );
  }
  return probe.searchVerdict;
}
