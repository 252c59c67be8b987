// A strategy that probes a fixed list of candidates once each, in order (endpoint checks, a merged branch's tip):
// every candidate is asked at once, so with several workers they run side by side; done when all have answered.
import type { InFlightProbe, Plan, Strategy } from './strategy.js';

export class ProbeList<C, V> implements Strategy<C, V, Map<string, V>> {
  private readonly unasked: C[];
  private readonly answers = new Map<string, V>();

  constructor(
    private readonly candidates: readonly C[],
    private readonly key: (candidate: C) => string = String,
  ) {
    this.unasked = [...candidates];
  }

  keyOf(candidate: C): string {
    return this.key(candidate);
  }

  plan(_capacity: number, _inFlight: readonly InFlightProbe<C>[]): Plan<C, Map<string, V>> {
    // Everything is planned at once: waiting ones hold their place (a parallel search counts them as reserved).
    const start = this.unasked.splice(0);
    if (start.length === 0 && this.answers.size === new Set(this.candidates.map(this.key)).size) return { start, cancel: [], done: new Map(this.answers) };
    return { start, cancel: [] };
  }

  wants(candidate: C): boolean {
    return !this.answers.has(this.key(candidate));
  }

  /** An answer changes nothing about the other probes: the list is fixed. */
  record(candidate: C, verdict: V): boolean {
    this.answers.set(this.key(candidate), verdict);
    return false;
  }
}
