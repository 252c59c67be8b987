// `culprit worker`: takes signed probe jobs off a queue, runs each in its own workspace with the same prober as a
// local hunt, and sends back a signed result with the log. Unsigned, wrongly signed, stale or replayed jobs are
// refused and never run; a worker stopped mid-probe kills the probe and hands the job back to the queue.
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { InterruptedError } from '../errors.js';
import { short } from '../text/format.js';
import { LocalExecutor } from './local.js';
import { controlChannel, QUEUE_PREFIX, type QueueAddress } from './queue-address.js';
import { checkReachable } from './queue-connection.js';
import { fromWire, opened, signed, type ControlBody, type JobBody, type ResultBody } from './queue-messages.js';
import type { WorkerRepository } from './worker-repository.js';

/** A job older than this is refused: a copy lifted from an old queue must not run. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Clocks differ a little between machines; a job from much further in the future is forged. */
const MAX_SKEW_MS = 5 * 60 * 1000;
/** A log sent back is cut to its last megabyte: the verdict matters, not a build's whole chatter. */
const MAX_LOG_BYTES = 1024 * 1024;

export interface QueueWorkerOptions {
  address: QueueAddress;
  queue: string;
  key: Buffer;
  concurrency: number;
  cacheRoot: string;
  repo: WorkerRepository;
  /** Where the worker says what it runs and what it refuses. */
  log(line: string): void;
  /** Stops the worker: probes under way are killed and their jobs handed back to the queue. */
  signal: AbortSignal;
  /** How long a job stays locked to a worker that stopped renewing it (a killed worker): then another takes it. */
  lockMs?: number;
}

function logTail(file: string): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file);
    return (size > MAX_LOG_BYTES ? text.subarray(size - MAX_LOG_BYTES) : text).toString('utf8');
  } catch {
    return '';
  }
}

export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const { queue, key, log } = options;
  await checkReachable(options.address);
  const executor = await LocalExecutor.open({ history: options.repo.history, cacheRoot: options.cacheRoot, slots: options.concurrency, logPrefix: 'worker-', note: log });
  const freeSlots = Array.from({ length: options.concurrency }, (_, slot) => options.concurrency - 1 - slot);
  const running = new Map<string, { controller: AbortController; job: Job; token: string | undefined }>();
  /** Jobs cancelled before this worker started them (the message may beat the job): they are not run. */
  const cancelled = new Set<string>();
  /** The latest test timeout each hunt announced, with when: a job issued before it runs with it. */
  const retimed = new Map<string, { seconds: number; issuedAt: number }>();
  const claims = new Redis(options.address.options);
  const subscriber = new Redis(options.address.options);
  claims.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  const identity = `${os.hostname()}:${process.pid}`;

  subscriber.on('message', (_channel: string, text: string) => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      message = undefined;
    }
    const control = opened<ControlBody>(key, message, 'cancel', queue) ?? opened<ControlBody>(key, message, 'retime', queue);
    if (!control) {
      log(`worker: ignored a control message not signed with the queue key`);
      return;
    }
    if (control.kind === 'cancel' && control.nonce) {
      const probe = running.get(control.nonce);
      cancelled.add(control.nonce);
      if (cancelled.size > 10_000) cancelled.delete(cancelled.values().next().value ?? '');
      if (probe) {
        log(`worker: cancelling job ${control.nonce}: its answer no longer matters`);
        probe.controller.abort('cancelled by the coordinator');
      }
    } else if (control.kind === 'retime' && typeof control.seconds === 'number' && Number.isFinite(control.seconds) && control.seconds > 0) {
      retimed.set(control.hunt, { seconds: control.seconds, issuedAt: control.issuedAt });
      executor.retime(control.seconds, control.hunt);
    }
  });
  await subscriber.subscribe(controlChannel(queue));

  const refuse = (job: Job, why: string): never => {
    log(`worker: refused job ${job.id ?? '?'}: ${why}; it was not run`);
    throw new UnrecoverableError(`refused by ${identity}: ${why}`);
  };

  /** A nonce is run once: the same job handed over after a stall may run again, a copy under another id may not. */
  const claim = async (job: Job, nonce: string): Promise<void> => {
    const name = `${QUEUE_PREFIX}:${queue}:nonce:${nonce}`;
    const taken = await claims.set(name, String(job.id), 'PX', MAX_AGE_MS + MAX_SKEW_MS, 'NX');
    if (taken === 'OK') return;
    const holder = await claims.get(name);
    if (holder !== String(job.id)) refuse(job, 'replayed: this signed job already ran');
  };

  const processor = async (job: Job, token?: string): Promise<unknown> => {
    const body = opened<JobBody>(key, job.data, 'probe', queue);
    if (!body) return refuse(job, 'not signed with the queue key');
    if (body.nonce !== job.id) return refuse(job, 'its signature is for another job');
    const age = Date.now() - body.issuedAt;
    if (!(age < MAX_AGE_MS && age > -MAX_SKEW_MS)) return refuse(job, `issued at ${new Date(body.issuedAt).toISOString()}, outside the window a job may run in`);
    const candidate = body.job.candidate;
    if (candidate.kind !== 'checkout' && candidate.kind !== 'configuration') return refuse(job, `a ${candidate.kind} probe cannot run on a worker`);
    await claim(job, body.nonce);
    if (!(await options.repo.ensure(candidate.commit))) throw new UnrecoverableError(`commit ${candidate.commit} is not in this worker's repository (${options.repo.history.root}), even after fetching: is the worker's --repo the coordinator's repository?`);
    if (cancelled.has(body.nonce)) throw new UnrecoverableError('cancelled by the coordinator before it started');
    const later = retimed.get(body.hunt);
    const probeJob = fromWire(body.job);
    if (later && later.issuedAt > body.issuedAt) probeJob.testTimeoutSeconds = later.seconds;
    const slot = freeSlots.pop();
    if (slot === undefined) throw new Error('internal: more jobs than workspaces');
    const controller = new AbortController();
    running.set(body.nonce, { controller, job, token });
    log(`worker: probing ${short(candidate.commit)}${candidate.kind === 'configuration' ? ` + configuration ${candidate.digest.slice(0, 8)}` : ''} (job ${body.nonce})`);
    try {
      const record = await executor.run(probeJob, slot, controller.signal, body.hunt);
      log(`worker: ${short(candidate.commit)} is ${record.verdict} (${record.outcome.kind}, ${record.seconds.toFixed(1)} s)`);
      await claims.set(`${QUEUE_PREFIX}:${queue}:nonce:${body.nonce}`, 'done', 'KEEPTTL').catch(() => undefined);
      const result: ResultBody = { v: 1, kind: 'result', queue, nonce: body.nonce, worker: identity, record, log: logTail(record.logPath) };
      return signed(key, result);
    } catch (error) {
      if (!(error instanceof InterruptedError)) throw error;
      if (options.signal.aborted) {
        // This worker is stopping: the job goes back to the queue for another one.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw new UnrecoverableError('cancelled by the coordinator');
    } finally {
      running.delete(body.nonce);
      freeSlots.push(slot);
    }
  };

  const lockMs = options.lockMs ?? 10_000;
  const worker = new Worker(queue, processor, {
    connection: options.address.options as ConnectionOptions,
    prefix: QUEUE_PREFIX,
    concurrency: options.concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(1000, Math.round(lockMs / 2)),
    // A job whose worker died is handed on; one that keeps killing its workers ends as failed.
    maxStalledCount: 3,
    name: identity,
  });
  worker.on('error', (error) => log(`worker: ${error.message}`));
  await worker.waitUntilReady();
  log(`worker: ${identity} takes probes from queue ${queue} at ${options.address.shown} (${options.concurrency} at a time) for ${options.repo.history.root}`);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log('worker: stopping; probes under way are killed and handed back to the queue');
  for (const { controller } of running.values()) controller.abort('the worker is stopping');
  await worker.close();
  subscriber.disconnect();
  claims.disconnect();
  executor.close();
}
