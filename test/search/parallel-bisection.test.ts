// ParallelBisection against the definition of the first bad commit, on chains exhaustively and on random DAGs
// by property, with probes that finish in random order; rounds are counted as a driver with k workers sees them.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { BisectVerdict } from '../../src/search/bisection-step.js';
import type { CommitGraph } from '../../src/search/commit-graph.js';
import { HgBisection } from '../../src/search/hg-bisection.js';
import { ParallelBisection, type FinalStep } from '../../src/search/parallel-bisection.js';
import { ancestors, chain, makeGraph, type Dag } from '../fixtures/graphs.js';
import { seededRandom } from '../fixtures/random-history.js';

interface Simulation {
  done: FinalStep;
  rounds: number;
  probes: number;
  cancelled: number;
  /** Commits probed, in start order. */
  started: number[];
}

/**
 * Runs a hunt the way the hunt's driver does: every probe takes one time unit; the verdicts of a round arrive
 * one by one in random order, each followed by a re-plan whose cancels free workers and whose starts begin now.
 */
function simulate(search: ParallelBisection, workers: number, oracle: (commit: number) => BisectVerdict, seed: number): Simulation {
  const random = seededRandom(seed);
  let running: number[] = [];
  let rounds = 0;
  let probes = 0;
  let cancelled = 0;
  const started: number[] = [];
  const apply = (plan: ReturnType<ParallelBisection['planCuts']>, next: number[]): FinalStep | undefined => {
    for (const commit of plan.cancel) expect(plan.start).not.toContain(commit);
    for (const commit of plan.cancel) {
      const at = running.indexOf(commit);
      if (at >= 0) running.splice(at, 1);
      const queued = next.indexOf(commit);
      if (queued >= 0) next.splice(queued, 1);
      cancelled += 1;
    }
    for (const commit of plan.start) {
      expect(search.isCandidate(commit)).toBe(true);
      expect(running.includes(commit) || next.includes(commit)).toBe(false);
      next.push(commit);
      started.push(commit);
      probes += 1;
    }
    for (const commit of search.inFlight()) expect(search.isCandidate(commit)).toBe(true);
    expect(search.inFlight().length).toBeLessThanOrEqual(workers);
    return plan.done;
  };
  let done = apply(search.planCuts(workers), running);
  while (!done) {
    expect(running.length).toBeGreaterThan(0);
    rounds += 1;
    if (rounds > 200) throw new Error('no progress');
    const finishing = [...running];
    for (let i = finishing.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [finishing[i], finishing[j]] = [finishing[j] as number, finishing[i] as number];
    }
    running = [];
    const next: number[] = [];
    for (const commit of finishing) {
      if (!search.inFlight().includes(commit)) continue; // cancelled earlier in this round
      search.record(commit, oracle(commit));
      // Probes started during this round have barely begun when the next verdict of the round arrives.
      done = apply(search.planCuts(workers, new Set(next)), next);
      if (done) break;
    }
    running = next;
  }
  return { done, rounds, probes, cancelled, started };
}

function randomDag(size: number, seed: number): Dag {
  const random = seededRandom(seed);
  const parents: number[][] = [[]];
  for (let id = 1; id < size; id++) {
    const first = id - 1 - Math.floor(random() * Math.min(id, 3));
    const list = [first];
    if (id > 2 && random() < 0.3) {
      const other = Math.floor(random() * id);
      if (other !== first) list.push(other);
    }
    parents.push(list);
  }
  return { parents, times: parents.map((_, id) => 1000 + id) };
}

/** With a monotone test ("bad iff the culprit is an ancestor"), the first bad commit is the culprit. */
function monotone(graph: CommitGraph, culprit: number): (commit: number) => BisectVerdict {
  return (commit) => (ancestors(graph, commit).has(culprit) ? 'bad' : 'good');
}

describe('ParallelBisection on chains', () => {
  test('finds every culprit of every chain up to 14 commits with 1 to 5 workers', () => {
    for (let length = 2; length <= 14; length++) {
      const graph = makeGraph(chain(length));
      for (let culprit = 1; culprit < length; culprit++) {
        for (let workers = 1; workers <= 5; workers++) {
          const result = simulate(new ParallelBisection(graph, length - 1, [0]), workers, (c) => (c >= culprit ? 'bad' : 'good'), length * 100 + culprit);
          expect(result.done).toEqual({ kind: 'found', commit: culprit });
        }
      }
    }
  });

  test('1,024 commits: about log_(k+1) N rounds, and 4 workers finish within 5', () => {
    const graph = makeGraph(chain(1025));
    const worst = new Map<number, number>();
    for (let seed = 1; seed <= 40; seed++) {
      const culprit = 1 + Math.floor(seededRandom(seed)() * 1024);
      for (const workers of [1, 2, 4]) {
        const result = simulate(new ParallelBisection(graph, 1024, [0]), workers, (c) => (c >= culprit ? 'bad' : 'good'), seed);
        expect(result.done).toEqual({ kind: 'found', commit: culprit });
        worst.set(workers, Math.max(worst.get(workers) ?? 0, result.rounds));
      }
    }
    expect(worst.get(1)).toBeLessThanOrEqual(11);
    expect(worst.get(2)).toBeLessThanOrEqual(7);
    expect(worst.get(4)).toBeLessThanOrEqual(5);
  });

  test('from scratch, k workers cut the range into k+1 near-equal parts', () => {
    const graph = makeGraph(chain(1001));
    const plan = new ParallelBisection(graph, 1000, [0], { stability: 0 }).planCuts(4);
    expect(plan.start.sort((a, b) => a - b)).toEqual([200, 400, 600, 800]);
  });

  test('a bad verdict cancels the probes above it; a good one those below it', () => {
    const graph = makeGraph(chain(101));
    const search = new ParallelBisection(graph, 100, [0], { stability: 0 });
    expect(search.planCuts(4).start.sort((a, b) => a - b)).toEqual([20, 40, 60, 80]);
    search.record(40, 'bad');
    const afterBad = search.planCuts(4);
    expect(afterBad.cancel.sort((a, b) => a - b)).toEqual([60, 80]);
    expect(afterBad.start.every((c) => c > 0 && c < 40 && c !== 20)).toBe(true);
    expect(afterBad.start.length).toBe(3);
    search.record(20, 'good');
    const afterGood = search.planCuts(4);
    expect(afterGood.cancel.every((c) => c < 20)).toBe(true);
    expect(search.inFlight().every((c) => c > 20 && c < 40)).toBe(true);
  });

  test('late verdicts of cancelled probes change nothing', () => {
    const graph = makeGraph(chain(50));
    const search = new ParallelBisection(graph, 49, [0]);
    search.planCuts(3);
    search.record(10, 'bad');
    expect(search.record(30, 'good')).toBe(false);
    expect(search.isCandidate(5)).toBe(true);
  });

  test('skipped commits end in an ambiguous answer that holds the culprit', () => {
    const graph = makeGraph(chain(20));
    const skips = new Set([7, 8, 9]);
    const result = simulate(new ParallelBisection(graph, 19, [0]), 3, (c) => (skips.has(c) ? 'skip' : c >= 8 ? 'bad' : 'good'), 3);
    expect(result.done).toEqual({ kind: 'ambiguous', commits: [7, 8, 9, 10] });
  });

  test('with nothing left to probe but probes in flight, it waits', () => {
    const graph = makeGraph(chain(3));
    const search = new ParallelBisection(graph, 2, [0]);
    expect(search.planCuts(4).start).toEqual([1]);
    const waiting = search.planCuts(4);
    expect(waiting).toEqual({ cancel: [], start: [] });
  });
});

describe('ParallelBisection on DAGs', () => {
  test('finds the culprit on random DAGs with any number of workers, verdicts in any order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 60 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 6 }), fc.boolean(), (size, seed, pick, workers, firstParent) => {
        const graph = makeGraph(randomDag(size, seed));
        const bad = size - 1;
        const region = [...(firstParent ? ancestors(graph, bad, true) : ancestors(graph, bad))].filter((c) => c !== 0);
        const culprit = region[pick % region.length] as number;
        const result = simulate(new ParallelBisection(graph, bad, [0], { firstParent }), workers, monotone(graph, culprit), seed);
        expect(result.done).toEqual({ kind: 'found', commit: culprit });
      }),
      { numRuns: 300 },
    );
  });

  test('skips: a found answer is the culprit, an ambiguous one contains it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 40 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (size, seed, pick, workers, skipSeeds) => {
        const graph = makeGraph(randomDag(size, seed));
        const region = [...ancestors(graph, size - 1)].filter((c) => c !== 0);
        const culprit = region[pick % region.length] as number;
        const skips = new Set(skipSeeds.map((s) => region[s % region.length] as number));
        const truth = monotone(graph, culprit);
        const result = simulate(new ParallelBisection(graph, size - 1, [0]), workers, (c) => (skips.has(c) ? 'skip' : truth(c)), seed);
        if (result.done.kind === 'found') expect(result.done.commit).toBe(culprit);
        else expect(result.done.commits).toContain(culprit);
      }),
      { numRuns: 200 },
    );
  });

  test('more workers never need more rounds on average on merge-heavy DAGs', () => {
    const totals = new Map<number, number>();
    for (let seed = 1; seed <= 30; seed++) {
      const graph = makeGraph(randomDag(400, seed));
      const region = [...ancestors(graph, 399)].filter((c) => c !== 0);
      const culprit = region[Math.floor(seededRandom(seed + 7)() * region.length)] as number;
      for (const workers of [1, 2, 4]) {
        const result = simulate(new ParallelBisection(graph, 399, [0]), workers, monotone(graph, culprit), seed);
        totals.set(workers, (totals.get(workers) ?? 0) + result.rounds);
      }
    }
    expect(totals.get(2)).toBeLessThan(totals.get(1) as number);
    expect(totals.get(4)).toBeLessThan(totals.get(2) as number);
  });
});

describe('known verdicts first', () => {
  test('commits with known verdicts are asked before any cut, most even split first', () => {
    const graph = makeGraph(chain(101));
    const search = new ParallelBisection(graph, 100, [0]);
    search.preferKnown(new Set([3, 50, 97]));
    const start = search.planCuts(4).start;
    expect(start[0]).toBe(50);
    expect(new Set(start)).toEqual(new Set([3, 50, 97]));
  });

  // On a line every known verdict is still a candidate or implied by one asked; on a DAG a known good that left the
  // candidates (not an ancestor of the new bad) can hold exclusions nobody asks for, so this holds for lines.
  test('on a line, a repeated hunt that knows the first run verdicts asks nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 300 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 5 }), (size, seed, pick, workers) => {
        const graph = makeGraph(chain(size));
        const culprit = 1 + (pick % (size - 1));
        const first = new ParallelBisection(graph, size - 1, [0]);
        const recorded = new Set<number>();
        const oracle = monotone(graph, culprit);
        const firstRun = simulate(first, workers, (commit) => {
          recorded.add(commit);
          return oracle(commit);
        }, seed);
        const again = new ParallelBisection(graph, size - 1, [0]);
        again.preferKnown(recorded);
        const secondRun = simulate(again, workers, oracle, seed + 1);
        expect(secondRun.done).toEqual(firstRun.done);
        expect(secondRun.started.filter((commit) => !recorded.has(commit))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('stable cuts', () => {
  test('hunts over slightly different ranges share most of their first probes', () => {
    const graph = makeGraph(chain(2000));
    let shared = 0;
    let sharedWithout = 0;
    for (let shift = 1; shift <= 20; shift++) {
      const first = (stability: number, good: number, bad: number): Set<number> => new Set(new ParallelBisection(graph, bad, [good], { stability }).planCuts(4).start);
      const a = first(0.1, 100, 1100);
      const b = first(0.1, 100 + shift, 1100 + shift);
      shared += [...a].filter((c) => b.has(c)).length;
      const c = first(0, 100, 1100);
      const d = first(0, 100 + shift, 1100 + shift);
      sharedWithout += [...c].filter((x) => d.has(x)).length;
    }
    // 20 pairs of 4 probes: without the window only shifts of a multiple of the cut spacing agree.
    expect(shared).toBeGreaterThanOrEqual(40);
    expect(sharedWithout).toBeLessThan(shared / 4);
  });
});

describe('ParallelBisection restricted to hg bisect candidates', () => {
  test('has exactly hg bisect candidates, also when the graph holds commits off bad ancestry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 80 }), fc.nat(), (size, seed) => {
        const random = seededRandom(seed);
        // The whole history, descendants of the candidates that bad does not contain included.
        const parents = Array.from({ length: size }, (_, i) => (i === 0 ? [] : random() < 0.25 && i > 2 ? [i - 1, Math.floor(random() * (i - 1))] : [Math.max(0, i - 1 - Math.floor(random() * 3))]));
        const graph = makeGraph({ parents, times: parents.map((_, i) => 1000 + i) });
        const bad = Math.floor(size / 2) + Math.floor(random() * (size - Math.floor(size / 2)));
        const badAncestors = [...ancestors(graph, bad)].filter((id) => id !== bad);
        if (badAncestors.length === 0) return;
        const good = badAncestors[Math.floor(random() * badAncestors.length)] as number;
        const hg = new HgBisection(graph, bad, [good]);
        const restricted = new ParallelBisection(graph, bad, [good], { restrictTo: new Set(hg.candidates()) });
        expect(restricted.candidates().sort((a, b) => a - b)).toEqual(hg.candidates().sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });
});
