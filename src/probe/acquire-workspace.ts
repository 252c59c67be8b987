// Picks the workspace kind that fits a history: the one place that maps a VCS to its private checkouts.
import { GitHistory } from '../history/git-history.js';
import { HgHistory } from '../history/hg-history.js';
import type { History } from '../history/history.js';
import { GitWorkspace } from './git-workspace.js';
import { HgWorkspace } from './hg-workspace.js';
import type { Workspace } from './workspace.js';

export async function acquireWorkspace(cacheRoot: string, history: History, keepSlots = 1): Promise<Workspace> {
  if (history instanceof GitHistory) return GitWorkspace.acquire(cacheRoot, history, keepSlots);
  if (history instanceof HgHistory) return HgWorkspace.acquire(cacheRoot, history, keepSlots);
  throw new Error(`no workspace implementation for ${history.kind} repositories`);
}

/** One workspace per worker; all or none: on failure the ones already claimed are released. */
export async function acquireWorkspaces(cacheRoot: string, history: History, count: number): Promise<Workspace[]> {
  const claimed: Workspace[] = [];
  try {
    for (let i = 0; i < count; i++) claimed.push(await acquireWorkspace(cacheRoot, history, count));
  } catch (error) {
    for (const workspace of claimed) workspace.release();
    throw error;
  }
  return claimed;
}
