// Picks the workspace kind that fits a history: the one place that maps a VCS to its private checkouts.
import { GitHistory } from '../history/git-history.js';
import { HgHistory } from '../history/hg-history.js';
import type { History } from '../history/history.js';
import { GitWorkspace } from './git-workspace.js';
import { HgWorkspace } from './hg-workspace.js';
import type { Workspace } from './workspace.js';

export async function acquireWorkspace(cacheRoot: string, history: History): Promise<Workspace> {
  if (history instanceof GitHistory) return GitWorkspace.acquire(cacheRoot, history);
  if (history instanceof HgHistory) return HgWorkspace.acquire(cacheRoot, history);
  throw new Error(`no workspace implementation for ${history.kind} repositories`);
}
