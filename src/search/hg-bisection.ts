// Bisection on a commit DAG that makes exactly the choices `hg bisect` (Mercurial 6.3, hbisect.bisect) makes.
// Matching hg probe for probe means a hunt in a Mercurial repository never costs more builds than `hg bisect --command`.
import { OUTSIDE, type CommitGraph } from './commit-graph.js';
import { checkId, estimateHgTests } from './bisect-arithmetic.js';
import { cloneStep, type BisectVerdict, type BisectionStep } from './bisection-step.js';

export { estimateHgTests } from './bisect-arithmetic.js';

/**
 * Candidate selection by Mercurial's rules (mercurial/hbisect.py, `bisect(repo, state)`):
 * - candidates are `(GOODS::BAD) - ::GOODS`: ancestors of bad that descend from a good and are not
 *   ancestors of one. Unlike git, commits that reach bad without descending from a good (a branch forked
 *   before the goods and merged later, an unrelated root) are never candidates;
 * - BAD is the lowest-numbered bad revision; with a single bad and bads recorded only on candidates,
 *   that is always the last one recorded;
 * - done when only bad is left, or every candidate but bad is skipped: the answer is then every
 *   candidate (one: found; several: ambiguous, the skipped ones and bad);
 * - otherwise the next probe is the first candidate in revision order, skipped ones excluded, that
 *   maximises min(x, tot - x), where x counts its candidate ancestors (itself included) and tot the
 *   candidates. hg stops at the first value tot // 2 and "poisons" descendants of a revision whose
 *   tot - x fell below tot // 2; neither changes which revision wins (a poisoned one can at most tie a
 *   value already seen, and ties go to the earlier revision), so exact counts for all give hg's choice;
 * - skipped revisions are simply never chosen (no pseudo-random step away, unlike git).
 *
 * Assumptions about the graph, which the hg history adapter must satisfy:
 * - `time` is the local revision number, so timeOf() orders commits the way hg's revision numbers do
 *   (ids in ascending time order are hg's order); a parent must come before its children in that order;
 * - the graph must hold every good and at least the region `GOODS::BAD + GOODS::GOODS` (in hg revset
 *   terms, with GOODS like `(g1 + g2)`), with real parent edges; parents outside it may be OUTSIDE.
 *   `GOODS::BAD` holds the candidates and the paths that prove they descend from a good;
 *   `GOODS::GOODS` holds the paths that prove a commit is an ancestor of a good; when every good is an
 *   ancestor of bad (the usual case) it lies inside `GOODS::BAD`. Any larger region (`::BAD + GOODS`,
 *   the whole repository) gives the same answers.
 * - With no goods at all, the class behaves like `hg bisect --good null`: every ancestor of bad is a
 *   candidate (hg itself refuses to bisect without a good).
 * If bad does not descend from a good, or is an ancestor of one, hg would reverse the search and look for
 * the first *good* changeset; that mode is not supported and the constructor throws.
 */
export class HgBisection {
  private readonly graph: CommitGraph;
  private readonly size: number;
  /** Graph ids by position in revision order, and the inverse; all the work below is in positions. */
  private readonly idAt: Int32Array;
  private readonly posOf: Int32Array;
  /** Parents by position, in CSR form; parents outside the graph are left out. */
  private readonly parentStart: Uint32Array;
  private readonly parentPos: Int32Array;
  /**
   * Descendants of the initial goods (inclusive). Later goods are candidates, hence already descendants
   * of a good, so `GOODS::` never changes during a bisection.
   */
  private readonly descendsFromGood: Uint8Array;
  /** Ancestors of goods (inclusive); goods only accumulate, so this is marked incrementally. */
  private readonly excluded: Uint8Array;
  /** Every position ever skipped, like hg's `skip` list in .hg/bisect.state. */
  private readonly skipped = new Set<number>();
  private badPos: number;

  // Scratch space reused by every step; stamps replace clearing, which would cost O(graph) per step.
  private readonly inSet: Uint32Array;
  private setStamp = 0;
  private readonly stack: Int32Array;
  private readonly mark: Uint8Array;
  private readonly ancestorCount: Int32Array;
  private readonly indexOf: Int32Array;

  /** Current candidates by ascending position, valid while setStamp is current. */
  private order: Int32Array | undefined;
  private step: BisectionStep | undefined;

  constructor(graph: CommitGraph, bad: number, goods: readonly number[]) {
    this.graph = graph;
    const size = graph.size;
    this.size = size;
    checkId(graph, bad, 'bad');
    for (const good of goods) checkId(graph, good, 'good');

    const idAt = new Int32Array(size);
    for (let id = 0; id < size; id++) idAt[id] = id;
    idAt.sort((a, b) => graph.timeOf(a) - graph.timeOf(b) || a - b);
    const posOf = new Int32Array(size);
    for (let pos = 0; pos < size; pos++) posOf[idAt[pos] as number] = pos;
    this.idAt = idAt;
    this.posOf = posOf;

    const parentStart = new Uint32Array(size + 1);
    let total = 0;
    for (let id = 0; id < size; id++) total += graph.parentCount(id);
    const parentPos = new Int32Array(total);
    let cursor = 0;
    for (let pos = 0; pos < size; pos++) {
      const id = idAt[pos] as number;
      parentStart[pos] = cursor;
      for (const parent of graph.parentsOf(id)) {
        if (parent === OUTSIDE) continue;
        const p = posOf[parent] as number;
        // Every pass below relies on parents preceding children, as revision numbers guarantee in hg.
        if (p >= pos) {
          throw new RangeError(`commit ${graph.keyOf(id)} does not come after its parent ${graph.keyOf(parent)} in revision order (time)`);
        }
        parentPos[cursor++] = p;
      }
    }
    parentStart[size] = cursor;
    this.parentStart = parentStart;
    this.parentPos = parentPos.subarray(0, cursor);

    this.descendsFromGood = new Uint8Array(size);
    this.excluded = new Uint8Array(size);
    this.inSet = new Uint32Array(size);
    this.stack = new Int32Array(size);
    this.mark = new Uint8Array(size);
    this.ancestorCount = new Int32Array(size);
    this.indexOf = new Int32Array(size);

    if (goods.length === 0) {
      this.descendsFromGood.fill(1);
    } else {
      for (const good of goods) this.descendsFromGood[posOf[good] as number] = 1;
      for (let pos = 0; pos < size; pos++) {
        if (this.descendsFromGood[pos]) continue;
        const end = parentStart[pos + 1] as number;
        for (let k = parentStart[pos] as number; k < end; k++) {
          if (this.descendsFromGood[this.parentPos[k] as number]) {
            this.descendsFromGood[pos] = 1;
            break;
          }
        }
      }
      for (const good of goods) this.exclude(posOf[good] as number);
    }

    this.badPos = posOf[bad] as number;
    if (!this.descendsFromGood[this.badPos] || this.excluded[this.badPos]) {
      throw new RangeError(
        `bad commit ${graph.keyOf(bad)} is not a descendant of a good commit (or is an ancestor of one); ` +
          'hg bisect would search for the first good commit instead, which is not supported',
      );
    }
  }

  get bad(): number {
    return this.idAt[this.badPos] as number;
  }

  next(): BisectionStep {
    this.step ??= this.choose();
    return cloneStep(this.step);
  }

  record(commit: number, verdict: BisectVerdict): void {
    if (!Number.isInteger(commit) || commit < 0 || commit >= this.size) {
      throw new RangeError(`commit ${String(commit)} is not a current candidate`);
    }
    const pos = this.posOf[commit] as number;
    if (!this.isCandidate(pos)) throw new RangeError(`commit ${String(commit)} is not a current candidate`);
    switch (verdict) {
      case 'good':
        if (pos === this.badPos) throw new RangeError(`commit ${this.graph.keyOf(commit)} is the current bad commit; it cannot be good`);
        this.exclude(pos);
        break;
      case 'bad':
        // A candidate is an ancestor of bad, so it has the lower revision number hg's min() would take.
        this.badPos = pos;
        break;
      case 'skip':
        this.skipped.add(pos);
        break;
      default:
        throw new TypeError(`unknown verdict ${String(verdict)}`);
    }
    this.order = undefined;
    this.step = undefined;
  }

  /** hg's "N changesets remaining": the candidates, bad included. */
  candidateCount(): number {
    return this.walk().length;
  }

  /** Current candidates in revision order (bad last), as hbisect sorts them. */
  candidates(): number[] {
    return Array.from(this.walk(), (pos) => this.idAt[pos] as number);
  }

  /** The k of hg's "(N changesets remaining, ~k tests)" shown with the next probe; 0 when done. */
  estimatedSteps(): number {
    const step = this.next();
    if (step.kind !== 'probe') return 0;
    return estimateHgTests(this.candidateCount());
  }

  private isCandidate(pos: number): boolean {
    this.walk();
    return this.inSet[pos] === this.setStamp;
  }

  /** Marks a good and all its ancestors. */
  private exclude(good: number): void {
    if (this.excluded[good]) return;
    const { excluded, parentStart, parentPos, stack } = this;
    excluded[good] = 1;
    let top = 0;
    stack[top++] = good;
    while (top > 0) {
      const x = stack[--top] as number;
      const end = parentStart[x + 1] as number;
      for (let k = parentStart[x] as number; k < end; k++) {
        const p = parentPos[k] as number;
        if (excluded[p]) continue;
        excluded[p] = 1;
        stack[top++] = p;
      }
    }
  }

  /**
   * The candidates: ancestors of bad that descend from a good and are not ancestors of one. A path from
   * bad to a candidate runs through candidates only, so a walk that stops at non-candidates finds them all.
   */
  private walk(): Int32Array {
    if (this.order) return this.order;
    const stamp = this.nextSetStamp();
    const { inSet, stack, parentStart, parentPos, excluded, descendsFromGood } = this;
    const found: number[] = [];
    inSet[this.badPos] = stamp;
    let top = 0;
    stack[top++] = this.badPos;
    while (top > 0) {
      const x = stack[--top] as number;
      found.push(x);
      const end = parentStart[x + 1] as number;
      for (let k = parentStart[x] as number; k < end; k++) {
        const p = parentPos[k] as number;
        if (inSet[p] === stamp || excluded[p] || !descendsFromGood[p]) continue;
        inSet[p] = stamp;
        stack[top++] = p;
      }
    }
    this.order = Int32Array.from(found).sort();
    return this.order;
  }

  private nextSetStamp(): number {
    if (this.setStamp === 0xffffffff) {
      this.inSet.fill(0);
      this.setStamp = 0;
    }
    return ++this.setStamp;
  }

  private choose(): BisectionStep {
    const order = this.walk();
    const tot = order.length;
    const bad = this.badPos;
    let unskipped = 0;
    for (let i = 0; i < tot; i++) {
      const pos = order[i] as number;
      if (pos !== bad && !this.skipped.has(pos)) unskipped++;
    }
    if (tot === 1 || unskipped === 0) {
      if (tot === 1) return { kind: 'found', commit: this.idAt[bad] as number };
      const commits = Array.from(order, (pos) => this.idAt[pos] as number).sort((a, b) => a - b);
      return { kind: 'ambiguous', commits };
    }

    this.countAncestors(order);
    const { ancestorCount, skipped } = this;
    const perfect = Math.floor(tot / 2);
    let best = OUTSIDE;
    let bestValue = -1;
    for (let i = 0; i < tot; i++) {
      const pos = order[i] as number;
      if (skipped.has(pos)) continue;
      const x = ancestorCount[pos] as number;
      const value = Math.min(x, tot - x);
      if (value > bestValue) {
        bestValue = value;
        best = pos;
        if (value === perfect) break;
      }
    }
    // Some unskipped candidate other than bad exists, and bad itself scores 0 while it scores at least 1.
    return { kind: 'probe', commit: this.idAt[best] as number };
  }

  /**
   * Exact candidate-ancestor counts (itself included) for every candidate. hg unions ancestor lists,
   * quadratic on long histories; here each candidate's "chain parent" (the candidate parent with the
   * longest history) makes the candidates a forest, and a depth-first walk of that forest keeps
   * A = ancestors(current node) marked: entering a node adds what it has that its chain parent lacks,
   * leaving it undoes that. Following the longest history keeps the additions small, since a branch that
   * merged the mainline in is entered along the mainline and only the branch's own commits come and go.
   */
  private countAncestors(order: Int32Array): void {
    const { parentStart, parentPos, inSet, indexOf, ancestorCount: count } = this;
    const stamp = this.setStamp;
    const tot = order.length;
    // Per candidate, indexed by its index in `order`: chain parent's index, generation, forest children.
    for (let i = 0; i < tot; i++) indexOf[order[i] as number] = i;
    const generation = new Int32Array(tot);
    const chainParent = new Int32Array(tot);
    const childCount = new Int32Array(tot + 1);
    for (let i = 0; i < tot; i++) {
      const pos = order[i] as number;
      let bestParent = -1;
      let bestGeneration = 0;
      const end = parentStart[pos + 1] as number;
      for (let k = parentStart[pos] as number; k < end; k++) {
        const p = parentPos[k] as number;
        if (inSet[p] !== stamp) continue;
        const j = indexOf[p] as number;
        // Parents precede children in `order`, so their generations are final here.
        if ((generation[j] as number) > bestGeneration) {
          bestGeneration = generation[j] as number;
          bestParent = j;
        }
      }
      generation[i] = bestGeneration + 1;
      chainParent[i] = bestParent;
      if (bestParent >= 0) (childCount[bestParent] as number)++;
    }
    const childStart = new Int32Array(tot + 1);
    for (let i = 0; i < tot; i++) childStart[i + 1] = (childStart[i] as number) + (childCount[i] as number);
    const fill = childStart.slice(0, tot);
    const children = new Int32Array(tot);
    for (let i = 0; i < tot; i++) {
      const parent = chainParent[i] as number;
      if (parent >= 0) children[(fill[parent] as number)++] = i;
    }

    // Explicit frames: a forest over a long linear history is as deep as the history.
    const frameNode = new Int32Array(tot);
    const frameLog = new Int32Array(tot);
    const frameChild = new Int32Array(tot);
    const log = new Int32Array(tot);
    const { mark } = this;
    let logLength = 0;
    for (let root = 0; root < tot; root++) {
      if (chainParent[root] !== -1) continue;
      let depth = 0;
      frameNode[depth] = root;
      frameLog[depth] = logLength;
      frameChild[depth] = childStart[root] as number;
      depth++;
      logLength = this.addAncestors(order[root] as number, log, logLength);
      count[order[root] as number] = logLength;
      while (depth > 0) {
        const f = depth - 1;
        const node = frameNode[f] as number;
        const c = frameChild[f] as number;
        if (c < (childStart[node + 1] as number)) {
          frameChild[f] = c + 1;
          const child = children[c] as number;
          frameNode[depth] = child;
          frameLog[depth] = logLength;
          frameChild[depth] = childStart[child] as number;
          depth++;
          logLength = this.addAncestors(order[child] as number, log, logLength);
          count[order[child] as number] = logLength;
          continue;
        }
        const restore = frameLog[f] as number;
        for (let k = logLength - 1; k >= restore; k--) mark[log[k] as number] = 0;
        logLength = restore;
        depth--;
      }
    }
  }

  /** Marks `start` and its unmarked candidate ancestors, appending them to `log`; returns the new length. */
  private addAncestors(start: number, log: Int32Array, logLength: number): number {
    const { mark, stack, parentStart, parentPos, inSet } = this;
    const stamp = this.setStamp;
    let length = logLength;
    mark[start] = 1;
    log[length++] = start;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const x = stack[--top] as number;
      const end = parentStart[x + 1] as number;
      for (let k = parentStart[x] as number; k < end; k++) {
        const p = parentPos[k] as number;
        if (inSet[p] !== stamp || mark[p]) continue;
        mark[p] = 1;
        log[length++] = p;
        stack[top++] = p;
      }
    }
    return length;
  }
}
