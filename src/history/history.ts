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

/** One file's change between two commits, with both contents, for narrowing a change down. */
export interface FileDelta {
  /** The path after the change (before it, for a deletion). */
  path: string;
  /** The path before, for a rename. */
  oldPath: string | null;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  before: Buffer | null;
  after: Buffer | null;
  /** Whether the file is executable (or a symbolic link, `link`) on each side. */
  modeBefore: FileMode | null;
  modeAfter: FileMode | null;
}

export type FileMode = 'file' | 'executable' | 'link';

export interface History {
  /**
   * A version-control system, an ordered list of released versions (searched as a line of commits), or the good
   * setup of a hunt over factors (its candidates are configurations written on top of it).
   */
  readonly kind: 'git' | 'hg' | 'versions' | 'factors';
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
  /** Every file that differs between two commits, renames detected, with both sides' contents. */
  fileDeltas(parent: string, commit: string): Promise<FileDelta[]>;
  /** A commit's parents, first parent first. */
  parents(commit: string): Promise<string[]>;
  /** Contents of some files at a commit; null for a path the commit does not have. */
  readFiles(commit: string, paths: readonly string[]): Promise<Map<string, Buffer | null>>;
  /** The revision name a user would type to reproduce: abbreviated hash. */
  shortName(commit: string): string;
  /** Whether the revision tracks files under this directory (relative to the top): a build's output directory does not. */
  tracksDirectory?(revision: string, directory: string): Promise<boolean>;
  /** A shallow git clone: its history stops at a boundary, so "no common history" may only mean "not fetched". */
  readonly shallow?: boolean;
}
