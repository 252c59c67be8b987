// Two-sample statistics for performance verdicts, as Chromium's Pinpoint decides "different": Mann-Whitney U (normal
// approximation with tie and continuity corrections) and Kolmogorov-Smirnov (asymptotic), plus median and IQR. Pure.

export interface Summary {
  n: number;
  median: number;
  /** Interquartile range: the middle half's width. */
  iqr: number;
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The q-quantile with linear interpolation between order statistics (R's type 7). */
export function quantile(values: readonly number[], q: number): number {
  const ordered = sorted(values);
  if (ordered.length === 0) return Number.NaN;
  const at = (ordered.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (ordered[low] ?? 0) + ((ordered[high] ?? 0) - (ordered[low] ?? 0)) * (at - low);
}

export function summarize(values: readonly number[]): Summary {
  return { n: values.length, median: quantile(values, 0.5), iqr: quantile(values, 0.75) - quantile(values, 0.25) };
}

/** Standard normal upper tail, P(Z > z) (Abramowitz–Stegun 7.1.26 through erfc; error below 1.5e-7). */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * Mann-Whitney U test of `a` against `b`. `alternative` 'greater' asks whether `a` tends to be larger than `b`,
 * 'less' smaller, 'two-sided' either. Returns the p-value.
 */
export function mannWhitney(a: readonly number[], b: readonly number[], alternative: 'greater' | 'less' | 'two-sided' = 'two-sided'): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return 1;
  const all = [...a.map((value) => ({ value, first: true })), ...b.map((value) => ({ value, first: false }))].sort((x, y) => x.value - y.value);
  let rankSum = 0;
  let tieTerm = 0;
  for (let start = 0; start < all.length; ) {
    let end = start;
    while (end + 1 < all.length && all[end + 1]?.value === all[start]?.value) end++;
    const rank = (start + end) / 2 + 1;
    const ties = end - start + 1;
    tieTerm += ties ** 3 - ties;
    for (let at = start; at <= end; at++) if (all[at]?.first) rankSum += rank;
    start = end + 1;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 1;
  const sd = Math.sqrt(variance);
  if (alternative === 'greater') return normalUpperTail((u - mean - 0.5) / sd);
  if (alternative === 'less') return normalUpperTail((mean - u - 0.5) / sd);
  return Math.min(1, 2 * normalUpperTail((Math.abs(u - mean) - 0.5) / sd));
}

/** Kolmogorov distribution's upper tail, P(K > x) = 2 Σ (−1)^(k−1) e^(−2k²x²). */
function kolmogorovUpperTail(x: number): number {
  if (x <= 0) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-12) break;
  }
  return Math.max(0, Math.min(1, 2 * sum));
}

/** Two-sample Kolmogorov-Smirnov test (two-sided), with the asymptotic distribution and Stephens' small-sample correction. */
export function kolmogorovSmirnov(a: readonly number[], b: readonly number[]): number {
  const x = sorted(a);
  const y = sorted(b);
  if (x.length === 0 || y.length === 0) return 1;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const value = Math.min(x[i] ?? 0, y[j] ?? 0);
    while (i < x.length && (x[i] ?? 0) <= value) i++;
    while (j < y.length && (y[j] ?? 0) <= value) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const effective = Math.sqrt((x.length * y.length) / (x.length + y.length));
  return kolmogorovUpperTail((effective + 0.12 + 0.11 / effective) * d);
}
