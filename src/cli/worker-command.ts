// `culprit worker --executor redis://… --repo URL|PATH`: a machine that runs a distributed hunt's probes. It keeps
// its own clone, workspaces and build cache under its cache directory, and runs until Ctrl-C or SIGTERM.
import { UsageError } from '../errors.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { loadQueueKey } from '../executors/queue-signing.js';
import { forgetSecrets } from '../probe/secret-variables.js';
import { queueAddress } from '../executors/queue-address.js';
import { catchInterrupts } from './interrupts.js';
import { queueNameOption, vcsOption } from './option-parsers.js';

function concurrencyOption(value: unknown): number {
  if (value === undefined) return 1;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64, got '${text}'`, 'e.g. --concurrency 2 (one workspace per probe at once)');
  return Number(text);
}

/** How long a job stays with a worker that stopped renewing its lock (killed, cut off) before another takes it. */
function lockOption(value: unknown): number {
  if (value === undefined) return 10_000;
  const text = String(value);
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) < 1 || Number(text) > 3600) throw new UsageError(`--lock-seconds must be a number of seconds from 1 to 3600, got '${text}'`, 'e.g. --lock-seconds 10');
  return Math.round(Number(text) * 1000);
}

export async function workerCommand(options: Record<string, unknown>): Promise<number> {
  if (options.executor === undefined) throw new UsageError('culprit worker needs --executor', 'e.g. culprit worker --executor redis://HOST:6379/0 --repo URL');
  const address = queueAddress(options.executor);
  if (typeof options.repo !== 'string' || options.repo === '') throw new UsageError('culprit worker needs --repo', 'the URL or path the hunted repository can be cloned from');
  const queue = queueNameOption(options.queue);
  const concurrency = concurrencyOption(options.concurrency);
  const lockMs = lockOption(options.lockSeconds);
  const key = loadQueueKey(typeof options.keyFile === 'string' ? options.keyFile : undefined);
  // A build or test on this worker could otherwise read the key and sign jobs of its own.
  forgetSecrets();
  const cacheRoot = cacheDirectory(typeof options.workdir === 'string' ? options.workdir : undefined);
  const vcs = options.vcs === undefined ? undefined : vcsOption(options.vcs);
  const { checkReachable, queueFailure } = await import('../executors/queue-connection.js');
  const { workerRepository } = await import('../executors/worker-repository.js');
  const { runQueueWorker } = await import('../executors/queue-worker.js');
  // Redis first: a worker that cannot reach its queue has no business cloning anything.
  await checkReachable(address);
  const repo = await workerRepository(options.repo, cacheRoot, vcs);
  const interrupts = catchInterrupts('stopping the worker');
  try {
    await runQueueWorker({ address, queue, key, concurrency, cacheRoot, repo, lockMs, signal: interrupts.signal, log: (line) => process.stderr.write(`${line}\n`) });
    return 0;
  } catch (error) {
    throw queueFailure(error, address);
  } finally {
    interrupts.dispose();
  }
}
