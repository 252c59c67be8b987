// DagBisection against brute force and against a literal transcription of git's bisect.c and revision.c.
// The transcription is slow and plain on purpose, so the fast strategy's shortcuts are checked step by step.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CommitGraph, OUTSIDE } from '../../src/search/commit-graph.js';
import { ancestors, chain, makeGraph, type Dag } from '../fixtures/graphs.js';
import {
  DagBisection,
  estimateBisectSteps,
  skipAwayIndex,
  sqrti,
  type BisectionStep,
  type BisectVerdict,
} from '../../src/search/dag-bisection.js';

/** The candidate set by definition: reachable from bad, not an ancestor of any good. */
function bruteCandidates(graph: CommitGraph, bad: number, goods: readonly number[], firstParent: boolean): Set<number> {
  const excluded = new Set<number>();
  for (const good of goods) for (const a of ancestors(graph, good)) excluded.add(a);
  const result = new Set<number>();
  if (firstParent) {
    for (let x = bad; x !== OUTSIDE && x !== undefined && !excluded.has(x); x = graph.parentsOf(x)[0] ?? OUTSIDE) result.add(x);
  } else {
    for (const a of ancestors(graph, bad)) if (!excluded.has(a)) result.add(a);
  }
  return result;
}

function bruteWeights(graph: CommitGraph, candidates: Set<number>, firstParent: boolean): Map<number, number> {
  const weights = new Map<number, number>();
  for (const c of candidates) {
    let w = 0;
    for (const a of ancestors(graph, c, firstParent)) if (candidates.has(a)) w++;
    weights.set(c, w);
  }
  return weights;
}

// ---------------------------------------------------------------------------------------------------
// A literal transcription of git 2.39's bisect_next_all for one step (no pathspec, so no TREESAME).

const UNINTERESTING = 1;
const SEEN = 2;
const ADDED = 4;

function gitReference(graph: CommitGraph, bad: number, goods: readonly number[], skipped: ReadonlySet<number>, firstParent: boolean): BisectionStep {
  const flags = new Uint8Array(graph.size);
  const parsed = new Uint8Array(graph.size);
  const date = (id: number): number => graph.timeOf(id);
  const parentsOf = (id: number): number[] => (parsed[id] ? Array.from(graph.parentsOf(id)).filter((p) => p !== OUTSIDE) : []);
  const parse = (id: number): void => {
    parsed[id] = 1;
  };

  // revision.c mark_parents_uninteresting: only parsed commits reveal their parents.
  const markParentsUninteresting = (commit: number): void => {
    const pending: number[] = [];
    const markOne = (c: number): void => {
      if (flags[c]! & UNINTERESTING) return;
      flags[c]! |= UNINTERESTING;
      for (const p of parentsOf(c)) pending.push(p);
    };
    for (const p of parentsOf(commit)) markOne(p);
    while (pending.length > 0) markOne(pending.pop() as number);
  };
  // commit.c commit_list_insert_by_date: after every entry not older than the new one.
  const insertByDate = (list: number[], c: number): void => {
    let i = 0;
    while (i < list.length && !(date(list[i] as number) < date(c))) i++;
    list.splice(i, 0, c);
  };

  // bisect_rev_setup: bad, then ^good...; prepare_revision_walk sorts them stably by date.
  const initial: number[] = [];
  for (const c of [bad, ...goods]) {
    if (c === OUTSIDE) continue;
    if (c !== bad) flags[c]! |= UNINTERESTING;
    if (!(flags[c]! & SEEN)) {
      flags[c]! |= SEEN;
      initial.push(c);
    }
    parse(c);
  }
  const queue = initial.map((c, i) => [c, i] as const).sort((a, b) => date(b[0]) - date(a[0]) || a[1] - b[1]).map(([c]) => c);

  // revision.c limit_list with process_parents and still_interesting (SLOP 5).
  const newlist: number[] = [];
  let slop = 5;
  let lastDate = Infinity;
  while (queue.length > 0) {
    const commit = queue.shift() as number;
    if (!(flags[commit]! & ADDED)) {
      flags[commit]! |= ADDED;
      if (flags[commit]! & UNINTERESTING) {
        for (const p of Array.from(graph.parentsOf(commit)).filter((x) => x !== OUTSIDE)) {
          flags[p]! |= UNINTERESTING;
          parse(p);
          if (parentsOf(p).length > 0) markParentsUninteresting(p);
          if (flags[p]! & SEEN) continue;
          flags[p]! |= SEEN;
          insertByDate(queue, p);
        }
      } else {
        for (const p of Array.from(graph.parentsOf(commit))) {
          if (p !== OUTSIDE) {
            parse(p);
            if (!(flags[p]! & SEEN)) {
              flags[p]! |= SEEN;
              insertByDate(queue, p);
            }
          }
          if (firstParent) break;
        }
      }
    }
    if (flags[commit]! & UNINTERESTING) {
      markParentsUninteresting(commit);
      if (queue.length === 0) slop = 0;
      else if (lastDate <= date(queue[0] as number)) slop = 5;
      else if (queue.some((c) => !(flags[c]! & UNINTERESTING))) slop = 5;
      else slop -= 1;
      if (slop) continue;
      break;
    }
    lastDate = date(commit);
    newlist.push(commit);
  }

  // find_bisection: reverse, drop what turned out uninteresting.
  const list = newlist.reverse().filter((c) => !(flags[c]! & UNINTERESTING));
  const nr = list.length;
  const all = skipped.size > 0;
  const interesting = (c: number): boolean => !(flags[c]! & UNINTERESTING);
  const weight = new Map<number, number>();
  const halfway = (w: number): boolean => {
    const diff = 2 * w - nr;
    return Math.abs(diff) <= 1 || Math.abs(diff) < Math.trunc(nr / 1024);
  };
  const countDistance = (start: number): number => {
    const counted = new Set<number>();
    const stack = [start];
    while (stack.length > 0) {
      const c = stack.pop() as number;
      if (!interesting(c) || counted.has(c)) continue;
      counted.add(c);
      stack.push(...Array.from(graph.parentsOf(c)).filter((p) => p !== OUTSIDE));
    }
    return counted.size;
  };

  const doFindBisection = (): number | undefined => {
    let counted = 0;
    for (const c of list) {
      let count = 0;
      for (const p of Array.from(graph.parentsOf(c))) {
        if (p !== OUTSIDE && interesting(p)) count++;
        if (firstParent) break;
      }
      if (count === 0) {
        weight.set(c, 1);
        counted++;
      } else weight.set(c, count === 1 ? -1 : -2);
    }
    for (const c of list) {
      if (weight.get(c) !== -2) continue;
      weight.set(c, countDistance(c));
      if (!all && halfway(weight.get(c) as number)) return c;
      counted++;
    }
    while (counted < nr) {
      for (const c of list) {
        if ((weight.get(c) as number) >= 0) continue;
        let q: number | undefined;
        for (const p of Array.from(graph.parentsOf(c))) {
          if (p !== OUTSIDE && interesting(p) && (weight.get(p) as number) >= 0) {
            q = p;
            break;
          }
          if (firstParent) break;
        }
        if (q === undefined) continue;
        weight.set(c, (weight.get(q) as number) + 1);
        counted++;
        if (!all && halfway(weight.get(c) as number)) return c;
      }
    }
    return undefined;
  };
  const distance = (c: number): number => Math.min(weight.get(c) as number, nr - (weight.get(c) as number));

  let sorted: number[];
  const early = doFindBisection();
  if (early !== undefined) {
    sorted = [early];
  } else if (!all) {
    let best = list[0] as number;
    let bestDistance = -1;
    for (const c of list) {
      if (distance(c) > bestDistance) {
        best = c;
        bestDistance = distance(c);
      }
    }
    sorted = [best];
  } else {
    sorted = [...list].sort((a, b) => distance(b) - distance(a) || (graph.keyOf(a) < graph.keyOf(b) ? -1 : 1));
  }

  // managed_skipped: filter_skipped, then skip_away.
  let chosenList: number[] = sorted;
  const tried: number[] = [];
  if (skipped.size > 0 && skipped.has(sorted[0] as number)) {
    const filtered = sorted.filter((c) => !skipped.has(c));
    tried.push(...sorted.filter((c) => skipped.has(c)));
    const index = skipAwayIndex(filtered.length);
    let pick: number | undefined = filtered[0];
    for (let i = 0; i < filtered.length; i++) {
      if (i === index) {
        pick = filtered[i] !== bad ? filtered[i] : i > 0 ? filtered[i - 1] : filtered[0];
        break;
      }
    }
    chosenList = pick === undefined ? [] : [pick];
  }
  const ambiguous = (extra: number[]): BisectionStep => ({ kind: 'ambiguous', commits: [...new Set([...tried, ...extra])].sort((a, b) => a - b) });
  if (chosenList.length === 0) return ambiguous([]);
  const chosen = chosenList[0] as number;
  if (chosen === bad) return tried.length > 0 ? ambiguous([bad]) : { kind: 'found', commit: bad };
  return { kind: 'probe', commit: chosen };
}

// ---------------------------------------------------------------------------------------------------
// Running a whole bisection against an oracle

interface Run {
  steps: BisectionStep[];
  probes: number[];
  final: BisectionStep;
  search: DagBisection;
  goods: number[];
}

function bisect(
  graph: CommitGraph,
  bad: number,
  goods: number[],
  verdict: (commit: number) => BisectVerdict,
  options: { firstParent?: boolean; onStep?: (search: DagBisection, step: BisectionStep, goods: readonly number[], skipped: ReadonlySet<number>) => void } = {},
): Run {
  const search = new DagBisection(graph, bad, goods, { firstParent: options.firstParent ?? false });
  const knownGoods = [...goods];
  const skipped = new Set<number>();
  const steps: BisectionStep[] = [];
  const probes: number[] = [];
  for (;;) {
    const step = search.next();
    options.onStep?.(search, step, knownGoods, skipped);
    steps.push(step);
    if (step.kind !== 'probe') return { steps, probes, final: step, search, goods: knownGoods };
    probes.push(step.commit);
    const v = verdict(step.commit);
    if (v === 'good') knownGoods.push(step.commit);
    if (v === 'skip') skipped.add(step.commit);
    search.record(step.commit, v);
    if (probes.length > graph.size + 1) throw new Error('bisection does not terminate');
  }
}

// ---------------------------------------------------------------------------------------------------

describe('git arithmetic', () => {
  test('skip_away indices and sqrti match a C build of bisect.c', () => {
    // Reference values printed by bisect.c's get_prn/sqrti/skip_away arithmetic compiled with gcc -O2.
    const expected: [number, number][] = [
      [0, 0], [1, 0], [2, 0], [3, 0], [5, 1], [10, 0], [100, 23], [1000, 801], [10000, 5152], [65000, 5015], [100000, 28464],
    ];
    for (const [count, index] of expected) expect(skipAwayIndex(count)).toBe(index);
    expect(skipAwayIndex(300000)).toBeLessThan(0);
    expect([sqrti(0), sqrti(1), sqrti(2), sqrti(10), sqrti(100), sqrti(1000), sqrti(32768)]).toEqual([0, 1, 1, 3, 10, 31, 181]);
  });

  test('estimate_bisect_steps', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 1024, 1500].map(estimateBisectSteps)).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 9, 10]);
  });
});

describe('linear history', () => {
  test('sizes 1..64 take at most ceil(log2 N) probes and find every culprit', () => {
    for (let n = 1; n <= 64; n++) {
      const bound = Math.ceil(Math.log2(n));
      let worst = 0;
      for (const goodInGraph of [false, true]) {
        // With the good in the graph, it is commit 0 and the n candidates are 1..n.
        const dag = goodInGraph ? chain(n + 1) : chain(n);
        const graph = makeGraph(dag);
        const offset = goodInGraph ? 1 : 0;
        for (let culprit = offset; culprit < n + offset; culprit++) {
          const run = bisect(graph, n - 1 + offset, goodInGraph ? [0] : [], (c) => (c >= culprit ? 'bad' : 'good'));
          expect(run.final).toEqual({ kind: 'found', commit: culprit });
          expect(run.probes.length).toBeLessThanOrEqual(bound);
          worst = Math.max(worst, run.probes.length);
        }
      }
      expect(worst).toBe(bound);
    }
  });

  test('first probe, candidate count and step estimate on a chain', () => {
    const search = new DagBisection(makeGraph(chain(10)), 9, []);
    expect(search.candidateCount()).toBe(10);
    expect(search.candidates()).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(search.estimatedSteps()).toBe(estimateBisectSteps(10));
    // 10 candidates: the oldest commit reaching 5 of them is commit 4.
    expect(search.next()).toEqual({ kind: 'probe', commit: 4 });
    search.record(4, 'good');
    expect(search.candidateCount()).toBe(5);
    expect(search.bad).toBe(9);
    search.record(7, 'bad');
    expect(search.bad).toBe(7);
    expect(search.candidates()).toEqual([7, 6, 5]);
  });

  test('on large sets git accepts a commit within ~0.1% of half, the first one in its list', () => {
    // 5000 candidates: |2w - 5000| < 4 already holds for w = 2499 (git 2.39 picks the same on a real repo).
    expect(new DagBisection(makeGraph(chain(5000)), 4999, []).next()).toEqual({ kind: 'probe', commit: 2498 });
    expect(new DagBisection(makeGraph(chain(2000)), 1999, []).next()).toEqual({ kind: 'probe', commit: 999 });
  });

  test('skipped neighbours of the culprit leave an ambiguous answer', () => {
    const graph = makeGraph(chain(12));
    const run = bisect(graph, 11, [], (c) => (c === 5 || c === 6 ? 'skip' : c >= 6 ? 'bad' : 'good'));
    expect(run.final.kind).toBe('ambiguous');
    const commits = (run.final as { commits: number[] }).commits;
    expect(commits).toContain(6);
    for (const c of commits) expect(c === run.search.bad || c === 5 || c === 6).toBe(true);
  });

  test('next() is pure and returns fresh objects', () => {
    const search = new DagBisection(makeGraph(chain(20)), 19, []);
    const first = search.next();
    expect(search.next()).toEqual(first);
    (first as { commit: number }).commit = -5;
    expect(search.next()).not.toEqual(first);
  });
});

describe('invalid input', () => {
  const dag: Dag = { parents: [[], [0], [1], [1], [2, 3]], times: [1, 2, 3, 4, 5] };
  test('record throws on commits that are not candidates, and on a contradictory good', () => {
    const search = new DagBisection(makeGraph(dag), 4, [1]);
    expect(() => search.record(0, 'good')).toThrow(RangeError);
    expect(() => search.record(1, 'bad')).toThrow(RangeError);
    expect(() => search.record(17, 'skip')).toThrow(RangeError);
    expect(() => search.record(-1, 'skip')).toThrow(RangeError);
    expect(() => search.record(2.5, 'skip')).toThrow(RangeError);
    expect(() => search.record(4, 'good')).toThrow(RangeError);
    expect(() => search.record(2, 'maybe' as BisectVerdict)).toThrow(TypeError);
    search.record(2, 'good');
    expect(() => search.record(2, 'bad')).toThrow(RangeError);
    expect(search.candidates().sort()).toEqual([3, 4]);
  });
  test('constructor rejects bad ids and a bad below a good', () => {
    expect(() => new DagBisection(makeGraph(dag), 9, [])).toThrow(RangeError);
    expect(() => new DagBisection(makeGraph(dag), 4, [7])).toThrow(RangeError);
    expect(() => new DagBisection(makeGraph(dag), 1, [4])).toThrow(RangeError);
    expect(new DagBisection(makeGraph(dag), 4, [OUTSIDE]).candidateCount()).toBe(5);
  });
  test('first-parent mode walks first parents only', () => {
    const search = new DagBisection(makeGraph(dag), 4, [], { firstParent: true });
    expect(search.candidates()).toEqual([4, 2, 1, 0]);
    expect(() => search.record(3, 'good')).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------
// Random DAGs

interface Scenario {
  dag: Dag;
  culprit: number;
  bad: number;
  goods: number[];
  skips: Set<number>;
  salt: number;
}

const timeStyles = ['increasing', 'equal', 'clustered'] as const;

/** `wide` keeps most of the DAG as candidates: the newest bad commit, goods only among the oldest commits. */
function scenarioArbitrary(minCommits: number, maxCommits: number, withSkips: boolean, wide = false): fc.Arbitrary<Scenario> {
  return fc.integer({ min: minCommits, max: maxCommits }).chain((n) =>
    fc
      .record({
        shape: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat({ max: 19 }), fc.nat({ max: 3 })), { minLength: n, maxLength: n }),
        timeStyle: fc.constantFrom(...timeStyles),
        culpritSeed: fc.nat(),
        badSeed: fc.nat(),
        goodSeeds: fc.array(fc.nat(), { maxLength: 3 }),
        skipSeeds: withSkips ? fc.array(fc.nat(), { minLength: 1, maxLength: Math.max(1, Math.floor(n / 3)) }) : fc.constant([] as number[]),
        salt: fc.nat({ max: 1000 }),
      })
      .map(({ shape, timeStyle, culpritSeed, badSeed, goodSeeds, skipSeeds, salt }) => {
        const parents: number[][] = [];
        const times: number[] = [];
        shape.forEach(([a, b, c, kind, step], i) => {
          let ps: number[];
          if (i === 0) ps = kind < 4 ? [OUTSIDE] : [];
          else {
            // The first parent is a recent commit, as on a branch; merged parents come from anywhere.
            const near = i - 1 - (a % Math.min(i, 3));
            ps = kind < 12 ? [near] : kind < 18 ? [near, b % i] : [near, b % i, c % i];
          }
          ps = [...new Set(ps)];
          if (i > 0 && kind === 19) ps.push(OUTSIDE);
          parents.push(ps);
          const previous = times[i - 1] ?? 1_000_000;
          times.push(i === 0 ? previous : timeStyle === 'increasing' ? previous + 1 + step : timeStyle === 'equal' ? previous : previous + (step === 0 ? 1 : 0));
        });
        const n = parents.length;
        const culprit = culpritSeed % n;
        // Bad commits by the planted culprit: itself and its descendants (ids grow from parents to children).
        const isBad = parents.map((_, i) => i === culprit);
        parents.forEach((ps, i) => {
          if (ps.some((p) => p !== OUTSIDE && isBad[p])) isBad[i] = true;
        });
        const bads = isBad.flatMap((b, i) => (b ? [i] : []));
        const notBad = isBad.flatMap((b, i) => (b ? [] : [i]));
        const bad = wide ? (bads[bads.length - 1] as number) : (bads[badSeed % bads.length] as number);
        const goodPool = wide ? notBad.slice(0, Math.ceil(notBad.length / 20)) : notBad;
        const goods = goodPool.length === 0 ? [] : [...new Set(goodSeeds.map((s) => goodPool[s % goodPool.length] as number))];
        const skips = new Set(skipSeeds.map((s) => s % n));
        return { dag: { parents, times }, culprit, bad, goods, skips, salt };
      }),
  );
}

function oracle(scenario: Scenario, graph: CommitGraph): (commit: number) => BisectVerdict {
  return (commit) => {
    if (scenario.skips.has(commit)) return 'skip';
    return ancestors(graph, commit).has(scenario.culprit) ? 'bad' : 'good';
  };
}

function expectedAnswer(scenario: Scenario, graph: CommitGraph, firstParent: boolean): number {
  if (!firstParent) return scenario.culprit;
  let answer = scenario.bad;
  for (let x = scenario.bad; x !== OUTSIDE && x !== undefined && ancestors(graph, x).has(scenario.culprit); x = graph.parentsOf(x)[0] ?? OUTSIDE) answer = x;
  return answer;
}

function checkAnswer(run: Run, scenario: Scenario, graph: CommitGraph, firstParent: boolean): void {
  const expected = expectedAnswer(scenario, graph, firstParent);
  if (run.final.kind === 'found') {
    expect(run.final.commit).toBe(expected);
  } else if (run.final.kind === 'ambiguous') {
    expect(scenario.skips.size).toBeGreaterThan(0);
    expect(run.final.commits).toContain(expected);
    // Stopping is only right when every candidate but bad was skipped; those are exactly the answer.
    const candidates = run.search.candidates();
    for (const c of candidates) if (c !== run.search.bad) expect(scenario.skips.has(c)).toBe(true);
    expect(run.final.commits).toEqual([...new Set([...candidates.filter((c) => scenario.skips.has(c)), run.search.bad])].sort((a, b) => a - b));
  }
}

describe.each([false, true])('random DAGs (firstParent: %s)', (firstParent) => {
  test('every step is the one git makes; the answer is the planted culprit', () => {
    fc.assert(
      fc.property(scenarioArbitrary(1, 40, false), (scenario) => {
        const graph = makeGraph(scenario.dag, scenario.salt);
        const run = bisect(graph, scenario.bad, scenario.goods, oracle(scenario, graph), {
          firstParent,
          onStep: (search, step, goods, skipped) => {
            expect(step).toEqual(gitReference(graph, search.bad, goods, skipped, firstParent));
            const brute = bruteCandidates(graph, search.bad, goods, firstParent);
            expect(new Set(search.candidates())).toEqual(brute);
            expect(search.candidateCount()).toBe(brute.size);
            if (step.kind === 'probe') {
              // Without skips, the probe is within git's tolerance of the best split.
              const weights = bruteWeights(graph, brute, firstParent);
              const nr = brute.size;
              const score = (c: number): number => Math.min(weights.get(c) as number, nr - (weights.get(c) as number));
              const best = Math.max(...[...brute].map(score));
              expect(score(step.commit)).toBeGreaterThanOrEqual(best - Math.trunc(nr / 1024) - 1);
            }
          },
        });
        expect(run.final.kind).toBe('found');
        checkAnswer(run, scenario, graph, firstParent);
      }),
      { numRuns: 300 },
    );
  });

  test('with skips, every step is still git\'s, and an ambiguous answer holds the culprit', () => {
    fc.assert(
      fc.property(scenarioArbitrary(1, 40, true), (scenario) => {
        const graph = makeGraph(scenario.dag, scenario.salt);
        const run = bisect(graph, scenario.bad, scenario.goods, oracle(scenario, graph), {
          firstParent,
          onStep: (search, step, goods, skipped) => {
            expect(step).toEqual(gitReference(graph, search.bad, goods, skipped, firstParent));
          },
        });
        checkAnswer(run, scenario, graph, firstParent);
      }),
      { numRuns: 300 },
    );
  });
});

describe('larger random DAGs', () => {
  test('thousands of candidates: git\'s ~0.1% tolerance, skips and merges of merges', () => {
    fc.assert(
      fc.property(scenarioArbitrary(1100, 2500, true, true), fc.boolean(), (generated, useSkips) => {
        const scenario = useSkips ? generated : { ...generated, skips: new Set<number>() };
        const graph = makeGraph(scenario.dag, scenario.salt);
        const run = bisect(graph, scenario.bad, scenario.goods, oracle(scenario, graph), {
          onStep: (search, step, goods, skipped) => {
            expect(step).toEqual(gitReference(graph, search.bad, goods, skipped, false));
          },
        });
        checkAnswer(run, scenario, graph, false);
      }),
      // Shrinking thousand-commit graphs takes minutes; the first counterexample is enough.
      { numRuns: 8, endOnFailure: true },
    );
  });
});
