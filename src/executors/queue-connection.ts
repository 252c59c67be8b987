// Whether the Redis behind a probe queue answers: one line when it cannot be reached or refuses us, instead of a
// hunt that waits for a queue that is not there.
import { Redis } from 'ioredis';
import { CulpritError, EnvironmentError, UsageError } from '../errors.js';
import type { QueueAddress } from './queue-address.js';

/**
 * Fails in one line when Redis cannot be reached or refuses us, instead of waiting for a queue that is not there; the
 * database is selected explicitly, since one the server lacks would otherwise silently mean database 0.
 */
export async function checkReachable(address: QueueAddress, timeoutMs = 5000): Promise<void> {
  const { db, ...rest } = address.options;
  const client = new Redis({ ...rest, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  // The reason a connection ends (a wrong password) reaches the error event, not the failed command.
  let last: Error | undefined;
  client.on('error', (error: Error) => (last = error));
  try {
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      const reason = last && /closed/i.test(error instanceof Error ? error.message : '') ? last.message : error instanceof Error ? error.message : String(error);
      if (/WRONGPASS|NOAUTH|NOPERM/.test(reason)) throw queueFailure(new Error(reason), address);
      throw new UsageError(`cannot reach the queue at ${address.shown}: ${reason}`, 'start redis-server there, or check --executor and its password');
    }
    try {
      await client.select(db ?? 0);
    } catch (error) {
      throw new UsageError(`the queue at ${address.shown}: database ${db ?? 0} cannot be used: ${error instanceof Error ? error.message : String(error)}`, 'pick a database the server has, e.g. redis://host:6379/0');
    }
  } finally {
    client.disconnect();
  }
}

/** What Redis said when it refused culprit (a missing ACL permission, a wrong password, a bad database), in one line. */
export function queueFailure(error: unknown, address: QueueAddress): CulpritError {
  if (error instanceof CulpritError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/NOPERM|WRONGPASS|NOAUTH|DB index/i.test(message)) return new UsageError(`the queue at ${address.shown} refused culprit: ${message.split('\n')[0] ?? message}`, 'check --executor, its password, and that the Redis user may run scripts (EVAL), PUBLISH and SUBSCRIBE on culprit:* keys');
  return new EnvironmentError(`the queue at ${address.shown} failed: ${message.split('\n')[0] ?? message}`, 'check that Redis is up; the hunt resumes with culprit resume');
}
