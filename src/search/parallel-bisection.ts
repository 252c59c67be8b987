// Bisection with k workers: k probes that cut the candidates into k+1 near-equal parts by candidate-ancestor
// counts, re-planned at every verdict; probes whose answer can no longer matter are handed back for cancelling.
import { BisectionArrays } from './bisection-arrays.js';
import type { BisectVerdict, FinalStep } from './bisection-step.js';
import { computeWeights } from './candidate-weights.js';
import { applyVerdict, excludeGoods, type VerdictState } from './candidate-verdicts.js';
import type { CommitGraph } from './commit-graph.js';
import { walkCandidates } from './limit-list-walk.js';
import type { InFlightProbe, Plan, Strategy } from './strategy.js';

export type { FinalStep } from './bisection-step.js';

export interface ParallelPlan {
  /** In-flight probes that no longer matter (their commit left the candidates, or the search is over). */
  cancel: number[];
  /** Commits to probe now, at most one per free worker, the most useful first. */
  start: number[];
  /** Set once the search is over; every probe still in flight is then in `cancel`. */
  done?: FinalStep;
}

export interface ParallelBisectionOptions {
  firstParent?: boolean;
  /**
   * How far (as a fraction of the part being cut) a probe may sit from its ideal cut so that hunts over
   * slightly different ranges pick the same commit: within that window the smallest hash wins. 0 disables it.
   */
  stability?: number;
  /**
   * Only these commits may be candidates (hg bisect's set: descendants of a good that are ancestors of bad); every
   * other commit is excluded with its ancestors, which are outside the set too. Absent: git's `bad ^goods`.
   */
  restrictTo?: ReadonlySet<number>;
}

const DEFAULT_STABILITY = 0.1;

/** Every commit of the graph that `commit` descends from, itself included. */
function ancestorsOf(graph: CommitGraph, commit: number): number[] {
  const seen = new Uint8Array(graph.size);
  const stack = [commit];
  const found: number[] = [];
  while (stack.length > 0) {
    const id = stack.pop() as number;
    if (id < 0 || seen[id]) continue;
    seen[id] = 1;
    found.push(id);
    for (const parent of graph.parentsOf(id)) stack.push(parent);
  }
  return found;
}

/** Rounds to settle `candidates` (bad included) with `workers` probes at a time: each leaves about 1/(workers+1). */
export function estimateRounds(candidates: number, workers: number): number {
  return candidates <= 1 ? 0 : Math.ceil(Math.log(candidates) / Math.log(workers + 1) - 1e-9);
}

/**
 * The search state of a parallel hunt. Candidates are the commits reachable from bad and not from a good
 * (first parents only with `firstParent`), as in DagBisection; a commit's weight is its number of candidate
 * ancestors (itself included), so a `bad` verdict at weight w leaves about w candidates and `good` about nr - w.
 *
 * `plan(capacity)` treats the probes in flight as fixed cuts of the weight range [0, nr], gives each free worker
 * to the part where a cut helps most (largest part per cut), and spreads each part's cuts evenly: from scratch,
 * k workers cut at nr/(k+1), 2nr/(k+1), … . Pure: it only decides; the caller runs, cancels and reports.
 */
export class ParallelBisection implements Strategy<number, BisectVerdict, FinalStep> {
  private readonly arrays: BisectionArrays;
  private readonly firstParent: boolean;
  private readonly stability: number;
  private known: ReadonlySet<number> = new Set();
  private readonly state: VerdictState;
  private readonly flying = new Set<number>();
  private order: Int32Array | undefined;

  constructor(private readonly graph: CommitGraph, bad: number, goods: readonly number[], options: ParallelBisectionOptions = {}) {
    this.firstParent = options.firstParent ?? false;
    this.stability = options.stability ?? DEFAULT_STABILITY;
    this.arrays = new BisectionArrays(graph);
    excludeGoods(graph, this.arrays, bad, goods);
    if (options.restrictTo) {
      const allowed = options.restrictTo;
      if (!allowed.has(bad)) throw new RangeError(`bad commit ${graph.keyOf(bad)} is outside the allowed candidates`);
      // Only ancestors of bad are excluded: one outside the set (an ancestor of a good, or a commit that descends
      // from no good) has only such ancestors too, so excluding it with its ancestors never drops a candidate. A
      // commit off bad's ancestry may descend from a candidate, and excluding its ancestors would.
      for (const id of ancestorsOf(graph, bad)) if (!allowed.has(id)) this.arrays.exclude(id);
      if (this.arrays.excluded[bad]) throw new RangeError(`bad commit ${graph.keyOf(bad)} is an ancestor of a commit outside the allowed candidates`);
    }
    this.state = { bad, skipped: new Set() };
  }

  keyOf(commit: number): string {
    return String(commit);
  }

  wants(commit: number): boolean {
    return this.isCandidate(commit);
  }

  /** The driver's view of the probes in flight, mapped onto `planCuts`. */
  plan(capacity: number, inFlight: readonly InFlightProbe<number>[]): Plan<number, FinalStep> {
    const movable = new Set(inFlight.filter((probe) => probe.movable && !probe.cancelling).map((probe) => probe.candidate));
    const dying = new Set(inFlight.filter((probe) => probe.cancelling).map((probe) => probe.candidate));
    return this.planCuts(capacity, movable, dying);
  }

  get bad(): number {
    return this.state.bad;
  }

  private get badId(): number {
    return this.state.bad;
  }

  private get skipped(): Set<number> {
    return this.state.skipped;
  }

  /** Commits being probed, as the plan left them. */
  inFlight(): number[] {
    return [...this.flying];
  }

  /** The current candidates, bad included. */
  candidates(): number[] {
    return Array.from(this.walk());
  }

  /**
   * Commits whose verdict is already known (stored by an earlier run of this hunt, or cached from another): they cost
   * nothing, so they are asked before any cut that would run, and a repeated hunt runs nothing.
   */
  preferKnown(commits: ReadonlySet<number>): void {
    this.known = commits;
  }

  candidateCount(): number {
    return this.walk().length;
  }

  /** Rounds left with `workers` probes at a time. */
  estimatedRounds(workers: number): number {
    return estimateRounds(this.candidateCount(), workers);
  }

  isCandidate(commit: number): boolean {
    this.walk();
    return commit >= 0 && commit < this.graph.size && this.arrays.inSet[commit] === this.arrays.setStamp;
  }

  /**
   * A probe's verdict. Returns false when it came too late to matter (its commit is no longer a candidate),
   * in which case nothing changes; the caller may still keep it (the verdict cache).
   */
  record(commit: number, verdict: BisectVerdict): boolean {
    this.flying.delete(commit);
    if (!this.isCandidate(commit)) return false;
    applyVerdict(this.graph, this.arrays, this.state, commit, verdict);
    this.order = undefined;
    return true;
  }


  /**
   * What to cancel and what to start so that at most `capacity` probes are in flight. `movable` probes have only
   * just started: they are planned again with the free workers, kept when the new plan still wants them and
   * cancelled otherwise, so verdicts that arrive close together lead to one joint plan rather than greedy patches.
   */
  planCuts(capacity: number, movable: ReadonlySet<number> = new Set(), unavailable: ReadonlySet<number> = new Set()): ParallelPlan {
    const order = this.walk();
    const cancel = [...this.flying].filter((commit) => !this.isCandidate(commit));
    for (const commit of cancel) this.flying.delete(commit);
    const open = Array.from(order).filter((v) => v !== this.badId && !this.skipped.has(v));
    if (open.length === 0) {
      cancel.push(...this.flying);
      this.flying.clear();
      const done: FinalStep =
        this.skipped.size === 0 || order.length === 1
          ? { kind: 'found', commit: this.badId }
          : { kind: 'ambiguous', commits: Array.from(order).sort((a, b) => a - b) };
      return { cancel, start: [], done };
    }
    const replanned = [...this.flying].filter((commit) => movable.has(commit));
    for (const commit of replanned) this.flying.delete(commit);
    const free = Math.max(0, capacity - this.flying.size);
    // Commits whose cancelled probe is still dying are not planned again until it has ended.
    const chosen = free === 0 ? [] : this.choose(order, open.filter((v) => !unavailable.has(v)), free);
    const kept = new Set(chosen.filter((commit) => replanned.includes(commit)));
    cancel.push(...replanned.filter((commit) => !kept.has(commit)));
    for (const commit of chosen) this.flying.add(commit);
    return { cancel, start: chosen.filter((commit) => !kept.has(commit)) };
  }

  private walk(): Int32Array {
    this.order ??= walkCandidates(this.arrays, this.badId, this.firstParent);
    return this.order;
  }

  private choose(order: Int32Array, open: number[], free: number): number[] {
    computeWeights(this.arrays, order, this.firstParent, false);
    const weight = this.arrays.weight;
    const nr = order.length;
    const available = open.filter((v) => !this.flying.has(v));
    if (available.length === 0) return [];
    const known = available.filter((v) => this.known.has(v));
    if (known.length > 0) {
      // The most even splits first: each answer arrives at once and the next plan sees it.
      return known.sort((a, b) => this.splitDistance(weight[b] as number, nr) - this.splitDistance(weight[a] as number, nr) || this.compareKeys(a, b)).slice(0, free);
    }
    // A known answer in flight arrives at once and may make any cut planned now moot: wait for it.
    for (const v of this.flying) if (this.known.has(v)) return [];
    // Parts of [0, nr] between the cuts already in flight; each gets cuts in proportion to its size.
    const bounds = [0, ...[...this.flying].map((v) => weight[v] as number), nr].sort((a, b) => a - b);
    const parts = bounds.slice(1).map((hi, i) => ({ lo: bounds[i] as number, hi, cuts: 0 }));
    for (let n = 0; n < Math.min(free, available.length); n++) {
      let best: (typeof parts)[number] | undefined;
      for (const part of parts) {
        if (part.hi - part.lo - 1 <= part.cuts) continue;
        if (!best || (part.hi - part.lo) / (part.cuts + 1) > (best.hi - best.lo) / (best.cuts + 1)) best = part;
      }
      if (!best) break;
      best.cuts += 1;
    }
    const taken = new Set<number>();
    const targets: Array<{ target: number; lo: number; hi: number; window: number; size: number }> = [];
    for (const part of parts) {
      const size = (part.hi - part.lo) / (part.cuts + 1);
      for (let j = 1; j <= part.cuts; j++) {
        targets.push({ target: part.lo + size * j, lo: part.lo, hi: part.hi, window: Math.floor(size * this.stability), size });
      }
    }
    // Larger parts first: when candidates run short (DAGs), the cuts that save most are placed.
    targets.sort((a, b) => b.size - a.size || a.target - b.target);
    const chosen: number[] = [];
    for (const target of targets) {
      const pick = this.pickNear(available, weight, target, taken) ?? this.pickNear(available, weight, { ...target, lo: 0, hi: nr + 1 }, taken);
      if (pick === undefined) continue;
      taken.add(pick);
      chosen.push(pick);
    }
    // A DAG may have fewer distinct cuts than workers; idle workers take the most even splits left.
    if (chosen.length < free) {
      const rest = available
        .filter((v) => !taken.has(v))
        .sort((a, b) => this.splitDistance(weight[b] as number, nr) - this.splitDistance(weight[a] as number, nr) || this.compareKeys(a, b));
      chosen.push(...rest.slice(0, free - chosen.length));
    }
    return chosen;
  }

  /** The commit closest to a cut inside its part; among those within the stability window, the smallest hash. */
  private pickNear(
    available: readonly number[],
    weight: Int32Array,
    cut: { target: number; lo: number; hi: number; window: number },
    taken: ReadonlySet<number>,
  ): number | undefined {
    let closest: number | undefined;
    let closestDistance = Infinity;
    for (const v of available) {
      const w = weight[v] as number;
      if (taken.has(v) || w <= cut.lo || w >= cut.hi) continue;
      const distance = Math.abs(w - cut.target);
      if (distance < closestDistance || (distance === closestDistance && closest !== undefined && this.compareKeys(v, closest) < 0)) {
        closest = v;
        closestDistance = distance;
      }
    }
    if (closest === undefined) return undefined;
    const reach = Math.max(closestDistance, cut.window);
    let stable = closest;
    for (const v of available) {
      const w = weight[v] as number;
      if (taken.has(v) || w <= cut.lo || w >= cut.hi) continue;
      if (Math.abs(w - cut.target) <= reach && this.compareKeys(v, stable) < 0) stable = v;
    }
    return stable;
  }

  private splitDistance(w: number, nr: number): number {
    return Math.min(w, nr - w);
  }

  private compareKeys(a: number, b: number): number {
    const ka = this.graph.keyOf(a);
    const kb = this.graph.keyOf(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  }
}
