// Bisection when the test is flaky: a Bayesian search over which commit is the first bad one (BBChop). A bad
// commit passes with probability q, a good one never fails; probe where a run teaches most, stop at the confidence.
import { ancestryOf, candidatesOf, type Ancestry } from './commit-ancestry.js';
import type { CommitGraph } from './commit-graph.js';

export interface FlakyOptions {
  /**
   * Probability that a run of a bad commit passes anyway: a number when it is known, or what runs of a bad commit
   * showed (passes, failures), from which the search keeps learning it (a Beta posterior, not a point estimate).
   */
  flakeRate: number | { passes: number; failures: number };
  /** The posterior the answer must hold before the search stops (0.99: wrong at most once in a hundred hunts). */
  confidence: number;
  /** Runs after which the search stops with what it has (an ambiguous answer). */
  maxRuns?: number;
}

export type FlakyVerdict = 'good' | 'bad' | 'skip';

export type FlakyStep =
  | { kind: 'probe'; commits: number[] }
  /** `commit` holds `probability` of the posterior; `candidates` are the likeliest, with their probabilities. */
  /** `contradiction` says why the search stopped when a run contradicted the model (two regressions, a good that fails). */
  | { kind: 'done'; found: boolean; commit: number; probability: number; candidates: Array<{ commit: number; probability: number }>; contradiction?: string };

/** log Γ(x) for x > 0 (Lanczos, g = 7): the Beta function of the flake rate's posterior needs it. */
function logGamma(x: number): number {
  const coefficients = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0] ?? 1;
  for (let index = 1; index < coefficients.length; index++) sum += (coefficients[index] ?? 0) / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * Where one run teaches most: a run is a Z-channel (a bad commit passes with probability q, a good one never fails),
 * whose capacity is reached when the probed commit is bad with probability 1/((1−q)(1 + 2^(h(q)/(1−q)))): 0.5 for
 * q = 0, 0.42 for q = 0.3. Probing there rather than at the median saves about 1% of the runs at q = 0.3.
 */
export function splitTarget(q: number): number {
  if (q <= 0 || q >= 1) return 0.5;
  const entropy = -(q * Math.log2(q) + (1 - q) * Math.log2(1 - q));
  return 1 / ((1 - q) * (1 + 2 ** (entropy / (1 - q))));
}

export class FlakyBisection {
  /** Graph ids of the candidates, parents before children; the bad commit is the last. */
  private readonly order: number[];
  private readonly indexOf = new Map<number, number>();
  private readonly ancestry: Ancestry;
  private readonly posterior: Float64Array;
  /** Candidates that cannot be tested (a failed build, exit 125): never probed again, still possible answers. */
  private readonly untestable = new Set<number>();
  private observed = 0;
  /** Per candidate: passes seen at commits it is below (each one a pass of a bad commit, were it the culprit). */
  private readonly passesAbove: Float64Array;
  /** Per candidate: whether it is below every commit that failed (else it cannot be the first bad one). */
  private readonly feasible: Uint8Array;
  private failures = 0;
  /** Set when a run contradicted the model: the search stops with what it has, and says so. */
  private contradiction: string | undefined;

  constructor(graph: CommitGraph, bad: number, private readonly options: FlakyOptions) {
    const rate = options.flakeRate;
    if (typeof rate === 'number' && !(rate >= 0 && rate < 1)) throw new RangeError(`flake rate ${rate} is not in [0, 1)`);
    if (typeof rate !== 'number' && !(rate.passes >= 0 && rate.failures >= 0)) throw new RangeError('the flake rate\'s runs cannot be negative');
    if (!(options.confidence > 0 && options.confidence < 1)) throw new RangeError(`confidence ${options.confidence} is not in (0, 1)`);
    this.order = candidatesOf(graph, bad);
    this.order.forEach((id, index) => this.indexOf.set(id, index));
    this.ancestry = ancestryOf(graph, this.order, this.indexOf);
    this.posterior = new Float64Array(this.order.length).fill(1 / this.order.length);
    this.passesAbove = new Float64Array(this.order.length);
    this.feasible = new Uint8Array(this.order.length).fill(1);
    // The bad commit fails for sure: its run tells nothing.
    this.untestable.add(this.order.length - 1);
  }

  get candidateCount(): number {
    return this.order.length;
  }

  /** Test runs recorded so far. */
  get runs(): number {
    return this.observed;
  }

  /** The likeliest first bad commit now, and its posterior. */
  leader(): { commit: number; probability: number } {
    const { index, probability } = this.best();
    return { commit: this.order[index] ?? 0, probability };
  }

  private best(): { index: number; probability: number } {
    let index = 0;
    let probability = -1;
    this.posterior.forEach((value, at) => {
      if (value > probability) {
        probability = value;
        index = at;
      }
    });
    return { index, probability };
  }

  private done(found: boolean): FlakyStep {
    if (this.contradiction !== undefined) return { ...this.ranking(false), contradiction: this.contradiction };
    return this.ranking(found);
  }

  private ranking(found: boolean): Extract<FlakyStep, { kind: 'done' }> {
    const ranked = [...this.posterior.keys()].sort((a, b) => (this.posterior[b] ?? 0) - (this.posterior[a] ?? 0)).slice(0, 5);
    const { index, probability } = this.best();
    return {
      kind: 'done',
      found,
      commit: this.order[index] ?? 0,
      probability,
      candidates: ranked.filter((at) => (this.posterior[at] ?? 0) > 0).map((at) => ({ commit: this.order[at] ?? 0, probability: this.posterior[at] ?? 0 })),
    };
  }

  /**
   * What to do now with `count` workers, `busy` commits (ids) already running: the commit whose mass of
   * ancestors-or-self is nearest to the most informative split (one worker), or to j/(count+1) for j = 1…count (the
   * posterior's quantiles, one per worker), each a distinct testable one.
   */
  next(count = 1, busy: readonly number[] = []): FlakyStep {
    if (this.contradiction !== undefined) return this.done(false);
    const { probability } = this.best();
    if (probability >= this.options.confidence) return this.done(true);
    if (this.options.maxRuns !== undefined && this.observed >= this.options.maxRuns) return this.done(false);
    const masses = this.ancestry.masses(this.posterior);
    const taken = new Set([...busy].map((id) => this.indexOf.get(id)).filter((index): index is number => index !== undefined));
    const commits: number[] = [];
    for (let quantile = 1; quantile <= count; quantile++) {
      const target = count === 1 ? splitTarget(this.flakeRate()) : quantile / (count + 1);
      let chosen = -1;
      let distance = Infinity;
      masses.forEach((mass, index) => {
        if (this.untestable.has(index) || taken.has(index)) return;
        // A commit that the whole posterior is at or below (or none of it) cannot teach anything.
        if (mass <= 1e-12 || mass >= 1 - 1e-12) return;
        const gap = Math.abs(mass - target);
        if (gap < distance) {
          distance = gap;
          chosen = index;
        }
      });
      if (chosen < 0) break;
      taken.add(chosen);
      commits.push(this.order[chosen] ?? 0);
    }
    if (commits.length === 0) return busy.length > 0 ? { kind: 'probe', commits: [] } : this.done(false);
    return { kind: 'probe', commits };
  }

  /** One run's verdict for a commit: a failure rules out every candidate not below it, a pass makes those below it less likely. */
  record(commit: number, verdict: FlakyVerdict): void {
    const index = this.indexOf.get(commit);
    if (index === undefined) throw new Error(`internal: commit ${commit} is not a candidate of the flaky search`);
    if (verdict === 'skip') {
      this.untestable.add(index);
      return;
    }
    const below = new Uint8Array(this.order.length);
    this.ancestry.forEach(index, (ancestor) => {
      below[ancestor] = 1;
    });
    // What the posterior rests on, kept to fall back to when this run contradicts the model.
    const before = { passes: Float64Array.from(this.passesAbove), feasible: Uint8Array.from(this.feasible), failures: this.failures };
    if (verdict === 'bad') {
      // A failure with every candidate below it ruled out: a good commit failed, which the model says cannot happen.
      if (!below.some((flag, at) => flag === 1 && this.feasible[at] === 1)) {
        this.contradiction = 'a commit failed although every candidate below it had been ruled out by another failure: two regressions on different branches, or a good commit that fails too';
        return;
      }
      below.forEach((flag, at) => {
        if (!flag) this.feasible[at] = 0;
      });
      this.failures += 1;
    } else {
      below.forEach((flag, at) => {
        if (flag) this.passesAbove[at] = (this.passesAbove[at] ?? 0) + 1;
      });
    }
    this.observed += 1;
    if (this.update()) return;
    this.contradiction = 'the runs contradict the model: a commit passed that --flake-rate 0 says must fail';
    this.passesAbove.set(before.passes);
    this.feasible.set(before.feasible);
    this.failures = before.failures;
    this.update();
  }

  /**
   * The posterior over the first bad commit X: zero unless X is below every failure; otherwise q^passes(X) for a
   * known q, or, learning q, the Beta-Binomial marginal B(a + passes(X), b + failures), a and b from the bad's runs.
   */
  private update(): boolean {
    const rate = this.options.flakeRate;
    const logWeights = new Float64Array(this.order.length);
    let top = -Infinity;
    for (let at = 0; at < logWeights.length; at++) {
      const passes = this.passesAbove[at] ?? 0;
      let weight = -Infinity;
      if (this.feasible[at]) {
        if (typeof rate === 'number') weight = passes === 0 ? 0 : rate === 0 ? -Infinity : passes * Math.log(rate);
        else weight = logBeta(rate.passes + 0.5 + passes, rate.failures + 0.5 + this.failures);
      }
      logWeights[at] = weight;
      if (weight > top) top = weight;
    }
    let total = 0;
    for (let at = 0; at < logWeights.length; at++) {
      const value = Number.isFinite(logWeights[at] ?? -Infinity) ? Math.exp((logWeights[at] ?? 0) - top) : 0;
      this.posterior[at] = value;
      total += value;
    }
    if (!(total > 0)) return false;
    for (let at = 0; at < this.posterior.length; at++) this.posterior[at] = (this.posterior[at] ?? 0) / total;
    return true;
  }

  /** The flake rate: the known one, or its posterior mean were the likeliest commit the first bad one. */
  flakeRate(): number {
    const rate = this.options.flakeRate;
    if (typeof rate === 'number') return rate;
    const passes = this.passesAbove[this.best().index] ?? 0;
    const a = rate.passes + 0.5 + passes;
    const b = rate.failures + 0.5 + this.failures;
    return a / (a + b);
  }
}
