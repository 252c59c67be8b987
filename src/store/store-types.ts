// The records the store keeps: a hunt with the arguments that can run it again, its probes, and cached verdicts.
// Plain data: the store serialises it, the hunt and the reports read it.
import type { Outcome, ReportedVerdict, SearchVerdict } from '../probe/outcome.js';
import type { Recipe } from '../probe/recipe.js';

/** `running` with a dead owner reads as interrupted: the process was killed before it could say so. */
export type HuntStatus = 'running' | 'interrupted' | 'aborted' | 'found' | 'ambiguous';

export const UNFINISHED: readonly HuntStatus[] = ['running', 'interrupted', 'aborted'];

/** Everything needed to run the hunt again, with revisions already resolved to full hashes. */
export interface HuntArguments {
  repo: string;
  /** Where the commands run, relative to the repository's top ('' for the top). */
  subdirectory: string;
  vcs: 'git' | 'hg';
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
  narrow?: 'none' | 'file' | 'hunk' | 'line' | 'token';
  signature?: string;
  narrowOnly?: boolean;
  /** Workers probing at once (absent: one). */
  jobs?: number;
  artifacts?: string[];
  cacheSize?: number;
  cleanBuild?: boolean;
}

export interface StoredFirstBad {
  commit: string;
  subject: string;
  author: string;
  date: string;
  files: string[];
}

export interface StoredResult {
  status: 'found' | 'ambiguous';
  firstBad: StoredFirstBad | null;
  candidates: string[];
  reproduce: string | null;
  /** Probes that ran one after another (absent in hunts stored before parallel hunts). */
  rounds?: number;
  /** The narrowing's result, as the hunt returned it. */
  narrowing?: unknown;
  /** The first bad commit inside a merge found with --first-parent. */
  descent?: unknown;
}

export interface HuntRow {
  id: number;
  key: string;
  identity: string;
  repo: string;
  vcs: 'git' | 'hg';
  arguments: HuntArguments;
  recipeKey: string;
  status: HuntStatus;
  candidates: number | null;
  ownerPid: number | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  result: StoredResult | null;
  error: string | null;
  /** Finished probes, counted by the query that lists hunts. */
  probeCount: number;
}

export type ProbeSource = 'run' | 'cached';

/** What a finished probe found, as stored with the probe and in the verdict cache. */
export interface ProbeFinding {
  outcome: Outcome;
  verdict: ReportedVerdict;
  searchVerdict: SearchVerdict | 'abort';
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  testSeconds?: number;
  logPath: string;
  outputTail: string;
}

export interface ProbeRow extends ProbeFinding {
  id: number;
  huntId: number;
  step: number;
  phase: string;
  source: ProbeSource;
  /** The hunt whose verdict was reused, for a cached probe. */
  cachedFrom: number | null;
  commit: string;
  /** Digest of the configuration applied on top of the commit (narrowing), or null for the commit as it is. */
  configuration: string | null;
  tree: string;
  recipeKey: string;
  subject: string;
  startedAt: string;
  /** Null while the probe is in flight (or was, when its hunt died). */
  endedAt: string | null;
}

export interface CachedVerdict extends ProbeFinding {
  huntId: number;
  commit: string;
}
