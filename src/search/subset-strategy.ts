// The minimal failing subset as a Strategy for the driver: one configuration at a time (each question depends on
// the answer before it), stale probes cancelled, done with the answer and whether it was seen failing on its own.
import type { ConfigurationOutcome } from './delta-debugging.js';
import { subsetKey, type MinimalSubsetSearch, type SubsetStep } from './minimal-subset.js';
import type { InFlightProbe, Plan, Strategy } from './strategy.js';

export type SubsetDone = Extract<SubsetStep, { kind: 'done' }>;

export class SubsetStrategy implements Strategy<readonly number[], ConfigurationOutcome, SubsetDone> {
  constructor(private readonly search: MinimalSubsetSearch) {}

  keyOf(subset: readonly number[]): string {
    return subsetKey(subset);
  }

  plan(_capacity: number, inFlight: readonly InFlightProbe<readonly number[]>[]): Plan<readonly number[], SubsetDone> {
    const step = this.search.next();
    const live = inFlight.filter((probe) => !probe.cancelling);
    if (step.kind === 'done') return { start: [], cancel: live.map((probe) => probe.candidate), done: step };
    const wanted = this.keyOf(step.subset);
    const cancel = live.filter((probe) => this.keyOf(probe.candidate) !== wanted).map((probe) => probe.candidate);
    const busy = inFlight.some((probe) => this.keyOf(probe.candidate) === wanted);
    return { start: busy ? [] : [step.subset], cancel };
  }

  wants(subset: readonly number[]): boolean {
    return this.search.wants(subset);
  }

  record(subset: readonly number[], outcome: ConfigurationOutcome): boolean {
    this.search.record(subset, outcome);
    return true;
  }
}
