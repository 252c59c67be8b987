// Opens the user's repository with the right adapter: the nearest .git or .hg above the directory wins,
// unless --vcs names one. Bad directories get one line saying what is wrong.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { GitHistory } from './git-history.js';
import { HgHistory } from './hg-history.js';
import type { History } from './history.js';

/** The kind of the nearest repository enclosing `directory`, if any. */
export function detectVcs(directory: string): 'git' | 'hg' | undefined {
  let current = path.resolve(directory);
  for (;;) {
    if (existsSync(path.join(current, '.git'))) return 'git';
    if (existsSync(path.join(current, '.hg'))) return 'hg';
    // A bare git repository has HEAD, objects/ and refs/ at its top.
    if (existsSync(path.join(current, 'HEAD')) && existsSync(path.join(current, 'objects')) && existsSync(path.join(current, 'refs'))) return 'git';
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export async function openHistory(directory: string, vcs?: 'git' | 'hg'): Promise<History> {
  let stat;
  try {
    stat = statSync(directory);
  } catch {
    throw new UsageError(`no such directory: ${directory}`, 'pass --repo DIR with an existing repository');
  }
  if (!stat.isDirectory()) throw new UsageError(`not a directory: ${directory}`, 'pass --repo DIR with a repository directory');
  const kind = vcs ?? detectVcs(directory);
  if (kind === 'hg') return HgHistory.open(directory);
  if (kind === undefined) {
    throw new UsageError(`not a git or Mercurial repository: ${path.resolve(directory)}`, 'run culprit inside a repository or pass --repo DIR');
  }
  return GitHistory.open(directory);
}
