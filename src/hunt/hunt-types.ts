// The shapes a hunt shares with its callers: options in, progress events out, a result at the end.
// Kept apart from the orchestration so the CLI and library users can depend on them alone.
import type { CommitInfo } from '../history/history.js';
import type { ProbeRecord } from '../probe/prober.js';
import type { Recipe } from '../probe/recipe.js';
import type { ChangeLevel } from '../changes/change-tree.js';
import type { Store } from '../store/store.js';
import type { MergeDescent } from './merge-descent.js';
import type { Narrowing } from './narrow.js';

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
  /** The hunt store: an open Store, or the path of its file; default: the XDG data dir. */
  store?: Store | string;
  /** Reuse verdicts other hunts found for the same tree and recipe (default true). */
  cache?: boolean;
  /** Continue this stored hunt instead of starting (or finding) one. */
  resume?: number;
  /** After finding the first bad commit, narrow its change down to this level (default none). */
  narrow?: ChangeLevel | 'none';
  /** A regular expression on the test's output that marks *the* failure while narrowing. */
  signature?: string;
  /** Build outputs (globs relative to the workspace) kept after a successful build and restored for the same tree. */
  artifacts?: readonly string[];
  /** Size limit of the build cache in bytes (default 5 GiB); least recently used builds go first. */
  cacheSize?: number;
  /** Remove ignored files (old build outputs) at every checkout: no incremental builds. */
  cleanBuild?: boolean;
  /** Probe this many candidates at once, each in its own workspace (default 1: git's own choices, one at a time). */
  jobs?: number;
  /** Skip bisection: the bad revision is the commit to narrow, the (single) good its parent (`culprit narrow`). */
  narrowOnly?: boolean;
}

export type Phase = 'verify' | 'merge-base' | 'bisect' | 'descend' | 'narrow' | 'narrow-verify';

/** Where a probe's answer came from: run now, the verdict cache, or the hunt's own earlier run (resume). */
export type ProbeSource = 'run' | 'cached' | 'resumed';

export interface HuntProbe extends ProbeRecord {
  phase: Phase;
  source: ProbeSource;
  /** 1-based position among all probes of the hunt. */
  step: number;
  subject: string;
}

export interface SearchProgress {
  candidatesLeft: number;
  /** Probes left one after another: steps with one worker, rounds with several. */
  stepsLeft: number;
  /** stepsLeft times the mean probe time so far. */
  etaSeconds?: number;
  /** With several workers: the one (1-based) whose probe just finished. */
  worker?: number;
}

export interface HuntObserver {
  /** The hunt has its id: new, or resumed with some probes already done. */
  attached?(info: { hunt: number; resumed: boolean; probesDone: number; finished?: boolean }): void;
  started?(info: { repo: string; bad: string; goods: string[]; candidates: number; steps: number; workers: number; workspace: string; timeoutSeconds: number | undefined }): void;
  probeStarted?(info: { phase: Phase; step: number; commit: string; timeoutSeconds: number }): void;
  probeFinished?(probe: HuntProbe, progress: SearchProgress | undefined): void;
  /** The endpoints are checked (or need no check) and the search proper begins: input errors are behind us. */
  searching?(): void;
  /** With several workers: a worker starts probing a commit. */
  workerStarted?(info: { worker: number; commit: string; phase: Phase }): void;
  /** With several workers: a probe is stopped because its answer no longer matters. */
  workerCancelled?(info: { worker: number; commit: string }): void;
  /** A narrowing probe ended: what its configuration did, judged against the failure signature. */
  narrowingProbe?(probe: HuntProbe, outcome: string, what: string): void;
  note?(message: string): void;
}

export interface FirstBad extends CommitInfo {
  files: string[];
}

export interface HuntResult {
  /** The hunt's id in the store. */
  hunt: number;
  status: 'found' | 'ambiguous';
  firstBad: FirstBad | null;
  /** The commits that may be the first bad one: one when found, several when skips hide it. */
  candidates: string[];
  probes: HuntProbe[];
  /** Probes that ran one after another (the longest such chain with several workers): wall time in probe units. */
  rounds: number;
  /** A command line that reproduces the probe of the first bad commit. */
  reproduce: string | null;
  repo: string;
  workspace: string;
  /** With several workers, every worker's workspace (the first is `workspace`). */
  workspaces?: string[];
  /** The minimal failure-inducing part of the first bad commit's change, when narrowing ran. */
  narrowing?: Narrowing;
  /** With --first-parent on a merge: the first bad commit inside the merged branch. */
  descent?: MergeDescent;
}
