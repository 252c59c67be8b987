// The flaky search as a Strategy for the driver: every run is its own sample (a commit may be asked again), with k
// workers the k quantiles of the posterior are probed at once, and samples still running are never wasted.
import type { FlakyBisection, FlakyStep, FlakyVerdict } from './flaky-bisection.js';
import type { InFlightProbe, Plan, Strategy } from './strategy.js';

/** One run of a commit: the same commit asked again is a new sample. */
export interface FlakySample {
  commit: number;
  sample: number;
}

export type FlakyDone = Extract<FlakyStep, { kind: 'done' }>;

export class FlakyStrategy implements Strategy<FlakySample, FlakyVerdict, FlakyDone> {
  private samples = 0;
  private finished: FlakyDone | undefined;

  constructor(private readonly search: FlakyBisection) {}

  keyOf(sample: FlakySample): string {
    return `${sample.commit}#${sample.sample}`;
  }

  plan(capacity: number, inFlight: readonly InFlightProbe<FlakySample>[]): Plan<FlakySample, FlakyDone> {
    const live = inFlight.filter((probe) => !probe.cancelling);
    const step = this.search.next(Math.max(1, capacity), []);
    if (step.kind === 'done') {
      this.finished = step;
      return { start: [], cancel: live.map((probe) => probe.candidate), done: step };
    }
    // A run under way still teaches something: it is never cancelled, and its commit is not asked twice at once.
    const busy = new Set(live.map((probe) => probe.candidate.commit));
    const free = Math.max(0, capacity - live.length);
    const start = step.commits.filter((commit) => !busy.has(commit)).slice(0, free).map((commit) => ({ commit, sample: this.samples++ }));
    return { start, cancel: [] };
  }

  wants(): boolean {
    return this.finished === undefined;
  }

  record(sample: FlakySample, verdict: FlakyVerdict): boolean {
    this.search.record(sample.commit, verdict);
    return true;
  }
}
