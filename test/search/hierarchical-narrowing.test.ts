// Level-by-level narrowing against brute force on random trees of changes: it ends on exactly the decisive leaves
// (one, or a pair that only fails together), keeps childless survivors, and never asks more than its levels need.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConfigurationOutcome } from '../../src/search/delta-debugging.js';
import { HierarchicalNarrowing, type ChangeHierarchy, type NarrowingConfiguration } from '../../src/search/hierarchical-narrowing.js';

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

function drive(t: Tree, deepest: number, decisive: readonly number[]) {
  const search = new HierarchicalNarrowing(t, deepest);
  const judge = oracle(t, decisive);
  let tests = 0;
  for (;;) {
    const step = search.next();
    if (step.kind === 'done') return { ...step, tests };
    tests += 1;
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
