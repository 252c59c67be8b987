// Finds and kills the processes a probe started, by process group and by the token every run puts in its environment.
// Process groups miss children that escape with setsid, and a SIGKILLed culprit cannot clean up at all; the token can.
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isLive, pidNamespace, readProcessInfo, sleepSync, type ProcessInfo } from '../system/process-stat.js';
import { sweepOrphanCgroups } from './probe-cgroup.js';

/** The environment variable that marks every process of one run: `<culpritPid>.<runNonce>`. */
export const PROBE_TOKEN_VARIABLE = 'CULPRIT_PROBE_TOKEN';

const TOKEN_PREFIX = Buffer.from(`${PROBE_TOKEN_VARIABLE}=`);

/** A token unique to one run; the pid part lets a later culprit tell whether the run's owner is still alive. */
export function newProbeToken(): string {
  return `${process.pid}.${randomBytes(8).toString('hex')}`;
}

let procAvailable: boolean | undefined;

/** Whether /proc can be read (Linux); elsewhere only process groups are available and the token sweep is skipped. */
export function canInspectProcesses(): boolean {
  if (procAvailable === undefined) {
    try {
      procAvailable = process.platform === 'linux' && readFileSync('/proc/self/stat', 'latin1').length > 0;
    } catch {
      procAvailable = false;
    }
  }
  return procAvailable;
}

function listPids(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    if (/^\d+$/.test(name)) pids.push(Number(name));
  }
  return pids;
}

/** Whether pid names a process that is still running (not a zombie). */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (canInspectProcesses()) {
    const info = readProcessInfo(pid);
    return info !== undefined && isLive(info);
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** culprit itself and its ancestors: a nested culprit (or a shell started from a probe) may carry a token. */
export function protectedPids(): Set<number> {
  const pids = new Set<number>([process.pid, process.ppid, 1]);
  if (!canInspectProcesses()) return pids;
  let pid = process.pid;
  for (let depth = 0; depth < 1000 && pid > 1; depth++) {
    const info = readProcessInfo(pid);
    if (!info) break;
    pids.add(info.ppid);
    pid = info.ppid;
  }
  return pids;
}

function readEnviron(pid: number): Buffer | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`);
  } catch {
    // Gone, or another user's process (EACCES): neither is ours to kill.
    return undefined;
  }
}

/** Every value of CULPRIT_PROBE_TOKEN in a NUL-separated environment block. */
function tokensIn(environ: Buffer): string[] {
  const tokens: string[] = [];
  let at = environ.indexOf(TOKEN_PREFIX);
  while (at >= 0) {
    if (at === 0 || environ[at - 1] === 0) {
      const start = at + TOKEN_PREFIX.length;
      let end = environ.indexOf(0, start);
      if (end < 0) end = environ.length;
      tokens.push(environ.toString('latin1', start, end));
    }
    at = environ.indexOf(TOKEN_PREFIX, at + 1);
  }
  return tokens;
}

/**
 * Live processes of one run: members of its process group, and processes elsewhere carrying its token.
 * Never culprit or its ancestors (`spared`, when the caller has them at hand). Linux only; elsewhere an empty list.
 */
export function runProcesses(pgid: number, token: string, spared: ReadonlySet<number> = protectedPids()): ProcessInfo[] {
  if (!canInspectProcesses()) return [];
  const found: ProcessInfo[] = [];
  for (const pid of listPids()) {
    if (spared.has(pid)) continue;
    const info = readProcessInfo(pid);
    if (!info || !isLive(info)) continue;
    if (info.pgrp === pgid && pgid > 1) {
      found.push(info);
      continue;
    }
    const environ = readEnviron(pid);
    if (environ && tokensIn(environ).includes(token)) found.push(info);
  }
  return found;
}

/** Live processes (not culprit, not its ancestors) whose environment carries exactly this token. */
export function tokenCarriers(token: string): number[] {
  return runProcesses(0, token).map((info) => info.pid);
}

/** Live processes carrying any probe token, with their tokens; for sweeps and for checking that nothing is left. */
export function tokenProcesses(): Map<number, string[]> {
  const carriers = new Map<number, string[]>();
  if (!canInspectProcesses()) return carriers;
  const spared = protectedPids();
  for (const pid of listPids()) {
    if (spared.has(pid)) continue;
    const info = readProcessInfo(pid);
    if (!info || !isLive(info)) continue;
    const environ = readEnviron(pid);
    if (!environ) continue;
    const tokens = tokensIn(environ);
    if (tokens.length > 0) carriers.set(pid, tokens);
  }
  return carriers;
}

/** Sends a signal, ignoring processes that are already gone or not ours. */
export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILLs what `find` returns until it returns nothing, so children forked while we kill are caught too.
 * Synchronous: callers are start-up and last-resort paths with nothing better to do meanwhile.
 */
function killUntilGone(find: () => number[]): number {
  const killed = new Set<number>();
  for (let round = 0; round < 100; round++) {
    const pids = find();
    if (pids.length === 0) break;
    for (const pid of pids) {
      if (sendSignal(pid, 'SIGKILL')) killed.add(pid);
    }
    sleepSync(round < 5 ? 5 : 25);
  }
  return killed.size;
}

/** Kills every process carrying this run token; returns how many. No-op (0) where /proc is unavailable. */
export function sweepToken(token: string): number {
  if (!canInspectProcesses() || token === '') return 0;
  return killUntilGone(() => tokenCarriers(token));
}

/**
 * Kills leftovers of culprit processes that died without cleaning up (SIGKILL, power loss of the terminal): the
 * probe cgroups they left (see probe-cgroup.ts), then processes whose token names a culprit pid that is no longer
 * running. Returns how many were killed.
 * A token's pid only means something in its own pid namespace, so processes in other namespaces are left alone.
 */
export function sweepOrphans(): number {
  if (!canInspectProcesses()) return 0;
  const contained = sweepOrphanCgroups();
  const ownNamespace = pidNamespace('self');
  const orphans = (): number[] => {
    const found: number[] = [];
    for (const [pid, tokens] of tokenProcesses()) {
      if (pidNamespace(pid) !== ownNamespace) continue;
      const owners = tokens.map((token) => Number(/^([1-9]\d*)\.[^.\s]+$/.exec(token)?.[1] ?? Number.NaN));
      // Malformed tokens are not ours to judge.
      if (owners.some((owner) => !Number.isSafeInteger(owner))) continue;
      if (owners.every((owner) => owner !== process.pid && !isRunning(owner))) found.push(pid);
    }
    return found;
  };
  return contained + killUntilGone(orphans);
}
