// The shapes a hunt shares with its callers: options in, progress events out, a result at the end.
// Kept apart from the orchestration so the CLI and library users can depend on them alone.
import type { QueueAddress } from '../executors/queue-address.js';
import type { ChangeLevel } from '../changes/change-level.js';
import type { NarrowBudget } from '../model/narrow-budget.js';
import type { Phase } from '../model/probe-record.js';
import type { Recipe } from '../model/recipe.js';
import type { FactorsResult, HuntOutcome, MergeDescent, Narrowing, VersionsResult } from '../model/stage-results.js';
import type { FactorsSpec } from '../model/factors-spec.js';
import type { FlakySpec } from '../model/flaky-spec.js';
import type { MetricSpec } from '../model/metric-spec.js';
import type { RepeatPolicy } from '../search/repeat-policy.js';
import type { VersionsSpec } from '../model/versions-spec.js';
import type { Store } from '../store/store.js';
import type { HuntProbe, HuntRow } from '../store/store-types.js';

export type { Phase } from '../model/probe-record.js';
export type { FirstBad } from '../model/stage-results.js';

/** Probes sent to workers through a queue in Redis (`--executor redis://…`) instead of run here. */
export interface QueueSpec {
  address: QueueAddress;
  queue: string;
  key: Buffer;
}

export interface HuntOptions {
  /** Directory of (or inside) the user's repository. */
  repo: string;
  /** Run the probes on `culprit worker`s through this queue (commit hunts only). */
  executor?: QueueSpec;
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
  /** Resume it even in another recipe environment than it was started in (`--force-recipe`): its verdicts mix. */
  forceRecipe?: boolean;
  /** After finding the first bad commit, narrow its change down to this level (default none). */
  narrow?: ChangeLevel | 'none';
  /** A regular expression on the test's output that marks *the* failure while narrowing. */
  signature?: string;
  /** A cheap check run before each narrowing configuration's build and test; false for none (default: syntax checks). */
  narrowCheck?: string | false;
  /** Narrowing stops with its smallest failing change so far after this (default: 15 minutes; `{}` for none). */
  narrowBudget?: NarrowBudget;
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
  /** Run the test up to `runs` times per probe; `policy` decides the verdict (`--repeat N --policy`). */
  repeat?: { runs: number; policy: RepeatPolicy };
  /** A performance regression: verdicts from a number the test prints (`--metric`). */
  metric?: MetricSpec;
  /** The test fails only some of the time on a bad commit: search with the flaky model (`--flaky`). */
  flaky?: FlakySpec;
  /** Bisect these released versions (goods and bad name versions; `repo` is the project or working directory). */
  versions?: VersionsSpec;
  /** Search the factors between a good and a bad environment (goods and bad are ignored; `repo` is the project or working directory). */
  factors?: FactorsSpec;
}

export type { HuntProbe, ProbeSource } from '../store/store-types.js';

/** Which search a probe served, for the report's range charts: released versions, the commits, or a merged branch. */
export type SearchName = 'versions' | 'bisection' | 'merge-descent';

export interface SearchProgress {
  candidatesLeft: number;
  /** The search this verdict narrowed; absent for probes alongside it (endpoint checks). */
  search?: SearchName;
  /** Probes left one after another: steps with one worker, rounds with several. */
  stepsLeft: number;
  /** stepsLeft times the mean probe time so far. */
  etaSeconds?: number;
  /** With several workers: the one (1-based) whose probe just finished. */
  worker?: number;
  /** The flaky search: the likeliest first bad commit now, and its posterior. */
  leader?: { commit: string; probability: number };
}

export interface HuntObserver {
  /** The hunt has its id: new, or resumed with some probes already done. */
  attached?(info: { hunt: number; resumed: boolean; probesDone: number; finished?: boolean }): void;
  started?(info: { repo: string; space: 'commits' | 'versions' | 'factors'; unit?: string; bad: string; goods: string[]; candidates: number; steps: number; workers: number; workspace: string; timeoutSeconds: number | undefined; narrowOnly?: boolean }): void;
  probeStarted?(info: { phase: Phase; step: number; commit: string; timeoutSeconds: number }): void;
  probeFinished?(probe: HuntProbe, progress: SearchProgress | undefined): void;
  /** The hunt stopped on wrong input and its record was removed again: its id names nothing now. */
  discarded?(): void;
  /** The endpoints are checked (or need no check) and the search proper begins: input errors are behind us. */
  searching?(): void;
  /** With several workers: a worker starts probing a commit. */
  workerStarted?(info: { worker: number; commit: string; phase: Phase }): void;
  /** With several workers: a probe is stopped because its answer no longer matters. */
  workerCancelled?(info: { worker: number; commit: string }): void;
  /** A narrowing probe ended: what its configuration did, judged against the failure signature. */
  narrowingProbe?(probe: HuntProbe, outcome: string, what: string): void;
  /** A narrowing configuration a syntax check showed cannot load: unresolved without a probe. */
  narrowingPredicted?(what: string): void;
  /** A configuration of factors was probed: what it did to the failure, and which factors were at their bad side. */
  factorProbe?(probe: HuntProbe, outcome: string, factors: string): void;
  note?(message: string): void;
}

export interface HuntResult extends HuntOutcome {
  /** The hunt's id in the store. */
  hunt: number;
  /** The hunt as the store now holds it (arguments, timestamps): what every report renders. */
  record: HuntRow;
  /** The hunt's finished probes but narrowing's configurations, in step order, as the store lists them. */
  probes: HuntProbe[];
  /** Narrowing's configurations and verification checks, in step order. */
  narrowingProbes: HuntProbe[];
  repo: string;
  workspace: string;
  /** With several workers, every worker's workspace (the first is `workspace`). */
  workspaces?: string[];
  /** The minimal failure-inducing part of the first bad commit's change, when narrowing ran (from `stages`). */
  narrowing?: Narrowing;
  /** With --first-parent on a merge: the first bad commit inside the merged branch (from `stages`). */
  descent?: MergeDescent;
  /** A hunt that began with released versions: the first bad version (from `stages`). */
  versions?: Omit<VersionsResult, 'stage'>;
  /** A hunt over factors: the ones the failure needs (from `stages`). */
  factors?: Omit<FactorsResult, 'stage'>;
}
