// Where a hunt's probe logs go: one directory per hunt under culprit's cache, named so they sort by time.
// Old hunts' logs are pruned when a new one starts, so a killed or finished hunt's logs do not pile up forever.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const KEEP_HUNTS = 50;

export function createLogDirectory(cacheRoot: string, prefix = ''): string {
  const logs = path.join(cacheRoot, 'logs');
  mkdirSync(logs, { recursive: true });
  const entries = readdirSync(logs).sort();
  for (const stale of entries.slice(0, Math.max(0, entries.length - (KEEP_HUNTS - 1)))) {
    rmSync(path.join(logs, stale), { recursive: true, force: true });
  }
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
