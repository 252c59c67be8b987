// ddmin over n changes with three outcomes (fail, pass, unresolved): complement-first, granularity doubling,
// and an outcome cache, driven step by step so probes can run anywhere. Returns a 1-minimal failing subset.

/** What a configuration did: reproduced *the* failure, passed, or neither (does not apply, builds, fails otherwise). */
export type ConfigurationOutcome = 'fail' | 'pass' | 'unresolved';

export type DeltaStep = { kind: 'test'; configuration: readonly number[] } | { kind: 'done'; minimal: readonly number[] };

function keyOf(configuration: readonly number[]): string {
  return configuration.join(',');
}

/** Splits a configuration into `parts` nearly equal runs, keeping order (neighbouring changes stay together). */
export function split(configuration: readonly number[], parts: number): number[][] {
  const runs: number[][] = [];
  let start = 0;
  for (let part = 0; part < parts; part++) {
    const end = start + Math.floor((configuration.length - start) / (parts - part));
    runs.push(configuration.slice(start, end));
    start = end;
  }
  return runs.filter((run) => run.length > 0);
}

/**
 * The search as a generator: it yields each configuration it cannot answer from the cache and receives the
 * outcome. Complements are tried before subsets: with one decisive change, removing half at a time is the
 * bisection of the change list, and a subset test repeats a complement whenever granularity is 2.
 */
function* ddmin(count: number, cache: Map<string, ConfigurationOutcome>): Generator<readonly number[], readonly number[], ConfigurationOutcome> {
  let current = Array.from({ length: count }, (_, index) => index);
  let granularity = 2;
  function* fails(configuration: readonly number[]): Generator<readonly number[], boolean, ConfigurationOutcome> {
    const key = keyOf(configuration);
    let outcome = cache.get(key);
    if (outcome === undefined) {
      outcome = yield configuration;
      cache.set(key, outcome);
    }
    return outcome === 'fail';
  }
  while (current.length >= 2) {
    const runs = split(current, granularity);
    let reduced = false;
    for (let index = 0; index < runs.length && !reduced; index++) {
      const removed = new Set(runs[index]);
      const complement = current.filter((change) => !removed.has(change));
      if (yield* fails(complement)) {
        current = complement;
        granularity = Math.max(granularity - 1, 2);
        reduced = true;
      }
    }
    for (let index = 0; index < runs.length && !reduced; index++) {
      const run = runs[index] ?? [];
      if (yield* fails(run)) {
        current = run;
        granularity = 2;
        reduced = true;
      }
    }
    if (reduced) continue;
    if (granularity >= current.length) break;
    granularity = Math.min(granularity * 2, current.length);
  }
  return current;
}

export class DeltaDebugging {
  private readonly cache = new Map<string, ConfigurationOutcome>();
  private readonly search: Generator<readonly number[], readonly number[], ConfigurationOutcome>;
  private step: DeltaStep;
  private tests = 0;

  /** Searches changes 0…count−1; all of them fail (the bad commit), none of them pass (its parent). */
  constructor(readonly count: number) {
    this.cache.set(keyOf(Array.from({ length: count }, (_, index) => index)), 'fail');
    this.cache.set('', 'pass');
    this.search = ddmin(count, this.cache);
    this.step = this.advance(this.search.next());
  }

  private advance(result: IteratorResult<readonly number[], readonly number[]>): DeltaStep {
    return result.done ? { kind: 'done', minimal: result.value } : { kind: 'test', configuration: result.value };
  }

  next(): DeltaStep {
    return this.step;
  }

  /** Configurations answered so far (the given full and empty ones not counted). */
  get testsUsed(): number {
    return this.tests;
  }

  record(configuration: readonly number[], outcome: ConfigurationOutcome): void {
    if (this.step.kind !== 'test' || keyOf(this.step.configuration) !== keyOf(configuration)) {
      throw new Error(`internal: outcome recorded for a configuration that was not asked: ${keyOf(configuration)}`);
    }
    this.tests += 1;
    this.step = this.advance(this.search.next(outcome));
  }
}
