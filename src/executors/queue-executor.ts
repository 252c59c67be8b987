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
import { KEYED_ENVIRONMENT } from '../probe/recipe-key.js';
import type { Executor, ProbeJob } from './executor.js';
import { controlChannel, QUEUE_PREFIX, type QueueAddress } from './queue-address.js';
import { checkReachable } from './queue-connection.js';
import { opened, signed, toWire, type ControlBody, type JobBody, type ResultBody } from './queue-messages.js';

/** How often the coordinator asks after its jobs besides listening to events: events missed across a reconnect are not lost. */
const POLL_MS = 2000;

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
  const variables: Record<string, string> = {};
  for (const name of KEYED_ENVIRONMENT) if (name !== 'PATH' && process.env[name] !== undefined) variables[name] = process.env[name] ?? '';
  return variables;
}

export class QueueExecutor implements Executor {
  private readonly pending = new Map<string, Pending>();
  private readonly hunt = randomUUID();
  private timeoutSeconds: number | undefined;
  private readonly poller: NodeJS.Timeout;

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
  }

  /** Checks that Redis answers, then opens the queue, its events and a connection to publish control messages on. */
  static async open(options: QueueExecutorOptions): Promise<QueueExecutor> {
    await checkReachable(options.address);
    // ioredis's options, which BullMQ hands to its own ioredis connections.
    const connection = options.address.options as ConnectionOptions;
    const queue = new Queue(options.queue, { connection, prefix: QUEUE_PREFIX });
    const events = new QueueEvents(options.queue, { connection, prefix: QUEUE_PREFIX });
    const publisher = new Redis(options.address.options);
    // Reconnects are ioredis's to make; an error between them is not the hunt's.
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    publisher.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const workers = await queue.getWorkers().catch(() => []);
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
    const body: JobBody = { v: 1, kind: 'probe', queue: this.options.queue, hunt: this.hunt, nonce, issuedAt: Date.now(), job: toWire(sent) };
    const result = new Promise<ProbeRecord>((resolve, reject) => this.pending.set(nonce, { job, body, resolve, reject }));
    // A cancel may settle it while the job is still being sent: it is awaited below all the same.
    result.catch(() => undefined);
    const onAbort = (): void => void this.cancel(nonce, signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.enqueue(body);
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

  keepOnlyLogsNamedIn(message: string): void {
    removeLogsExcept(this.logDirectory, message);
  }

  async close(): Promise<void> {
    clearInterval(this.poller);
    for (const [nonce] of this.pending) await this.cancel(nonce, 'the hunt ended');
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.publisher.disconnect();
  }

  private enqueue(body: JobBody): Promise<unknown> {
    // Kept a day after they end: a result is read from the job when its event was missed.
    return this.queue.add('probe', signed(this.options.key, body), { jobId: body.nonce, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } });
  }

  private async control(message: Pick<ControlBody, 'kind' | 'nonce' | 'seconds'>): Promise<void> {
    const body: ControlBody = { v: 1, queue: this.options.queue, hunt: this.hunt, issuedAt: Date.now(), ...message };
    await this.publisher.publish(controlChannel(this.options.queue), JSON.stringify(signed(this.options.key, body))).catch(() => undefined);
  }

  /** A probe whose answer no longer matters: off the queue if it waits, its process group killed if it runs. */
  private async cancel(nonce: string, reason: unknown): Promise<void> {
    const pending = this.pending.get(nonce);
    if (!pending) return;
    this.pending.delete(nonce);
    pending.reject(new InterruptedError(String(reason ?? 'SIGINT')));
    await this.control({ kind: 'cancel', nonce });
    await Job.fromId(this.queue, nonce)
      .then((job) => job?.remove())
      .catch(() => undefined); // A job a worker holds cannot be removed: the cancel message stops it there.
  }

  /** Jobs whose events were missed (a Redis restart, a reconnect) are read from Redis; a job Redis lost is sent again. */
  private async poll(): Promise<void> {
    for (const [nonce, pending] of [...this.pending]) {
      try {
        const job = await Job.fromId(this.queue, nonce);
        if (!job) {
          if (this.pending.has(nonce)) await this.enqueue(pending.body);
          continue;
        }
        const state = await job.getState();
        if (state === 'completed') this.settle(nonce, { returnvalue: job.returnvalue });
        else if (state === 'failed') this.settle(nonce, { failedReason: job.failedReason });
      } catch {
        return; // Redis is away: the next poll tries again.
      }
    }
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
