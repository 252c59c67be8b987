// HgBisection against brute force and against a literal transcription of Mercurial's hbisect.bisect.
// The transcription is slow and plain on purpose, so the fast ancestor counting is checked step by step.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CommitGraph, OUTSIDE } from '../../src/search/commit-graph.js';
import type { BisectionStep, BisectVerdict } from '../../src/search/dag-bisection.js';
import { HgBisection, estimateHgTests } from '../../src/search/hg-bisection.js';

// ---------------------------------------------------------------------------------------------------
// Graph helpers: a DAG is a parent list per revision, parents before children, as in hg.

type Dag = number[][];

function keyFor(rev: number): string {
  return rev.toString(16).padStart(40, '0');
}

/** The graph as the hg adapter builds it: time is the revision number, ids in revision order. */
function makeGraph(dag: Dag): CommitGraph {
  return CommitGraph.fromRecords(dag.map((parents, rev) => ({ key: keyFor(rev), time: rev, parents: parents.map(keyFor) })));
}

/** Only the revisions in `keep` (still in revision order); parents outside become OUTSIDE. */
function subGraph(dag: Dag, keep: Set<number>): { graph: CommitGraph; idOf: Map<number, number>; revOf: number[] } {
  const revOf = [...keep].sort((a, b) => a - b);
  const graph = CommitGraph.fromRecords(
    revOf.map((rev) => ({ key: keyFor(rev), time: rev, parents: (dag[rev] as number[]).map((p) => (keep.has(p) ? keyFor(p) : `outside-${p}`)) })),
  );
  return { graph, idOf: new Map(revOf.map((rev, id) => [rev, id])), revOf };
}

function chain(length: number): Dag {
  return Array.from({ length }, (_, i) => (i === 0 ? [] : [i - 1]));
}

function ancestors(dag: Dag, revs: Iterable<number>): Set<number> {
  const seen = new Set<number>();
  const stack = [...revs];
  while (stack.length > 0) {
    const x = stack.pop() as number;
    if (seen.has(x)) continue;
    seen.add(x);
    stack.push(...(dag[x] as number[]));
  }
  return seen;
}

function descendants(dag: Dag, revs: Iterable<number>): Set<number> {
  const result = new Set(revs);
  dag.forEach((parents, rev) => {
    if (parents.some((p) => result.has(p))) result.add(rev);
  });
  return result;
}

// ---------------------------------------------------------------------------------------------------
// hbisect.bisect (Mercurial 6.3), transcribed line by line: ancestor lists, set unions, poison and all.

const NULL_REV = -1;

interface HgState {
  good: number[];
  bad: number[];
  skip: number[];
}

type HgResult = { nodes: number[]; tot: number; candidates: number[] };

function hgBisect(dag: Dag, state: HgState): HgResult {
  const skip = new Set(state.skip);
  const badrev = Math.min(...state.bad);
  // repo.revs("(%ln::%d) - (::%ln)", good, badrev, good), where -1 is the null revision: every revision
  // descends from it, and its only ancestor is itself.
  const realGoods = state.good.filter((rev) => rev !== NULL_REV);
  const fromGood = state.good.includes(NULL_REV) ? new Set(dag.map((_, rev) => rev)) : descendants(dag, realGoods);
  const aboveGood = ancestors(dag, realGoods);
  const ancestorLists = new Map<number, number[] | null>();
  for (const rev of ancestors(dag, [badrev])) if (fromGood.has(rev) && !aboveGood.has(rev)) ancestorLists.set(rev, []);
  if (!ancestorLists.has(badrev)) throw new Error('hg would search for the first good revision');

  const children = new Map<number, number[]>();
  const visit = [badrev];
  const candidates: number[] = [];
  while (visit.length > 0) {
    const rev = visit.shift() as number;
    const list = ancestorLists.get(rev);
    if (list !== undefined && list !== null && list.length === 0) {
      candidates.push(rev);
      for (const prev of dag[rev] as number[]) {
        const existing = children.get(prev);
        if (existing) {
          existing.push(rev);
        } else {
          children.set(prev, [rev]);
          visit.push(prev);
        }
      }
    }
  }
  candidates.sort((a, b) => a - b);
  const tot = candidates.length;
  const unskipped = candidates.filter((c) => !skip.has(c) && c !== badrev);
  if (tot === 1 || unskipped.length === 0) return { nodes: candidates, tot: 0, candidates };
  const perfect = Math.floor(tot / 2);

  let bestRev: number | undefined;
  let bestLen = -1;
  const poison = new Set<number>();
  for (const rev of candidates) {
    if (poison.has(rev)) {
      for (const c of children.get(rev) ?? []) poison.add(c);
      continue;
    }
    const stored = ancestorLists.get(rev);
    const a = stored !== undefined && stored !== null && stored.length > 0 ? stored : [rev];
    ancestorLists.set(rev, null);
    const x = a.length;
    const y = tot - x;
    const value = Math.min(x, y);
    if (value > bestLen && !skip.has(rev)) {
      bestLen = value;
      bestRev = rev;
      if (value === perfect) break;
    }
    if (y < perfect && !skip.has(rev)) {
      for (const c of children.get(rev) ?? []) poison.add(c);
      continue;
    }
    const unvisited: number[] = [];
    for (const c of children.get(rev) ?? []) {
      const list = ancestorLists.get(c);
      // Python's truthiness: an empty list (not yet reached) is false.
      if (list && list.length > 0) ancestorLists.set(c, [...new Set([...list, ...a])]);
      else unvisited.push(c);
    }
    if (unvisited.length > 0) {
      const first = unvisited.shift() as number;
      for (const c of unvisited) ancestorLists.set(c, [...a, c]);
      a.push(first);
      ancestorLists.set(first, a);
    }
  }
  if (bestRev === undefined) throw new Error('no best revision');
  return { nodes: [bestRev], tot, candidates };
}

function hgStep(result: HgResult): BisectionStep {
  if (result.tot > 0) return { kind: 'probe', commit: result.nodes[0] as number };
  if (result.nodes.length === 1) return { kind: 'found', commit: result.nodes[0] as number };
  return { kind: 'ambiguous', commits: [...result.nodes].sort((a, b) => a - b) };
}

// ---------------------------------------------------------------------------------------------------
// Scenarios

/** A random DAG in revision order: mostly forks and merges of recent revisions, a few extra roots. */
const dagArbitrary = (maxSize: number): fc.Arbitrary<Dag> =>
  fc
    .array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true })), {
      minLength: 1,
      maxLength: maxSize - 1,
    })
    .map((entries) => {
      const dag: Dag = [[]];
      entries.forEach(([shape, a, b, mergeRoll], index) => {
        const rev = index + 1;
        if (shape < 0.04) {
          dag.push([]);
          return;
        }
        // Near the tip most of the time, so branches are short and many merges meet.
        const window = Math.min(rev, shape < 0.5 ? 1 : 8);
        const p1 = rev - 1 - (a % window);
        if (mergeRoll < 0.35 && rev >= 2) {
          let p2 = b % rev;
          if (p2 === p1) p2 = (p2 + 1) % rev;
          dag.push([p1, p2]);
        } else {
          dag.push([p1]);
        }
      });
      return dag;
    });

interface Scenario {
  dag: Dag;
  culprit: number;
  bad: number;
  goods: number[];
  skips: Set<number>;
}

/**
 * A planted culprit C inside hg's candidate set: bad descends from C, goods are revisions that do not
 * descend from C, one of them an ancestor of C unless there are no goods at all.
 */
const scenarioArbitrary = (maxSize: number, skipRate: number): fc.Arbitrary<Scenario> =>
  dagArbitrary(maxSize).chain((dag) =>
    fc
      .record({
        culprit: fc.nat(dag.length - 1),
        badPick: fc.nat(),
        anchorPick: fc.nat(),
        extraGoods: fc.array(fc.nat(), { maxLength: 3 }),
        noGoods: fc.double({ min: 0, max: 1, noNaN: true }),
        skipRolls: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: dag.length, maxLength: dag.length }),
      })
      .map(({ culprit, badPick, anchorPick, extraGoods, noGoods, skipRolls }) => {
        const isBad = descendants(dag, [culprit]);
        const badPool = [...isBad].sort((a, b) => a - b);
        const bad = badPool[badPick % badPool.length] as number;
        const aboveCulprit = [...ancestors(dag, [culprit])].filter((rev) => rev !== culprit);
        const goodPool = dag.map((_, rev) => rev).filter((rev) => !isBad.has(rev));
        const goods: number[] = [];
        if (aboveCulprit.length > 0 && noGoods > 0.1) {
          goods.push(aboveCulprit[anchorPick % aboveCulprit.length] as number);
          for (const pick of extraGoods) if (goodPool.length > 0) goods.push(goodPool[pick % goodPool.length] as number);
        }
        const skips = new Set<number>();
        skipRolls.forEach((roll, rev) => {
          if (roll < skipRate && rev !== bad) skips.add(rev);
        });
        return { dag, culprit, bad, goods: [...new Set(goods)], skips };
      }),
  );

interface RunResult {
  probes: number[];
  final: BisectionStep;
  finalBad: number;
}

/** Runs a bisection to its end with the planted-culprit oracle, checking each step against hbisect. */
function runAgainstHg(scenario: Scenario, check = true): RunResult {
  const { dag, culprit, bad, goods, skips } = scenario;
  const graph = makeGraph(dag);
  const bisection = new HgBisection(graph, bad, goods);
  const isBad = descendants(dag, [culprit]);
  // HgBisection without goods stands for `hg bisect --good null`, and null stays good from then on.
  const state: HgState = { good: goods.length === 0 ? [NULL_REV] : [...goods], bad: [bad], skip: [] };
  const probes: number[] = [];
  for (let guard = 0; guard <= dag.length; guard++) {
    const step = bisection.next();
    if (check) {
      const expected = hgBisect(dag, state);
      expect(step).toEqual(hgStep(expected));
      expect(bisection.candidates()).toEqual(expected.candidates);
      expect(bisection.candidateCount()).toBe(expected.candidates.length);
      expect(bisection.estimatedSteps()).toBe(expected.tot === 0 ? 0 : estimateHgTests(expected.tot));
      expect(bisection.bad).toBe(Math.min(...state.bad));
    }
    if (step.kind !== 'probe') return { probes, final: step, finalBad: bisection.bad };
    const commit = step.commit;
    probes.push(commit);
    const verdict: BisectVerdict = skips.has(commit) ? 'skip' : isBad.has(commit) ? 'bad' : 'good';
    bisection.record(commit, verdict);
    state[verdict === 'skip' ? 'skip' : verdict].push(commit);
  }
  throw new Error('bisection did not end');
}

// ---------------------------------------------------------------------------------------------------

describe('HgBisection on linear history', () => {
  test('every culprit in chains of up to 65 revisions is found in at most ceil(log2 N) probes, and the worst case needs exactly that', () => {
    for (let n = 1; n <= 64; n++) {
      // Revision 0 is good, revision n bad: n candidates, bad included.
      const dag = chain(n + 1);
      let worst = 0;
      for (let culprit = 1; culprit <= n; culprit++) {
        const { probes, final } = runAgainstHg({ dag, culprit, bad: n, goods: [0], skips: new Set() }, n <= 16);
        expect(final).toEqual({ kind: 'found', commit: culprit });
        worst = Math.max(worst, probes.length);
      }
      expect(worst).toBe(Math.ceil(Math.log2(n)));
    }
  });

  test('probes the lower middle first, as hg does: 2 of 1..4, then 4 of 4..8', () => {
    const bisection = new HgBisection(makeGraph(chain(9)), 8, [0]);
    expect(bisection.candidates()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(bisection.next()).toEqual({ kind: 'probe', commit: 4 });
    expect(bisection.estimatedSteps()).toBe(3);
    bisection.record(4, 'good');
    expect(bisection.next()).toEqual({ kind: 'probe', commit: 6 });
    expect(bisection.estimatedSteps()).toBe(2);
  });

  test('skips are never chosen, and a fully skipped range ends ambiguous with bad', () => {
    const bisection = new HgBisection(makeGraph(chain(6)), 5, [0]);
    const seen: number[] = [];
    for (;;) {
      const step = bisection.next();
      if (step.kind !== 'probe') {
        expect(step).toEqual({ kind: 'ambiguous', commits: [1, 2, 3, 4, 5] });
        break;
      }
      expect(seen).not.toContain(step.commit);
      seen.push(step.commit);
      bisection.record(step.commit, 'skip');
    }
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    expect(bisection.estimatedSteps()).toBe(0);
  });

  test('no goods behaves like `hg bisect --good null`: every ancestor of bad is a candidate', () => {
    const bisection = new HgBisection(makeGraph(chain(4)), 3, []);
    expect(bisection.candidates()).toEqual([0, 1, 2, 3]);
    expect(bisection.next()).toEqual({ kind: 'probe', commit: 1 });
  });
});

describe('HgBisection on DAGs', () => {
  test('a merge that brings in two branches is counted with both', () => {
    //   0 - 1 - 2 - 5(merge 2,4) - 6
    //    \- 3 - 4 -/
    const dag: Dag = [[], [0], [1], [0], [3], [2, 4], [5]];
    const bisection = new HgBisection(makeGraph(dag), 6, [0]);
    expect(bisection.candidates()).toEqual([1, 2, 3, 4, 5, 6]);
    // x: 1→1, 2→2, 3→1, 4→2, 5→5, 6→6; tot 6, perfect 3, none reaches it: first best value 2 is revision 2.
    expect(bisection.next()).toEqual({ kind: 'probe', commit: 2 });
  });

  test('commits that reach bad without descending from a good are not candidates (unlike git)', () => {
    // 0 - 1 - 2 - 4(merge 2,3) - 5;  3 is a second root merged in at 4.
    const dag: Dag = [[], [0], [1], [], [2, 3], [4]];
    const bisection = new HgBisection(makeGraph(dag), 5, [1]);
    expect(bisection.candidates()).toEqual([2, 4, 5]);
  });

  test('every step matches hbisect.bisect, and the planted culprit is found (no skips)', () => {
    fc.assert(
      fc.property(scenarioArbitrary(40, 0), (scenario) => {
        const { final } = runAgainstHg(scenario);
        expect(final).toEqual({ kind: 'found', commit: scenario.culprit });
      }),
      { numRuns: 400 },
    );
  });

  test('every step matches hbisect.bisect with skips; the answer is the culprit or an ambiguous set of skips and bad holding it', () => {
    fc.assert(
      fc.property(scenarioArbitrary(40, 0.3), (scenario) => {
        const { final, finalBad } = runAgainstHg(scenario);
        if (final.kind === 'found') {
          expect(final.commit).toBe(scenario.culprit);
        } else {
          expect(final.kind).toBe('ambiguous');
          if (final.kind !== 'ambiguous') return;
          expect(final.commits).toContain(scenario.culprit);
          for (const commit of final.commits) expect(scenario.skips.has(commit) || commit === finalBad).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('with any culprit above bad, even on a branch hg ignores, the answer is bad and its candidate parents are good', () => {
    fc.assert(
      fc.property(dagArbitrary(40), fc.nat(), fc.nat(), (dag, culpritPick, goodPick) => {
        const bad = dag.length - 1;
        const culprit = culpritPick % dag.length;
        const isBad = descendants(dag, [culprit]);
        if (!isBad.has(bad)) return;
        const goodPool = [...ancestors(dag, [bad])].filter((rev) => !isBad.has(rev)).sort((a, b) => a - b);
        if (goodPool.length === 0) return;
        const good = goodPool[goodPick % goodPool.length] as number;
        const initial = new Set(new HgBisection(makeGraph(dag), bad, [good]).candidates());
        const { final } = runAgainstHg({ dag, culprit, bad, goods: [good], skips: new Set() });
        expect(final.kind).toBe('found');
        if (final.kind !== 'found') return;
        expect(isBad.has(final.commit)).toBe(true);
        for (const parent of dag[final.commit] as number[]) if (initial.has(parent)) expect(isBad.has(parent)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  test('the region GOODS::BAD + GOODS::GOODS gives the same steps as the whole history', () => {
    fc.assert(
      fc.property(scenarioArbitrary(40, 0.2), (scenario) => {
        const { dag, bad, goods, culprit, skips } = scenario;
        if (goods.length === 0) return;
        const fromGood = descendants(dag, goods);
        const region = new Set<number>(goods);
        for (const rev of fromGood) if (ancestors(dag, [bad]).has(rev) || ancestors(dag, goods).has(rev)) region.add(rev);
        const { graph, idOf, revOf } = subGraph(dag, region);
        const partial = new HgBisection(graph, idOf.get(bad) as number, goods.map((g) => idOf.get(g) as number));
        const full = new HgBisection(makeGraph(dag), bad, goods);
        const isBad = descendants(dag, [culprit]);
        const toRev = (step: BisectionStep): BisectionStep =>
          step.kind === 'ambiguous' ? { kind: 'ambiguous', commits: step.commits.map((id) => revOf[id] as number) } : { ...step, commit: revOf[step.commit] as number };
        for (;;) {
          const step = full.next();
          expect(toRev(partial.next())).toEqual(step);
          expect(partial.candidates().map((id) => revOf[id])).toEqual(full.candidates());
          if (step.kind !== 'probe') break;
          const verdict: BisectVerdict = skips.has(step.commit) ? 'skip' : isBad.has(step.commit) ? 'bad' : 'good';
          full.record(step.commit, verdict);
          partial.record(idOf.get(step.commit) as number, verdict);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('HgBisection input checks', () => {
  const dag: Dag = [[], [0], [1], [2], [1]];

  test('record rejects non-candidates, good on bad, bad ids and unknown verdicts', () => {
    const bisection = new HgBisection(makeGraph(dag), 3, [1]);
    expect(() => bisection.record(0, 'good')).toThrow(RangeError);
    expect(() => bisection.record(4, 'bad')).toThrow(RangeError);
    expect(() => bisection.record(3, 'good')).toThrow(RangeError);
    expect(() => bisection.record(17, 'bad')).toThrow(RangeError);
    expect(() => bisection.record(1.5, 'bad')).toThrow(RangeError);
    expect(() => bisection.record(2, 'maybe' as BisectVerdict)).toThrow(TypeError);
    bisection.record(2, 'good');
    expect(() => bisection.record(2, 'bad')).toThrow(RangeError);
    expect(bisection.next()).toEqual({ kind: 'found', commit: 3 });
  });

  test('a bad that does not descend from a good, or is an ancestor of one, is refused (hg would look for the first good)', () => {
    expect(() => new HgBisection(makeGraph(dag), 1, [3])).toThrow(/first good/);
    expect(() => new HgBisection(makeGraph(dag), 4, [3])).toThrow(/first good/);
    expect(() => new HgBisection(makeGraph(dag), 3, [3])).toThrow(/first good/);
  });

  test('goods and bad must be in the graph, and parents must precede children in revision order', () => {
    expect(() => new HgBisection(makeGraph(dag), 3, [OUTSIDE])).toThrow(RangeError);
    expect(() => new HgBisection(makeGraph(dag), 9, [0])).toThrow(RangeError);
    const reversed = CommitGraph.fromRecords([
      { key: 'a', time: 1, parents: [] },
      { key: 'b', time: 0, parents: ['a'] },
    ]);
    expect(() => new HgBisection(reversed, 1, [0])).toThrow(/revision order/);
  });

  test('next() hands out copies', () => {
    const bisection = new HgBisection(makeGraph(chain(5)), 4, [0]);
    bisection.record(2, 'skip');
    bisection.record(1, 'skip');
    bisection.record(3, 'skip');
    const step = bisection.next();
    expect(step).toEqual({ kind: 'ambiguous', commits: [1, 2, 3, 4] });
    if (step.kind === 'ambiguous') step.commits.push(99);
    expect(bisection.next()).toEqual({ kind: 'ambiguous', commits: [1, 2, 3, 4] });
  });
});

// No timing threshold (on a shared machine timings are noise); the file's test timeout still stops a bisection gone quadratic.
describe('HgBisection on a large history', () => {
  test('a 100,000-changeset history with merges bisects in few probes', () => {
    const size = 100_000;
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const dag: Dag = [[]];
    for (let rev = 1; rev < size; rev++) {
      const p1 = rev - 1 - (random() < 0.7 ? 0 : Math.floor(random() * Math.min(rev, 50)));
      if (random() < 0.1 && rev > 2) {
        let p2 = rev - 1 - Math.floor(random() * Math.min(rev, random() < 0.9 ? 200 : 20_000));
        if (p2 === p1) p2 = p1 === 0 ? 1 : p1 - 1;
        dag.push([p1, p2]);
      } else {
        dag.push([p1]);
      }
    }
    const culprit = 61_803;
    const isBad = descendants(dag, [culprit]);
    const bisection = new HgBisection(makeGraph(dag), size - 1, [0]);
    let probes = 0;
    let step = bisection.next();
    while (step.kind === 'probe') {
      probes++;
      bisection.record(step.commit, isBad.has(step.commit) ? 'bad' : 'good');
      step = bisection.next();
    }
    expect(step).toEqual({ kind: 'found', commit: culprit });
    expect(probes).toBeLessThan(40);
  });
});
