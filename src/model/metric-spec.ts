// How a hunt judges a performance regression (`--metric`): the number each run prints, which way is worse, and how
// many runs a probe may take before it gives up on a decision.

export interface MetricSpec {
  /** A regular expression whose first capture group is the number a run prints (the last match counts). */
  pattern: string;
  worse: 'higher' | 'lower';
  /** Runs of each endpoint at most, and of each commit at most, before a decision (default 30). */
  maxSamples?: number;
}

export const DEFAULT_MAX_SAMPLES = 30;
