// Reads one process's state from /proc/<pid>/stat (Linux): its parent, group, state and start time.
// A leaf module: the sweeps, the runner and the cgroup containment all tell processes apart through it.
import { readFileSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  /** Clock ticks after boot: with the pid, names one process even once its pid is reused. */
  startTime: number;
}

/** Reads /proc/<pid>/stat; undefined when the process is gone or unreadable (it may vanish at any moment). */
export function readProcessInfo(pid: number | 'self'): ProcessInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name is parenthesised and may itself contain spaces and parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).split(' ');
  // Fields 3, 4, 5 and 22 of proc(5), counted from the state.
  const [state, ppid, pgrp] = fields;
  const startTime = fields[19];
  if (state === undefined || ppid === undefined || pgrp === undefined || startTime === undefined) return undefined;
  return { pid: pid === 'self' ? Number(text.slice(0, text.indexOf(' '))) : pid, state, ppid: Number(ppid), pgrp: Number(pgrp), startTime: Number(startTime) };
}

/** A zombie has finished; where pid 1 does not reap orphans it lingers forever, so it must not count as alive. */
export function isLive(info: ProcessInfo): boolean {
  return info.state !== 'Z' && info.state !== 'X' && info.state !== 'x';
}

/** The pid namespace a process lives in (a pid only names a process within its own); undefined when unreadable. */
export function pidNamespace(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms`: for the start-up and last-resort sweeps, which have nothing better to do meanwhile. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
