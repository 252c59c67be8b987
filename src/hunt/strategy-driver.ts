// The one loop that runs search strategies on workers: it asks each strategy for a plan, starts probes on free
// workers, cancels the ones whose answer no longer matters (their process groups die), and feeds back verdicts.
import { InterruptedError } from '../errors.js';
import type { InFlightProbe, Strategy } from '../search/strategy.js';
import type { HuntProbe } from './hunt-types.js';

/** A strategy with what the driver needs to act on it: how to probe a candidate and what a probe's verdict is. */
export interface Track<C, V, R> {
  strategy: Strategy<C, V, R>;
  /** Runs one probe of `candidate` on worker `slot` (0-based); `signal` aborts when it is cancelled. */
  probe(candidate: C, slot: number, signal: AbortSignal): Promise<HuntProbe>;
  /** The probe's verdict as the strategy counts it; throws to stop the hunt (a crash, an aborting policy). */
  judge(candidate: C, record: HuntProbe): V;
  started?(slot: number, candidate: C): void;
  finished?(slot: number, record: HuntProbe): void;
  cancelled?(slot: number, candidate: C): void;
}

export interface DriveOptions<A = never, B = never> {
  /** Workers: at most this many probes run at once, across all tracks. */
  slots: number;
  /** Probes younger than this (ms) are planned again together with the free workers when a verdict arrives. */
  freshMs(): number;
  signal?: AbortSignal;
  /** Tracks that run alongside the main one and get workers first (endpoint checks overlapping the first cuts). */
  alongside?: ReadonlyArray<Track<A, B, unknown>>;
}

export interface DriveOutcome<R> {
  result: R;
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

/** A track as the loop handles it; the casts are confined to `erase`. */
interface Lane {
  track: Track<unknown, unknown, unknown>;
  /** Planned, waiting for a worker. */
  queue: unknown[];
  done: boolean;
  result?: unknown;
}

function erase<C, V, R>(track: Track<C, V, R>): Track<unknown, unknown, unknown> {
  return track as unknown as Track<unknown, unknown, unknown>;
}

interface Job {
  lane: Lane;
  candidate: unknown;
  key: string;
  slot: number;
  controller: AbortController;
  startedAt: number;
  /** Rounds finished when it started, plus one. */
  depth: number;
  cancelled: boolean;
}

type Settled = { job: Job; ok: true; record: HuntProbe } | { job: Job; ok: false; error: unknown };

export async function drive<C, V, R, A = never, B = never>(main: Track<C, V, R>, options: DriveOptions<A, B>): Promise<DriveOutcome<R>> {
  const lanes: Lane[] = [...(options.alongside ?? []).map(erase), erase(main)].map((track) => ({ track, queue: [], done: false }));
  const mainLane = lanes.at(-1) as Lane;
  const idle = Array.from({ length: options.slots }, (_, slot) => slot);
  const jobs = new Set<Job>();
  const settled: Settled[] = [];
  let wake: (() => void) | undefined;
  let rounds = 0;
  let cancelled = 0;
  let failure: { error: unknown } | undefined;

  const launch = (lane: Lane, candidate: unknown): void => {
    const slot = idle.shift();
    if (slot === undefined) throw new Error('internal: no idle worker to launch on');
    const controller = new AbortController();
    const detach = follow(options.signal, controller);
    const job: Job = { lane, candidate, key: lane.track.strategy.keyOf(candidate), slot, controller, startedAt: performance.now(), depth: rounds + 1, cancelled: false };
    jobs.add(job);
    const done = (outcome: Settled): void => {
      detach();
      settled.push(outcome);
      wake?.();
    };
    let running: Promise<HuntProbe>;
    try {
      lane.track.started?.(slot, candidate);
      running = lane.track.probe(candidate, slot, controller.signal);
    } catch (error) {
      // A probe that throws before it returns still ends as a job: the loop waits for every job it started.
      running = Promise.reject(error);
    }
    running.then(
      (record) => done({ job, ok: true, record }),
      (error: unknown) => done({ job, ok: false, error }),
    );
  };

  const cancel = (lane: Lane, candidate: unknown): void => {
    const key = lane.track.strategy.keyOf(candidate);
    const queued = lane.queue.findIndex((waiting) => lane.track.strategy.keyOf(waiting) === key);
    if (queued >= 0) {
      lane.queue.splice(queued, 1);
      return;
    }
    for (const job of jobs) {
      if (job.lane !== lane || job.key !== key || job.cancelled) continue;
      job.cancelled = true;
      cancelled += 1;
      lane.track.cancelled?.(job.slot, candidate);
      job.controller.abort(new Cancelled(`the answer for ${key} no longer matters`));
    }
  };

  const stopEverything = (): void => {
    for (const lane of lanes) lane.queue.length = 0;
    for (const job of jobs) {
      if (job.cancelled) continue;
      job.cancelled = true;
      job.controller.abort(new Cancelled('the hunt is stopping'));
    }
  };

  /**
   * Plans every lane, then launches. Only a new verdict may move just-started probes: re-planning them on anything
   * else (a cancelled probe ending) would cancel and restart probes without new knowledge. Cancelled probes hold
   * their workers while they die; what is planned meanwhile waits for a worker.
   */
  const schedule = (newVerdict: boolean): void => {
    const now = performance.now();
    const fresh = options.freshMs();
    for (const lane of lanes) {
      if (lane.done) continue;
      let reserved = 0;
      for (const other of lanes) if (other !== lane) reserved += other.queue.length;
      for (const job of jobs) if (job.lane !== lane) reserved += 1;
      const inFlight: InFlightProbe<unknown>[] = lane.queue.map((candidate) => ({ candidate, movable: newVerdict, cancelling: false }));
      for (const job of jobs) {
        if (job.lane !== lane) continue;
        inFlight.push({ candidate: job.candidate, movable: newVerdict && !job.cancelled && now - job.startedAt < fresh, cancelling: job.cancelled });
      }
      const plan = lane.track.strategy.plan(options.slots - reserved, inFlight);
      for (const candidate of plan.cancel) cancel(lane, candidate);
      if (plan.done !== undefined) {
        lane.done = true;
        lane.result = plan.done;
        lane.queue.length = 0;
        // Nothing of this lane matters any more, whether or not its strategy said so.
        for (const job of jobs) if (job.lane === lane) cancel(lane, job.candidate);
        continue;
      }
      lane.queue.push(...plan.start);
    }
    for (const lane of lanes) while (idle.length > 0 && lane.queue.length > 0) launch(lane, lane.queue.shift());
  };

  /** Takes a probe's end into account; true when it brought a verdict that may move the probes in flight. */
  const handle = (outcome: Settled): boolean => {
    const { job } = outcome;
    jobs.delete(job);
    idle.push(job.slot);
    if (!outcome.ok) {
      if (job.cancelled && outcome.error instanceof InterruptedError && !options.signal?.aborted) return false;
      throw outcome.error;
    }
    const { record } = outcome;
    const { track } = job.lane;
    if (record.source === 'run') rounds = Math.max(rounds, job.depth);
    if (failure) {
      track.finished?.(job.slot, record);
      return false;
    }
    // A cancelled probe that finished anyway still tells something, unless its candidate no longer matters (then
    // its outcome is not judged at all: a crash at a commit that left the candidates does not stop the hunt).
    try {
      return track.strategy.wants(job.candidate) ? track.strategy.record(job.candidate, track.judge(job.candidate, record)) : false;
    } finally {
      // Reported even when its verdict stops the hunt: it is the probe that says why.
      track.finished?.(job.slot, record);
    }
  };

  const scheduleOrStop = (newVerdict: boolean): void => {
    try {
      schedule(newVerdict);
    } catch (error) {
      failure ??= { error };
      stopEverything();
    }
  };
  const finished = (): boolean => lanes.every((lane) => lane.done);
  scheduleOrStop(false);
  while (jobs.size > 0 || (!finished() && !failure)) {
    if (jobs.size === 0) throw new Error('internal: the strategy driver has nothing running and no answer');
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
  return { result: mainLane.result as R, rounds, cancelled };
}
