// The typed arrays a DAG bisection works in: a private CSR copy of the graph, good-ancestor marks and scratch.
// Allocated once per bisection and shared by the walk and weight passes, so no step allocates O(graph) memory.
import type { CommitGraph } from './commit-graph.js';

/**
 * Scratch buffers are reused across passes within a step, in this order:
 * - walk: `heap` is its priority queue, `seq` the queueing order, `buffer` the walk output (copied out);
 * - generations: `stack` and `buffer` (each stack entry's next parent index);
 * - merge weights: `buffer` holds the chains, `seq` each node's first forking chain, `heap` the undo log.
 * Stamps replace clearing, which would cost O(graph) per step: a node is in the current candidate set
 * when `inSet[node] === setStamp`, and likewise for `chainMark` (same stamp) and `mark` (`markStamp`).
 */
export class BisectionArrays {
  readonly times: Float64Array;
  readonly parentStart: Uint32Array;
  readonly parentIds: Int32Array;
  /** Ancestors of goods (inclusive); goods only accumulate, so this is marked incrementally. */
  readonly excluded: Uint8Array;

  readonly inSet: Uint32Array;
  readonly chainMark: Uint32Array;
  readonly mark: Uint32Array;
  readonly seq: Int32Array;
  readonly weight: Int32Array;
  readonly pass: Int32Array;
  readonly listPos: Int32Array;
  readonly stack: Int32Array;
  readonly buffer: Int32Array;
  readonly heap: Int32Array;
  readonly generation: Int32Array;

  private currentSetStamp = 0;
  private currentMarkStamp = 0;

  constructor(graph: CommitGraph) {
    const size = graph.size;
    // Private copies of the CSR arrays: parentsOf() allocates a view per call, too slow in the hot loops.
    this.times = new Float64Array(size);
    this.parentStart = new Uint32Array(size + 1);
    let total = 0;
    for (let id = 0; id < size; id++) total += graph.parentCount(id);
    this.parentIds = new Int32Array(total);
    let cursor = 0;
    for (let id = 0; id < size; id++) {
      this.times[id] = graph.timeOf(id);
      this.parentStart[id] = cursor;
      this.parentIds.set(graph.parentsOf(id), cursor);
      cursor += graph.parentCount(id);
    }
    this.parentStart[size] = cursor;

    this.excluded = new Uint8Array(size);
    this.inSet = new Uint32Array(size);
    this.chainMark = new Uint32Array(size);
    this.mark = new Uint32Array(size);
    this.seq = new Int32Array(size);
    this.weight = new Int32Array(size);
    this.pass = new Int32Array(size);
    this.listPos = new Int32Array(size);
    this.stack = new Int32Array(size);
    this.buffer = new Int32Array(size);
    this.heap = new Int32Array(size);
    this.generation = new Int32Array(size);
  }

  /** The stamp of the current candidate set (in `inSet` and `chainMark`). */
  get setStamp(): number {
    return this.currentSetStamp;
  }

  /** The stamp of the current ancestor marking (in `mark`). */
  get markStamp(): number {
    return this.currentMarkStamp;
  }

  /** Starts a new candidate set: afterwards no node is in `inSet` or `chainMark`. */
  nextSetStamp(): number {
    if (this.currentSetStamp === 0xffffffff) {
      this.inSet.fill(0);
      this.chainMark.fill(0);
      this.currentSetStamp = 0;
    }
    return ++this.currentSetStamp;
  }

  /** Starts a new ancestor marking: afterwards no node is in `mark`. */
  nextMarkStamp(): number {
    if (this.currentMarkStamp === 0xffffffff) {
      this.mark.fill(0);
      this.currentMarkStamp = 0;
    }
    return ++this.currentMarkStamp;
  }

  /** Marks a good and all its ancestors (every parent: git excludes full ancestry even with --first-parent). */
  exclude(good: number): void {
    if (this.excluded[good]) return;
    const { excluded, parentStart, parentIds, stack } = this;
    excluded[good] = 1;
    let top = 0;
    stack[top++] = good;
    while (top > 0) {
      const x = stack[--top] as number;
      const end = parentStart[x + 1] as number;
      for (let i = parentStart[x] as number; i < end; i++) {
        const p = parentIds[i] as number;
        if (p < 0 || excluded[p]) continue;
        excluded[p] = 1;
        stack[top++] = p;
      }
    }
  }
}
