// The candidate walk of git's limit_list: from bad, by commit date (newest first), FIFO among equal dates.
// Its order is the list order git's find_bisection counts and breaks ties in, so it must match exactly.
import type { BisectionArrays } from './bisection-arrays.js';

/**
 * limit_list's walk restricted to candidates: the commits reachable from `bad` (first parents only with
 * `firstParent`) that are not excluded. Non-candidates that git also queues never change the candidates'
 * relative order, so they are left out. Starts a new candidate set (`inSet` at the new stamp) and returns
 * the candidates in walk order, bad first, as a fresh array.
 */
export function walkCandidates(arrays: BisectionArrays, bad: number, firstParent: boolean): Int32Array {
  const stamp = arrays.nextSetStamp();
  const { inSet, seq, heap, times, parentStart, parentIds, excluded, buffer } = arrays;
  let count = 0;
  let nextSeq = 0;
  let size = 0;
  const before = (a: number, b: number): boolean => {
    const ta = times[a] as number;
    const tb = times[b] as number;
    return ta > tb || (ta === tb && (seq[a] as number) < (seq[b] as number));
  };
  inSet[bad] = stamp;
  seq[bad] = nextSeq++;
  heap[size++] = bad;
  while (size > 0) {
    const v = heap[0] as number;
    size--;
    if (size > 0) {
      // Sift the last element down from the root.
      const last = heap[size] as number;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && before(heap[right] as number, heap[left] as number) ? right : left;
        const c = heap[child] as number;
        if (!before(c, last)) break;
        heap[i] = c;
        i = child;
      }
      heap[i] = last;
    }
    buffer[count++] = v;
    const end = firstParent ? Math.min((parentStart[v] as number) + 1, parentStart[v + 1] as number) : (parentStart[v + 1] as number);
    for (let k = parentStart[v] as number; k < end; k++) {
      const p = parentIds[k] as number;
      if (p < 0 || excluded[p] || inSet[p] === stamp) continue;
      inSet[p] = stamp;
      seq[p] = nextSeq++;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const h = heap[parent] as number;
        if (!before(p, h)) break;
        heap[i] = h;
        i = parent;
      }
      heap[i] = p;
    }
  }
  return buffer.slice(0, count);
}
