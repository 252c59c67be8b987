// Tests of the token sweeps with real processes: a run's escapees, and the orphans of a culprit that was SIGKILLed.
// They decide which processes on the machine culprit kills, so they check what is spared as closely as what is killed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import {
  canInspectProcesses,
  isRunning,
  newProbeToken,
  PROBE_TOKEN_VARIABLE,
  protectedPids,
  sweepOrphans,
  sweepToken,
  tokenCarriers,
  tokenProcesses,
} from '../../src/probe/process-sweep.js';
import { readProcessInfo } from '../../src/system/process-stat.js';
import { cgroupDirectory, cgroupUnavailable } from '../fixtures/cgroup.js';

const linux = canInspectProcesses();
const children = new Set<ChildProcess>();

afterAll(async () => {
  // Every test waits for its own processes, so anything still running here is a leak (or a failed test's leftover).
  const survivors = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(
    survivors.map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
  const left = linux ? [...tokenProcesses()].filter(([, tokens]) => tokens.some((token) => token.startsWith(`${process.pid}.`))) : [];
  expect(survivors.map((child) => child.pid)).toEqual([]);
  expect(left).toEqual([]);
});

interface Sleeper {
  pid: number;
  exited: Promise<NodeJS.Signals | null>;
}

/** A sleeping process in a session of its own (as `setsid` makes it), carrying the given token. */
function sleeper(token: string): Sleeper {
  // spawn returns after exec, so the new environment is already visible in /proc.
  const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore', env: { ...process.env, [PROBE_TOKEN_VARIABLE]: token } });
  children.add(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  if (child.pid === undefined) throw new Error('could not start sleep');
  return { pid: child.pid, exited };
}

/** A pid that cannot be alive: above the kernel's limit. */
function deadPid(): number {
  return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) + 1;
}

describe('tokens', () => {
  it('makes a fresh token per run, naming this process', () => {
    const a = newProbeToken();
    const b = newProbeToken();
    expect(a).toMatch(new RegExp(`^${process.pid}\\.[0-9a-f]+$`));
    expect(a).not.toBe(b);
  });

  it('protects culprit and its ancestors', () => {
    const spared = protectedPids();
    expect(spared.has(process.pid)).toBe(true);
    expect(spared.has(process.ppid)).toBe(true);
  });

  it('tells running processes from gone ones', () => {
    expect(isRunning(process.pid)).toBe(true);
    expect(isRunning(0)).toBe(false);
    expect(isRunning(-1)).toBe(false);
    if (linux) expect(isRunning(deadPid())).toBe(false);
  });

  it.runIf(linux)('reads a process whose command name has spaces and parentheses', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'culprit-sweep-'));
    // The kernel names a process after its executable file, so a link with an awkward name makes an awkward comm.
    const link = path.join(dir, 'a) b (c');
    symlinkSync(which('sleep'), link);
    const child = spawn(link, ['1000'], { stdio: 'ignore' });
    children.add(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      expect(readFileSync(`/proc/${child.pid}/stat`, 'latin1')).toContain('(a) b (c)');
      const info = readProcessInfo(child.pid ?? 0);
      expect(info).toMatchObject({ ppid: process.pid, pgrp: readProcessInfo(process.pid)?.pgrp });
      expect(info?.state).toMatch(/^[RSD]$/);
    } finally {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function which(command: string): string {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(directory, command);
    if (directory !== '' && existsSync(candidate)) return candidate;
  }
  throw new Error(`${command} not found on PATH`);
}

describe.runIf(linux)('sweepToken', () => {
  it('kills exactly the processes carrying the token', async () => {
    const token = newProbeToken();
    const target = sleeper(token);
    const prefixed = sleeper(`${token}0`);
    const other = sleeper(newProbeToken());
    expect(tokenCarriers(token)).toEqual([target.pid]);
    expect(sweepToken(token)).toBe(1);
    expect(await target.exited).toBe('SIGKILL');
    expect(isRunning(prefixed.pid)).toBe(true);
    expect(isRunning(other.pid)).toBe(true);
    expect(sweepToken(`${token}0`)).toBe(1);
    expect(sweepToken(tokenOf(other.pid))).toBe(1);
    await Promise.all([prefixed.exited, other.exited]);
    expect(tokenCarriers(token)).toEqual([]);
  });

  it('returns 0 when nothing carries the token', () => {
    expect(sweepToken(newProbeToken())).toBe(0);
    expect(sweepToken('')).toBe(0);
  });
});

function tokenOf(pid: number): string {
  const tokens = tokenProcesses().get(pid);
  if (!tokens?.[0]) throw new Error(`process ${pid} has no token`);
  return tokens[0];
}

describe.runIf(linux)('sweepOrphans', () => {
  it('kills a process whose culprit is gone and spares one whose culprit is alive', async () => {
    const orphan = sleeper(`${deadPid()}.x`);
    const adopted = sleeper(`${process.pid}.y`);
    // The count is not checked: on a shared machine another culprit's sweep may get to this orphan first, and this
    // sweep may kill other culprits' orphans too. What holds either way: the sweep returns only once no orphan is
    // running (it kills until it finds none), so the orphan is checked at once, before anything awaits.
    sweepOrphans();
    expect(isRunning(orphan.pid)).toBe(false);
    expect(await orphan.exited).toBe('SIGKILL');
    expect(isRunning(adopted.pid)).toBe(true);
    expect(sweepToken(`${process.pid}.y`)).toBe(1);
    expect(await adopted.exited).toBe('SIGKILL');
  });

  it('leaves processes with malformed tokens alone', async () => {
    const token = `not-a-pid-${newProbeToken()}`;
    const odd = sleeper(token);
    sweepOrphans();
    expect(isRunning(odd.pid)).toBe(true);
    expect(sweepToken(token)).toBe(1);
    await odd.exited;
  });
});

const noCgroups = linux ? cgroupUnavailable() : 'not Linux';
if (noCgroups !== undefined) console.warn(`skipping the cgroup sweep tests: ${noCgroups}`);

describe.skipIf(noCgroups !== undefined)('sweepOrphans and probe cgroups', () => {
  /** A probe cgroup as a culprit with this pid and start time would make it, next to this process's own cgroup. */
  function probeCgroup(owner: number, startTime: number): string {
    const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
    const directory = path.join(cgroupDirectory(own)!, `culprit-probe.${owner}.${startTime}.${Math.random().toString(16).slice(2, 10)}`);
    mkdirSync(directory);
    return directory;
  }

  function startTimeOf(pid: number): number {
    const info = readProcessInfo(pid);
    if (!info) throw new Error(`no process ${pid}`);
    return info.startTime;
  }

  it("kills and removes a dead culprit's cgroup, tokenless processes included, and spares a live one's", async () => {
    const orphanGroup = probeCgroup(deadPid(), 12345);
    const liveGroup = probeCgroup(process.pid, startTimeOf(process.pid));
    // A reused pid: this process's pid with another start time names a culprit that has ended.
    const reusedGroup = probeCgroup(process.pid, startTimeOf(process.pid) + 1);
    const orphan = sleeper('');
    const adopted = sleeper('');
    const reused = sleeper('');
    try {
      enter(orphanGroup, orphan.pid);
      writeFileSync(path.join(liveGroup, 'cgroup.procs'), String(adopted.pid));
      enter(reusedGroup, reused.pid);
      sweepOrphans();
      expect(isRunning(orphan.pid)).toBe(false);
      expect(await orphan.exited).toBe('SIGKILL');
      expect(existsSync(orphanGroup)).toBe(false);
      expect(isRunning(reused.pid)).toBe(false);
      expect(existsSync(reusedGroup)).toBe(false);
      expect(isRunning(adopted.pid)).toBe(true);
      expect(existsSync(liveGroup)).toBe(true);
    } finally {
      for (const child of [orphan, adopted, reused]) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await Promise.all([orphan.exited, adopted.exited, reused.exited]);
      for (const directory of [orphanGroup, liveGroup, reusedGroup]) {
        try {
          rmdirSync(directory);
        } catch {
          // removed by the sweep
        }
      }
    }
  });

  /** Puts a process into a cgroup; a concurrent culprit's start-up sweep may remove an empty orphan cgroup first. */
  function enter(directory: string, pid: number, prepare: () => void = () => {}): void {
    for (let attempt = 0; ; attempt++) {
      try {
        mkdirSync(directory, { recursive: true });
        prepare();
        writeFileSync(path.join(directory, 'cgroup.procs'), String(pid));
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  }

  it.runIf(process.getuid?.() === 0)("leaves alone a dead culprit's cgroup that this user does not own", async () => {
    const group = probeCgroup(deadPid(), 12345);
    const other = sleeper('');
    try {
      // Another user's culprit made it: that culprit's next start cleans it up, not this one.
      enter(group, other.pid, () => {
        for (const file of ['', 'cgroup.procs', 'cgroup.kill']) chownSync(path.join(group, file), 65534, 65534);
      });
      sweepOrphans();
      expect(isRunning(other.pid)).toBe(true);
      expect(existsSync(group)).toBe(true);
    } finally {
      process.kill(other.pid, 'SIGKILL');
      await other.exited;
      await removeWhenEmpty(group);
    }
  });

  const setpriv = spawnSync('setpriv', ['--version']).status === 0;
  it.runIf(process.getuid?.() === 0 && setpriv)("as another user, neither waits on nor counts a dead culprit's cgroup it cannot kill", async () => {
    const group = probeCgroup(deadPid(), 12345);
    const rootOwned = sleeper('');
    try {
      // Made by nobody, its control files still root's: other (root) culprits running meanwhile leave it alone too.
      enter(group, rootOwned.pid, () => chownSync(group, 65534, 65534));
      expect(inject('culpritDist')).toBe('fresh');
      const sweep = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/probe/process-sweep.js');
      const script = `const { sweepOrphans } = await import(${JSON.stringify(sweep)}); console.log(sweepOrphans());`;
      const asNobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], { cwd: '/', encoding: 'utf8' });
      expect(asNobody.stderr).toBe('');
      expect(asNobody.stdout.trim()).toBe('0');
      expect(isRunning(rootOwned.pid)).toBe(true);
    } finally {
      process.kill(rootOwned.pid, 'SIGKILL');
      await rootOwned.exited;
      await removeWhenEmpty(group);
    }
  });

  const unshare = spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;
  it.runIf(unshare)('checks the members again before every kill: a process of another pid namespace that joined meanwhile is spared', async () => {
    // A process in a pid namespace of its own: its pid means nothing to the culprit named in the cgroup.
    const outer = spawn('unshare', ['--pid', '--fork', 'sleep', '1000'], { detached: true, stdio: 'ignore' });
    children.add(outer);
    const outerExited = new Promise((resolve) => outer.once('exit', resolve));
    const groups: string[] = [];
    try {
      let foreign = 0;
      const listing = `/proc/${outer.pid}/task/${outer.pid}/children`;
      for (let tries = 0; tries < 500 && foreign === 0; tries++) {
        foreign = Number((existsSync(listing) ? readFileSync(listing, 'utf8').trim() : '').split(' ')[0] || 0);
        if (foreign === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(foreign).toBeGreaterThan(0);
      // Another culprit starting meanwhile may sweep the orphan first: then the scenario is tried again.
      let joined = false;
      for (let attempt = 0; attempt < 5 && !joined; attempt++) {
        const group = probeCgroup(deadPid(), 12345);
        groups.push(group);
        const ours = sleeper('');
        enter(group, ours.pid);
        // The sweep's first pause, after its first kill: the foreign process joins then.
        const pause = vi.spyOn(Atomics, 'wait').mockImplementationOnce(() => {
          try {
            writeFileSync(path.join(group, 'cgroup.procs'), String(foreign));
            joined = true;
          } catch {
            // swept by another culprit already
          }
          return 'timed-out';
        });
        try {
          sweepOrphans();
        } finally {
          pause.mockRestore();
        }
        expect(await ours.exited).toBe('SIGKILL');
      }
      expect(joined).toBe(true);
      expect(isRunning(foreign)).toBe(true);
    } finally {
      try {
        process.kill(-outer.pid!, 'SIGKILL');
      } catch {
        // gone (killed by the sweep)
      }
      await outerExited;
      for (const group of groups) await removeWhenEmpty(group);
    }
  });
});

/** Removes a test's cgroup once its killed processes have left it (unless a sweep removed it already). */
async function removeWhenEmpty(directory: string): Promise<void> {
  for (let tries = 0; tries < 500 && existsSync(directory); tries++) {
    try {
      rmdirSync(directory);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
