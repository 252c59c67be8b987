// The parallel driver against fake probes with random durations, where a cancelled probe sometimes finishes anyway
// or takes a while to die: the right answer, one probe per workspace, no commit twice at once, nothing left running.
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import type { HuntProbe, Phase } from '../../src/hunt/hunt-types.js';
import { parallelSearch } from '../../src/hunt/parallel-search.js';
import type { Workspace } from '../../src/probe/workspace.js';
import { ParallelBisection } from '../../src/search/parallel-bisection.js';
import { chain, makeGraph } from '../fixtures/graphs.js';
import { seededRandom } from '../fixtures/random-history.js';

function workspace(index: number): Workspace {
  return { directory: `w${index}`, checkout: async () => undefined, environment: () => ({}), release: () => undefined };
}

function record(commit: string, phase: Phase, verdict: 'good' | 'bad'): HuntProbe {
  return {
    commit,
    phase,
    source: 'run',
    step: 0,
    subject: '',
    outcome: { kind: verdict === 'good' ? 'passed' : 'failed', exitCode: verdict === 'good' ? 0 : 1 } as HuntProbe['outcome'],
    verdict,
    searchVerdict: verdict,
    exitCode: verdict === 'good' ? 0 : 1,
    signal: null,
    seconds: 0.01,
    logPath: '',
    outputTail: '',
  };
}

async function hunt(seed: number): Promise<string[]> {
  const random = seededRandom(seed);
  const length = 20 + Math.floor(random() * 150);
  const culprit = 1 + Math.floor(random() * (length - 1));
  const graph = makeGraph(chain(length));
  const search = new ParallelBisection(graph, length - 1, [0]);
  const workers = 2 + Math.floor(random() * 5);
  const finishesAnyway = random() * 0.5;
  const problems: string[] = [];
  const busy = new Map<string, string>();
  let live = 0;
  const probe = (commit: string, phase: Phase, worker: Workspace, signal: AbortSignal): Promise<HuntProbe> =>
    new Promise((resolve, reject) => {
      if (busy.has(worker.directory)) problems.push(`workspace ${worker.directory} given two probes`);
      if (phase === 'bisect' && [...busy.values()].includes(commit)) problems.push(`commit ${graph.idOf(commit)} probed twice at once`);
      busy.set(worker.directory, commit);
      live += 1;
      const end = (): void => {
        busy.delete(worker.directory);
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
  const outcome = await parallelSearch({
    search,
    workspaces: Array.from({ length: workers }, (_, index) => workspace(index)),
    endpoints: random() < 0.5 ? [graph.keyOf(0), graph.keyOf(length - 1)] : [],
    keyOf: (id) => graph.keyOf(id),
    idOf: (commit) => graph.idOf(commit) ?? -1,
    probe,
    endpointDone: () => undefined,
    verdictOf: (probeRecord) => probeRecord.searchVerdict as 'good' | 'bad',
    freshMs: () => 3 + random() * 8,
  });
  if (outcome.final.kind !== 'found' || outcome.final.commit !== culprit) problems.push(`answer ${JSON.stringify(outcome.final)}, culprit ${culprit}`);
  if (live !== 0) problems.push(`${live} probes still running after the search returned`);
  return problems.map((problem) => `seed ${seed} (${length} commits, ${workers} workers): ${problem}`);
}

describe('parallelSearch', () => {
  it('finds the culprit with racing verdicts, slow cancels and cancelled probes that finish anyway', async () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= 60; seed++) problems.push(...(await hunt(seed)));
    expect(problems).toEqual([]);
  }, 60_000);

  it('stops every probe before it rethrows a failure', async () => {
    const graph = makeGraph(chain(100));
    let live = 0;
    const failing = parallelSearch({
      search: new ParallelBisection(graph, 99, [0]),
      workspaces: [workspace(0), workspace(1), workspace(2)],
      endpoints: [],
      keyOf: (id) => graph.keyOf(id),
      idOf: (commit) => graph.idOf(commit) ?? -1,
      probe: (commit, phase, _worker, signal) =>
        new Promise((resolve, reject) => {
          live += 1;
          const id = graph.idOf(commit) as number;
          const timer = setTimeout(() => {
            live -= 1;
            resolve(record(commit, phase, id >= 40 ? 'bad' : 'good'));
          }, id < 40 ? 5 : 50);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            setTimeout(() => {
              live -= 1;
              reject(new InterruptedError('cancelled'));
            }, 20);
          });
        }),
      endpointDone: () => undefined,
      verdictOf: (probeRecord) => {
        throw new Error(`crashed at ${probeRecord.commit.slice(0, 8)}`);
      },
      freshMs: () => 1,
    });
    await expect(failing).rejects.toThrow(/crashed at/);
    expect(live).toBe(0);
  });
});
