// A private checkout where probes run, so the user's checkout is never touched.
// Implementations: git (a private repository borrowing the user's objects), hg (a private hardlinked clone).

export interface Workspace {
  /** Directory where build and test commands run. */
  readonly directory: string;
  /**
   * Puts the workspace at a commit: tracked files rewritten where they differ (unchanged files keep their mtimes,
   * so make-style builds redo little), untracked leftovers removed, ignored build outputs kept unless `clean`.
   */
  checkout(commit: string, options?: { clean?: boolean }): Promise<void>;
  /**
   * Whether the checkout of `commit` is still there after a probe's commands: false once the workspace is gone or
   * holds another commit, when what they did says nothing about the candidate.
   */
  holds(commit: string): Promise<boolean>;
  /**
   * Variables the commands get besides CULPRIT_*: what the VCS's own bisect gives its command (e.g. HG_NODE), and
   * what keeps their VCS inside the workspace.
   */
  environment(commit: string): Record<string, string>;
  /** Gives the slot back for the next hunt; the directory stays as a warm cache. */
  release(): void;
}
