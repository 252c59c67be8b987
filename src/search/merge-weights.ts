// Exact candidate-ancestor counts for merge commits, by climbing chains that follow the longest history.
// git's count_distance walks the whole ancestry once per merge; this gives the same numbers far faster.
import type { BisectionArrays } from './bisection-arrays.js';
import { OUTSIDE } from './commit-graph.js';

/**
 * Sets `weight` of every merge (weight -2) among the candidates in `order` to its candidate-ancestor count.
 * The candidates are cut into chains, each following the parent with the longest history (generation
 * number); a chain hangs below the node it forks from. Climbing a chain bottom-up keeps A = ancestors(current
 * node) marked, adding each node and what its other parents bring that A lacks. At each node, the chains
 * forking from it are climbed with A as it stands, then their additions are undone. Following the longest
 * history keeps those additions small: a branch that merged the mainline in is climbed along the mainline,
 * and only the branch's own commits are added and undone.
 */
export function countMerges(arrays: BisectionArrays, order: Int32Array): void {
  const { weight, parentStart, parentIds, inSet, chainMark } = arrays;
  const stamp = arrays.setStamp;
  const nr = order.length;
  // Scratch reuse: the walk is over, so its buffers are free (`order` is a copy of `buffer`).
  const chainNodes = arrays.buffer; // chains back to back, each from top to bottom
  const childHead = arrays.seq; // per node: first chain that forks from it, or -1
  const log = arrays.heap; // nodes added to A, in order, so additions can be undone
  const generation = computeGenerations(arrays, order);
  const chainStart = new Int32Array(nr + 1);
  const nextSibling = new Int32Array(nr);
  let chains = 0;
  let used = 0;
  const roots: number[] = [];
  for (let i = 0; i < nr; i++) {
    const top = order[i] as number;
    if (chainMark[top] === stamp) continue;
    chainStart[chains] = used;
    let u = top;
    let join = OUTSIDE;
    for (;;) {
      chainMark[u] = stamp;
      childHead[u] = -1;
      chainNodes[used++] = u;
      let next = OUTSIDE;
      let nextGeneration = 0;
      const end = parentStart[u + 1] as number;
      for (let k = parentStart[u] as number; k < end; k++) {
        const p = parentIds[k] as number;
        if (p >= 0 && inSet[p] === stamp && (generation[p] as number) > nextGeneration) {
          next = p;
          nextGeneration = generation[p] as number;
        }
      }
      if (next === OUTSIDE) break;
      if (chainMark[next] === stamp) {
        join = next;
        break;
      }
      u = next;
    }
    if (join === OUTSIDE) {
      roots.push(chains);
    } else {
      nextSibling[chains] = childHead[join] as number;
      childHead[join] = chains;
    }
    chains++;
  }
  chainStart[chains] = used;

  // Depth-first over the chain tree with explicit frames: chain trees can be deep.
  const frameChain = new Int32Array(chains);
  const framePos = new Int32Array(chains);
  const frameChild = new Int32Array(chains);
  const frameLog = new Int32Array(chains);
  const ADD = -2;
  for (const root of roots) {
    const g = arrays.nextMarkStamp();
    const mark = arrays.mark;
    let logLength = 0;
    let depth = 0;
    frameChain[0] = root;
    framePos[0] = (chainStart[root + 1] as number) - 1;
    frameChild[0] = ADD;
    frameLog[0] = 0;
    depth = 1;
    while (depth > 0) {
      const f = depth - 1;
      const pos = framePos[f] as number;
      const u = chainNodes[pos] as number;
      if (frameChild[f] === ADD) {
        if (mark[u] !== g) logLength = markAncestors(arrays, u, g, logLength);
        if (weight[u] === -2) weight[u] = logLength;
        frameChild[f] = childHead[u] as number;
      }
      const child = frameChild[f] as number;
      if (child !== -1) {
        frameChild[f] = nextSibling[child] as number;
        frameChain[depth] = child;
        framePos[depth] = (chainStart[child + 1] as number) - 1;
        frameChild[depth] = ADD;
        frameLog[depth] = logLength;
        depth++;
        continue;
      }
      if (pos > (chainStart[frameChain[f] as number] as number)) {
        framePos[f] = pos - 1;
        frameChild[f] = ADD;
        continue;
      }
      // This chain is done: forget what it added, so A is again the ancestry of the node it forks from.
      const restore = frameLog[f] as number;
      if (f > 0) {
        for (let k = logLength - 1; k >= restore; k--) mark[log[k] as number] = 0;
      }
      logLength = restore;
      depth--;
    }
  }
}

/** Longest path to a root within the candidates, by an iterative post-order walk. */
function computeGenerations(arrays: BisectionArrays, order: Int32Array): Int32Array {
  const { generation, parentStart, parentIds, inSet, stack } = arrays;
  // Runs before the chains are built, so `buffer` is free to hold each stack entry's next parent index.
  const cursor = arrays.buffer;
  const stamp = arrays.setStamp;
  for (let i = 0; i < order.length; i++) generation[order[i] as number] = 0;
  for (let i = 0; i < order.length; i++) {
    const v = order[i] as number;
    if (generation[v] !== 0) continue;
    // 0: not seen, -1: on the stack, > 0: done.
    generation[v] = -1;
    let top = 0;
    stack[top] = v;
    cursor[top] = parentStart[v] as number;
    top++;
    while (top > 0) {
      const x = stack[top - 1] as number;
      const end = parentStart[x + 1] as number;
      let c = cursor[top - 1] as number;
      let descended = false;
      while (c < end) {
        const p = parentIds[c++] as number;
        if (p >= 0 && inSet[p] === stamp && generation[p] === 0) {
          cursor[top - 1] = c;
          generation[p] = -1;
          stack[top] = p;
          cursor[top] = parentStart[p] as number;
          top++;
          descended = true;
          break;
        }
      }
      if (descended) continue;
      let longest = 0;
      for (let k = parentStart[x] as number; k < end; k++) {
        const p = parentIds[k] as number;
        if (p >= 0 && inSet[p] === stamp && (generation[p] as number) > longest) longest = generation[p] as number;
      }
      generation[x] = longest + 1;
      top--;
    }
  }
  return generation;
}

/**
 * Marks `start` and its unmarked candidate ancestors with `g`, appending them to the undo log at
 * `logLength`; returns the new log length (which is also |A| within one root chain's climb).
 */
function markAncestors(arrays: BisectionArrays, start: number, g: number, logLength: number): number {
  const { mark, stack, parentStart, parentIds, inSet } = arrays;
  const log = arrays.heap;
  const stamp = arrays.setStamp;
  let length = logLength;
  mark[start] = g;
  log[length++] = start;
  let top = 0;
  stack[top++] = start;
  while (top > 0) {
    const x = stack[--top] as number;
    const end = parentStart[x + 1] as number;
    for (let k = parentStart[x] as number; k < end; k++) {
      const p = parentIds[k] as number;
      if (p < 0 || inSet[p] !== stamp || mark[p] === g) continue;
      mark[p] = g;
      log[length++] = p;
      stack[top++] = p;
    }
  }
  return length;
}
