// An exclusive claim on a workspace slot, held by a live culprit process and recognised as stale once it dies.
// Lets a killed hunt's workspace be reclaimed (and reset) by the next hunt instead of piling up.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { failedWriting } from '../environment-failure.js';
import { ownStartIdentity, sameProcessAlive } from '../system/process-alive.js';

export { processAlive } from '../system/process-alive.js';

/** The lock's owner: its pid, and its start identity (absent in locks written before culprit recorded it). */
function lockHolder(lockPath: string): { pid: number; start: string | undefined } | undefined {
  try {
    const [pid, start] = readFileSync(lockPath, 'utf8').trim().split(/\s+/);
    const owner = Number(pid);
    return Number.isInteger(owner) ? { pid: owner, start: start || undefined } : undefined;
  } catch {
    return undefined;
  }
}

export function lockOwner(lockPath: string): number | undefined {
  return lockHolder(lockPath)?.pid;
}

/**
 * True when nobody holds the lock: no file, or a file naming a process that is gone — or whose pid another process
 * has since (after a reboot), which the start identity tells apart.
 */
export function lockIsFree(lockPath: string): boolean {
  const holder = lockHolder(lockPath);
  return holder === undefined || !sameProcessAlive(holder.pid, holder.start);
}

/** Takes the lock if it is free (reclaiming a stale one); returns false when a live process holds it. */
export function tryLock(lockPath: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      try {
        const start = ownStartIdentity();
        writeSync(fd, start ? `${process.pid} ${start}\n` : `${process.pid}\n`);
      } catch (error) {
        // No lock without its owner's pid; the user hears which file could not be written (a full disk, say).
        closeSync(fd);
        rmSync(lockPath, { force: true });
        throw failedWriting(lockPath, error);
      }
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!lockIsFree(lockPath)) return false;
      rmSync(lockPath, { force: true });
    }
  }
  return false;
}

export function unlock(lockPath: string): void {
  if (lockOwner(lockPath) === process.pid) rmSync(lockPath, { force: true });
}
