// Which candidates lie at or below each commit of a region, for searches whose answers are sets of ancestors: prefix
// positions on a line, bit sets on a DAG with merges (bounded), and the candidates in parents-first order.
import type { CommitGraph } from './commit-graph.js';
import { OUTSIDE } from './commit-graph.js';

/** The most commits with merges the search keeps ancestor sets for (n²/8 bytes: 32 MiB at this size). */
export const MAX_DAG_CANDIDATES = 16384;

/** Which candidates are at or below each commit: prefix positions on a line, bit sets on a DAG with merges. */
export interface Ancestry {
  /** Sum of `weights` over the ancestors-or-self of every candidate, by candidate index. */
  masses(weights: Float64Array): Float64Array;
  /** Calls `visit` for every candidate index that is `index` or one of its ancestors. */
  forEach(index: number, visit: (ancestor: number) => void): void;
}

class LineAncestry implements Ancestry {
  /** `position[index]`: where a candidate sits on the line, oldest at 0. */
  constructor(private readonly position: Int32Array, private readonly byPosition: Int32Array) {}

  masses(weights: Float64Array): Float64Array {
    const result = new Float64Array(weights.length);
    let sum = 0;
    for (let at = 0; at < this.byPosition.length; at++) {
      const index = this.byPosition[at] ?? 0;
      sum += weights[index] ?? 0;
      result[index] = sum;
    }
    return result;
  }

  forEach(index: number, visit: (ancestor: number) => void): void {
    for (let at = this.position[index] ?? -1; at >= 0; at--) visit(this.byPosition[at] ?? 0);
  }
}

class DagAncestry implements Ancestry {
  constructor(private readonly bits: Uint32Array[]) {}

  masses(weights: Float64Array): Float64Array {
    const result = new Float64Array(weights.length);
    this.bits.forEach((set, index) => {
      let sum = 0;
      for (let word = 0; word < set.length; word++) {
        let value = set[word] ?? 0;
        while (value !== 0) {
          const low = value & -value;
          sum += weights[word * 32 + 31 - Math.clz32(low)] ?? 0;
          value ^= low;
        }
      }
      result[index] = sum;
    });
    return result;
  }

  forEach(index: number, visit: (ancestor: number) => void): void {
    const set = this.bits[index];
    if (!set) return;
    for (let word = 0; word < set.length; word++) {
      let value = set[word] ?? 0;
      while (value !== 0) {
        const low = value & -value;
        visit(word * 32 + 31 - Math.clz32(low));
        value ^= low;
      }
    }
  }
}

/** The candidates (graph ids that are the bad commit or its ancestors in the graph), children after parents. */
export function candidatesOf(graph: CommitGraph, bad: number): number[] {
  const seen = new Uint8Array(graph.size);
  const order: number[] = [];
  // Iterative post-order: a commit after all of its parents.
  const stack: Array<[number, number]> = [[bad, 0]];
  seen[bad] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [number, number];
    const parents = graph.parentsOf(top[0]);
    if (top[1] < parents.length) {
      const parent = parents[top[1]++] ?? OUTSIDE;
      if (parent !== OUTSIDE && !seen[parent]) {
        seen[parent] = 1;
        stack.push([parent, 0]);
      }
      continue;
    }
    order.push(top[0]);
    stack.pop();
  }
  return order;
}

export function ancestryOf(graph: CommitGraph, order: readonly number[], indexOf: Map<number, number>): Ancestry {
  const inRegionParents = (id: number): number[] => [...graph.parentsOf(id)].filter((parent) => parent !== OUTSIDE && indexOf.has(parent));
  const children = new Uint32Array(order.length);
  let line = true;
  for (const id of order) {
    const parents = inRegionParents(id);
    if (parents.length > 1) line = false;
    for (const parent of parents) {
      const at = indexOf.get(parent) ?? 0;
      children[at] = (children[at] ?? 0) + 1;
      if ((children[at] ?? 0) > 1) line = false;
    }
  }
  if (line) {
    const position = new Int32Array(order.length);
    const byPosition = new Int32Array(order.length);
    order.forEach((_, index) => {
      position[index] = index;
      byPosition[index] = index;
    });
    return new LineAncestry(position, byPosition);
  }
  if (order.length > MAX_DAG_CANDIDATES) throw new RangeError(`${order.length} candidates with merges between them; the flaky search keeps ancestor sets for at most ${MAX_DAG_CANDIDATES}`);
  const words = Math.ceil(order.length / 32);
  const bits = order.map(() => new Uint32Array(words));
  order.forEach((id, index) => {
    const set = bits[index] as Uint32Array;
    set[index >>> 5] = (set[index >>> 5] ?? 0) | (1 << (index & 31));
    for (const parent of inRegionParents(id)) {
      const from = bits[indexOf.get(parent) ?? 0] as Uint32Array;
      for (let word = 0; word < words; word++) set[word] = (set[word] ?? 0) | (from[word] ?? 0);
    }
  });
  return new DagAncestry(bits);
}
