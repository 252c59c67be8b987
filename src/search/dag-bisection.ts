// Bisection on a commit DAG that makes exactly the choices `git bisect` (2.39) makes, tie-breaks and skips included.
// Matching git probe for probe means a hunt never costs more builds than `git bisect run` on the same history.
import { OUTSIDE, type CommitGraph } from './commit-graph.js';

export type BisectVerdict = 'good' | 'bad' | 'skip';

export type BisectionStep =
  | { kind: 'probe'; commit: number }
  | { kind: 'found'; commit: number }
  /** May be the first bad commit: the skipped candidates and bad, sorted by id. */
  | { kind: 'ambiguous'; commits: number[] };

export interface DagBisectionOptions {
  /** Follow only first parents from bad, like `git bisect start --first-parent`. */
  firstParent?: boolean;
}

/** git's PRN_MODULO in bisect.c: skip_away's pseudo-random numbers lie in [0, 32768). */
const PRN_MODULO = 32768;

/**
 * Candidate selection by git's rules:
 * - candidates are the commits reachable from bad (first parents only with `firstParent`) that are not
 *   ancestors of a good; their order is the one git's limit_list walk produces (newest commit date first,
 *   first queued first among equal dates), reversed, as find_bisection uses it;
 * - weights are candidate-ancestor counts; without skips, git stops at the first commit "approximately
 *   halfway" in its counting order, else takes the first best in list order;
 * - once any commit has been skipped, all weights are counted, candidates are ranked by
 *   (min(w, nr - w) desc, hash asc), and when the best is skipped, skip_away picks a pseudo-random rank.
 *
 * The graph may hold only the candidate region (parents outside it are OUTSIDE); goods that are in the
 * graph exclude their ancestors, goods outside it are ignored since the region already stops there.
 */
export class DagBisection {
  private readonly graph: CommitGraph;
  private readonly firstParent: boolean;
  private readonly times: Float64Array;
  private readonly parentStart: Uint32Array;
  private readonly parentIds: Int32Array;
  /** Ancestors of goods (inclusive); goods only accumulate, so this is marked incrementally. */
  private readonly excluded: Uint8Array;
  /** Every commit ever skipped: git keeps its skip refs, and any of them switches it to ranking all. */
  private readonly skipped = new Set<number>();
  private badId: number;

  // Scratch space reused by every step; stamps replace clearing, which would cost O(graph) per step.
  private readonly inSet: Uint32Array;
  private setStamp = 0;
  private readonly chainMark: Uint32Array;
  private readonly mark: Uint32Array;
  private markStamp = 0;
  private readonly seq: Int32Array;
  private readonly weight: Int32Array;
  private readonly pass: Int32Array;
  private readonly listPos: Int32Array;
  private readonly stack: Int32Array;
  private readonly buffer: Int32Array;
  private readonly heap: Int32Array;
  private readonly generation: Int32Array;

  /** Candidates in walk order (bad first), valid while setStamp is current. */
  private order: Int32Array | undefined;
  private step: BisectionStep | undefined;

  constructor(graph: CommitGraph, bad: number, goods: readonly number[], options: DagBisectionOptions = {}) {
    this.graph = graph;
    this.firstParent = options.firstParent ?? false;
    const size = graph.size;
    checkId(graph, bad, 'bad');
    this.badId = bad;

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

    for (const good of goods) {
      if (good === OUTSIDE) continue;
      checkId(graph, good, 'good');
      this.exclude(good);
    }
    if (this.excluded[bad]) throw new RangeError(`bad commit ${graph.keyOf(bad)} is an ancestor of a good commit`);
  }

  get bad(): number {
    return this.badId;
  }

  next(): BisectionStep {
    this.step ??= this.choose();
    return cloneStep(this.step);
  }

  record(commit: number, verdict: BisectVerdict): void {
    if (!Number.isInteger(commit) || commit < 0 || commit >= this.graph.size || !this.isCandidate(commit)) {
      throw new RangeError(`commit ${String(commit)} is not a current candidate`);
    }
    switch (verdict) {
      case 'good':
        if (commit === this.badId) throw new RangeError(`commit ${this.graph.keyOf(commit)} is the current bad commit; it cannot be good`);
        this.exclude(commit);
        break;
      case 'bad':
        this.badId = commit;
        break;
      case 'skip':
        this.skipped.add(commit);
        break;
      default:
        throw new TypeError(`unknown verdict ${String(verdict)}`);
    }
    this.order = undefined;
    this.step = undefined;
  }

  candidateCount(): number {
    return this.walk().length;
  }

  /** Current candidates in git's walk order: bad first, then by commit date, newest first. */
  candidates(): number[] {
    return Array.from(this.walk());
  }

  /** git's estimate_bisect_steps: the "(roughly k steps)" left after the next probe. */
  estimatedSteps(): number {
    return estimateBisectSteps(this.candidateCount());
  }

  private isCandidate(commit: number): boolean {
    this.walk();
    return this.inSet[commit] === this.setStamp;
  }

  /** Marks a good and all its ancestors (every parent: git excludes full ancestry even with --first-parent). */
  private exclude(good: number): void {
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

  /**
   * limit_list's walk restricted to candidates: a queue by commit date (newest first), FIFO among equal
   * dates. Non-candidates that git also queues never change the candidates' relative order, so they are left out.
   */
  private walk(): Int32Array {
    if (this.order) return this.order;
    const stamp = this.nextSetStamp();
    const { inSet, seq, heap, times, parentStart, parentIds, excluded, buffer } = this;
    const firstParent = this.firstParent;
    let count = 0;
    let nextSeq = 0;
    let size = 0;
    const before = (a: number, b: number): boolean => {
      const ta = times[a] as number;
      const tb = times[b] as number;
      return ta > tb || (ta === tb && (seq[a] as number) < (seq[b] as number));
    };
    const bad = this.badId;
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
    this.order = buffer.slice(0, count);
    return this.order;
  }

  private nextSetStamp(): number {
    if (this.setStamp === 0xffffffff) {
      this.inSet.fill(0);
      this.chainMark.fill(0);
      this.setStamp = 0;
    }
    return ++this.setStamp;
  }

  private nextMarkStamp(): number {
    if (this.markStamp === 0xffffffff) {
      this.mark.fill(0);
      this.markStamp = 0;
    }
    return ++this.markStamp;
  }

  /** The unique interesting parent of a single-parent candidate (the first parent in first-parent mode). */
  private interestingParent(v: number): number {
    const { parentStart, parentIds, inSet } = this;
    const stamp = this.setStamp;
    const end = parentStart[v + 1] as number;
    for (let i = parentStart[v] as number; i < end; i++) {
      const p = parentIds[i] as number;
      if (p >= 0 && inSet[p] === stamp) return p;
      if (this.firstParent) break;
    }
    return OUTSIDE;
  }

  private choose(): BisectionStep {
    const order = this.walk();
    const nr = order.length;
    const all = this.skipped.size > 0;
    const early = this.computeWeights(order, !all);
    const bad = this.badId;
    if (early !== OUTSIDE) return early === bad ? { kind: 'found', commit: bad } : { kind: 'probe', commit: early };
    const { weight } = this;
    if (!all) {
      // best_bisection: the first maximum in list order (oldest first).
      let best = bad;
      let bestDistance = -1;
      for (let i = nr - 1; i >= 0; i--) {
        const v = order[i] as number;
        const w = weight[v] as number;
        const distance = Math.min(w, nr - w);
        if (distance > bestDistance) {
          best = v;
          bestDistance = distance;
        }
      }
      return best === bad ? { kind: 'found', commit: bad } : { kind: 'probe', commit: best };
    }
    return this.chooseRanked(order);
  }

  /**
   * Fills in weights the way do_find_bisection does; returns the commit git would return early as
   * "approximately halfway", or OUTSIDE when it would go on to rank all of them.
   */
  private computeWeights(order: Int32Array, allowEarly: boolean): number {
    const nr = order.length;
    const { weight, pass, listPos, parentStart, parentIds, inSet, stack } = this;
    const stamp = this.setStamp;
    const firstParent = this.firstParent;
    let merges = 0;

    // First pass: roots weigh 1; the others are unknown, single-parent (-1) or merge (-2).
    for (let i = nr - 1; i >= 0; i--) {
      const v = order[i] as number;
      listPos[v] = nr - 1 - i;
      let interesting = 0;
      const end = parentStart[v + 1] as number;
      for (let k = parentStart[v] as number; k < end; k++) {
        const p = parentIds[k] as number;
        if (p >= 0 && inSet[p] === stamp) interesting++;
        if (firstParent) break;
      }
      if (interesting === 0) {
        weight[v] = 1;
        pass[v] = 0;
      } else if (interesting === 1) {
        weight[v] = -1;
        pass[v] = -1;
      } else {
        weight[v] = -2;
        pass[v] = 0;
        merges++;
      }
    }

    if (merges > 0) {
      this.countMerges(order);
      if (allowEarly) {
        for (let i = nr - 1; i >= 0; i--) {
          const v = order[i] as number;
          // Known weights other than 1 are merges: a merge reaches itself and at least two parents.
          if (pass[v] === 0 && weight[v] !== 1 && approxHalfway(weight[v] as number, nr)) return v;
        }
      }
    }

    // Single-parent commits inherit their parent's weight plus one. git does this in repeated passes
    // over the list and returns at the first halfway commit; `pass` records in which pass git would
    // have set each weight, so the first halfway commit in (pass, list position) order is git's.
    let earlyPass = Infinity;
    let earlyPos = Infinity;
    let early = OUTSIDE;
    for (let i = nr - 1; i >= 0; i--) {
      const v = order[i] as number;
      if (pass[v] !== -1) continue;
      let top = 0;
      let u = v;
      while (pass[u] === -1) {
        if (top >= nr) throw new Error('the commit graph has a cycle');
        stack[top++] = u;
        u = this.interestingParent(u);
      }
      while (top > 0) {
        const p = stack[--top] as number;
        const w = (weight[u] as number) + 1;
        const qPass = pass[u] as number;
        const pPass = qPass === 0 ? 1 : (listPos[u] as number) < (listPos[p] as number) ? qPass : qPass + 1;
        weight[p] = w;
        pass[p] = pPass;
        if (allowEarly && approxHalfway(w, nr)) {
          const pos = listPos[p] as number;
          if (pPass < earlyPass || (pPass === earlyPass && pos < earlyPos)) {
            earlyPass = pPass;
            earlyPos = pos;
            early = p;
          }
        }
        u = p;
      }
    }
    return early;
  }

  /**
   * Exact candidate-ancestor counts for merges (git's count_distance gives the same numbers with one full
   * walk per merge). The candidates are cut into chains, each following the parent with the longest
   * history (generation number); a chain hangs below the node it forks from. Climbing a chain bottom-up
   * keeps A = ancestors(current node) marked, adding each node and what its other parents bring that A
   * lacks. At each node, the chains forking from it are climbed with A as it stands, then their additions
   * are undone. Following the longest history keeps those additions small: a branch that merged the
   * mainline in is climbed along the mainline, and only the branch's own commits are added and undone.
   */
  private countMerges(order: Int32Array): void {
    const { weight, parentStart, parentIds, inSet, chainMark } = this;
    const stamp = this.setStamp;
    const nr = order.length;
    // Scratch reuse: the walk is over, so its buffers are free (`order` is a copy of `buffer`).
    const chainNodes = this.buffer; // chains back to back, each from top to bottom
    const childHead = this.seq; // per node: first chain that forks from it, or -1
    const log = this.heap; // nodes added to A, in order, so additions can be undone
    const generation = this.computeGenerations(order);
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
      const g = this.nextMarkStamp();
      const mark = this.mark;
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
          if (mark[u] !== g) logLength = this.markAncestors(u, g, logLength);
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
  private computeGenerations(order: Int32Array): Int32Array {
    const { generation, parentStart, parentIds, inSet, stack } = this;
    // Runs before the chains are built, so `buffer` is free to hold each stack entry's next parent index.
    const cursor = this.buffer;
    const stamp = this.setStamp;
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
  private markAncestors(start: number, g: number, logLength: number): number {
    const { mark, stack, parentStart, parentIds, inSet } = this;
    const log = this.heap;
    const stamp = this.setStamp;
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

  /**
   * With skips, git ranks every candidate by (min(w, nr - w) desc, hash asc) (best_bisection_sorted).
   * If the best is not skipped it is the answer; otherwise skip_away picks a rank among the others.
   */
  private chooseRanked(order: Int32Array): BisectionStep {
    const nr = order.length;
    const { weight, graph, skipped } = this;
    const bad = this.badId;
    const distance = (v: number): number => Math.min(weight[v] as number, nr - (weight[v] as number));

    let top = order[0] as number;
    let topDistance = -1;
    for (let i = 0; i < nr; i++) {
      const v = order[i] as number;
      const d = distance(v);
      if (d > topDistance || (d === topDistance && graph.keyOf(v) < graph.keyOf(top))) {
        top = v;
        topDistance = d;
      }
    }
    if (!skipped.has(top)) return top === bad ? { kind: 'found', commit: bad } : { kind: 'probe', commit: top };

    // filter_skipped: the skipped candidates are "tried"; the rest keep their rank order.
    const tried: number[] = [];
    const byDistance = new Int32Array(Math.floor(nr / 2) + 2);
    let count = 0;
    for (let i = 0; i < nr; i++) {
      const v = order[i] as number;
      if (skipped.has(v)) {
        tried.push(v);
      } else {
        (byDistance[distance(v)] as number)++;
        count++;
      }
    }
    const ambiguous = (withBad: boolean): BisectionStep => {
      const commits = new Set(tried);
      if (withBad) commits.add(bad);
      return { kind: 'ambiguous', commits: [...commits].sort((a, b) => a - b) };
    };
    if (count === 0) return ambiguous(false);

    // The element at a rank, found through a histogram of distances so only one tie group is sorted.
    const atRank = (rank: number): number => {
      let remaining = rank;
      for (let d = byDistance.length - 1; d >= 0; d--) {
        const inGroup = byDistance[d] as number;
        if (remaining < inGroup) {
          const group: number[] = [];
          for (let i = 0; i < nr; i++) {
            const v = order[i] as number;
            if (!skipped.has(v) && distance(v) === d) group.push(v);
          }
          group.sort((a, b) => compareKeys(graph.keyOf(a), graph.keyOf(b)));
          return group[remaining] as number;
        }
        remaining -= inGroup;
      }
      throw new Error('rank out of range');
    };

    // skip_away: an index that matches no element (negative after C int overflow) means the first one.
    const index = skipAwayIndex(count);
    let chosen: number;
    if (index < 0 || index >= count) {
      chosen = atRank(0);
    } else {
      chosen = atRank(index);
      if (chosen === bad) chosen = atRank(index > 0 ? index - 1 : 0);
    }
    if (chosen === bad) return ambiguous(true);
    return { kind: 'probe', commit: chosen };
  }
}

function checkId(graph: CommitGraph, id: number, role: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= graph.size) throw new RangeError(`${role} commit id ${String(id)} is not in the graph`);
}

function cloneStep(step: BisectionStep): BisectionStep {
  return step.kind === 'ambiguous' ? { kind: 'ambiguous', commits: [...step.commits] } : { ...step };
}

/** oidcmp on hex keys: plain code-unit order matches byte order for lowercase hex. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** bisect.c approx_halfway: within one of half, or within ~0.1% of half for large sets. */
export function approxHalfway(weight: number, nr: number): boolean {
  const diff = 2 * weight - nr;
  if (diff >= -1 && diff <= 1) return true;
  return Math.abs(diff) < Math.trunc(nr / 1024);
}

/** bisect.c estimate_bisect_steps. */
export function estimateBisectSteps(all: number): number {
  if (all < 3) return 0;
  let n = 0;
  for (let v = all; v > 1; v >>= 1) n++;
  const e = 1 << n;
  const x = all - e;
  return e < 3 * x ? n : n - 1;
}

/** bisect.c get_prn: an LCG step on an unsigned 32-bit seed. */
export function getPrn(count: number): number {
  const next = (Math.imul(count, 1103515245) + 12345) >>> 0;
  return Math.floor(next / 65536) % PRN_MODULO;
}

/** bisect.c sqrti: Newton's method in single precision, truncated. */
export function sqrti(value: number): number {
  if (value === 0) return 0;
  const f = Math.fround;
  const v = f(value);
  let x = v;
  let d: number;
  do {
    const y = f(f(x + f(v / x)) / 2);
    d = y > x ? f(y - x) : f(x - y);
    x = y;
  } while (d >= 0.5);
  return Math.trunc(x);
}

/**
 * bisect.c skip_away's index, with C's 32-bit int arithmetic and truncating division. From about 65,537
 * non-skipped candidates on, count * prn overflows (undefined behaviour in C); a gcc -O2 build then rounds
 * some negative results differently by one, but every negative index means "take the first", as here.
 */
export function skipAwayIndex(count: number): number {
  const prn = getPrn(count);
  const scaled = Math.trunc(Math.imul(count, prn) / PRN_MODULO);
  return Math.trunc(Math.imul(scaled, sqrti(prn)) / sqrti(PRN_MODULO));
}
