// The records the store keeps: a hunt with the arguments that can run it again, its probes, and cached verdicts.
// Plain data: the store serialises it, the hunt and the reports read it.
import type { ChangeLevel } from '../changes/change-level.js';
import type { NarrowBudget } from '../model/narrow-budget.js';
import type { Phase, ProbeRecord } from '../model/probe-record.js';
import type { Recipe } from '../model/recipe.js';
import type { HuntOutcome } from '../model/stage-results.js';
import type { FactorsSpec } from '../model/factors-spec.js';
import type { FlakySpec } from '../model/flaky-spec.js';
import type { MetricSpec } from '../model/metric-spec.js';
import type { RepeatPolicy } from '../search/repeat-policy.js';
import type { VersionsSpec } from '../model/versions-spec.js';

/** `running` with a dead owner reads as interrupted: the process was killed before it could say so. */
export type HuntStatus = 'running' | 'interrupted' | 'aborted' | 'found' | 'ambiguous';

export const UNFINISHED: readonly HuntStatus[] = ['running', 'interrupted', 'aborted'];

/** Everything needed to run the hunt again, with revisions already resolved to full hashes. */
export interface HuntArguments {
  repo: string;
  /** Where the commands run, relative to the repository's top ('' for the top). */
  subdirectory: string;
  vcs: 'git' | 'hg' | 'versions' | 'factors';
  goods: string[];
  bad: string;
  /** The revisions as the user typed them, for reports. */
  goodNames: string[];
  badName: string;
  recipe: Recipe;
  firstParent: boolean;
  verify: boolean;
  cache: boolean;
  workdir?: string;
  /** Absent in hunts stored before narrowing existed. */
  narrow?: 'none' | ChangeLevel;
  signature?: string;
  /** A command run before each configuration's build and test (`--narrow-check`), or false for no check at all. */
  narrowCheck?: string | false;
  /** When narrowing stops with its best answer so far (`--narrow-budget`). */
  narrowBudget?: NarrowBudget;
  narrowOnly?: boolean;
  /** Workers probing at once (absent: one). */
  jobs?: number;
  artifacts?: string[];
  cacheSize?: number;
  cleanBuild?: boolean;
  /** A hunt over released versions (`vcs: 'versions'`): the list, the install, and the hand-off to the source. */
  versions?: VersionsSpec;
  /** Each probe runs the test up to `runs` times and `policy` decides (`--repeat N --policy`). */
  repeat?: { runs: number; policy: RepeatPolicy };
  /** A performance regression (`--metric`): the number runs print and which way is worse. */
  metric?: MetricSpec;
  /** The test is flaky (`--flaky`): the confidence to reach and the flake rate, if given. */
  flaky?: FlakySpec;
  /** A hunt over factors (`vcs: 'factors'`): package changes between two lockfiles, or named setups. */
  factors?: FactorsSpec;
}

/**
 * The part of a recipe key that is not in the hunt's arguments: the keyed variables' values and the SHA-256 of each
 * script the commands name by path. Never a secret: only the variables recipe-key lists are kept.
 */
export interface RecipeEnvironment {
  env: Record<string, string>;
  files: Record<string, string>;
}

/** A finished hunt's result: the answer and each stage's typed result. */
export type StoredResult = HuntOutcome;

export interface HuntRow {
  id: number;
  key: string;
  identity: string;
  repo: string;
  vcs: 'git' | 'hg' | 'versions' | 'factors';
  arguments: HuntArguments;
  recipeKey: string;
  status: HuntStatus;
  candidates: number | null;
  ownerPid: number | null;
  /** When the owner process started (boot id and start time), to tell it from a later process with its pid; null if unknown. */
  ownerStart: string | null;
  /** What the recipe key was made of besides the arguments, as the hunt was started; null in hunts stored before it was kept. */
  recipeEnvironment: RecipeEnvironment | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  result: StoredResult | null;
  error: string | null;
  /** Finished probes, counted by the query that lists hunts. */
  probeCount: number;
}

export type StoredProbeSource = 'run' | 'cached';

/** A probe as the store keeps it: what it found, and the hunt's bookkeeping around it. */
export interface ProbeRow extends ProbeRecord {
  id: number;
  huntId: number;
  step: number;
  phase: Phase;
  source: StoredProbeSource;
  /** The hunt whose verdict was reused, for a cached probe. */
  cachedFrom: number | null;
  /** Digest of the configuration applied on top of the commit (narrowing), or null for the commit as it is. */
  configuration: string | null;
  tree: string;
  recipeKey: string;
  subject: string;
  startedAt: string;
  /** Null while the probe is in flight (or was, when its hunt died). */
  endedAt: string | null;
  /** Where the search stood once this verdict was in; absent for probes outside a search and in older hunts. */
  progress?: ProbeProgress;
}

/** The search's state after a probe: candidates left, and for the flaky search its likeliest commit. */
export interface ProbeProgress {
  /** Absent for a narrowing probe, which searches configurations, not candidates. */
  candidatesLeft?: number;
  /** The search it served: `versions`, `bisection` or `merge-descent`. */
  search?: string;
  /** The verdict the search took from it, when that is not the run's own (a metric's samples decide together). */
  verdict?: string;
  leader?: { commit: string; probability: number };
  /** A narrowing probe: what its configuration did against the failure signature, and which configuration it was. */
  narrowing?: { outcome: string; what: string };
}

/** Where a hunt's probe got its answer: run now, the verdict cache, or the hunt's own run before it was stopped. */
export type ProbeSource = StoredProbeSource | 'resumed';

/** A probe of a live hunt: the stored row, with `resumed` for the answers replayed from the hunt's earlier run. */
export interface HuntProbe extends Omit<ProbeRow, 'source'> {
  source: ProbeSource;
}

export interface CachedVerdict extends ProbeRecord {
  huntId: number;
}
