// The queue executor: the coordinator's side of a distributed hunt. Each probe becomes a signed job on a BullMQ
// queue in Redis; any `culprit worker` takes it, runs it and sends back a signed result with its log. The strategy
// and the store stay here; cancels and new timeouts go to the workers as signed control messages.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Job, Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { EnvironmentError, InterruptedError } from '../errors.js';
import type { ProbeRecord } from '../model/probe-record.js';
import { createLogDirectory, removeLogsExcept } from '../probe/log-directory.js';
import { keyedEnvironment, recipeScripts } from '../probe/recipe-key.js';
import { withDeadline } from './deadline.js';
import type { Executor, ProbeJob } from './executor.js';
import { cancelKey, controlChannel, QUEUE_PREFIX, type QueueAddress } from './queue-address.js';
import { checkReachable, queueFailure } from './queue-connection.js';
import { opened, signed, toWire, type ControlBody, type JobBody, type ResultBody } from './queue-messages.js';

/** How often the coordinator asks after its jobs besides listening to events: events missed across a reconnect are not lost. */
const POLL_MS = 2000;
/** How often it looks for workers while probes wait, to say so when there are none. */
const WORKER_CHECK_MS = 30_000;
/** Results and failures stay a day in Redis (read from there when their event was missed); cancels as long. */
const KEEP_MS = 86_400_000;

export interface QueueExecutorOptions {
  address: QueueAddress;
  queue: string;
  key: Buffer;
  slots: number;
  /** Culprit's cache directory: the workers' logs are written under it as they arrive. */
  cacheRoot: string;
  note?(message: string): void;
}

interface Pending {
  job: ProbeJob;
  body: JobBody;
  resolve(record: ProbeRecord): void;
  reject(error: unknown): void;
}

/** The variables the recipe depends on, as this process has them; PATH stays each machine's own. */
function keyedVariables(): Record<string, string> {
  const { PATH: _own, ...variables } = keyedEnvironment();
  return variables;
}

export class QueueExecutor implements Executor {
  private readonly pending = new Map<string, Pending>();
  private readonly cancels = new Set<Promise<void>>();
  private readonly hunt = randomUUID();
  private timeoutSeconds: number | undefined;
  private readonly poller: NodeJS.Timeout;
  private readonly workerCheck: NodeJS.Timeout;
  private polling = false;
  private toldNoWorker = false;

  private constructor(
    private readonly options: QueueExecutorOptions,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly publisher: Redis,
    readonly logDirectory: string,
  ) {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, { returnvalue }));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, { failedReason }));
    this.poller = setInterval(() => void this.poll(), POLL_MS);
    this.poller.unref();
    this.workerCheck = setInterval(() => void this.checkWorkers(), WORKER_CHECK_MS);
    this.workerCheck.unref();
  }

  /** Checks that Redis answers, then opens the queue, its events and a connection to publish control messages on. */
  static async open(options: QueueExecutorOptions): Promise<QueueExecutor> {
    await checkReachable(options.address);
    // ioredis's options, which BullMQ hands to its own ioredis connections.
    const connection = options.address.options as ConnectionOptions;
    // The events stream holds results too: a bounded one keeps Redis's memory bounded.
    const queue = new Queue(options.queue, { connection, prefix: QUEUE_PREFIX, streams: { events: { maxLen: 1000 } } });
    const events = new QueueEvents(options.queue, { connection, prefix: QUEUE_PREFIX });
    const publisher = new Redis(options.address.options);
    // Reconnects are ioredis's to make; an error between them is not the hunt's.
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    publisher.on('error', () => undefined);
    let workers;
    try {
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
      workers = await queue.getWorkers();
    } catch (error) {
      await Promise.allSettled([queue.close(), events.close()]);
      publisher.disconnect();
      throw queueFailure(error, options.address);
    }
    if (workers.length === 0) options.note?.(`no worker is listening on queue ${options.queue} at ${options.address.shown} yet: probes wait until one starts (culprit worker --executor ${options.address.shown} --repo …)`);
    return new QueueExecutor(options, queue, events, publisher, createLogDirectory(options.cacheRoot, 'queue-'));
  }

  get slots(): number {
    return this.options.slots;
  }

  get workspaces(): string[] {
    return Array.from({ length: this.options.slots }, () => `${this.options.address.shown} queue ${this.options.queue}`);
  }

  async run(job: ProbeJob, _slot: number, signal: AbortSignal): Promise<ProbeRecord> {
    if (signal.aborted) throw new InterruptedError(String(signal.reason ?? 'SIGINT'));
    const nonce = randomUUID();
    const sent: ProbeJob = { ...job, environment: keyedVariables(), testTimeoutSeconds: this.timeoutSeconds ?? job.testTimeoutSeconds };
    const body: JobBody = { v: 1, kind: 'probe', queue: this.options.queue, hunt: this.hunt, nonce, issuedAt: Date.now(), db: this.options.address.options.db ?? 0, scripts: recipeScripts(job.recipe), job: toWire(sent) };
    const result = new Promise<ProbeRecord>((resolve, reject) => this.pending.set(nonce, { job, body, resolve, reject }));
    // A cancel may settle it while the job is still being sent: it is awaited below all the same.
    result.catch(() => undefined);
    const onAbort = (): void => this.cancel(nonce, signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      try {
        await this.enqueue(body);
      } catch (error) {
        throw queueFailure(error, this.options.address);
      }
      // Aborted while it was being sent: the cancel found nothing to remove then; now there is.
      if (signal.aborted) this.cancel(nonce, signal.reason, true);
      return await result;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.pending.delete(nonce);
    }
  }

  retime(testTimeoutSeconds: number): void {
    this.timeoutSeconds = testTimeoutSeconds;
    void this.control({ kind: 'retime', seconds: testTimeoutSeconds });
  }

  discard(message: string): void {
    removeLogsExcept(this.logDirectory, message);
  }

  async close(): Promise<void> {
    clearInterval(this.poller);
    clearInterval(this.workerCheck);
    for (const [nonce] of this.pending) this.cancel(nonce, 'the hunt ended');
    // Cancels finish before the connections go (else a cancelled job would wait in the queue for the next worker),
    // but Redis may be away: nothing here waits for it long.
    await withDeadline(Promise.allSettled([...this.cancels]), 5000, () => undefined);
    await withDeadline(Promise.allSettled([this.events.close(), this.queue.close()]), 5000, () => Promise.allSettled([this.events.disconnect(), this.queue.disconnect()]));
    this.publisher.disconnect();
  }

  private enqueue(body: JobBody): Promise<unknown> {
    // Kept a day after they end: a result is read from the job when its event was missed.
    return this.queue.add('probe', signed(this.options.key, body), { jobId: body.nonce, removeOnComplete: { age: KEEP_MS / 1000 }, removeOnFail: { age: KEEP_MS / 1000 } });
  }

  private async control(message: Pick<ControlBody, 'kind' | 'nonce' | 'seconds'>): Promise<void> {
    const body: ControlBody = { v: 1, queue: this.options.queue, hunt: this.hunt, issuedAt: Date.now(), ...message };
    await withDeadline(this.publisher.publish(controlChannel(this.options.queue), JSON.stringify(signed(this.options.key, body))), 2000, () => undefined);
  }

  /**
   * A probe whose answer no longer matters: marked cancelled in Redis (for workers that miss the message), off the
   * queue if it waits, its process group killed on the worker that runs it. `force`: its run already gave up on it.
   */
  private cancel(nonce: string, reason: unknown, force = false): void {
    const pending = this.pending.get(nonce);
    if (!pending && !force) return;
    this.pending.delete(nonce);
    pending?.reject(new InterruptedError(String(reason ?? 'SIGINT')));
    const work = (async () => {
      await this.publisher.set(cancelKey(this.options.queue, nonce), '1', 'PX', KEEP_MS).catch(() => undefined);
      await this.control({ kind: 'cancel', nonce });
      // A job a worker holds cannot be removed: the cancel message (or key) stops it there.
      await Job.fromId(this.queue, nonce)
        .then((job) => job?.remove())
        .catch(() => undefined);
    })();
    this.cancels.add(work);
    void work.finally(() => this.cancels.delete(work));
  }

  /** Jobs whose events were missed (a Redis restart, a reconnect) are read from Redis; a job Redis lost is sent again. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const [nonce, pending] of [...this.pending]) {
        const job = await Job.fromId(this.queue, nonce);
        if (!job) {
          if (this.pending.has(nonce)) await this.enqueue(pending.body);
          continue;
        }
        const state = await job.getState();
        if (state === 'completed') this.settle(nonce, { returnvalue: job.returnvalue });
        else if (state === 'failed') this.settle(nonce, { failedReason: job.failedReason });
      }
    } catch {
      // Redis is away: the next poll tries again.
    } finally {
      this.polling = false;
    }
  }

  /** Probes waiting with no worker to take them: said once, when it happens, and again when one comes. */
  private async checkWorkers(): Promise<void> {
    if (this.pending.size === 0) return;
    const workers = await this.queue.getWorkers().catch(() => undefined);
    if (workers === undefined) return;
    if (workers.length === 0 && !this.toldNoWorker) this.options.note?.(`no worker is listening on queue ${this.options.queue} at ${this.options.address.shown}: ${this.pending.size} probe(s) wait for one (culprit worker --executor ${this.options.address.shown} --repo …)`);
    if (workers.length > 0 && this.toldNoWorker) this.options.note?.(`${workers.length} worker(s) listen on queue ${this.options.queue} again`);
    this.toldNoWorker = workers.length === 0;
  }

  private settle(nonce: string, outcome: { returnvalue?: unknown; failedReason?: string }): void {
    const pending = this.pending.get(nonce);
    if (!pending) return;
    this.pending.delete(nonce);
    const { job } = pending;
    if (outcome.failedReason !== undefined) {
      pending.reject(new EnvironmentError(`the probe of ${job.candidate.commit} failed on a worker of queue ${this.options.queue}: ${outcome.failedReason}`, 'see that worker’s output'));
      return;
    }
    let value = outcome.returnvalue;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        value = undefined;
      }
    }
    const result = opened<ResultBody>(this.options.key, value, 'result', this.options.queue);
    if (!result || result.nonce !== nonce) {
      pending.reject(new EnvironmentError(`the result of the probe of ${job.candidate.commit} on queue ${this.options.queue} is not signed with the queue key`, 'something other than culprit workers with this key answers on that queue: check who can write to that Redis'));
      return;
    }
    const logPath = path.join(this.logDirectory, `${job.logName}.log`);
    try {
      writeFileSync(logPath, `# run by ${result.worker}; its log there: ${result.record.logPath}\n${result.log}`);
    } catch {
      // The verdict matters more than the local copy of its log.
    }
    pending.resolve({ ...result.record, logPath });
  }
}
