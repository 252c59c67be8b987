// Tests of the process runner with real processes: exit codes, hangs, TERM-ignoring and escaping children, abort, logs.
// The runner's promise is that nothing a probe started survives it, so every test checks the pids it made are gone.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandSpec, type RunRequest, type RunResult } from '../../src/probe/process-runner.js';
import { cgroupDirectory, cgroupUnavailable } from '../fixtures/cgroup.js';

const linux = process.platform === 'linux' && existsSync('/proc/self/environ');
let dir = '';
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'culprit-runner-'));
});

afterAll(() => {
  // The file's own guarantee: no process started by any run of this worker is still running.
  const leftovers = linux ? carriers((token) => token.startsWith(`${process.pid}.`)) : [];
  for (const pid of leftovers) killQuietly(pid);
  rmSync(dir, { recursive: true, force: true });
  expect(leftovers).toEqual([]);
});

function fresh(name: string): string {
  counter += 1;
  return path.join(dir, `${counter}-${name}`);
}

/** Generous default timeout: only the hang tests are meant to hit one. */
function run(command: CommandSpec, options: Partial<RunRequest> = {}): Promise<RunResult> {
  return runCommand({
    command,
    cwd: dir,
    env: process.env,
    timeoutMs: 60_000,
    graceMs: 300,
    logPath: fresh('run.log'),
    ...options,
  });
}

function sh(script: string, options: Partial<RunRequest> = {}): Promise<RunResult> {
  return run({ shell: script }, options);
}

/**
 * Whether pid is a running process. A zombie counts as gone: here pid 1 does not reap orphans,
 * so a killed orphan stays a zombie forever although it has ended.
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  if (!linux) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !/^[ZXx]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Running processes whose CULPRIT_PROBE_TOKEN satisfies `matches`; read from /proc independently of the code under test. */
function carriers(matches: (token: string) => boolean): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const tokens = environ
      .split('\0')
      .filter((entry) => entry.startsWith('CULPRIT_PROBE_TOKEN='))
      .map((entry) => entry.slice('CULPRIT_PROBE_TOKEN='.length));
    if (tokens.some(matches) && running(pid)) found.push(pid);
  }
  return found;
}

function readPids(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\s+/)
    .filter((word) => word !== '')
    .map(Number);
}

/**
 * A timeout that expires once `ready()` holds (the command has set itself up), through the runner's own timeout
 * updates: a fixed timeout would race the command's set-up, which a loaded machine can slow past it.
 */
function timeoutOnce(ready: () => boolean): Partial<RunRequest> {
  return {
    timeoutMs: 600_000,
    timeoutUpdates: (listener) => {
      let done = false;
      void (async () => {
        while (!done && !ready()) await delay(10);
        // Counted from the start, so 1 ms is already over: the timeout expires now.
        if (!done) listener(1);
      })();
      return () => (done = true);
    },
  };
}

async function waitForLines(file: string, count: number): Promise<void> {
  for (let i = 0; i < 2000 && readPids(file).length < count; i++) await delay(10);
}

function expectGone(pids: number[]): void {
  expect(pids.filter(running)).toEqual([]);
}

describe('exit codes', () => {
  it.each([0, 1, 125, 3])('reports exit %i from a shell command', async (code) => {
    const result = await sh(`exit ${code}`);
    expect(result).toMatchObject({ exitCode: code, signal: null, timedOut: false, interrupted: false, killedByUs: false, strays: 0 });
    expect(result.seconds).toBeGreaterThanOrEqual(0);
  });

  it('runs an argv command directly, without a shell', async () => {
    const result = await run({ argv: ['/bin/sh', '-c', 'exit "$1"', 'name', '42'] });
    expect(result.exitCode).toBe(42);
    const words = await run({ argv: [process.execPath, '-e', 'console.log(process.argv.slice(1).join("|"))', 'a b', '$HOME', "it's"] });
    expect(words.exitCode).toBe(0);
    expect(words.outputTail).toContain("a b|$HOME|it's");
  });

  it('reports 127 for a command that is not found, in both forms', async () => {
    const argv = await run({ argv: ['culprit-no-such-command-xyz', 'arg'] });
    expect(argv).toMatchObject({ exitCode: 127, signal: null, timedOut: false, strays: 0 });
    expect(argv.outputTail).toContain('culprit-no-such-command-xyz: command not found');
    const shell = await sh('culprit-no-such-command-xyz arg');
    expect(shell.exitCode).toBe(127);
  });

  it('reports 126 for a file that is not executable, in both forms', async () => {
    const script = fresh('not-executable.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o644);
    const argv = await run({ argv: [script] });
    expect(argv.exitCode).toBe(126);
    expect(argv.outputTail).toContain('not executable');
    const shell = await sh(`'${script}'`);
    expect(shell.exitCode).toBe(126);
  });

  it('reports a signal the command died of that culprit did not send', async () => {
    const result = await sh('kill -USR1 $$; sleep 5');
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGUSR1', timedOut: false, interrupted: false, killedByUs: false });
  });

  it('passes the environment through and adds a run token', async () => {
    const result = await run({ shell: 'echo "[$CULPRIT_TEST_VALUE] [$CULPRIT_PROBE_TOKEN]"' }, { env: { ...process.env, CULPRIT_TEST_VALUE: 'v 1' } });
    const token = new RegExp(`^\\[v 1\\] \\[(${process.pid}\\.[0-9a-f]+)\\]$`).exec(result.outputTail.trim())?.[1];
    expect(token).toBeDefined();
    const again = await run({ shell: 'echo "$CULPRIT_PROBE_TOKEN"' }, { env: { ...process.env, CULPRIT_PROBE_TOKEN: 'inherited' } });
    // Each run has its own token, replacing any inherited from an enclosing culprit.
    expect(again.outputTail.trim()).toMatch(new RegExp(`^${process.pid}\\.[0-9a-f]+$`));
    expect(again.outputTail.trim()).not.toBe(token);
  });

  it('runs in the given directory', async () => {
    const result = await run({ argv: ['pwd'] });
    expect(result.outputTail.trim()).toBe(dir);
  });

  it('rejects a missing working directory and bad timeouts instead of calling them a failed test', async () => {
    await expect(run({ argv: ['true'] }, { cwd: path.join(dir, 'missing') })).rejects.toThrow(/does not exist/);
    await expect(run({ argv: ['true'] }, { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(run({ argv: [] })).rejects.toThrow(/empty command/);
  });
});

describe('hangs', () => {
  it('kills a hung command at the timeout', async () => {
    const pidFile = fresh('pids');
    const result = await sh(`echo $$ > '${pidFile}'; sleep 100 & echo $! >> '${pidFile}'; wait`, { timeoutMs: 500 });
    expect(result).toMatchObject({ exitCode: null, timedOut: true, interrupted: false, killedByUs: true });
    expect(['SIGTERM', 'SIGKILL']).toContain(result.signal);
    expect(readPids(pidFile).length).toBeGreaterThan(0);
    expectGone(readPids(pidFile));
  });

  it('applies a timeout lowered while the command runs, counted from its start', async () => {
    let update: ((timeoutMs: number) => void) | undefined;
    let subscribed = 0;
    const pending = run({ argv: ['sleep', '100'] }, {
      timeoutMs: 600_000,
      timeoutUpdates: (listener) => {
        update = listener;
        subscribed += 1;
        return () => (subscribed -= 1);
      },
    });
    await delay(200);
    update?.(300);
    const result = await pending;
    expect(result).toMatchObject({ timedOut: true, killedByUs: true });
    expect(subscribed).toBe(0);
  });

  it('kills a hung argv command at the timeout', async () => {
    const result = await run({ argv: ['sleep', '100'] }, { timeoutMs: 300 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true, killedByUs: true });
  });

  it('kills children that ignore SIGTERM, with SIGKILL after the grace period', async () => {
    const pidFile = fresh('pids');
    const tokenFile = fresh('token');
    const script = [
      `trap '' TERM`,
      `echo "$CULPRIT_PROBE_TOKEN" > '${tokenFile}'`,
      `for i in 1 2 3; do sleep 1000 & echo $! >> '${pidFile}'; done`,
      `(trap '' TERM; while :; do sleep 1; done) & echo $! >> '${pidFile}'`,
      `echo $$ >> '${pidFile}'`,
      'wait',
    ].join('\n');
    const result = await sh(script, { ...timeoutOnce(() => readPids(pidFile).length === 5), graceMs: 300 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true, killedByUs: true });
    const pids = readPids(pidFile);
    expect(pids).toHaveLength(5);
    expectGone(pids);
    const token = readFileSync(tokenFile, 'utf8').trim();
    if (linux) expect(carriers((t) => t === token)).toEqual([]);
  });

  it('lets a TERM handler finish and still reports the hang', async () => {
    const trapped = fresh('trapped');
    const result = await sh(`trap 'echo cleaning up; exit 143' TERM; touch '${trapped}'; sleep 100 & wait`, timeoutOnce(() => existsSync(trapped)));
    expect(result).toMatchObject({ exitCode: 143, signal: null, timedOut: true, killedByUs: true });
    expect(result.outputTail).toContain('cleaning up');
  });

  it('resumes a stopped command so that it can act on SIGTERM', async () => {
    const pidFile = fresh('pids');
    const result = await sh(`echo $$ > '${pidFile}'; kill -STOP $$; sleep 100`, { timeoutMs: 500, graceMs: 10_000 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expectGone(readPids(pidFile));
  });
});

describe('a late timer', () => {
  it('does not call a command that ended before the timeout was looked at a hang, nor signal it', async () => {
    // Blocking this thread past the timeout is what a stopped culprit (SIGSTOP, Ctrl-Z) looks like to its timers:
    // when it runs again, the expired timer and the command's exit are both waiting.
    const marker = fresh('ended');
    const timeoutMs = 300;
    const began = performance.now();
    const pending = sh(`touch '${marker}'; exit 0`, { timeoutMs });
    const blocker = new Int32Array(new SharedArrayBuffer(4));
    while (!existsSync(marker) || performance.now() - began < timeoutMs * 2) Atomics.wait(blocker, 0, 0, 10);
    const result = await pending;
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, killedByUs: false });
  });

  it('still times out a command that is running when a late timer fires', async () => {
    const marker = fresh('started');
    const timeoutMs = 300;
    const began = performance.now();
    const pending = sh(`touch '${marker}'; exec sleep 100`, { timeoutMs });
    const blocker = new Int32Array(new SharedArrayBuffer(4));
    while (!existsSync(marker) || performance.now() - began < timeoutMs * 2) Atomics.wait(blocker, 0, 0, 10);
    const result = await pending;
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true, killedByUs: true });
  });
});

describe('leftovers of a command that ended', () => {
  it('kills a background child left by a command that exited 0', async () => {
    const pidFile = fresh('pids');
    const result = await sh(`sleep 1000 & echo $! > '${pidFile}'; exit 0`);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, killedByUs: false });
    expect(result.strays).toBeGreaterThanOrEqual(1);
    expectGone(readPids(pidFile));
  });

  it('kills a nohup background child', async () => {
    const pidFile = fresh('pids');
    const result = await sh(`nohup sleep 1000 > /dev/null 2>&1 & echo $! > '${pidFile}'; exit 0`);
    expect(result.exitCode).toBe(0);
    expect(result.strays).toBeGreaterThanOrEqual(1);
    expectGone(readPids(pidFile));
  });

  it('kills a background child that ignores SIGTERM', async () => {
    const pidFile = fresh('pids');
    const result = await sh(`(trap '' TERM; exec sleep 1000) & echo $! > '${pidFile}'; exit 1`, { graceMs: 200 });
    expect(result).toMatchObject({ exitCode: 1, timedOut: false });
    expect(result.strays).toBeGreaterThanOrEqual(1);
    expectGone(readPids(pidFile));
  });

  it('does not wait for a background child that keeps the output open', async () => {
    const result = await sh(`(sleep 1000; echo never) & echo done`);
    expect(result.exitCode).toBe(0);
    expect(result.strays).toBeGreaterThanOrEqual(1);
    expect(result.outputTail).toContain('done');
    expect(result.outputTail).not.toContain('never');
  });

  it.runIf(linux)('kills a child that escaped the process group with setsid', async () => {
    const pidFile = fresh('pids');
    const script = `setsid sh -c 'echo $$ > "$1"; exec sleep 1000' sh '${pidFile}' &\nwhile [ ! -s '${pidFile}' ]; do sleep 0.01; done\nexit 0`;
    const result = await sh(script);
    expect(result.exitCode).toBe(0);
    expect(result.strays).toBeGreaterThanOrEqual(1);
    expect(readPids(pidFile)).toHaveLength(1);
    expectGone(readPids(pidFile));
  });

  it.runIf(linux)('kills a TERM-ignoring child that escaped with setsid -f, while the command hangs', async () => {
    const pidFile = fresh('pids');
    const script = `setsid -f sh -c 'trap "" TERM; echo $$ > "$1"; exec sleep 1000' sh '${pidFile}'\nwhile [ ! -s '${pidFile}' ]; do sleep 0.01; done\nsleep 1000`;
    const result = await sh(script, { ...timeoutOnce(() => readPids(pidFile).length === 1), graceMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(readPids(pidFile)).toHaveLength(1);
    expectGone(readPids(pidFile));
  });
});

const noCgroups = linux ? cgroupUnavailable() : 'not Linux';
if (noCgroups !== undefined) console.warn(`skipping the cgroup containment tests: ${noCgroups}`);

describe.skipIf(noCgroups !== undefined)('containment in a cgroup', () => {
  /** The pid of a process that cleared its environment and left the session: no token, no group leads to it. */
  const daemons = (first: string, second: string): string =>
    [
      `env -i setsid sh -c 'echo $$ > "$0"; exec sleep 300' '${first}' &`,
      // Double fork: the middle shell exits at once, so the sleep's parent is gone before the command ends.
      `sh -c '(env -i setsid sh -c "sleep 300 & echo \\$! > \\"\\$0\\"; exit" "$0") &' '${second}'`,
      `while [ ! -s '${first}' ] || [ ! -s '${second}' ]; do sleep 0.01; done`,
    ].join('\n');

  it('kills daemons that dropped the token and left the group, after a command that exited 0', async () => {
    const first = fresh('daemon');
    const second = fresh('double-forked');
    try {
      const result = await sh(`${daemons(first, second)}\nexit 0`);
      expect(result).toMatchObject({ exitCode: 0, timedOut: false });
      expect([...readPids(first), ...readPids(second)]).toHaveLength(2);
      expect(result.strays).toBeGreaterThanOrEqual(2);
      expectGone([...readPids(first), ...readPids(second)]);
    } finally {
      for (const pid of [...readPids(first), ...readPids(second)]) killQuietly(pid);
    }
  });

  it('kills them when the command hangs, and removes the cgroup', async () => {
    const first = fresh('daemon');
    const second = fresh('double-forked');
    const cgroupFile = fresh('cgroup');
    try {
      // Renamed into place: the timeout must not cut the file short.
      const script = `${daemons(first, second)}\ncat /proc/self/cgroup > '${cgroupFile}.part' && mv '${cgroupFile}.part' '${cgroupFile}'\nsleep 300`;
      const result = await sh(script, { ...timeoutOnce(() => existsSync(cgroupFile) && readPids(second).length === 1), graceMs: 200 });
      expect(result.timedOut).toBe(true);
      expectGone([...readPids(first), ...readPids(second)]);
      const relative = /^0::(.*)$/m.exec(readFileSync(cgroupFile, 'utf8'))?.[1] ?? '';
      expect(relative).toMatch(/\/culprit-probe\.\d+\.\d+\.[0-9a-f]+$/);
      expect(existsSync(cgroupDirectory(relative) ?? '')).toBe(false);
    } finally {
      for (const pid of [...readPids(first), ...readPids(second)]) killQuietly(pid);
    }
  });
});

describe('interruption', () => {
  it('kills the group when the signal aborts, and says so', async () => {
    const pidFile = fresh('pids');
    const controller = new AbortController();
    const pending = sh(`echo $$ > '${pidFile}'; (trap '' TERM; exec sleep 1000) & echo $! >> '${pidFile}'; wait`, {
      signal: controller.signal,
      graceMs: 200,
    });
    await waitForLines(pidFile, 2);
    controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ exitCode: null, timedOut: false, interrupted: true, killedByUs: true });
    expect(readPids(pidFile)).toHaveLength(2);
    expectGone(readPids(pidFile));
  });

  it('does not start a command when the signal is already aborted', async () => {
    const marker = fresh('marker');
    const controller = new AbortController();
    controller.abort();
    const logPath = fresh('aborted.log');
    const result = await sh(`touch '${marker}'`, { signal: controller.signal, logPath });
    expect(result).toMatchObject({ exitCode: null, interrupted: true, killedByUs: true, timedOut: false, strays: 0 });
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(logPath, 'utf8')).toContain('interrupted before start');
  });

  it('ignores an abort that comes after the run', async () => {
    const controller = new AbortController();
    const result = await sh('exit 0', { signal: controller.signal });
    controller.abort();
    expect(result).toMatchObject({ exitCode: 0, interrupted: false });
  });
});

describe('log', () => {
  it('appends a one-line header and both output streams to the log, creating directories', async () => {
    const logPath = path.join(dir, 'nested', 'deeper', 'probe.test.log');
    const result = await sh('echo to-stdout\necho to-stderr >&2', { logPath });
    const lines = readFileSync(logPath, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^\[culprit\] \$ echo to-stdout\\necho to-stderr >&2 /);
    expect(lines).toContain('to-stdout');
    expect(lines).toContain('to-stderr');
    expect(result.outputTail).toBe('to-stdout\nto-stderr\n');
  });

  it('quotes argv words in the header', async () => {
    const logPath = fresh('argv.log');
    await run({ argv: ['echo', 'two words', "it's"] }, { logPath });
    expect(readFileSync(logPath, 'utf8').split('\n')[0]).toContain(`$ echo 'two words' 'it'\\''s'`);
  });

  it('keeps only this run in the tail when runs share a log', async () => {
    const logPath = fresh('shared.log');
    await sh('echo first-run', { logPath });
    const second = await sh('echo second-run', { logPath });
    expect(second.outputTail).toBe('second-run\n');
    const text = readFileSync(logPath, 'utf8');
    expect(text).toContain('first-run');
    expect(text.match(/^\[culprit\] \$ /gm)).toHaveLength(2);
  });

  it('keeps the last 4 KiB of a long output, starting on a whole character', async () => {
    const result = await run({ argv: [process.execPath, '-e', 'for (let i = 0; i < 3000; i++) console.log(`ü line ${i}`)'] });
    expect(result.exitCode).toBe(0);
    expect(Buffer.byteLength(result.outputTail)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(result.outputTail)).toBeGreaterThan(3000);
    expect(result.outputTail.endsWith('ü line 2999\n')).toBe(true);
    expect(result.outputTail).not.toContain('ü line 0\n');
    expect(result.outputTail).not.toContain('\uFFFD');
  });

  it('includes output written before a timeout', async () => {
    const written = fresh('written');
    const result = await sh(`echo before-hang; touch '${written}'; sleep 100`, timeoutOnce(() => existsSync(written)));
    expect(result.timedOut).toBe(true);
    expect(result.outputTail).toContain('before-hang');
  });
});
