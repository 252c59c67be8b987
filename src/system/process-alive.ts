// Whether a process id names a live process, and which process it is: how a workspace slot or a hunt tells that its
// owner died, even when its pid was given to another process since (after a reboot, or a pid wrap). A leaf module.
import { readFileSync } from 'node:fs';
import { readProcessInfo } from './process-stat.js';

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What tells a process from a later one with the same pid: the boot it runs in and its start time (field 22 of
 * /proc/PID/stat, in clock ticks since boot). Undefined where /proc does not say (another OS, or no such process).
 */
export function processStartIdentity(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const info = readProcessInfo(pid);
  const boot = bootId();
  return info === undefined || !Number.isInteger(info.startTime) || boot === undefined ? undefined : `${boot}:${info.startTime}`;
}

let boot: string | undefined | null = null;

/** This boot's id, read once: it cannot change while culprit runs. */
function bootId(): string | undefined {
  if (boot === null) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      boot = undefined;
    }
  }
  return boot;
}

let own: string | undefined | null = null;

/** This process's start identity, read once. */
export function ownStartIdentity(): string | undefined {
  if (own === null) own = processStartIdentity(process.pid);
  return own;
}

/**
 * Whether the process that was `pid` when `start` was recorded still runs. Without a recorded start (an older record)
 * or where /proc cannot say, the pid alone decides.
 */
export function sameProcessAlive(pid: number, start: string | null | undefined): boolean {
  if (!processAlive(pid)) return false;
  if (!start) return true;
  const now = processStartIdentity(pid);
  return now === undefined || now === start;
}
