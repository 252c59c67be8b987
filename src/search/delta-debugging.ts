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

/** Where ddmin is: the current failing configuration, its granularity, and the test of the round it is on. */
interface Position {
  current: readonly number[];
  granularity: number;
  /** Complements of the runs are tried first, then the runs themselves. */
  phase: 'complement' | 'subset';
  /** The run tried next; after a failing complement the round goes on from where the removed run was (picire). */
  index: number;
  /** Runs of this round tried so far: the round is over when every run has been. */
  tried: number;
  done: boolean;
}

/**
 * Moves `at` to the next configuration whose outcome `lookup` does not know and returns it, or undefined when the
 * search is over (`at.done`). Complements are tried before subsets: with one decisive change, removing half at a
 * time is the bisection of the change list, and a subset test repeats a complement whenever granularity is 2.
 */
function advance(at: Position, lookup: (configuration: readonly number[]) => ConfigurationOutcome | undefined): readonly number[] | undefined {
  while (!at.done) {
    if (at.current.length < 2) {
      at.done = true;
      break;
    }
    const runs = split(at.current, at.granularity);
    if (at.tried >= runs.length) {
      if (at.phase === 'complement') {
        at.phase = 'subset';
        at.index = 0;
        at.tried = 0;
        continue;
      }
      // A whole round without a failure: finer runs, or the end when every run is one change.
      if (at.granularity >= at.current.length) at.done = true;
      else {
        at.granularity = Math.min(at.granularity * 2, at.current.length);
        at.phase = 'complement';
        at.index = 0;
        at.tried = 0;
      }
      continue;
    }
    const index = at.index % runs.length;
    const run = runs[index] ?? [];
    const removed = new Set(run);
    const configuration = at.phase === 'complement' ? at.current.filter((change) => !removed.has(change)) : run;
    const outcome = lookup(configuration);
    if (outcome === undefined) return configuration;
    if (outcome === 'fail') {
      // Runs before the removed one were tried at this granularity and kept: starting after them saves retrying
      // them first. The round still ends only when every run has been tried since the last failure.
      at.index = at.phase === 'complement' ? index : 0;
      at.granularity = at.phase === 'complement' ? Math.max(at.granularity - 1, 2) : 2;
      at.current = configuration;
      at.phase = 'complement';
      at.tried = 0;
    } else {
      at.index = index + 1;
      at.tried += 1;
    }
  }
  return undefined;
}

/**
 * ddmin driven step by step, so probes can run anywhere: `next` is the configuration the search needs now, and
 * `upcoming` the ones it will ask next if none of the pending ones fails (independent: they can be tested at the
 * same time, and their outcomes are kept for when they are asked). The answer does not depend on how many are
 * tested at once.
 */
export class DeltaDebugging {
  private readonly cache = new Map<string, ConfigurationOutcome>();
  private readonly position: Position;
  private step: DeltaStep;
  private tests = 0;

  /** Searches changes 0…count−1; all of them fail (the bad commit), none of them pass (its parent). */
  constructor(readonly count: number) {
    const all = Array.from({ length: count }, (_, index) => index);
    this.cache.set(keyOf(all), 'fail');
    this.cache.set('', 'pass');
    this.position = { current: all, granularity: 2, phase: 'complement', index: 0, tried: 0, done: false };
    this.step = this.settle();
  }

  private settle(): DeltaStep {
    const configuration = advance(this.position, (asked) => this.cache.get(keyOf(asked)));
    return configuration === undefined ? { kind: 'done', minimal: this.position.current } : { kind: 'test', configuration };
  }

  next(): DeltaStep {
    return this.step;
  }

  /** How many runs the failing configuration is cut into now. */
  get granularity(): number {
    return this.position.granularity;
  }

  /** The smallest failing configuration found so far: the answer if the search stopped now. */
  get current(): readonly number[] {
    return this.position.current;
  }

  /**
   * Up to `limit` configurations after `next`'s that the search will ask, in order, if every pending one (`next`'s
   * and these) turns out not to fail; none of them is known yet.
   */
  upcoming(limit: number): Array<readonly number[]> {
    if (this.step.kind !== 'test' || limit <= 0) return [];
    const assumed = new Set([keyOf(this.step.configuration)]);
    const at: Position = { ...this.position };
    const found: Array<readonly number[]> = [];
    while (found.length < limit) {
      const configuration = advance(at, (asked) => {
        const key = keyOf(asked);
        return this.cache.get(key) ?? (assumed.has(key) ? 'pass' : undefined);
      });
      if (configuration === undefined) break;
      assumed.add(keyOf(configuration));
      found.push(configuration);
    }
    return found;
  }

  /** Whether a configuration's outcome is still unknown (a late answer for a known one is not needed). */
  unknown(configuration: readonly number[]): boolean {
    return !this.cache.has(keyOf(configuration));
  }

  /** Configurations answered so far (the given full and empty ones not counted). */
  get testsUsed(): number {
    return this.tests;
  }

  /** The outcome of the configuration `next` asks for, or of one `upcoming` named (kept until it is asked). */
  record(configuration: readonly number[], outcome: ConfigurationOutcome): void {
    const key = keyOf(configuration);
    if (this.cache.has(key)) throw new Error(`internal: outcome recorded twice for configuration ${key}`);
    this.cache.set(key, outcome);
    this.tests += 1;
    if (this.step.kind === 'test' && keyOf(this.step.configuration) === key) this.step = this.settle();
  }
}
