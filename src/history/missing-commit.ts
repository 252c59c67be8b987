// Commits a repository does not have: none yet (a fresh `git init`), or no longer (pruned or rewritten while a hunt
// was under way, e.g. a branch deleted and garbage-collected). Each is one line saying so and what to do.
import { EnvironmentError, UsageError } from '../errors.js';

/** Any revision of a repository without a single commit: its HEAD is no more unknown than anything else. */
export function noCommitsYet(root: string): UsageError {
  return new UsageError(`the repository ${root} has no commits yet`, 'commit the history to hunt in first, then name two of its commits');
}

/**
 * A commit the hunt knew (an endpoint, a candidate) that the repository lost: the machine's state, not the input,
 * so the hunt is kept and resumes once the commit is back. `resumeId`: say how to go on (a resume that stopped here).
 */
export function commitGone(tool: 'git' | 'hg', root: string, commit: string, resumeId?: number): EnvironmentError {
  const restore = tool === 'git' ? 'restore it (git fetch it again, or recreate the branch or tag that held it)' : 'restore it (hg pull it again, or hg unbundle its strip backup)';
  return new EnvironmentError(
    `the repository ${root} no longer has commit ${commit.slice(0, 12)} (pruned or rewritten?)`,
    resumeId === undefined ? restore : `${restore}, then run culprit resume ${resumeId} again`,
  );
}
