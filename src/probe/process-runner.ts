// Runs one build or test command of a probe in its own process group, with its output appended to a log file.
// Hangs are an outcome, not a stuck hunt: timeout → SIGTERM to the group → SIGKILL after the grace, and nothing survives.
import { capLog } from './log-cap.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { CommandSpec } from '../model/recipe.js';
import { describeCommand } from '../text/format.js';
import { canInspectProcesses, newProbeToken, PROBE_TOKEN_VARIABLE, runProcesses, sendSignal } from './process-sweep.js';
import { failedWriting } from '../environment-failure.js';

export type { CommandSpec } from '../model/recipe.js';

export interface RunRequest {
  command: CommandSpec;
  cwd: string;
  /** The full environment of the command; the runner adds CULPRIT_PROBE_TOKEN. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /**
   * Subscribes to later changes of the timeout (a derived timeout becomes known while the command runs); returns
   * the unsubscribe. The new timeout counts from the command's start.
   */
  timeoutUpdates?: (listener: (timeoutMs: number) => void) => () => void;
  /** Delay between SIGTERM and SIGKILL, both on timeout and for processes left behind. */
  graceMs: number;
  logPath: string;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  interrupted: boolean;
  killedByUs: boolean;
  /** Wall time until the main process ended (cleaning up leftovers is not the command's time). */
  seconds: number;
  outputTail: string;
  strays: number;
}

const TAIL_BYTES = 4096;
/** setTimeout fires at once for delays that do not fit in 32 bits. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** After SIGKILL only uninterruptible sleep (a stuck NFS mount) delays death; we do not wait for that forever. */
const KILL_CONFIRM_MS = 5000;

type Ended =
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'spawn-error'; error: NodeJS.ErrnoException };

export async function runCommand(request: RunRequest): Promise<RunResult> {
  const { timeoutMs, graceMs } = request;
  if (!(timeoutMs > 0)) throw new RangeError(`timeout must be positive, got ${timeoutMs} ms`);
  if (!(graceMs >= 0) || !Number.isFinite(graceMs)) throw new RangeError(`grace must be a finite non-negative delay, got ${graceMs} ms`);
  const [file, args] = commandLine(request.command);
  // spawn reports a missing cwd as ENOENT, which would read as "command not found".
  let cwdIsDirectory = false;
  try {
    cwdIsDirectory = statSync(request.cwd).isDirectory();
  } catch {
    // reported below
  }
  if (!cwdIsDirectory) throw new Error(`cannot run ${headerLine(request.command)}: working directory ${request.cwd} does not exist`);

  mkdirSync(path.dirname(request.logPath), { recursive: true });
  // a+ rather than a: the tail is read back through the same descriptor.
  const log = openSync(request.logPath, 'a+');
  try {
    return await runLogged(request, file, args, log);
  } catch (error) {
    throw failedWriting(request.logPath, error);
  } finally {
    closeSync(log);
  }
}

function commandLine(command: CommandSpec): [string, string[]] {
  if ('shell' in command) return ['/bin/sh', ['-c', command.shell]];
  const [file, ...args] = command.argv;
  if (file === undefined || file === '') throw new Error('cannot run an empty command');
  return [file, args];
}

/** The command as the log's header shows it: one line even for a multi-line script. */
function headerLine(command: CommandSpec): string {
  return describeCommand(command).replace(/\r?\n/g, '\\n');
}

function note(log: number, text: string): void {
  writeSync(log, `[culprit] ${text}\n`);
}

async function runLogged(request: RunRequest, file: string, args: string[], log: number): Promise<RunResult> {
  const { graceMs } = request;
  let timeoutMs = request.timeoutMs;
  note(log, `$ ${headerLine(request.command)}  (in ${request.cwd}, ${new Date().toISOString()}, timeout ${formatSeconds(timeoutMs / 1000)})`);
  const outputStart = fstatSync(log).size;
  const stopCap = capLog(log, outputStart);
  const token = newProbeToken();
  const started = performance.now();
  const finish = (fields: Omit<RunResult, 'killedByUs' | 'outputTail' | 'seconds'> & { seconds?: number }, footer: string[]): RunResult => {
    stopCap();
    const outputTail = readTail(log, outputStart);
    for (const line of footer) note(log, line);
    return {
      exitCode: fields.exitCode,
      signal: fields.signal,
      timedOut: fields.timedOut,
      interrupted: fields.interrupted,
      killedByUs: fields.timedOut || fields.interrupted,
      seconds: fields.seconds ?? (performance.now() - started) / 1000,
      outputTail,
      strays: fields.strays,
    };
  };

  if (request.signal?.aborted) {
    return finish({ exitCode: null, signal: null, timedOut: false, interrupted: true, strays: 0, seconds: 0 }, ['interrupted before start']);
  }

  let child: ChildProcess | undefined;
  let ended: Promise<Ended>;
  try {
    const spawned = spawn(file, args, {
      cwd: request.cwd,
      env: { ...request.env, [PROBE_TOKEN_VARIABLE]: token },
      // A new session and process group: the group id is the child's pid, and a signal to it reaches every descendant that stays.
      detached: true,
      // A file, not pipes: a background child holding a pipe would keep us waiting for 'close'.
      stdio: ['ignore', log, log],
    });
    child = spawned;
    ended = new Promise<Ended>((resolve) => {
      spawned.once('exit', (code, signal) => resolve({ kind: 'exit', code, signal }));
      // Kept for the child's whole life: an 'error' event without a listener would crash culprit.
      spawned.on('error', (error: NodeJS.ErrnoException) => {
        if (spawned.pid === undefined) resolve({ kind: 'spawn-error', error });
      });
    });
  } catch (error) {
    ended = Promise.resolve({ kind: 'spawn-error', error: error as NodeJS.ErrnoException });
  }

  const pgid = child?.pid;
  let reason: 'timeout' | 'abort' | undefined;
  let termSentAt = 0;
  let killSent = false;
  let mainEnded = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (why: 'timeout' | 'abort'): void => {
    if (reason || mainEnded || pgid === undefined) return;
    reason = why;
    termSentAt = performance.now();
    signalRun(pgid, token, 'SIGTERM');
    killTimer = setTimeout(() => {
      killSent = true;
      signalRun(pgid, token, 'SIGKILL');
    }, graceMs);
  };
  let timeoutTimer = setTimeout(() => terminate('timeout'), Math.min(timeoutMs, MAX_TIMER_MS));
  const unsubscribe = request.timeoutUpdates?.((updated) => {
    if (reason || mainEnded || !(updated > 0)) return;
    timeoutMs = updated;
    clearTimeout(timeoutTimer);
    const left = updated - (performance.now() - started);
    timeoutTimer = setTimeout(() => terminate('timeout'), Math.max(0, Math.min(left, MAX_TIMER_MS)));
  });
  const onAbort = (): void => terminate('abort');
  request.signal?.addEventListener('abort', onAbort, { once: true });
  let outcome: Ended;
  try {
    outcome = await ended;
  } finally {
    mainEnded = true;
    unsubscribe?.();
    clearTimeout(timeoutTimer);
    clearTimeout(killTimer);
    request.signal?.removeEventListener('abort', onAbort);
  }
  const seconds = (performance.now() - started) / 1000;

  if (outcome.kind === 'spawn-error' || pgid === undefined) {
    const error = outcome.kind === 'spawn-error' ? outcome.error : new Error('no process id');
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EACCES') throw error;
    // The shell's conventions, so an argv command reads like its `sh -c` equivalent.
    const exitCode = code === 'ENOENT' ? 127 : 126;
    writeSync(log, `culprit: ${file}: ${code === 'ENOENT' ? 'command not found' : 'permission denied (not executable)'}\n`);
    return finish({ exitCode, signal: null, timedOut: false, interrupted: false, strays: 0, seconds }, [`exit ${exitCode}`]);
  }

  const graceDeadline = reason ? termSentAt + graceMs : performance.now() + graceMs;
  const cleanup = await clearLeftovers(pgid, token, graceDeadline, reason !== undefined, killSent);
  const footer: string[] = [];
  if (cleanup.strays > 0) footer.push(`killed ${cleanup.strays} process(es) still running after the command ended`);
  if (cleanup.survivors.length > 0) footer.push(`warning: still running after SIGKILL: ${cleanup.survivors.join(' ')}`);
  const timedOut = reason === 'timeout';
  const interrupted = reason === 'abort';
  if (timedOut) footer.push(`timed out after ${formatSeconds(timeoutMs / 1000)}; process group killed`);
  else if (interrupted) footer.push('interrupted; process group killed');
  footer.push(outcome.signal ? `ended by ${outcome.signal} after ${formatSeconds(seconds)}` : `exit ${outcome.code} after ${formatSeconds(seconds)}`);
  return finish({ exitCode: outcome.code, signal: outcome.signal, timedOut, interrupted, strays: cleanup.strays, seconds }, footer);
}

/** Signals the whole group at once (no fork can slip between), then the run's escapees one by one. */
function signalRun(pgid: number, token: string, signal: NodeJS.Signals): void {
  const escaped = runProcesses(pgid, token).filter((info) => info.pgrp !== pgid);
  sendSignal(-pgid, signal);
  for (const info of escaped) sendSignal(info.pid, signal);
  if (signal === 'SIGTERM') {
    // A stopped process would hold SIGTERM pending until SIGKILL; let it act on it now.
    sendSignal(-pgid, 'SIGCONT');
    for (const info of escaped) sendSignal(info.pid, 'SIGCONT');
  }
}

interface Survivors {
  groupAlive: boolean;
  pids: number[];
}

function survivors(pgid: number, token: string): Survivors {
  if (canInspectProcesses()) {
    const found = runProcesses(pgid, token);
    return { groupAlive: found.some((info) => info.pgrp === pgid), pids: found.map((info) => info.pid) };
  }
  // Without /proc the group can only be probed as a whole (zombies included), and escapees are out of reach.
  try {
    process.kill(-pgid, 0);
    return { groupAlive: true, pids: [] };
  } catch (error) {
    return { groupAlive: (error as NodeJS.ErrnoException).code === 'EPERM', pids: [] };
  }
}

/**
 * After the main process ended: TERM what the run left behind, KILL it at the grace deadline, and return once
 * nothing is left (or SIGKILL has visibly failed). Counts every process seen, as the run's strays.
 */
async function clearLeftovers(
  pgid: number,
  token: string,
  graceDeadline: number,
  termSent: boolean,
  killSent: boolean,
): Promise<{ strays: number; survivors: number[] }> {
  const seen = new Set<number>();
  const termed = new Set<number>();
  let unknownGroupMember = false;
  let killDeadline = killSent ? performance.now() + KILL_CONFIRM_MS : undefined;
  let pause = 5;
  for (;;) {
    const left = survivors(pgid, token);
    for (const pid of left.pids) seen.add(pid);
    if (left.groupAlive && left.pids.length === 0) unknownGroupMember = true;
    const strays = seen.size + (unknownGroupMember && seen.size === 0 ? 1 : 0);
    if (!left.groupAlive && left.pids.length === 0) return { strays, survivors: [] };
    const now = performance.now();
    if (killDeadline === undefined && now >= graceDeadline) killDeadline = now + KILL_CONFIRM_MS;
    if (killDeadline !== undefined) {
      if (now >= killDeadline) return { strays, survivors: left.pids };
      if (left.groupAlive) sendSignal(-pgid, 'SIGKILL');
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

/** The last few KiB this run wrote, cut at a character boundary. */
function readTail(log: number, outputStart: number): string {
  const size = fstatSync(log).size;
  const from = Math.max(outputStart, size - TAIL_BYTES);
  const length = size - from;
  if (length <= 0) return '';
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const n = readSync(log, buffer, read, length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  let start = 0;
  if (from > outputStart) {
    // Skip UTF-8 continuation bytes so the tail does not begin with a broken character.
    while (start < read && start < 4 && ((buffer[start] ?? 0) & 0xc0) === 0x80) start++;
  }
  return buffer.toString('utf8', start, read);
}

function formatSeconds(seconds: number): string {
  return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
}
