// Contains each command a probe runs in a cgroup v2 of its own, where culprit may make one (Linux, a writable hierarchy).
// A daemon that leaves the process group and clears its environment cannot leave its cgroup, and a cgroup dies whole.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isLive, pidNamespace, readProcessInfo, sleepSync } from '../system/process-stat.js';
import { cgroupHierarchy, children, killAll, MAX_DEPTH, members, NAME, ownCgroup, removeTree, signalEach, writeControl } from './cgroup-tree.js';

/** How long one start-up sweep waits, in all, for the orphan cgroups it killed to empty. */
const SWEEP_WAIT_MS = 2000;

/**
 * Fault injection, read only by culprit's own tests: the first step back out of a probe cgroup fails, as it does when
 * culprit's cgroup stops accepting it (removed, or no longer writable). No other way makes that failure happen on demand.
 */
let returnFaults = process.env.CULPRIT_TEST_CGROUP_RETURN_FAILS === '1' ? 1 : 0;
// Read once and gone: a culprit that a probe runs (a nested hunt) must not inherit the fault.
delete process.env.CULPRIT_TEST_CGROUP_RETURN_FAILS;

/** The cgroup culprit ran in when it first made a probe cgroup: every probe cgroup is made under it, never under another. */
let home: string | null | undefined;
/** This process's start time, read once: with its pid, it names the owner in every probe cgroup's name. */
let ownStartTime: number | undefined;
/** Set once culprit could not step back out of a probe cgroup: from then on no run of this process gets a cgroup. */
let fallback = false;
/** Probe cgroups culprit could not step back out of at once: never killed or listed, only removed once empty. */
const tainted = new Set<string>();

function homeCgroup(): string | undefined {
  if (home === undefined) home = ownCgroup() ?? null;
  return home ?? undefined;
}

/**
 * Tries again to step back into culprit's own cgroup, and removes the tainted cgroups that are empty by then. Never kills:
 * culprit's own children (git, hg, later runs) were born in a tainted cgroup while culprit was stuck there.
 */
function releaseTainted(): void {
  const from = homeCgroup();
  if (from === undefined || (ownCgroup() !== from && !writeControl(from, 'cgroup.procs', String(process.pid)))) return;
  // Home again: later runs get cgroups of their own again (a long-lived `culprit worker` must not lose them for good).
  fallback = false;
  for (const directory of tainted) {
    try {
      rmdirSync(directory);
      tainted.delete(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') tainted.delete(directory);
    }
  }
}

export class ProbeCgroup {
  /** Culprit could not step back out after the start: the cgroup holds culprit and its children, and is never killed. */
  private tainted = false;

  private constructor(readonly directory: string) {}

  /**
   * A new cgroup under culprit's original one, or undefined where none can be made (no cgroup v2, not writable, not
   * Linux), or once culprit was stuck in one (then runs are contained by process group and token only).
   */
  static create(): ProbeCgroup | undefined {
    if (process.platform !== 'linux') return undefined;
    if (fallback) {
      releaseTainted();
      return undefined;
    }
    const parent = homeCgroup();
    ownStartTime ??= readProcessInfo('self')?.startTime;
    if (parent === undefined || ownStartTime === undefined) return undefined;
    const directory = path.join(parent, `culprit-probe.${process.pid}.${ownStartTime}.${randomBytes(6).toString('hex')}`);
    try {
      mkdirSync(directory);
    } catch {
      return undefined;
    }
    return new ProbeCgroup(directory);
  }

  /**
   * Runs `start` (a synchronous spawn) with culprit inside this cgroup, so the child is born inside: nothing it forks
   * can start outside. Nothing else runs meanwhile, this being one synchronous stretch of culprit's only thread that
   * starts processes. Culprit enters only from its original cgroup. `contained` is false when the child started
   * elsewhere, or in a cgroup culprit could not leave (`stuck`): then the cgroup is not the run's alone.
   */
  startInside<T>(start: () => T): { started: T; contained: boolean } {
    const from = homeCgroup();
    const entered = !fallback && from !== undefined && ownCgroup() === from && writeControl(this.directory, 'cgroup.procs', String(process.pid));
    let started: T;
    try {
      started = start();
    } finally {
      if (entered && (returnFaults-- > 0 || !writeControl(from, 'cgroup.procs', String(process.pid)))) this.taint();
    }
    return { started, contained: entered && !this.tainted };
  }

  private taint(): void {
    this.tainted = true;
    if (!fallback) process.once('exit', releaseTainted);
    fallback = true;
    tainted.add(this.directory);
  }

  /** Whether culprit could not step back out after starting the run: the cgroup is culprit's now, never the run's. */
  get stuck(): boolean {
    return this.tainted;
  }

  /** Every process in the cgroup, culprit excluded; none for a cgroup culprit is stuck in (they are not the run's). */
  pids(): number[] {
    if (this.tainted) return [];
    return members(this.directory).filter((pid) => pid > 0 && pid !== process.pid);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.tainted) return;
    if (signal === 'SIGKILL') killAll(this.directory);
    else signalEach(this.pids(), signal);
  }

  /** Removes the cgroup once it is empty; true when it is gone. A tainted one is removed later, once culprit left it. */
  remove(): boolean {
    return !this.tainted && removeTree(this.directory);
  }
}

/** Whether the culprit that made a cgroup of this name has ended (its pid is gone or names a later process). */
function ownerEnded(name: string): boolean {
  const match = NAME.exec(name);
  return match ? died(Number(match[1]), Number(match[2])) : false;
}

/** Probe cgroups of ended culprits anywhere in the hierarchy this process sees (a killed culprit ran elsewhere). */
function orphanCgroups(): string[] {
  const found = cgroupHierarchy();
  if (!found) return [];
  const orphans: string[] = [];
  const walk = (directory: string, depth: number): void => {
    for (const child of children(directory)) {
      const name = path.basename(child);
      if (NAME.test(name)) {
        // Its sub-cgroups are its own: killed and removed with it.
        if (ownerEnded(name)) orphans.push(child);
      } else if (depth < MAX_DEPTH) walk(child, depth + 1);
    }
  };
  walk(found.mountPoint, 0);
  return orphans;
}

/**
 * Whether this process may clean up a cgroup: made by the same user (another user's culprit cleans up its own), and
 * its control files writable. Otherwise every kill would fail, and waiting for them to work would stall every start.
 */
function sweepable(directory: string): boolean {
  try {
    if (process.getuid !== undefined && statSync(directory).uid !== process.getuid()) return false;
    accessSync(path.join(directory, 'cgroup.procs'), constants.W_OK);
    const kill = path.join(directory, 'cgroup.kill');
    if (existsSync(kill)) accessSync(kill, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process seen with this start time has ended (gone, a zombie, or its pid now names another process). */
function died(pid: number, startTime: number): boolean {
  const info = readProcessInfo(pid);
  return info === undefined || !isLive(info) || info.startTime !== startTime;
}

/**
 * Kills and removes the probe cgroups of culprits that ended without cleaning up (SIGKILL, a crash), waiting until
 * they are empty for at most SWEEP_WAIT_MS in all (a process in uninterruptible sleep outlasts any wait: its cgroup is
 * left for a later sweep). An owner's pid only means something in its own pid namespace: a cgroup with a member from
 * another namespace is left alone, checked before every kill. Returns how many of their processes died.
 */
export function sweepOrphanCgroups(): number {
  if (process.platform !== 'linux') return 0;
  const namespace = pidNamespace('self');
  const own = ownCgroup();
  const foreign = (pid: number): boolean => {
    if (pid <= 0) return true;
    const theirs = pidNamespace(pid);
    return theirs !== undefined && theirs !== namespace;
  };
  // A culprit run by a probe of a killed culprit is inside that probe's cgroup: it must not kill itself.
  const pending = orphanCgroups().filter((directory) => !(own !== undefined && (own === directory || own.startsWith(`${directory}/`))) && sweepable(directory));
  const seen = new Map<number, number>();
  const deadline = performance.now() + SWEEP_WAIT_MS;
  for (let round = 0; pending.length > 0; round++) {
    for (const directory of [...pending]) {
      const pids = members(directory);
      // Looked at again before each kill: a process of another namespace may have joined since the last look.
      if (pids.length === 0 || pids.some(foreign)) {
        pending.splice(pending.indexOf(directory), 1);
        if (pids.length === 0) removeTree(directory);
        continue;
      }
      for (const pid of pids) {
        const info = readProcessInfo(pid);
        if (info !== undefined && !seen.has(pid)) seen.set(pid, info.startTime);
      }
      killAll(directory);
    }
    if (pending.length === 0 || performance.now() >= deadline) break;
    sleepSync(round < 5 ? 5 : 25);
  }
  for (const directory of pending) removeTree(directory);
  return [...seen].filter(([pid, startTime]) => died(pid, startTime)).length;
}
