// Reads and acts on cgroup v2 files: where the hierarchy is mounted, culprit's own cgroup, a cgroup's members, kill, rmdir.
// Shared by the probe cgroups culprit makes and the sweep of those a killed culprit left; nothing here decides what to kill.
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `culprit-probe.<owner pid>.<owner start time>.<nonce>`: a later culprit can tell whether the owner still runs. */
export const NAME = /^culprit-probe\.([1-9]\d*)\.(\d+)\.[0-9a-f]+$/;
/** Nested cgroups (a culprit run by a probe) are few levels deep; a deeper tree is not walked further. */
export const MAX_DEPTH = 32;

interface Hierarchy {
  /** Where cgroup v2 is mounted. */
  mountPoint: string;
  /** The cgroup the mount shows at its top ("/" unless a part of the tree was mounted). */
  root: string;
}

let hierarchy: Hierarchy | null | undefined;

/** mountinfo escapes spaces and a few other characters as octal. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function cgroupHierarchy(): Hierarchy | undefined {
  if (hierarchy === undefined) {
    hierarchy = null;
    try {
      for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const [mount, filesystem] = line.split(' - ');
        if (filesystem?.split(' ')[0] !== 'cgroup2' || mount === undefined) continue;
        const fields = mount.split(' ');
        const [root, mountPoint] = [fields[3], fields[4]];
        if (root !== undefined && mountPoint !== undefined) hierarchy = { root: unescapeMountPath(root), mountPoint: unescapeMountPath(mountPoint) };
        break;
      }
    } catch {
      // no /proc: not Linux
    }
  }
  return hierarchy ?? undefined;
}

/** The directory of the cgroup culprit runs in now, or undefined where there is none it can see. */
export function ownCgroup(): string | undefined {
  const found = cgroupHierarchy();
  if (!found) return undefined;
  let relative: string | undefined;
  try {
    relative = /^0::(\/.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
  if (relative === undefined) return undefined;
  if (found.root !== '/') {
    if (relative !== found.root && !relative.startsWith(`${found.root}/`)) return undefined;
    relative = relative.slice(found.root.length) || '/';
  }
  return path.join(found.mountPoint, relative);
}

export function writeControl(directory: string, file: string, text: string): boolean {
  try {
    writeFileSync(path.join(directory, file), text);
    return true;
  } catch {
    return false;
  }
}

/** Sub-cgroups of a cgroup (a nested culprit's, a test's own). */
export function children(directory: string): string[] {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(directory, entry.name));
  } catch {
    return [];
  }
}

/**
 * The pids in a cgroup and all its sub-cgroups, as this process's pid namespace numbers them: 0 stands for a
 * process outside it. Exited processes leave their cgroup at once, zombies included.
 */
export function members(directory: string, depth = 0): number[] {
  let text = '';
  try {
    text = readFileSync(path.join(directory, 'cgroup.procs'), 'latin1');
  } catch {
    // gone
  }
  const pids = text.split('\n').filter((line) => line !== '').map(Number);
  if (depth < MAX_DEPTH) for (const child of children(directory)) pids.push(...members(child, depth + 1));
  return pids;
}

export function signalEach(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    if (pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // gone, or not ours
    }
  }
}

/** SIGKILLs a whole cgroup at once (forks included) with cgroup.kill, or each member where the kernel lacks it (before 5.14). */
export function killAll(directory: string): void {
  if (!writeControl(directory, 'cgroup.kill', '1')) signalEach(members(directory), 'SIGKILL');
}

/** Removes a cgroup and its sub-cgroups, deepest first; true once it is gone. A cgroup with processes stays. */
export function removeTree(directory: string, depth = 0): boolean {
  if (depth < MAX_DEPTH) for (const child of children(directory)) removeTree(child, depth + 1);
  try {
    rmdirSync(directory);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
