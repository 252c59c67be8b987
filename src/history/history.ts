// The seam between a hunt and a version-control system: what the hunt needs to know about history.
// Adapters (git, hg) implement it; nothing outside history/ and probe/ speaks a VCS's language.
import type { CommitGraph } from '../search/commit-graph.js';

export interface CommitInfo {
  commit: string;
  subject: string;
  author: string;
  /** ISO 8601 author date. */
  date: string;
}

export interface History {
  readonly kind: 'git' | 'hg';
  /** Top-level directory of the user's repository (never written to). */
  readonly root: string;
  /** A stable identity of the repository, for cache keys: the real path of its object store. */
  readonly identity: string;

  /** Full hash of a commit named by any revision syntax; UsageError when it names no commit. */
  resolve(revision: string, role: string): Promise<string>;
  /** The candidate region: ancestors of bad that are not ancestors of any good, with parents and times. */
  loadGraph(bad: string, goods: readonly string[]): Promise<CommitGraph>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** Best common ancestors of bad and the goods taken together (`git merge-base --all bad goods…`). */
  mergeBases(bad: string, goods: readonly string[]): Promise<string[]>;
  describe(commits: readonly string[]): Promise<Map<string, CommitInfo>>;
  changedFiles(commit: string): Promise<string[]>;
  /**
   * A hash of the commit's file contents (git: the tree; hg: the manifest node), the key of the verdict cache:
   * two commits with the same tree get the same verdict from the same recipe.
   */
  treeOf(commit: string): Promise<string>;
  /** The revision name a user would type to reproduce: abbreviated hash. */
  shortName(commit: string): string;
}
