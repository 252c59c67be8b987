// `culprit worker`: takes signed probe jobs off a queue, runs each in its own workspace with the same prober as a
// local hunt, and sends back a signed result with the log. Unsigned, wrongly signed, stale or replayed jobs are
// refused and never run; a worker stopped mid-probe kills the probe and hands the job back to the queue.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { InterruptedError } from '../errors.js';
import { short } from '../text/format.js';
import { LocalExecutor } from './local.js';
import { NonceLedger } from './nonce-ledger.js';
import { cancelKey, controlChannel, QUEUE_PREFIX, type QueueAddress } from './queue-address.js';
import { fromWire, opened, signed, type ControlBody, type JobBody, type ResultBody } from './queue-messages.js';
import { withDeadline } from './deadline.js';
import type { WorkerRepository } from './worker-repository.js';

/** A job older than this is refused: a copy lifted from an old queue must not run. */
export const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Clocks differ a little between machines; a job from much further in the future is forged. */
const MAX_SKEW_MS = 5 * 60 * 1000;
/** A log sent back is cut to its last 256 KiB: the verdict matters, not a build's whole chatter (Redis keeps it a day). */
const MAX_LOG_BYTES = 256 * 1024;

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

/** The end of a log, read from its end: a runaway test's gigabyte is never loaded. */
function logTail(file: string): string {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, MAX_LOG_BYTES);
    const buffer = Buffer.alloc(length);
    const descriptor = openSync(file, 'r');
    try {
      readSync(descriptor, buffer, 0, length, size - length);
    } finally {
      closeSync(descriptor);
    }
    return buffer.toString('utf8');
  } catch {
    return '';
  }
}

/** Scripts the recipe names by absolute path must be the coordinator's: else this worker would run another test. */
function scriptMismatch(scripts: Readonly<Record<string, string>>): string | undefined {
  for (const [file, digest] of Object.entries(scripts)) {
    let mine: string | undefined;
    try {
      mine = createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {
      mine = undefined;
    }
    if (mine !== digest) return `${file} ${mine === undefined ? 'is missing on this worker' : 'on this worker differs from the coordinator’s'}: install the same file at the same path on every worker`;
  }
  return undefined;
}

export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const { queue, key, log } = options;
  const claims = new Redis(options.address.options);
  const subscriber = new Redis(options.address.options);
  claims.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  let executor: LocalExecutor | undefined;
  let worker: Worker | undefined;
  let stopChecks = (): void => undefined;
  try {
    executor = await LocalExecutor.open({ history: options.repo.history, cacheRoot: options.cacheRoot, slots: options.concurrency, logPrefix: 'worker-', note: log, watchCheckout: false });
    const probes = executor;
    const ledger = new NonceLedger(claims, queue, path.join(options.cacheRoot, 'worker-ledger'), MAX_AGE_MS + MAX_SKEW_MS);
    const freeSlots = Array.from({ length: options.concurrency }, (_, slot) => options.concurrency - 1 - slot);
    const running = new Map<string, AbortController>();
    /** Jobs cancelled before this worker started them (the message may beat the job): they are not run. */
    const cancelled = new Set<string>();
    /** The latest test timeout each hunt announced, with when: a job issued before it runs with it. */
    const retimed = new Map<string, { seconds: number; issuedAt: number }>();
    const identity = `${os.hostname()}:${process.pid}`;

    subscriber.on('message', (_channel: string, text: string) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        message = undefined;
      }
      const control = opened<ControlBody>(key, message, 'cancel', queue) ?? opened<ControlBody>(key, message, 'retime', queue);
      if (!control || Date.now() - control.issuedAt > MAX_AGE_MS) {
        log('worker: ignored a control message not signed with the queue key, or too old');
        return;
      }
      if (control.kind === 'cancel' && control.nonce) {
        cancelled.add(control.nonce);
        if (cancelled.size > 10_000) cancelled.delete(cancelled.values().next().value ?? '');
        const probe = running.get(control.nonce);
        if (probe) {
          log(`worker: cancelling job ${control.nonce}: its answer no longer matters`);
          probe.abort('cancelled by the coordinator');
        }
      } else if (control.kind === 'retime' && typeof control.seconds === 'number' && Number.isFinite(control.seconds) && control.seconds > 0) {
        // An older retime replayed over a newer one changes nothing.
        if ((retimed.get(control.hunt)?.issuedAt ?? 0) >= control.issuedAt) return;
        retimed.set(control.hunt, { seconds: control.seconds, issuedAt: control.issuedAt });
        for (const [hunt, at] of retimed) if (Date.now() - at.issuedAt > MAX_AGE_MS) retimed.delete(hunt);
        probes.retime(control.seconds, control.hunt);
      }
    });
    await subscriber.subscribe(controlChannel(queue));
    // A cancel message can be missed (a reconnect, a busy moment): the cancel key the coordinator also sets is
    // looked at for every probe under way, once a second.
    const cancelCheck = setInterval(() => {
      for (const [nonce, controller] of running) {
        void claims.exists(cancelKey(queue, nonce)).then(
          (found) => {
            if (found === 1 && !controller.signal.aborted) {
              log(`worker: cancelling job ${nonce}: its answer no longer matters`);
              controller.abort('cancelled by the coordinator');
            }
          },
          () => undefined,
        );
      }
    }, 1000);
    cancelCheck.unref();
    stopChecks = () => clearInterval(cancelCheck);

    const refuse = (job: Job, why: string): never => {
      log(`worker: refused job ${job.id ?? '?'}: ${why}; it was not run`);
      throw new UnrecoverableError(`refused by ${identity}: ${why}`);
    };
    /** This worker is stopping: the job goes back to the queue for another one. */
    const handBack = async (job: Job, token: string | undefined): Promise<never> => {
      await job.moveToWait(token);
      throw new WaitingError();
    };

    const processor = async (job: Job, token?: string): Promise<unknown> => {
      const body = opened<JobBody>(key, job.data, 'probe', queue);
      if (!body) return refuse(job, 'not signed with the queue key');
      if (body.nonce !== job.id) return refuse(job, 'its signature is for another job');
      if (body.db !== (options.address.options.db ?? 0)) return refuse(job, `signed for database ${body.db}, not this one`);
      const age = Date.now() - body.issuedAt;
      if (!(age < MAX_AGE_MS && age > -MAX_SKEW_MS)) return refuse(job, `issued at ${new Date(body.issuedAt).toISOString()}, outside the window a job may run in`);
      const candidate = body.job.candidate;
      if (candidate.kind !== 'checkout' && candidate.kind !== 'configuration') return refuse(job, `a ${candidate.kind} probe cannot run on a worker`);
      if (!/^[0-9a-f]{40,64}$/.test(candidate.commit)) return refuse(job, `'${candidate.commit}' is not a commit hash`);
      if (options.signal.aborted) return handBack(job, token);
      const claim = await ledger.claim(body.nonce, String(job.id));
      if (claim.kind === 'replay') return refuse(job, claim.why);
      if (claim.kind === 'ran') {
        log(`worker: job ${body.nonce} already ran: sending back its recorded result`);
        return claim.result;
      }
      let result: unknown;
      let handedBack = false;
      try {
        if (cancelled.has(body.nonce) || (await claims.exists(cancelKey(queue, body.nonce))) === 1) throw new UnrecoverableError('cancelled by the coordinator before it started');
        const mismatch = scriptMismatch(body.scripts);
        if (mismatch) throw new UnrecoverableError(mismatch);
        if (!(await options.repo.ensure(candidate.commit))) throw new UnrecoverableError(`commit ${candidate.commit} is not in this worker's repository (${options.repo.history.root}), even after fetching: is the worker's --repo the coordinator's repository?`);
        const later = retimed.get(body.hunt);
        // Log names are unique within a hunt only: the nonce keeps two hunts' logs apart on one worker.
        const probeJob = { ...fromWire(body.job), logName: `${body.nonce.slice(0, 8)}-${body.job.logName}` };
        if (later && later.issuedAt > body.issuedAt) probeJob.testTimeoutSeconds = later.seconds;
        if (options.signal.aborted) {
          handedBack = true;
          return await handBack(job, token);
        }
        const slot = freeSlots.pop();
        if (slot === undefined) throw new Error('internal: more jobs than workspaces');
        const controller = new AbortController();
        running.set(body.nonce, controller);
        log(`worker: probing ${short(candidate.commit)}${candidate.kind === 'configuration' ? ` + configuration ${candidate.digest.slice(0, 8)}` : ''} (job ${body.nonce})`);
        try {
          const record = await probes.run(probeJob, slot, controller.signal, body.hunt);
          log(`worker: ${short(candidate.commit)} is ${record.verdict} (${record.outcome.kind}, ${record.seconds.toFixed(1)} s)`);
          const sent: ResultBody = { v: 1, kind: 'result', queue, nonce: body.nonce, worker: identity, record, log: logTail(record.logPath) };
          result = signed(key, sent);
          return result;
        } catch (error) {
          if (!(error instanceof InterruptedError)) throw error;
          if (options.signal.aborted) {
            handedBack = true;
            return await handBack(job, token);
          }
          throw new UnrecoverableError('cancelled by the coordinator');
        } finally {
          running.delete(body.nonce);
          freeSlots.push(slot);
        }
      } finally {
        // Whatever became of it, the nonce is spent, unless the job went back to the queue for another worker.
        if (!handedBack) await ledger.spend(body.nonce, String(job.id), body.issuedAt, result).catch(() => undefined);
      }
    };

    const lockMs = options.lockMs ?? 10_000;
    worker = new Worker(queue, processor, {
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
    for (const controller of running.values()) controller.abort('the worker is stopping');
  } finally {
    stopChecks();
    // With Redis away, closing would wait for it forever: a deadline, then the connections are cut.
    if (worker) {
      const closing = worker;
      await withDeadline(closing.close(), 5000, () => closing.close(true));
    }
    subscriber.disconnect();
    claims.disconnect();
    executor?.close();
  }
}
