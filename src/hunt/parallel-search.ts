// The parallel part of a hunt: N workers probe the cuts a ParallelBisection plans, alongside the endpoint checks.
// A probe whose answer no longer matters is cancelled (its process group killed) and its worker given new work.
import { InterruptedError } from '../errors.js';
import type { Workspace } from '../probe/workspace.js';
import type { BisectVerdict } from '../search/bisection-step.js';
import type { FinalStep, ParallelBisection } from '../search/parallel-bisection.js';
import type { HuntProbe, Phase } from './hunt-types.js';

export interface WorkerEvents {
  started?(worker: number, commit: string, phase: Phase): void;
  finished?(worker: number, record: HuntProbe): void;
  cancelled?(worker: number, commit: string): void;
}

export interface ParallelSearchOptions {
  search: ParallelBisection;
  workspaces: readonly Workspace[];
  /** Probed before any cut, one per free worker: the endpoint checks, when they overlap the search. */
  endpoints: readonly string[];
  keyOf(id: number): string;
  idOf(commit: string): number;
  probe(commit: string, phase: Phase, workspace: Workspace, signal: AbortSignal): Promise<HuntProbe>;
  /** Judges an endpoint's probe; throws to stop the hunt. */
  endpointDone(commit: string, record: HuntProbe): void;
  /** A cut's verdict as the search counts it; throws to stop the hunt (a crash, an aborting build failure). */
  verdictOf(record: HuntProbe): BisectVerdict;
  /** Probes younger than this are re-planned together with the free workers when a verdict arrives. */
  freshMs(): number;
  signal?: AbortSignal;
  events?: WorkerEvents;
}

export interface ParallelOutcome {
  final: FinalStep;
  /** The longest chain of probes that had to run one after another: wall time in units of one probe. */
  rounds: number;
  cancelled: number;
}

/** Why a probe was stopped: its answer could no longer change the result. */
class Cancelled extends Error {}

/**
 * Aborts `controller` when the hunt's signal aborts (AbortSignal.any needs Node 20.3); returns the detach to call
 * when the probe ends, so a long hunt does not pile listeners on its signal.
 */
function follow(hunt: AbortSignal | undefined, controller: AbortController): () => void {
  if (!hunt) return () => undefined;
  if (hunt.aborted) {
    controller.abort(hunt.reason);
    return () => undefined;
  }
  const forward = (): void => controller.abort(hunt.reason);
  hunt.addEventListener('abort', forward, { once: true });
  return () => hunt.removeEventListener('abort', forward);
}

interface Job {
  commit: string;
  phase: Phase;
  worker: number;
  controller: AbortController;
  startedAt: number;
  /** Rounds finished when it started, plus one. */
  depth: number;
  cancelled: boolean;
}

type Settled = { job: Job; ok: true; record: HuntProbe } | { job: Job; ok: false; error: unknown };

export async function parallelSearch(options: ParallelSearchOptions): Promise<ParallelOutcome> {
  const { search, workspaces } = options;
  const idle = workspaces.map((_, index) => index);
  const jobs = new Set<Job>();
  const waiting: number[] = [];
  const endpoints = [...options.endpoints];
  const settled: Settled[] = [];
  let wake: (() => void) | undefined;
  let rounds = 0;
  let cancelled = 0;
  let final: FinalStep | undefined;
  let failure: { error: unknown } | undefined;

  const launch = (commit: string, phase: Phase): void => {
    const worker = idle.shift();
    if (worker === undefined) throw new Error('internal: no idle worker to launch on');
    const controller = new AbortController();
    const detach = follow(options.signal, controller);
    const job: Job = { commit, phase, worker, controller, startedAt: performance.now(), depth: rounds + 1, cancelled: false };
    jobs.add(job);
    options.events?.started?.(worker, commit, phase);
    const done = (outcome: Settled): void => {
      settled.push(outcome);
      wake?.();
    };
    options.probe(commit, phase, workspaces[worker] as Workspace, controller.signal).then(
      (record) => {
        detach();
        done({ job, ok: true, record });
      },
      (error: unknown) => {
        detach();
        done({ job, ok: false, error });
      },
    );
  };

  const cancel = (commit: string): void => {
    const queued = waiting.findIndex((id) => options.keyOf(id) === commit);
    if (queued >= 0) {
      waiting.splice(queued, 1);
      return;
    }
    for (const job of jobs) {
      if (job.commit !== commit || job.phase !== 'bisect' || job.cancelled) continue;
      job.cancelled = true;
      cancelled += 1;
      options.events?.cancelled?.(job.worker, commit);
      job.controller.abort(new Cancelled(`the answer for ${commit} no longer matters`));
    }
  };

  const stopEverything = (): void => {
    endpoints.length = 0;
    waiting.length = 0;
    for (const job of jobs) {
      if (job.cancelled) continue;
      job.cancelled = true;
      job.controller.abort(new Cancelled('the hunt is stopping'));
    }
  };

  /**
   * Plans and launches. Only a new verdict may move just-started probes: re-planning them on anything else (a
   * cancelled probe ending) would cancel and restart probes without new knowledge. Cancelled probes still hold
   * their workers while they die; the cuts planned meanwhile wait for a worker.
   */
  const schedule = (newVerdict: boolean): void => {
    while (idle.length > 0 && endpoints.length > 0) launch(endpoints.shift() as string, 'verify');
    if (final) return;
    let reserved = endpoints.length;
    for (const job of jobs) if (job.phase !== 'bisect') reserved += 1;
    const movable = new Set<number>();
    if (newVerdict) {
      const now = performance.now();
      const fresh = options.freshMs();
      for (const id of waiting) movable.add(id);
      for (const job of jobs) if (job.phase === 'bisect' && !job.cancelled && now - job.startedAt < fresh) movable.add(options.idOf(job.commit));
    }
    const dying = new Set<number>();
    for (const job of jobs) if (job.phase === 'bisect' && job.cancelled) dying.add(options.idOf(job.commit));
    const plan = search.plan(workspaces.length - reserved, movable, dying);
    for (const id of plan.cancel) cancel(options.keyOf(id));
    if (plan.done) {
      final = plan.done;
      waiting.length = 0;
      return;
    }
    waiting.push(...plan.start);
    while (idle.length > 0 && waiting.length > 0) launch(options.keyOf(waiting.shift() as number), 'bisect');
  };

  /** Takes a probe's end into account; true when it brought a verdict. */
  const handle = (outcome: Settled): boolean => {
    const { job } = outcome;
    jobs.delete(job);
    idle.push(job.worker);
    if (!outcome.ok) {
      if (job.cancelled && outcome.error instanceof InterruptedError && !options.signal?.aborted) return false;
      throw outcome.error;
    }
    const record = outcome.record;
    if (record.source === 'run') rounds = Math.max(rounds, job.depth);
    if (failure) {
      options.events?.finished?.(job.worker, record);
      return false;
    }
    let learned = false;
    const id = options.idOf(job.commit);
    if (job.phase === 'verify') options.endpointDone(job.commit, record);
    // A cancelled probe that finished anyway still tells something, unless its commit left the candidates (then
    // its outcome is not judged at all: a crash at a commit that no longer matters does not stop the hunt).
    else if (search.isCandidate(id)) learned = search.record(id, options.verdictOf(record));
    options.events?.finished?.(job.worker, record);
    return learned;
  };

  const scheduleOrStop = (newVerdict: boolean): void => {
    try {
      schedule(newVerdict);
    } catch (error) {
      failure ??= { error };
      stopEverything();
    }
  };
  scheduleOrStop(false);
  while (jobs.size > 0 || (!final && !failure)) {
    if (jobs.size === 0) throw new Error('internal: the parallel search has nothing running and no answer');
    if (settled.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    let learned = false;
    while (settled.length > 0) {
      try {
        if (handle(settled.shift() as Settled)) learned = true;
      } catch (error) {
        failure ??= { error };
        stopEverything();
      }
    }
    if (!failure) scheduleOrStop(learned);
  }
  if (failure) throw failure.error;
  if (!final) throw new Error('internal: the parallel search ended without an answer');
  return { final, rounds, cancelled };
}
