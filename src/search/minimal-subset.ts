// The smallest set of changes that still fails, when adding changes never makes a failure go away (package
// upgrades, environment factors): needed changes found one by one by bisecting prefixes, step by step, cached.
import type { ConfigurationOutcome } from './delta-debugging.js';

export type SubsetStep =
  | { kind: 'test'; subset: readonly number[] }
  /**
   * `minimal` is the answer; `verified` says it was seen failing on its own. When it was not (the failures were
   * not monotone, or a smaller configuration could not be installed), `minimal` is the smallest subset seen failing.
   */
  | { kind: 'done'; minimal: readonly number[]; verified: boolean };

type Search = Generator<readonly number[], readonly number[], ConfigurationOutcome>;

export function subsetKey(subset: readonly number[]): string {
  return [...subset].sort((a, b) => a - b).join(',');
}

/**
 * Grows the answer one change at a time from the back: the smallest prefix of the candidates that fails together
 * with what is found so far ends in a change the failure needs (the prefix one shorter passes); it joins the answer,
 * and the search goes on in the changes before it until the answer fails on its own. Each needed change costs a
 * bisection of the candidates left and one test of the answer alone: k needed changes among n, at most
 * k·(⌈log2 n⌉ + 1) tests, one change among three at most three. Every failure it relies on was seen, none assumed
 * but the whole set's (the bad setup's), and the answer is only ever returned after it failed on its own.
 */
function* search(count: number): Search {
  const found: number[] = [];
  let candidates = Array.from({ length: count }, (_, index) => index);
  for (;;) {
    // The answer so far alone: the empty one is the good setup, which passed (the endpoint check).
    if (found.length > 0 && (yield found) === 'fail') return found;
    if (candidates.length === 0) return found;
    // Candidates all together (with the answer so far) fail, none of them pass: bisect for the shortest failing prefix.
    let passing = 0;
    let failing = candidates.length;
    while (failing - passing > 1) {
      const middle = Math.floor((passing + failing) / 2);
      if ((yield [...found, ...candidates.slice(0, middle)]) === 'fail') failing = middle;
      else passing = middle;
    }
    found.push(candidates[failing - 1] ?? 0);
    candidates = candidates.slice(0, failing - 1);
  }
}

/**
 * The search over changes 0…count−1: none of them pass (the good setup, checked first), all of them are taken to
 * fail (the bad setup). `unresolved` (a configuration that cannot be installed, or fails another way) counts as not
 * failing, so the answer only grows by it. Done without a verified answer, `minimal` is the smallest subset seen
 * failing, or empty when none did: then the caller runs the bad setup itself to say which.
 */
export class MinimalSubsetSearch {
  private readonly cache = new Map<string, ConfigurationOutcome>();
  private readonly generator: Search;
  private step: SubsetStep;
  private tests = 0;

  constructor(readonly count: number) {
    // The good setup passed; the bad one is taken to fail, but never counted as seen failing.
    this.cache.set('', 'pass');
    this.generator = search(count);
    this.step = this.advance(this.generator.next());
  }

  private advance(result: IteratorResult<readonly number[], readonly number[]>): SubsetStep {
    let current = result;
    while (!current.done) {
      const known = this.cache.get(subsetKey(current.value));
      if (known === undefined) return { kind: 'test', subset: [...current.value].sort((a, b) => a - b) };
      current = this.generator.next(known);
    }
    const minimal = [...current.value].sort((a, b) => a - b);
    if (minimal.length > 0 && this.cache.get(subsetKey(minimal)) === 'fail') return { kind: 'done', minimal, verified: true };
    return { kind: 'done', minimal: this.smallestFailing() ?? [], verified: false };
  }

  /** The smallest subset seen failing, the first found among equals; undefined when none was. */
  private smallestFailing(): number[] | undefined {
    let best: number[] | undefined;
    for (const [key, outcome] of this.cache) {
      if (outcome !== 'fail' || key === '') continue;
      const subset = key.split(',').map(Number);
      if (!best || subset.length < best.length) best = subset;
    }
    return best;
  }

  next(): SubsetStep {
    return this.step;
  }

  /** Whether an outcome for this subset would still be used. */
  wants(subset: readonly number[]): boolean {
    return !this.cache.has(subsetKey(subset));
  }

  /** Configurations answered so far (the good setup's not counted). */
  get testsUsed(): number {
    return this.tests;
  }

  /** The outcome of the subset `next` asks for; the search moves on. */
  record(subset: readonly number[], outcome: ConfigurationOutcome): void {
    const key = subsetKey(subset);
    if (this.cache.has(key)) throw new Error(`internal: outcome recorded twice for subset ${key}`);
    this.cache.set(key, outcome);
    this.tests += 1;
    if (this.step.kind === 'test' && subsetKey(this.step.subset) === key) {
      this.step = this.advance(this.generator.next(outcome));
    }
  }
}
