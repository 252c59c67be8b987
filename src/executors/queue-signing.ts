// What makes a queued probe trustworthy: HMAC-SHA256 over the canonical JSON of a message, with a key shared by the
// coordinator and its workers (CULPRIT_QUEUE_KEY or a key file, never the command line). A worker runs commands, so
// anything unsigned or signed with another key is refused before it is even parsed as a job.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { canonicalJson } from '../text/canonical-json.js';

/** A key shorter than this is a password, not a key: refused. */
const MIN_KEY_BYTES = 16;

/** Signs what crosses the wire: the value as JSON sees it (a Buffer's or a Date's JSON form, not the object). */
export function sign(key: Buffer, value: unknown): string {
  return createHmac('sha256', key).update(canonicalJson(JSON.parse(JSON.stringify(value) ?? 'null')), 'utf8').digest('hex');
}

export function verifies(key: Buffer, value: unknown, signature: unknown): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return false;
  let expected: string;
  try {
    expected = sign(key, value);
  } catch {
    return false;
  }
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex'));
}

/**
 * The queue key: a key file (`--key-file`, readable by its owner only, as ssh insists) or CULPRIT_QUEUE_KEY.
 * Surrounding whitespace (a trailing newline) is not part of it.
 */
export function loadQueueKey(keyFile: string | undefined, environment: NodeJS.ProcessEnv = process.env): Buffer {
  let text: string;
  let where: string;
  if (keyFile !== undefined) {
    const stat = statSync(keyFile, { throwIfNoEntry: false });
    if (!stat?.isFile()) throw new UsageError(`--key-file ${keyFile} is not a file`, 'make one with: head -c 32 /dev/urandom | base64 > queue.key && chmod 600 queue.key');
    if ((stat.mode & 0o077) !== 0) throw new UsageError(`--key-file ${keyFile} can be read by others (mode ${(stat.mode & 0o777).toString(8)})`, `restrict it: chmod 600 ${keyFile}`);
    text = readFileSync(keyFile, 'utf8');
    where = `--key-file ${keyFile}`;
  } else if (environment.CULPRIT_QUEUE_KEY) {
    text = environment.CULPRIT_QUEUE_KEY;
    where = 'CULPRIT_QUEUE_KEY';
  } else {
    throw new UsageError('no queue key: jobs on a queue are signed, and workers run only signed jobs', 'set CULPRIT_QUEUE_KEY (the same on the coordinator and every worker) or pass --key-file FILE');
  }
  const key = Buffer.from(text.trim(), 'utf8');
  if (key.length < MIN_KEY_BYTES) throw new UsageError(`the queue key in ${where} is ${key.length} bytes; it needs at least ${MIN_KEY_BYTES}`, 'make one with: head -c 32 /dev/urandom | base64');
  return key;
}
