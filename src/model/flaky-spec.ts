// How a hunt treats a test that fails only some of the time on a bad commit (`--flaky`): the confidence its answer
// must reach, and the flake rate, given or to be estimated from runs of the bad revision.

export interface FlakySpec {
  /** Posterior the answer must hold before the search stops (`--confidence`, default 0.99). */
  confidence: number;
  /** Probability that a run of a bad commit passes (`--flake-rate`); absent: estimated from `badRuns` runs of bad. */
  flakeRate?: number;
  /** Runs of the bad revision that estimate the flake rate (default 10). */
  badRuns?: number;
}

export const DEFAULT_CONFIDENCE = 0.99;
export const DEFAULT_BAD_RUNS = 10;

/**
 * The flake rate from runs of a bad revision: passes over runs with half a pass and half a failure added (Jeffreys),
 * so three passes in ten read 0.32, and none in ten 0.05, never an overconfident 0.
 */
export function estimateFlakeRate(passes: number, runs: number): number {
  return (passes + 0.5) / (runs + 1);
}
