// Where a hunt's probe logs go: one directory per hunt under culprit's cache, named by time and the owning process.
// When a new one starts, old ones are pruned oldest first, by count and by total size, never one whose process lives.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const KEEP_HUNTS = 50;
/** Logs of finished hunts beyond this total are pruned, oldest first (each probe's log is capped at 2 MiB). */
const KEEP_BYTES = 1024 * 1024 * 1024;

/** The process that owns a log directory: the number at the end of its name. */
function ownerOf(name: string): number | undefined {
  const pid = Number(/-(\d+)$/.exec(name)?.[1]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function bytesOf(directory: string): number {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    try {
      total += entry.isDirectory() ? bytesOf(full) : statSync(full).size;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** Prunes finished hunts' log directories: beyond the newest `keep`, and beyond `keepBytes` in total, oldest first. */
export function pruneLogs(cacheRoot: string, keep = KEEP_HUNTS, keepBytes = KEEP_BYTES): { removed: number; bytes: number } {
  const logs = path.join(cacheRoot, 'logs');
  if (!existsSync(logs)) return { removed: 0, bytes: 0 };
  const entries = readdirSync(logs, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const full = path.join(logs, entry.name);
      let modified = 0;
      try {
        modified = statSync(full).mtimeMs;
      } catch {
        modified = 0;
      }
      return { full, modified, bytes: bytesOf(full), live: alive(ownerOf(entry.name)) };
    })
    // Newest first: by when they were last written to, whatever their names (hunt, probe, worker, queue).
    .sort((a, b) => b.modified - a.modified || b.full.localeCompare(a.full));
  let kept = 0;
  let keptBytes = 0;
  let removed = 0;
  let bytes = 0;
  for (const entry of entries) {
    if (entry.live || (kept < keep && keptBytes + entry.bytes <= keepBytes)) {
      kept += 1;
      keptBytes += entry.bytes;
      continue;
    }
    rmSync(entry.full, { recursive: true, force: true });
    removed += 1;
    bytes += entry.bytes;
  }
  return { removed, bytes };
}

export function createLogDirectory(cacheRoot: string, prefix = ''): string {
  const logs = path.join(cacheRoot, 'logs');
  mkdirSync(logs, { recursive: true });
  pruneLogs(cacheRoot, KEEP_HUNTS - 1);
  const directory = path.join(logs, `${prefix}${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(directory, { recursive: true });
  return directory;
}

/** Removes a hunt's logs except those a message names (an input error's line points the user at one). */
export function removeLogsExcept(logDirectory: string, line: string): void {
  const named = existsSync(logDirectory) ? readdirSync(logDirectory).filter((entry) => line.includes(path.join(logDirectory, entry))) : [];
  if (named.length === 0) {
    rmSync(logDirectory, { recursive: true, force: true });
    return;
  }
  for (const entry of readdirSync(logDirectory)) if (!named.includes(entry)) rmSync(path.join(logDirectory, entry), { recursive: true, force: true });
}
