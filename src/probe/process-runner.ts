// Runs one build or test command of a probe in its own process group (and cgroup, where it can), logging its output.
// Hangs are an outcome, not a stuck hunt: timeout → SIGTERM to the run → SIGKILL after the grace, and nothing survives.
import { capLog } from './log-cap.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { CommandSpec } from '../model/recipe.js';
import { describeCommand } from '../text/format.js';
import { newProbeToken, PROBE_TOKEN_VARIABLE, sendSignal } from './process-sweep.js';
import { ProbeCgroup } from './probe-cgroup.js';
import { clearLeftovers, endedOnItsOwn, signalRun, type Containment } from './run-containment.js';
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
  /**
   * The timeout expired while the command still ran, and culprit signalled it. A command that had ended by the time
   * culprit looked (a timer late because culprit itself was stopped) did not time out, and was not signalled.
   */
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

/** A SIGKILL for each command running now, for a second Ctrl-C. */
const runningKills = new Set<() => void>();

/**
 * SIGKILLs every command running now, with all it started (group, escapees, cgroup), without waiting for the grace:
 * each run then ends as interrupted. Returns how many runs there were.
 */
export function killRunningCommands(): number {
  for (const kill of runningKills) kill();
  return runningKills.size;
}

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
  /** Set by the exit event itself, before any promise continuation: a late timer checks it. */
  let exited = false;
  let cgroup = ProbeCgroup.create();
  try {
    const start = (): ChildProcess =>
      spawn(file, args, {
        cwd: request.cwd,
        env: { ...request.env, [PROBE_TOKEN_VARIABLE]: token },
        // A new session and process group: the group id is the child's pid, and a signal to it reaches every descendant that stays.
        detached: true,
        // A file, not pipes: a background child holding a pipe would keep us waiting for 'close'.
        stdio: ['ignore', log, log],
      });
    let spawned: ChildProcess;
    if (cgroup) {
      const inside = cgroup.startInside(start);
      spawned = inside.started;
      if (!inside.contained) {
        if (cgroup.stuck) note(log, `warning: could not step back out of the run's cgroup ${cgroup.directory}; runs are contained by process group and token only from now on`);
        cgroup.remove();
        cgroup = undefined;
      }
    } else spawned = start();
    child = spawned;
    ended = new Promise<Ended>((resolve) => {
      spawned.once('exit', (code, signal) => {
        exited = true;
        resolve({ kind: 'exit', code, signal });
      });
      // Kept for the child's whole life: an 'error' event without a listener would crash culprit.
      spawned.on('error', (error: NodeJS.ErrnoException) => {
        if (spawned.pid === undefined) resolve({ kind: 'spawn-error', error });
      });
    });
  } catch (error) {
    ended = Promise.resolve({ kind: 'spawn-error', error: error as NodeJS.ErrnoException });
  }

  const pgid = child?.pid;
  const run: Containment | undefined = pgid === undefined ? undefined : { pgid, token, cgroup };
  let reason: 'timeout' | 'abort' | undefined;
  let termSentAt = 0;
  let killSent = false;
  let killNow = false;
  let mainEnded = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (why: 'timeout' | 'abort'): void => {
    if (reason || mainEnded || exited || run === undefined) return;
    reason = why;
    termSentAt = performance.now();
    signalRun(run, 'SIGTERM');
    killTimer = setTimeout(() => {
      killSent = true;
      signalRun(run, 'SIGKILL');
    }, graceMs);
  };
  const expire = async (): Promise<void> => {
    if (reason || exited || pgid === undefined) return;
    // The timer fires late when culprit itself was stopped (SIGSTOP, Ctrl-Z) while the command went on: it may have
    // ended meanwhile, its exit not yet read. Only a command still running timed out.
    if (await endedOnItsOwn(pgid, () => exited)) return;
    // Stopped to be looked at: resumed by the kill's SIGCONT, or here if the look changed nothing (an interrupt
    // came meanwhile, or a timeout raised).
    if (reason || performance.now() - started < timeoutMs) sendSignal(pgid, 'SIGCONT');
    else terminate('timeout');
  };
  let timeoutTimer = setTimeout(() => void expire(), Math.min(timeoutMs, MAX_TIMER_MS));
  const unsubscribe = request.timeoutUpdates?.((updated) => {
    if (reason || mainEnded || !(updated > 0)) return;
    timeoutMs = updated;
    clearTimeout(timeoutTimer);
    const left = updated - (performance.now() - started);
    timeoutTimer = setTimeout(() => void expire(), Math.max(0, Math.min(left, MAX_TIMER_MS)));
  });
  const onAbort = (): void => terminate('abort');
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const kill = (): void => {
    if (run === undefined) return;
    // A command still running ends interrupted, whatever stopped it first: a run cut short is not a verdict.
    if (!exited) reason ??= 'abort';
    killNow = true;
    killSent = true;
    clearTimeout(killTimer);
    signalRun(run, 'SIGKILL');
  };
  runningKills.add(kill);
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

  if (outcome.kind === 'spawn-error' || run === undefined) {
    runningKills.delete(kill);
    cgroup?.remove();
    const error = outcome.kind === 'spawn-error' ? outcome.error : new Error('no process id');
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EACCES') throw error;
    // The shell's conventions, so an argv command reads like its `sh -c` equivalent.
    const exitCode = code === 'ENOENT' ? 127 : 126;
    writeSync(log, `culprit: ${file}: ${code === 'ENOENT' ? 'command not found' : 'permission denied (not executable)'}\n`);
    return finish({ exitCode, signal: null, timedOut: false, interrupted: false, strays: 0, seconds }, [`exit ${exitCode}`]);
  }

  const graceDeadline = reason ? termSentAt + graceMs : performance.now() + graceMs;
  let cleanup: Awaited<ReturnType<typeof clearLeftovers>>;
  try {
    cleanup = await clearLeftovers(run, graceDeadline, reason !== undefined, killSent, () => killNow);
  } finally {
    runningKills.delete(kill);
  }
  const footer: string[] = [];
  if (cleanup.strays > 0) footer.push(`killed ${cleanup.strays} process(es) still running after the command ended`);
  if (cleanup.survivors.length > 0) footer.push(`warning: still running after SIGKILL: ${cleanup.survivors.join(' ')}`);
  const timedOut = reason === 'timeout';
  const interrupted = reason === 'abort';
  if (cleanup.cgroupLeft) footer.push(`warning: could not remove the run's cgroup ${cleanup.cgroupLeft}`);
  if (timedOut) footer.push(`timed out after ${formatSeconds(timeoutMs / 1000)}; process group killed`);
  else if (interrupted) footer.push('interrupted; process group killed');
  footer.push(outcome.signal ? `ended by ${outcome.signal} after ${formatSeconds(seconds)}` : `exit ${outcome.code} after ${formatSeconds(seconds)}`);
  return finish({ exitCode: outcome.code, signal: outcome.signal, timedOut, interrupted, strays: cleanup.strays, seconds }, footer);
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
