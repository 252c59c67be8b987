// Performance verdicts from samples of a metric: whether the bad revision is worse than the good one at all, and
// whether a commit's samples look like the good or the bad ones, decided with Pinpoint's tests at alpha 0.01. Pure.
import { kolmogorovSmirnov, mannWhitney, quantile, summarize, type Summary } from './sample-statistics.js';

export type Worse = 'higher' | 'lower';

export const ALPHA = 0.01;

/** What separates the endpoints: each side's summary, the shift of the medians, and the p-value that decided it. */
export interface Regression {
  regressed: boolean;
  good: Summary;
  bad: Summary;
  /** Median of bad minus median of good, and as a fraction of good's median. */
  shift: number;
  relativeShift: number;
  /** min(Mann-Whitney one-sided in the worse direction, Kolmogorov-Smirnov), doubled for taking the smaller of two. */
  pValue: number;
}

function differs(a: readonly number[], b: readonly number[]): number {
  return Math.min(1, 2 * Math.min(mannWhitney(a, b), kolmogorovSmirnov(a, b)));
}

/**
 * Whether bad is worse than good. `looks` is how many times the caller tests as samples grow: each look gets its
 * share of alpha, so a hunt with no regression says so in at least 1 − alpha of cases however often it looked.
 */
export function regressionBetween(good: readonly number[], bad: readonly number[], worse: Worse, looks = 1): Regression {
  const [goodSummary, badSummary] = [summarize(good), summarize(bad)];
  const oneSided = mannWhitney(bad, good, worse === 'higher' ? 'greater' : 'less');
  const pValue = Math.min(1, 2 * Math.min(oneSided, kolmogorovSmirnov(good, bad)));
  const shift = badSummary.median - goodSummary.median;
  const worseMedian = worse === 'higher' ? shift > 0 : shift < 0;
  return {
    regressed: worseMedian && pValue <= ALPHA / looks,
    good: goodSummary,
    bad: badSummary,
    shift,
    relativeShift: goodSummary.median === 0 ? 0 : shift / Math.abs(goodSummary.median),
    pValue,
  };
}

export type MetricVerdict = 'good' | 'bad' | 'undecided';

/**
 * Like good (differs from bad, not from good, and its median nearer good's), like bad (the other way round), or
 * not yet clear.
 */
export function classifySamples(samples: readonly number[], good: readonly number[], bad: readonly number[]): MetricVerdict {
  const fromGood = differs(samples, good);
  const fromBad = differs(samples, bad);
  const median = quantile(samples, 0.5);
  const nearerBad = Math.abs(median - quantile(bad, 0.5)) < Math.abs(median - quantile(good, 0.5));
  if (fromGood <= ALPHA && fromBad > ALPHA && nearerBad) return 'bad';
  if (fromBad <= ALPHA && fromGood > ALPHA && !nearerBad) return 'good';
  return 'undecided';
}
