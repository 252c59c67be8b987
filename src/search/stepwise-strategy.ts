// A one-probe-at-a-time search (git's or hg's bisection, delta debugging) as a Strategy: it asks for its next
// step only when nothing is in flight, so with one worker it makes exactly the choices it makes on its own.
import type { InFlightProbe, Plan, Strategy } from './strategy.js';

/** What a stepwise search offers: its next step, and the answer to the step it asked. */
export interface Stepwise<C, V, R> {
  next(): { kind: 'probe'; candidate: C } | { kind: 'done'; result: R };
  record(candidate: C, verdict: V): void;
}

export class StepwiseStrategy<C, V, R> implements Strategy<C, V, R> {
  private asked: C | undefined;

  constructor(
    private readonly search: Stepwise<C, V, R>,
    private readonly key: (candidate: C) => string = String,
  ) {}

  keyOf(candidate: C): string {
    return this.key(candidate);
  }

  plan(_capacity: number, inFlight: readonly InFlightProbe<C>[]): Plan<C, R> {
    if (inFlight.length > 0) return { start: [], cancel: [] };
    const step = this.search.next();
    if (step.kind === 'done') return { start: [], cancel: [], done: step.result };
    this.asked = step.candidate;
    return { start: [step.candidate], cancel: [] };
  }

  wants(candidate: C): boolean {
    return this.asked !== undefined && this.key(candidate) === this.key(this.asked);
  }

  record(candidate: C, verdict: V): boolean {
    this.asked = undefined;
    this.search.record(candidate, verdict);
    return true;
  }
}
