// An exclusive claim on a workspace slot, held by a live culprit process and recognised as stale once it dies.
// Lets a killed hunt's workspace be reclaimed (and reset) by the next hunt instead of piling up.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { failedWriting } from '../environment-failure.js';
import { processAlive } from '../system/process-alive.js';

export { processAlive } from '../system/process-alive.js';

export function lockOwner(lockPath: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when nobody holds the lock: no file, or a file naming a process that is gone. */
export function lockIsFree(lockPath: string): boolean {
  const owner = lockOwner(lockPath);
  return owner === undefined || !processAlive(owner);
}

/** Takes the lock if it is free (reclaiming a stale one); returns false when a live process holds it. */
export function tryLock(lockPath: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
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
