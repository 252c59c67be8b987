// The processes of one run, found three ways (its process group, its token, its cgroup where it has one), and what is
// done to them: signals to all at once, the leftovers of an ended command killed, and whether a late timer is moot.
import { setTimeout as delay } from 'node:timers/promises';
import { isLive, readProcessInfo, type ProcessInfo } from '../system/process-stat.js';
import type { ProbeCgroup } from './probe-cgroup.js';
import { canInspectProcesses, protectedPids, runProcesses, sendSignal } from './process-sweep.js';

/** After SIGKILL only uninterruptible sleep (a stuck NFS mount) delays death; we do not wait for that forever. */
const KILL_CONFIRM_MS = 5000;
/** How long a command stopped to be checked may take to stop (a process in uninterruptible sleep does not). */
const STOP_CONFIRM_MS = 1000;

export interface Containment {
  /** The main process's pid, which is its group's id. */
  pgid: number;
  token: string;
  cgroup: ProbeCgroup | undefined;
}

/**
 * The run's processes: those its group and token name, and the members of its cgroup (culprit and its ancestors
 * never: a nested culprit may sit in an outer one's cgroup).
 */
function runMembers(run: Containment): { named: ProcessInfo[]; inCgroup: number[] } {
  const spared = protectedPids();
  return { named: runProcesses(run.pgid, run.token, spared), inCgroup: run.cgroup ? run.cgroup.pids().filter((pid) => !spared.has(pid)) : [] };
}

/** Processes of the run outside its group: escaped with setsid (found by token, or by cgroup whatever they did). */
function escapees(run: Containment): number[] {
  const { named, inCgroup } = runMembers(run);
  return [...new Set([...named.filter((info) => info.pgrp !== run.pgid).map((info) => info.pid), ...inCgroup])];
}

/** Signals the whole group at once (no fork can slip between), the cgroup at once for SIGKILL, then the escapees one by one. */
export function signalRun(run: Containment, signal: NodeJS.Signals): void {
  const escaped = escapees(run);
  sendSignal(-run.pgid, signal);
  if (signal === 'SIGKILL') run.cgroup?.signal('SIGKILL');
  for (const pid of escaped) sendSignal(pid, signal);
  if (signal === 'SIGTERM') {
    // A stopped process would hold SIGTERM pending until SIGKILL; let it act on it now.
    sendSignal(-run.pgid, 'SIGCONT');
    for (const pid of escaped) sendSignal(pid, 'SIGCONT');
  }
}

/**
 * Whether the main process has ended by itself, for a timeout that has just expired. On Linux the process is stopped
 * first, so that it cannot end between the look and the kill: then it is either stopped (alive, and the kill that
 * follows resumes it) or a zombie whose exit culprit has not read yet. Elsewhere one turn of the event loop lets an
 * exit that is waiting arrive.
 */
export async function endedOnItsOwn(pid: number, exitSeen: () => boolean): Promise<boolean> {
  if (!canInspectProcesses()) {
    await new Promise((resolve) => setImmediate(resolve));
    return exitSeen();
  }
  sendSignal(pid, 'SIGSTOP');
  const until = performance.now() + STOP_CONFIRM_MS;
  for (;;) {
    const info = readProcessInfo(pid);
    if (exitSeen() || info === undefined || !isLive(info)) return true;
    if (info.state === 'T' || info.state === 't') return false;
    // Still running (in uninterruptible sleep): it has not ended, and it has had its time.
    if (performance.now() >= until) return false;
    await delay(1);
  }
}

interface Survivors {
  groupAlive: boolean;
  pids: number[];
}

function survivors(run: Containment): Survivors {
  if (canInspectProcesses()) {
    const { named, inCgroup } = runMembers(run);
    return { groupAlive: named.some((info) => info.pgrp === run.pgid), pids: [...new Set([...named.map((info) => info.pid), ...inCgroup])] };
  }
  // Without /proc the group can only be probed as a whole (zombies included), and escapees are out of reach.
  try {
    process.kill(-run.pgid, 0);
    return { groupAlive: true, pids: [] };
  } catch (error) {
    return { groupAlive: (error as NodeJS.ErrnoException).code === 'EPERM', pids: [] };
  }
}

/**
 * After the main process ended: TERM what the run left behind, KILL it at the grace deadline (or as soon as
 * `killNow` says so), and return once nothing is left and the cgroup is removed (or SIGKILL has visibly failed).
 * Counts every process seen, as the run's strays.
 */
export async function clearLeftovers(
  run: Containment,
  graceDeadline: number,
  termSent: boolean,
  killSent: boolean,
  killNow: () => boolean,
): Promise<{ strays: number; survivors: number[]; cgroupLeft?: string }> {
  const { pgid } = run;
  const seen = new Set<number>();
  const termed = new Set<number>();
  let unknownGroupMember = false;
  let killDeadline = killSent ? performance.now() + KILL_CONFIRM_MS : undefined;
  let pause = 5;
  for (;;) {
    const left = survivors(run);
    for (const pid of left.pids) seen.add(pid);
    if (left.groupAlive && left.pids.length === 0) unknownGroupMember = true;
    const strays = seen.size + (unknownGroupMember && seen.size === 0 ? 1 : 0);
    const now = performance.now();
    if (!left.groupAlive && left.pids.length === 0) {
      // An empty cgroup may take a moment to be removable; past the deadline it is left for a later sweep.
      if (!run.cgroup || run.cgroup.remove()) return { strays, survivors: [] };
      if (now >= (killDeadline ?? graceDeadline + KILL_CONFIRM_MS)) return { strays, survivors: [], cgroupLeft: run.cgroup.directory };
    }
    if (killDeadline === undefined && (now >= graceDeadline || killNow())) killDeadline = now + KILL_CONFIRM_MS;
    if (killDeadline !== undefined) {
      if (now >= killDeadline) return { strays, survivors: left.pids, ...(run.cgroup ? { cgroupLeft: run.cgroup.directory } : {}) };
      if (left.groupAlive) sendSignal(-pgid, 'SIGKILL');
      run.cgroup?.signal('SIGKILL');
      for (const pid of left.pids) sendSignal(pid, 'SIGKILL');
    } else if (!termSent) {
      // Each process once: a second SIGTERM makes some programs skip their own cleanup.
      if (left.pids.length === 0 && !termed.has(-pgid)) {
        termed.add(-pgid);
        sendSignal(-pgid, 'SIGTERM');
        sendSignal(-pgid, 'SIGCONT');
      }
      for (const pid of left.pids) {
        if (termed.has(pid)) continue;
        termed.add(pid);
        sendSignal(pid, 'SIGTERM');
        sendSignal(pid, 'SIGCONT');
      }
    }
    const untilDeadline = (killDeadline ?? graceDeadline) - performance.now();
    await delay(Math.max(1, Math.min(pause, untilDeadline)));
    pause = Math.min(pause * 2, 100);
  }
}
