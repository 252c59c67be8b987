// The two-sample tests and the metric verdicts against simulation: calibrated under no difference (a 1% test rejects
// about 1% of the time), powerful for a shift of one IQR at 30 samples a side, and right about direction.
import { describe, expect, it } from 'vitest';
import { classifySamples, regressionBetween } from '../../src/search/metric-verdict.js';
import { kolmogorovSmirnov, mannWhitney, normalUpperTail, quantile, summarize } from '../../src/search/sample-statistics.js';
import { seededRandom } from '../../src/demo/seeded-random.js';


/** n normal samples of mean `mean` and sd `sd` (Box-Muller). */
function normal(random: () => number, n: number, mean: number, sd: number): number[] {
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
}

describe('sample statistics', () => {
  it('knows its normal tail, quantiles and summaries', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 6);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 5);
    expect(normalUpperTail(-1.644854)).toBeCloseTo(0.95, 5);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(summarize([1, 2, 3, 4, 5])).toEqual({ n: 5, median: 3, iqr: 2 });
  });

  it('rejects at about its level when nothing differs, and nearly always for a shift of one IQR at 30 a side', () => {
    const random = seededRandom(42);
    let falseAlarms = 0;
    let detected = 0;
    const trials = 2000;
    const iqr = 1.349;
    for (let trial = 0; trial < trials; trial++) {
      const [a, b] = [normal(random, 30, 100, 1), normal(random, 30, 100, 1)];
      if (mannWhitney(a, b) <= 0.05) falseAlarms += 1;
      const shifted = normal(random, 30, 100 + iqr, 1);
      if (mannWhitney(shifted, a, 'greater') <= 0.01 && kolmogorovSmirnov(shifted, a) <= 0.05) detected += 1;
    }
    expect(falseAlarms / trials).toBeGreaterThan(0.03);
    expect(falseAlarms / trials).toBeLessThan(0.07);
    expect(detected / trials).toBeGreaterThan(0.95);
  });

  it('says no regression at least 99% of the time when there is none, and finds a 20% slowdown under 5% noise', () => {
    const random = seededRandom(7);
    let claimed = 0;
    for (let trial = 0; trial < 1000; trial++) if (regressionBetween(normal(random, 30, 100, 5), normal(random, 30, 100, 5), 'higher', 3).regressed) claimed += 1;
    expect(claimed).toBeLessThanOrEqual(10);
    const slow = regressionBetween(normal(random, 10, 100, 5), normal(random, 10, 120, 5), 'higher');
    expect(slow.regressed).toBe(true);
    expect(slow.relativeShift).toBeGreaterThan(0.1);
    // The same slowdown with lower-is-worse is no regression: the metric got better.
    expect(regressionBetween(normal(random, 10, 100, 5), normal(random, 10, 120, 5), 'lower').regressed).toBe(false);
  });

  it('classifies the samples of a commit as like good or like bad, and says when it cannot tell yet', () => {
    const random = seededRandom(3);
    const [good, bad] = [normal(random, 30, 100, 5), normal(random, 30, 120, 5)];
    expect(classifySamples(normal(random, 5, 120, 5), good, bad)).toBe('bad');
    expect(classifySamples(normal(random, 5, 100, 5), good, bad)).toBe('good');
    // Halfway between, with enough samples to see it differs from both: neither.
    expect(classifySamples(normal(random, 30, 110, 5), good, bad)).toBe('undecided');
  });
});
