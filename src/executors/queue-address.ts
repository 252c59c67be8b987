// Where a probe queue lives: redis:// and rediss:// (TLS) URLs with user, password and database, checked and turned
// into the connection options BullMQ and ioredis take; the password never shows in messages. Also the queue's names.
import type { RedisOptions } from 'ioredis';
import { UsageError } from '../errors.js';

/** Redis keys of culprit's queues start with this, apart from any other BullMQ user of the same database. */
export const QUEUE_PREFIX = 'culprit';
export const DEFAULT_QUEUE = 'probes';

/** Marks a job cancelled, for workers that missed the cancel message (it came while they were away, or before them). */
export function cancelKey(queue: string, nonce: string): string {
  return `${QUEUE_PREFIX}:${queue}:cancel:${nonce}`;
}

/** The channel a coordinator publishes its signed control messages (cancel, retime) on. */
export function controlChannel(queue: string): string {
  return `${QUEUE_PREFIX}:${queue}:control`;
}

export interface QueueAddress {
  options: RedisOptions;
  /** The URL without its password, for messages and reports. */
  shown: string;
}

/** `--executor redis://[user[:password]@]host[:port][/db]` (rediss:// for TLS); CULPRIT_REDIS_PASSWORD fills a missing password. */
export function queueAddress(value: unknown, environment: NodeJS.ProcessEnv = process.env): QueueAddress {
  const text = typeof value === 'string' ? value : '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--executor must be a redis:// or rediss:// URL, got '${text}'`, 'e.g. --executor redis://127.0.0.1:6379/0');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError(`--executor must be a redis:// or rediss:// URL, got '${url.protocol}//…'`, 'e.g. --executor redis://127.0.0.1:6379/0');
  if (!url.hostname) throw new UsageError(`--executor ${text} names no host`, 'e.g. --executor redis://127.0.0.1:6379/0');
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new UsageError(`--executor ${text}: the database must be a number, got '${db}'`, 'e.g. redis://host:6379/0');
  const password = url.password ? decodeURIComponent(url.password) : environment.CULPRIT_REDIS_PASSWORD;
  const options: RedisOptions = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    db: db === '' ? 0 : Number(db),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(password ? { password } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
    // BullMQ's blocking commands wait indefinitely; a lost connection is retried, never given up on mid-hunt.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  };
  const shown = `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}/${options.db ?? 0}`;
  return { options, shown };
}
