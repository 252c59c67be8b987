// The strategy driver against fake probes with seeded random durations under fake timers (so every seed replays
// exactly): the right answer, one probe per worker, no commit twice at once, nothing left running; with one
// worker it asks exactly what the stepwise strategy asks on its own.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { drive, type Track } from '../../src/hunt/strategy-driver.js';
import type { HuntProbe, Phase } from '../../src/hunt/hunt-types.js';
import type { BisectVerdict, FinalStep } from '../../src/search/bisection-step.js';
import { DagBisection } from '../../src/search/dag-bisection.js';
import { ParallelBisection } from '../../src/search/parallel-bisection.js';
import { ProbeList } from '../../src/search/probe-list.js';
import { StepwiseStrategy } from '../../src/search/stepwise-strategy.js';
import { ancestors, chain, makeGraph, type Dag } from '../fixtures/graphs.js';
import { seededRandom } from '../fixtures/random-history.js';

/** A history with merges: every commit has its predecessor as first parent, some a second, older parent. */
function mergeHeavy(random: () => number, size: number): Dag {
  const parents = Array.from({ length: size }, (_, i) => (i === 0 ? [] : random() < 0.2 && i > 2 ? [i - 1, Math.floor(random() * (i - 1))] : [i - 1]));
  return { parents, times: parents.map((_, i) => 1000 + i) };
}

function record(commit: string, phase: Phase, verdict: 'good' | 'bad'): HuntProbe {
  return {
    id: 0, huntId: 0, step: 0, phase, source: 'run', cachedFrom: null, commit, configuration: null, tree: '', recipeKey: '', subject: '',
    outcome: verdict === 'good' ? { kind: 'passed' } : { kind: 'failed', exitCode: 1 },
    verdict, searchVerdict: verdict, exitCode: verdict === 'good' ? 0 : 1, signal: null, seconds: 0.01, logPath: '', outputTail: '',
    startedAt: '', endedAt: '',
  };
}

/** Runs `promise` to its end, advancing fake time a millisecond at a time. */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.finally(() => (done = true));
  watched.catch(() => undefined);
  for (let tick = 0; !done && tick < 1_000_000; tick++) await vi.advanceTimersByTimeAsync(1);
  return watched;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function hunt(seed: number): Promise<string[]> {
  const random = seededRandom(seed);
  const length = 20 + Math.floor(random() * 150);
  const culprit = 1 + Math.floor(random() * (length - 1));
  const graph = makeGraph(chain(length));
  const search = new ParallelBisection(graph, length - 1, [0]);
  const workers = 2 + Math.floor(random() * 5);
  const finishesAnyway = random() * 0.5;
  const problems: string[] = [];
  const busy = new Map<number, string>();
  let live = 0;
  const fake = (commit: string, phase: Phase, slot: number, signal: AbortSignal): Promise<HuntProbe> =>
    new Promise((resolve, reject) => {
      if (busy.has(slot)) problems.push(`worker ${slot} given two probes`);
      if (slot >= workers) problems.push(`worker ${slot} does not exist`);
      if (phase === 'bisect' && [...busy.values()].includes(commit)) problems.push(`commit ${graph.idOf(commit)} probed twice at once`);
      busy.set(slot, commit);
      live += 1;
      const end = (): void => {
        busy.delete(slot);
        live -= 1;
      };
      const id = graph.idOf(commit) as number;
      const verdict = phase === 'verify' ? (id === 0 ? 'good' : 'bad') : id >= culprit ? 'bad' : 'good';
      const timer = setTimeout(() => {
        end();
        if (phase === 'bisect' && !signal.aborted && !search.isCandidate(id)) problems.push(`probe of ${id} ran to its end after it stopped mattering`);
        resolve(record(commit, phase, verdict));
      }, 1 + Math.floor(random() * 15));
      signal.addEventListener(
        'abort',
        () => {
          if (random() < finishesAnyway) return;
          clearTimeout(timer);
          setTimeout(() => {
            end();
            reject(new InterruptedError('cancelled'));
          }, Math.floor(random() * 10));
        },
        { once: true },
      );
    });
  const main: Track<number, BisectVerdict, FinalStep> = {
    strategy: search,
    probe: (id, slot, signal) => fake(graph.keyOf(id), 'bisect', slot, signal),
    judge: (_id, probe) => probe.searchVerdict as BisectVerdict,
  };
  const endpoints: Track<string, HuntProbe, unknown> = {
    strategy: new ProbeList<string, HuntProbe>([graph.keyOf(0), graph.keyOf(length - 1)]),
    probe: (commit, slot, signal) => fake(commit, 'verify', slot, signal),
    judge: (_commit, probe) => probe,
  };
  const outcome = await settle(drive(main, { slots: workers, freshMs: () => 3 + random() * 8, ...(random() < 0.5 ? { alongside: [endpoints] } : {}) }));
  const final = outcome.result;
  if (final.kind !== 'found' || final.commit !== culprit) problems.push(`answer ${JSON.stringify(final)}, culprit ${culprit}`);
  if (live !== 0) problems.push(`${live} probes still running after the search returned`);
  return problems.map((problem) => `seed ${seed} (${length} commits, ${workers} workers): ${problem}`);
}

describe('the strategy driver', () => {
  it('finds the culprit with racing verdicts, slow cancels and cancelled probes that finish anyway', async () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= 60; seed++) problems.push(...(await hunt(seed)));
    expect(problems).toEqual([]);
  }, 60_000);

  it('replays a seed exactly: same probes in the same order', async () => {
    const starts = async (seed: number): Promise<number[]> => {
      const random = seededRandom(seed);
      const graph = makeGraph(chain(200));
      const started: number[] = [];
      await settle(
        drive(
          {
            strategy: new ParallelBisection(graph, 199, [0]),
            probe: (id) => new Promise((resolve) => setTimeout(() => resolve(record(graph.keyOf(id), 'bisect', id >= 77 ? 'bad' : 'good')), 1 + Math.floor(random() * 20))),
            judge: (_id, probe) => probe.searchVerdict as BisectVerdict,
            started: (_slot, id) => started.push(id),
          },
          { slots: 3, freshMs: () => 5 },
        ),
      );
      return started;
    };
    const first = await starts(7);
    expect(first.length).toBeGreaterThan(3);
    expect(await starts(7)).toEqual(first);
  });

  it('with one worker asks exactly what the stepwise bisection asks on its own', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const dag = mergeHeavy(random, 30 + Math.floor(random() * 120));
      const graph = makeGraph(dag);
      const bad = dag.parents.length - 1;
      const culprit = 1 + Math.floor(random() * (dag.parents.length - 1));
      const isBad = (id: number): boolean => ancestors(graph, id).has(culprit);
      if (!isBad(bad)) continue;
      const alone: number[] = [];
      const direct = new DagBisection(graph, bad, [0]);
      for (let step = direct.next(); step.kind === 'probe'; step = direct.next()) {
        alone.push(step.commit);
        direct.record(step.commit, isBad(step.commit) ? 'bad' : 'good');
      }
      const driven: number[] = [];
      const bisection = new DagBisection(graph, bad, [0]);
      const strategy = new StepwiseStrategy<number, BisectVerdict, FinalStep>({
        next: () => {
          const step = bisection.next();
          return step.kind === 'probe' ? { kind: 'probe', candidate: step.commit } : { kind: 'done', result: step };
        },
        record: (commit, verdict) => bisection.record(commit, verdict),
      });
      const outcome = await settle(
        drive(
          {
            strategy,
            probe: (id) => {
              driven.push(id);
              return new Promise((resolve) => setTimeout(() => resolve(record(graph.keyOf(id), 'bisect', isBad(id) ? 'bad' : 'good')), 2));
            },
            judge: (_id, probe) => probe.searchVerdict as BisectVerdict,
          },
          { slots: 1, freshMs: () => 1 },
        ),
      );
      expect(driven, `seed ${seed}`).toEqual(alone);
      expect(outcome.rounds).toBe(alone.length);
    }
  });

  it('stops every probe before it rethrows a failure', async () => {
    const graph = makeGraph(chain(100));
    let live = 0;
    const failing = drive(
      {
        strategy: new ParallelBisection(graph, 99, [0]),
        probe: (id, _slot, signal) =>
          new Promise<HuntProbe>((resolve, reject) => {
            live += 1;
            const timer = setTimeout(() => {
              live -= 1;
              resolve(record(graph.keyOf(id), 'bisect', id >= 40 ? 'bad' : 'good'));
            }, id < 40 ? 5 : 50);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              setTimeout(() => {
                live -= 1;
                reject(new InterruptedError('cancelled'));
              }, 20);
            });
          }),
        judge: (_id, probe) => {
          throw new Error(`crashed at ${probe.commit.slice(0, 8)}`);
        },
      },
      { slots: 3, freshMs: () => 1 },
    );
    await expect(settle(failing)).rejects.toThrow(/crashed at/);
    expect(live).toBe(0);
  });

  it('gives the tracks alongside their workers first and waits for them before it returns', async () => {
    const graph = makeGraph(chain(50));
    const order: string[] = [];
    const endpoints: Track<string, HuntProbe, unknown> = {
      strategy: new ProbeList<string, HuntProbe>(['good', 'bad']),
      probe: (commit) => new Promise((resolve) => setTimeout(() => resolve(record(commit, 'verify', commit === 'good' ? 'good' : 'bad')), 30)),
      judge: (commit, probe) => {
        order.push(`endpoint ${commit}`);
        return probe;
      },
      started: (slot, commit) => order.push(`start ${commit} on ${slot}`),
    };
    const outcome = await settle(
      drive(
        {
          strategy: new ParallelBisection(graph, 49, [0]),
          probe: (id) => new Promise((resolve) => setTimeout(() => resolve(record(graph.keyOf(id), 'bisect', id >= 10 ? 'bad' : 'good')), 1)),
          judge: (_id, probe) => probe.searchVerdict as BisectVerdict,
        },
        { slots: 3, freshMs: () => 1, alongside: [endpoints] },
      ),
    );
    expect(order.slice(0, 2)).toEqual(['start good on 0', 'start bad on 1']);
    expect(order).toContain('endpoint good');
    expect(order).toContain('endpoint bad');
    expect(outcome.result).toEqual({ kind: 'found', commit: 10 });
  });
});

describe('the strategy driver, when things go wrong', () => {
  it('fails (does not wait forever) when a probe throws before it returns a promise', async () => {
    const graph = makeGraph(chain(20));
    const outcome = drive(
      {
        strategy: new ParallelBisection(graph, 19, [0]),
        probe: (id) => {
          if (id % 2 === 0) throw new Error(`cannot materialize ${id}`);
          return new Promise((resolve) => setTimeout(() => resolve(record(graph.keyOf(id), 'bisect', 'bad')), 5));
        },
        judge: (_id, probe) => probe.searchVerdict as BisectVerdict,
      },
      { slots: 3, freshMs: () => 1 },
    );
    await expect(settle(outcome)).rejects.toThrow(/cannot materialize/);
  });

  it('cancels what is still running of a strategy once it is done, whether or not the strategy asked', async () => {
    let cancelled = 0;
    let answered = false;
    const outcome = await settle(
      drive<string, HuntProbe, string>(
        {
          // Done after the first answer, saying nothing of the second probe still running.
          strategy: {
            plan: (_capacity, inFlight) => {
              if (answered) return { start: [], cancel: [], done: 'finished' };
              return inFlight.length === 0 ? { start: ['fast', 'slow'], cancel: [] } : { start: [], cancel: [] };
            },
            wants: () => true,
            record: () => (answered = true),
            keyOf: (candidate) => candidate,
          },
          probe: (candidate, _slot, signal) =>
            new Promise<HuntProbe>((resolve, reject) => {
              const timer = setTimeout(() => resolve(record(candidate, 'bisect', 'bad')), candidate === 'fast' ? 1 : 10_000);
              signal.addEventListener('abort', () => {
                clearTimeout(timer);
                cancelled += 1;
                reject(new InterruptedError('cancelled'));
              });
            }),
          judge: (_candidate, probe) => probe,
        },
        { slots: 2, freshMs: () => 1 },
      ),
    );
    expect(outcome.result).toBe('finished');
    expect(cancelled).toBe(1);
  });
});
