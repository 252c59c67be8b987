// Which signed jobs a worker has run: each job's nonce is claimed once, in Redis (shared by the workers of a queue)
// and in a file under the worker's cache (which survives a flushed or replaced Redis). A job handed on after a stall
// runs again under its own id; one that already ran gets its recorded result back; any other copy is a replay.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { QUEUE_PREFIX } from './queue-address.js';

export type Claim = { kind: 'run' } | { kind: 'ran'; result: unknown } | { kind: 'replay'; why: string };

export class NonceLedger {
  /** This worker's spent nonces: the job id each ran under, and when it was issued. */
  private readonly spent = new Map<string, { jobId: string; issuedAt: number }>();
  private readonly file: string;

  constructor(
    private readonly redis: Redis,
    private readonly queue: string,
    directory: string,
    /** How long a nonce is remembered: as long as a job may be run at all. */
    private readonly windowMs: number,
  ) {
    mkdirSync(directory, { recursive: true });
    this.file = path.join(directory, `${queue}.spent`);
    let lines: string[] = [];
    try {
      lines = readFileSync(this.file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    const oldest = Date.now() - windowMs;
    for (const line of lines) {
      const [nonce, jobId, issued] = line.split(' ');
      if (nonce && jobId && Number(issued) > oldest) this.spent.set(nonce, { jobId, issuedAt: Number(issued) });
    }
    // Rewritten without what has aged out, so the file stays as small as the window.
    writeFileSync(this.file, [...this.spent].map(([nonce, entry]) => `${nonce} ${entry.jobId} ${entry.issuedAt}\n`).join(''));
  }

  private key(kind: 'nonce' | 'result', nonce: string): string {
    return `${QUEUE_PREFIX}:${this.queue}:${kind}:${nonce}`;
  }

  private async storedResult(nonce: string): Promise<unknown> {
    const text = await this.redis.get(this.key('result', nonce));
    return text === null ? undefined : (JSON.parse(text) as unknown);
  }

  async claim(nonce: string, jobId: string): Promise<Claim> {
    const here = this.spent.get(nonce);
    if (here) {
      if (here.jobId !== jobId) return { kind: 'replay', why: 'replayed: this signed job already ran' };
      const result = await this.storedResult(nonce);
      return result === undefined ? { kind: 'replay', why: 'replayed: this job already ran here and its result is gone' } : { kind: 'ran', result };
    }
    if ((await this.redis.set(this.key('nonce', nonce), jobId, 'PX', this.windowMs, 'NX')) === 'OK') return { kind: 'run' };
    const holder = await this.redis.get(this.key('nonce', nonce));
    // Handed on after its worker stalled (killed, cut off from Redis): the same job, to run again.
    if (holder === jobId) return { kind: 'run' };
    if (holder === `spent:${jobId}`) {
      const result = await this.storedResult(nonce);
      if (result !== undefined) return { kind: 'ran', result };
    }
    return { kind: 'replay', why: holder?.startsWith('spent:') || holder === null ? 'replayed: this signed job already ran' : 'its signature is for another job' };
  }

  /** The job ran (or was refused after its claim): never again, and its result, if any, for a re-delivery. */
  async spend(nonce: string, jobId: string, issuedAt: number, result?: unknown): Promise<void> {
    this.spent.set(nonce, { jobId, issuedAt });
    appendFileSync(this.file, `${nonce} ${jobId} ${issuedAt}\n`);
    const ttl = Math.max(1000, issuedAt + this.windowMs - Date.now());
    await this.redis.set(this.key('nonce', nonce), `spent:${jobId}`, 'PX', ttl);
    if (result !== undefined) await this.redis.set(this.key('result', nonce), JSON.stringify(result), 'PX', ttl);
  }
}
