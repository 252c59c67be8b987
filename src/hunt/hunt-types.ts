// The shapes a hunt shares with its callers: options in, progress events out, a result at the end.
// Kept apart from the orchestration so the CLI and library users can depend on them alone.
import type { CommitInfo } from '../history/history.js';
import type { ProbeRecord } from '../probe/prober.js';
import type { Recipe } from '../probe/recipe.js';

export interface HuntOptions {
  /** Directory of (or inside) the user's repository. */
  repo: string;
  /** Force the version-control system instead of detecting it. */
  vcs?: 'git' | 'hg';
  goods: readonly string[];
  bad: string;
  recipe: Recipe;
  firstParent?: boolean;
  /** Test every good and the bad before bisecting (default true). */
  verify?: boolean;
  /** Culprit's cache directory (workspaces, logs); default: XDG cache dir. */
  workdir?: string;
  signal?: AbortSignal;
  observer?: HuntObserver;
}

export type Phase = 'verify' | 'merge-base' | 'bisect';

export interface HuntProbe extends ProbeRecord {
  phase: Phase;
  /** 1-based position among all probes of the hunt. */
  step: number;
  subject: string;
}

export interface SearchProgress {
  candidatesLeft: number;
  stepsLeft: number;
}

export interface HuntObserver {
  started?(info: { repo: string; bad: string; goods: string[]; candidates: number; steps: number; workspace: string; timeoutSeconds: number | undefined }): void;
  probeStarted?(info: { phase: Phase; step: number; commit: string; timeoutSeconds: number }): void;
  probeFinished?(probe: HuntProbe, progress: SearchProgress | undefined): void;
  note?(message: string): void;
}

export interface FirstBad extends CommitInfo {
  files: string[];
}

export interface HuntResult {
  status: 'found' | 'ambiguous';
  firstBad: FirstBad | null;
  /** The commits that may be the first bad one: one when found, several when skips hide it. */
  candidates: string[];
  probes: HuntProbe[];
  /** A command line that reproduces the probe of the first bad commit. */
  reproduce: string | null;
  repo: string;
  workspace: string;
}
