// Picks the workspace kind that fits a history: the one place that maps a VCS (or a version list) to its workspaces.
import { FactorBase } from '../history/factor-base.js';
import { GitHistory } from '../history/git-history.js';
import { HgHistory } from '../history/hg-history.js';
import type { History } from '../history/history.js';
import { VersionList } from '../history/version-list.js';
import { checkOutsideRepository } from '../system/directory-check.js';
import { GitWorkspace } from './git-workspace.js';
import { HgWorkspace } from './hg-workspace.js';
import { VersionWorkspace } from './version-workspace.js';
import type { Workspace } from './workspace.js';

export async function acquireWorkspace(cacheRoot: string, history: History, keepSlots = 1): Promise<Workspace> {
  // Checked before any slot is made: nothing is created inside the user's repository.
  if (history instanceof GitHistory || history instanceof HgHistory) checkOutsideRepository(cacheRoot, history.root);
  if (history instanceof GitHistory) return GitWorkspace.acquire(cacheRoot, history, keepSlots);
  if (history instanceof HgHistory) return HgWorkspace.acquire(cacheRoot, history, keepSlots);
  if (history instanceof VersionList || history instanceof FactorBase) return VersionWorkspace.acquire(cacheRoot, history, keepSlots);
  throw new Error(`no workspace implementation for ${history.kind} repositories`);
}

/** One workspace per worker; all or none: on failure the ones already claimed are released. */
export async function acquireWorkspaces(cacheRoot: string, history: History, count: number): Promise<Workspace[]> {
  // Slots are claimed synchronously when each acquisition starts, so preparing them at once is safe.
  const results = await Promise.allSettled(Array.from({ length: count }, () => acquireWorkspace(cacheRoot, history, count)));
  const claimed = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    for (const workspace of claimed) workspace.release();
    throw failed.reason;
  }
  return claimed;
}
