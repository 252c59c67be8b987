// Level-by-level narrowing as a Strategy for the driver: with one worker it asks exactly what the sequential
// search asks; with k it also tests the next configurations of the same round, which are independent (picire).
import type { ConfigurationOutcome } from './delta-debugging.js';
import type { HierarchicalNarrowing, NarrowingConfiguration, NarrowingStep } from './hierarchical-narrowing.js';
import type { InFlightProbe, Plan, Strategy } from './strategy.js';

export type NarrowingDone = Extract<NarrowingStep, { kind: 'done' }>;

export class NarrowingStrategy implements Strategy<NarrowingConfiguration, ConfigurationOutcome, NarrowingDone> {
  constructor(private readonly search: HierarchicalNarrowing) {}

  /** Within a level the kept nodes and containers are fixed: the depth and the units name a configuration. */
  keyOf(configuration: NarrowingConfiguration): string {
    return `${configuration.depth}:${configuration.units.join(',')}`;
  }

  /**
   * The configuration the search needs now and, with more workers, the ones it will need next if none of these
   * fails. Probes that are not among them any more (a failure moved the search on) are cancelled: stale answers.
   */
  plan(capacity: number, inFlight: readonly InFlightProbe<NarrowingConfiguration>[]): Plan<NarrowingConfiguration, NarrowingDone> {
    const step = this.search.next();
    const live = inFlight.filter((probe) => !probe.cancelling);
    if (step.kind === 'done') return { start: [], cancel: live.map((probe) => probe.candidate), done: step };
    const wanted = [step.configuration, ...this.search.upcoming(Math.max(0, capacity - 1))];
    const wantedKeys = new Set(wanted.map((configuration) => this.keyOf(configuration)));
    const cancel = live.filter((probe) => !wantedKeys.has(this.keyOf(probe.candidate))).map((probe) => probe.candidate);
    const busy = new Set(inFlight.map((probe) => this.keyOf(probe.candidate)));
    const kept = live.length - cancel.length;
    const start = wanted.filter((configuration) => !busy.has(this.keyOf(configuration))).slice(0, Math.max(0, capacity - kept));
    return { start, cancel };
  }

  wants(configuration: NarrowingConfiguration): boolean {
    return this.search.wants(configuration);
  }

  record(configuration: NarrowingConfiguration, outcome: ConfigurationOutcome): boolean {
    this.search.recordConfiguration(configuration, outcome);
    return true;
  }
}
