// One narrowing search as the driver runs it: the pure level-by-level search, with configurations a syntax check
// rejects answered `unresolved` on the spot (never probed), and a budget that stops it with its best answer so far.
import type { ConfigurationOutcome } from '../search/delta-debugging.js';
import type { HierarchicalNarrowing, NarrowingConfiguration } from '../search/hierarchical-narrowing.js';
import { NarrowingStrategy, type NarrowingDone } from '../search/narrowing-strategy.js';
import type { InFlightProbe, Plan, Strategy } from '../search/strategy.js';

export interface NarrowingRunParts {
  search: HierarchicalNarrowing;
  /** Why a configuration cannot load, without running it; undefined when nothing says so. */
  predict(configuration: NarrowingConfiguration): string | undefined;
  predicted(configuration: NarrowingConfiguration, reason: string): void;
  /** Whether the budget is spent: the search then ends with what it has. */
  exhausted(): boolean;
}

export class NarrowingRun implements Strategy<NarrowingConfiguration, ConfigurationOutcome, NarrowingDone> {
  private readonly inner: NarrowingStrategy;
  /** Set when the budget stopped the search. */
  stoppedEarly = false;
  /** Configurations the syntax check passed: plans name them again until they run, and parsing is not free. */
  private readonly loads = new Set<string>();

  constructor(private readonly parts: NarrowingRunParts) {
    this.inner = new NarrowingStrategy(parts.search);
  }

  keyOf(configuration: NarrowingConfiguration): string {
    return this.inner.keyOf(configuration);
  }

  plan(capacity: number, inFlight: readonly InFlightProbe<NarrowingConfiguration>[]): Plan<NarrowingConfiguration, NarrowingDone> {
    for (;;) {
      if (!this.stoppedEarly && this.parts.search.progress() !== undefined && this.parts.exhausted()) {
        this.stoppedEarly = true;
        this.parts.search.stop();
      }
      const plan = this.inner.plan(capacity, inFlight);
      let answered = false;
      for (const configuration of plan.start) {
        const key = this.keyOf(configuration);
        if (this.loads.has(key)) continue;
        const reason = this.parts.predict(configuration);
        if (reason === undefined) {
          this.loads.add(key);
          continue;
        }
        this.parts.predicted(configuration, reason);
        this.inner.record(configuration, 'unresolved');
        answered = true;
        // One answer may move the search on: plan again before trusting the rest of this plan.
        break;
      }
      if (!answered) return plan;
    }
  }

  wants(configuration: NarrowingConfiguration): boolean {
    return this.inner.wants(configuration);
  }

  record(configuration: NarrowingConfiguration, outcome: ConfigurationOutcome): boolean {
    return this.inner.record(configuration, outcome);
  }
}
