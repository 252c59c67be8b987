// Level-by-level narrowing against brute force on random trees of changes: it ends on exactly the decisive leaves
// (one, or a pair that only fails together), keeps childless survivors, and never asks more than its levels need.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConfigurationOutcome } from '../../src/search/delta-debugging.js';
import { HierarchicalNarrowing, type ChangeHierarchy, type NarrowingConfiguration } from '../../src/search/hierarchical-narrowing.js';
import { NarrowingStrategy } from '../../src/search/narrowing-strategy.js';
import { seededRandom } from '../fixtures/random-history.js';

interface Tree extends ChangeHierarchy {
  parent: number[];
  leaves: number[];
}

/** A tree of `depth` levels below the roots, fan-outs from `fanouts` (cycled); leaves are at the bottom. */
function tree(roots: number, fanouts: number[], depth: number): Tree {
  const children: number[][] = [];
  const parent: number[] = [];
  const make = (of: number): number => {
    children.push([]);
    parent.push(of);
    return children.length - 1;
  };
  const rootIds = Array.from({ length: roots }, () => make(-1));
  let frontier = rootIds;
  for (let level = 0; level < depth; level++) {
    const next: number[] = [];
    frontier.forEach((node, index) => {
      const fanout = fanouts[(index + level) % fanouts.length] ?? 1;
      for (let child = 0; child < fanout; child++) {
        const id = make(node);
        children[node]?.push(id);
        next.push(id);
      }
    });
    frontier = next;
  }
  return { roots: rootIds, childrenOf: (node) => children[node] ?? [], parent, leaves: frontier };
}

/** A leaf is applied when it or an ancestor is among the units or kept nodes (containers alone apply nothing). */
function oracle(t: Tree, decisive: readonly number[]) {
  return (configuration: NarrowingConfiguration): ConfigurationOutcome => {
    const whole = new Set([...configuration.units, ...configuration.kept]);
    const applied = (leaf: number): boolean => {
      for (let node = leaf; node !== -1; node = t.parent[node] ?? -1) if (whole.has(node)) return true;
      return false;
    };
    return decisive.every(applied) ? 'fail' : 'pass';
  };
}

function drive(t: Tree, deepest: number, decisive: readonly number[], judge = oracle(t, decisive)) {
  const search = new HierarchicalNarrowing(t, deepest);
  const keys = new NarrowingStrategy(search);
  let tests = 0;
  const asked: string[] = [];
  for (;;) {
    const step = search.next();
    if (step.kind === 'done') return { ...step, tests, asked };
    tests += 1;
    asked.push(keys.keyOf(step.configuration));
    search.record(judge(step.configuration));
  }
}

describe('hierarchical narrowing', () => {
  it('ends on exactly the decisive leaves of random trees, singly or as a pair', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), fc.boolean(), (roots, fanouts, a, b, pair) => {
        const t = tree(roots, fanouts, 3);
        const first = t.leaves[a % t.leaves.length]!;
        const second = t.leaves[b % t.leaves.length]!;
        const decisive = pair && first !== second ? [first, second].sort((x, y) => x - y) : [first];
        const done = drive(t, 3, decisive);
        expect([...done.minimal].sort((x, y) => x - y)).toEqual(decisive);
        expect(done.levels.reduce((sum, level) => sum + level.tests, 0)).toBe(done.tests);
      }),
      { numRuns: 300 },
    );
  });

  it('stops at the level asked for, and keeps childless survivors as they are', () => {
    const t = tree(3, [2, 3], 2);
    const leaf = t.leaves[4]!;
    const atFiles = drive(t, 0, [leaf]);
    expect(atFiles.minimal).toEqual([t.parent[t.parent[leaf]!]]);
    expect(atFiles.levels).toHaveLength(1);
    // A root with no children survives the first level and is kept, not searched.
    const flat: Tree = { roots: [0, 1], childrenOf: (node) => (node === 1 ? [2, 3] : []), parent: [-1, -1, 1, 1], leaves: [0, 2, 3] };
    const done = drive(flat, 1, [0, 3]);
    expect(done.kept).toEqual([0]);
    expect(done.containers).toEqual([1]);
    expect(done.minimal).toEqual([3]);
  });

  it('finds one decisive leaf in about two tests per halving at each level', () => {
    for (const [roots, fanout] of [[10, 10], [50, 20], [400, 20]] as const) {
      const t = tree(roots, [fanout], 1);
      const done = drive(t, 1, [t.leaves[Math.floor(t.leaves.length * 0.61)]!]);
      const bound = 2 * Math.ceil(Math.log2(roots)) + 2 + 2 * Math.ceil(Math.log2(fanout)) + 2;
      expect(done.tests).toBeLessThanOrEqual(bound);
    }
  });
});

/**
 * The narrowing strategy as a driver with `workers` runs it: each round every free worker starts what the plan
 * asks, then the probes in flight end one at a time in random order, each followed by a re-plan.
 */
function driveParallel(t: Tree, deepest: number, judge: (configuration: NarrowingConfiguration) => ConfigurationOutcome, workers: number, seed: number) {
  const strategy = new NarrowingStrategy(new HierarchicalNarrowing(t, deepest));
  const random = seededRandom(seed);
  let running: NarrowingConfiguration[] = [];
  let tests = 0;
  const asked: string[] = [];
  for (let rounds = 0; rounds < 10_000; rounds++) {
    const plan = strategy.plan(workers, running.map((candidate) => ({ candidate, movable: false, cancelling: false })));
    const cancelled = new Set(plan.cancel.map((configuration) => strategy.keyOf(configuration)));
    running = running.filter((configuration) => !cancelled.has(strategy.keyOf(configuration)));
    if (plan.done) return { ...plan.done, tests, asked };
    for (const configuration of plan.start) {
      expect(running.length).toBeLessThan(workers);
      expect(running.map((other) => strategy.keyOf(other))).not.toContain(strategy.keyOf(configuration));
      asked.push(strategy.keyOf(configuration));
      running.push(configuration);
    }
    const ending = running.splice(Math.floor(random() * running.length), 1)[0];
    if (!ending) throw new Error('nothing running and no answer');
    tests += 1;
    if (strategy.wants(ending)) strategy.record(ending, judge(ending));
  }
  throw new Error('no progress');
}

describe('narrowing on several workers', () => {
  it('reaches the answer of the sequential search with any number of workers and any order of outcomes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 5 }), fc.nat(), (roots, fanouts, a, b, pair, workers, seed) => {
        const t = tree(roots, fanouts, 3);
        const first = t.leaves[a % t.leaves.length]!;
        const second = t.leaves[b % t.leaves.length]!;
        const decisive = pair && first !== second ? [first, second] : [first];
        const monotone = oracle(t, decisive);
        // Unresolved regions make the search's path depend on every outcome, not only on the decisive set.
        const judge = (configuration: NarrowingConfiguration): ConfigurationOutcome =>
          (configuration.units.reduce((hash, unit) => (hash * 31 + unit + seed) | 0, 7) & 7) === 0 ? 'unresolved' : monotone(configuration);
        const sequential = drive(t, 3, decisive, judge);
        const parallel = driveParallel(t, 3, judge, workers, seed);
        expect(parallel.minimal).toEqual(sequential.minimal);
        expect(parallel.kept).toEqual(sequential.kept);
        expect(parallel.containers).toEqual(sequential.containers);
        if (workers === 1) {
          expect(parallel.asked).toEqual(sequential.asked);
          expect(parallel.tests).toBe(sequential.tests);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('runs the configurations of one round side by side: fewer rounds of waiting with more workers', () => {
    const t = tree(64, [1], 0);
    const judge = oracle(t, [t.roots[41]!]);
    const rounds = (workers: number): number => {
      // Every probe takes one unit of time; a round ends when all that started in it have answered.
      const strategy = new NarrowingStrategy(new HierarchicalNarrowing(t, 0));
      for (let round = 1; ; round++) {
        const plan = strategy.plan(workers, []);
        if (plan.done) return round - 1;
        for (const configuration of plan.start) if (strategy.wants(configuration)) strategy.record(configuration, judge(configuration));
      }
    };
    expect(rounds(4)).toBeLessThan(rounds(1));
  });
});

describe('coupled units and budgets', () => {
  it('takes or leaves a group whole: the answer is exactly the groups that hold the decisive units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.nat(), { minLength: 12, maxLength: 12 }), fc.nat(), fc.nat(), fc.boolean(), (count, labels, a, b, pair) => {
        const units = Array.from({ length: count }, (_, index) => index);
        // Units with the same label form a group (as shared names couple them), in the order of their first unit.
        const label = (unit: number): number => (labels[unit] ?? 0) % 4;
        const groupsOf = (level: readonly number[]): number[][] => {
          const groups = new Map<number, number[]>();
          for (const unit of level) groups.set(label(unit), [...(groups.get(label(unit)) ?? []), unit]);
          return [...groups.values()];
        };
        const decisive = [...new Set(pair ? [a % count, b % count] : [a % count])];
        const search = new HierarchicalNarrowing({ roots: units, childrenOf: () => [], groupsOf }, 0);
        for (;;) {
          const step = search.next();
          if (step.kind === 'done') {
            const expected = units.filter((unit) => decisive.some((d) => label(d) === label(unit)));
            expect([...step.minimal].sort((x, y) => x - y)).toEqual(expected);
            expect(step.complete).toBe(true);
            return;
          }
          // Every configuration asked is made of whole groups.
          const asked = new Set(step.configuration.units);
          for (const unit of asked) for (const other of units) if (label(other) === label(unit)) expect(asked.has(other)).toBe(true);
          search.record(decisive.every((unit) => asked.has(unit)) ? 'fail' : 'pass');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stopped early, it answers with the smallest failing configuration so far, marked incomplete', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.nat(), fc.integer({ min: 0, max: 6 }), (roots, fanouts, pick, after) => {
        const t = tree(roots, fanouts, 2);
        const decisive = [t.leaves[pick % t.leaves.length]!];
        const judge = oracle(t, decisive);
        const search = new HierarchicalNarrowing(t, 2);
        for (let asked = 0; asked < after; asked++) {
          const step = search.next();
          if (step.kind === 'done') return;
          search.record(judge(step.configuration));
        }
        // A search that is over by now has its complete answer; stopping it changes nothing.
        if (search.next().kind === 'done') return;
        search.stop();
        const step = search.next();
        if (step.kind !== 'done') throw new Error('a stopped search has more to ask');
        expect(step.complete).toBe(false);
        // The answer still fails: it holds the decisive leaf.
        expect(judge({ depth: 0, units: step.minimal, kept: step.kept, containers: step.containers })).toBe('fail');
      }),
      { numRuns: 300 },
    );
  });
});
