// Whether the Redis behind a probe queue answers: one line when it cannot be reached or refuses us, instead of a
// hunt that waits for a queue that is not there.
import { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import type { QueueAddress } from './queue-address.js';

/** Fails in one line when Redis cannot be reached or refuses us, instead of waiting for a queue that is not there. */
export async function checkReachable(address: QueueAddress, timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...address.options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new UsageError(`cannot reach the queue at ${address.shown}: ${error instanceof Error ? error.message : String(error)}`, 'start redis-server there, or check --executor and its password');
  } finally {
    client.disconnect();
  }
}
