// What each stage of a hunt found, as typed plain data: stored with the hunt, rendered by every report (terminal,
// JSON, Markdown) from the same records. A new stage adds its result type here and a renderer in report/.
import type { ChangeLevel } from '../changes/change-level.js';
import type { SearchVerdict } from './probe-record.js';

/** A configuration's outcome against the failure signature: *the* failure, a pass, or neither. */
export type NarrowingOutcome = 'fail' | 'pass' | 'unresolved';

export interface FirstBad {
  commit: string;
  subject: string;
  author: string;
  /** ISO 8601 author date. */
  date: string;
  /** The files it changed (since `since`, when that is set). */
  files: string[];
  /** `culprit narrow --good REV` with a REV that is not the commit's parent: the change is everything since REV. */
  since?: string;
}

export interface EndpointsResult {
  stage: 'endpoints';
  goods: string[];
  bad: string;
  /** False with --no-verify (or when the narrowed revisions are taken as given). */
  checked: boolean;
  /** Probed alongside the first cuts of a parallel bisection. */
  overlapped: boolean;
}

export interface MergeBasesResult {
  stage: 'merge-bases';
  /** Merge bases tested, in order, with what they said. */
  tested: Array<{ commit: string; verdict: SearchVerdict }>;
  /** The goods the bisection starts from: the user's and the merge bases that proved good. */
  goods: string[];
}

/** What a flaky search (`--flaky`) knows about its answer. */
export interface FlakyFacts {
  /** The posterior the answer had to reach. */
  confidence: number;
  /** The posterior it reached: how likely the named commit is the first bad one. */
  probability: number;
  /** How often a run of a bad commit passes: as given, or as the search learnt it (its posterior mean). */
  flakeRate: number;
  /** Runs of the bad revision the flake rate was estimated from (absent when it was given). */
  estimate?: { runs: number; passes: number };
  /** Test runs of the search itself (the endpoints' not counted). */
  runs: number;
  /** The likeliest first bad commits when it stopped, with their posteriors. */
  likeliest: Array<{ commit: string; probability: number }>;
  /** Why it stopped early: a run contradicted the model (two regressions, a good commit that fails). */
  contradiction?: string;
}

export interface BisectionResult {
  stage: 'bisection';
  /** Whose choices it made: git bisect's, hg bisect's, k-way cuts with several workers, or the flaky search's. */
  strategy: 'git' | 'hg' | 'parallel' | 'flaky';
  workers: number;
  status: 'found' | 'ambiguous';
  firstBad: FirstBad | null;
  /** The commits that may be the first bad one: one when found, several when skips hide it. */
  candidates: string[];
  candidatesAtStart: number;
  /** Probes that ran one after another in this stage. */
  rounds: number;
  /** Set by the flaky search. */
  flaky?: FlakyFacts;
  /** Set when the verdicts came from a metric (`--metric`). */
  metric?: MetricFacts;
}

/** A metric's two distributions at the endpoints, the shift between them, and its p-value. */
export interface MetricFacts {
  pattern: string;
  worse: 'higher' | 'lower';
  good: { n: number; median: number; iqr: number };
  bad: { n: number; median: number; iqr: number };
  shift: number;
  relativeShift: number;
  pValue: number;
}

export type FlakyBisectionResult = BisectionResult & { strategy: 'flaky'; flaky: FlakyFacts };

export interface MergeDescent {
  merge: string;
  /** Commits on the merged branch when its bisection began (absent when the branch's tip passed, and in older hunts). */
  candidatesAtStart?: number;
  /** The first bad commit on the merged branch; null when the branch passes and the merge itself is to blame. */
  commit: string | null;
  /** Commits that may be it when skipped ones hide which. */
  candidates: string[];
  probes: number;
}

export interface MergeDescentResult extends MergeDescent {
  stage: 'merge-descent';
}

export interface NarrowedUnit {
  file: string;
  level: ChangeLevel;
  /** `add`/`remove` for lines and tokens, `file` for a file changed as a whole. */
  kind: 'add' | 'remove' | 'file';
  text: string;
}

export interface VerificationCheck {
  expected: 'fail' | 'pass';
  outcome: NarrowingOutcome | 'not-applicable';
  ok: boolean;
  /** Why a check could not run (the change does not apply there). */
  reason?: string;
  step?: number;
}

export interface LevelTests {
  level: ChangeLevel;
  /** Units searched at this level. */
  units: number;
  /** Configurations tested at this level (answers from the outcome cache not counted). */
  tests: number;
  /** Of the tests, the ones that neither passed nor failed the failure's way (absent in older hunts). */
  unresolved?: number;
  /** Configurations a syntax check showed could not load: unresolved without a test, not among `tests`. */
  predicted?: number;
  /** Units of this level in the answer it handed down (absent in older hunts, and for a level stopped early). */
  kept?: number;
}

/** A deeper answer the verification turned down, and why: the reported one is a shallower level's. */
export interface RejectedAnswer {
  level: ChangeLevel;
  /** Changed lines and tokens it had. */
  changes: number;
  /** The checks that did not come out as expected, as `name: outcome`. */
  failed: string[];
  /** The change itself, as a diff against the parent. */
  diff?: string;
}

export interface Narrowing {
  status: 'narrowed' | 'flaky' | 'not-reproduced';
  parent: string;
  commit: string;
  signature: string;
  /** The deepest level searched. */
  level: ChangeLevel;
  diff: string;
  changes: NarrowedUnit[];
  levels: LevelTests[];
  tests: number;
  verification: { parentPlusChange: VerificationCheck; commitMinusChange: VerificationCheck; badMinusChange: VerificationCheck | null } | null;
  note?: string;
  /** False when a budget stopped the search: the change fails but may hold more than it needs (absent: true). */
  minimal?: boolean;
  /** What stopped it early: `20 tests`, `15 min`. */
  stoppedAfter?: string;
  /** Whether every verification check came out as expected for the reported change (absent in older hunts). */
  verified?: boolean;
  /** Deeper answers turned down by their verification, deepest first. */
  rejected?: RejectedAnswer[];
  /** The cheap checks each configuration went through before its build and test. */
  checks?: string[];
}

export interface NarrowingResult extends Narrowing {
  stage: 'narrowing';
}

/** The released versions bisected before any commit: the first bad version and the last good one before it. */
export interface VersionsResult {
  stage: 'versions';
  /** Where the versions came from: a package name, or the list's origin. */
  origin: string;
  status: 'found' | 'ambiguous';
  /** The newest version known good below the first bad one (null when skips hide the answer from the start). */
  lastGood: string | null;
  firstBad: string | null;
  /** The versions that may be the first bad one: one when found, several when skipped versions hide it. */
  candidates: string[];
  /** Versions that could not be tested (their install failed, or the test said 125). */
  skipped: string[];
  /** Versions between the endpoints (the bad one included) when the search began. */
  candidatesAtStart: number;
  /** Versions installed for this stage (the rest came from the install cache), and the probes that ran one after another. */
  installs: number;
  rounds: number;
}

/** The hand-off from released versions to the repository they were built from: which revisions the search begins at. */
export interface SourceResult {
  stage: 'source';
  repo: string;
  vcs: 'git' | 'hg';
  good: { version: string; revision: string; via: string };
  bad: { version: string; revision: string; via: string };
  /** The last good or first bad version when it had no tag there: the search started from the nearest tagged one. */
  untagged?: string[];
}

/** One factor as an answer names it: a setup by name, or a package change with both versions. */
export interface FactorAnswer {
  name: string;
  /** For a package change: added, removed or changed, and the versions on the good and the bad side. */
  change?: { kind: 'added' | 'removed' | 'changed'; from: string | null; to: string | null; under: string | null; alias?: string };
}

/** Which of the differences between a working and a broken environment the failure needs (`culprit deps`, `culprit factors`). */
export interface FactorsResult {
  stage: 'factors';
  /** Package changes between two lockfiles, or named setups. */
  space: 'deps' | 'factors';
  /** How many factors were searched. */
  total: number;
  /** The factors the failure needs, at their bad side (the rest at their good side). */
  needed: FactorAnswer[];
  /** Changes the answer cannot be installed without (packages it depends on), which the search did not need on their own. */
  alongside: FactorAnswer[];
  /** Seen failing on its own, and each factor in it found necessary. */
  verified: boolean;
  /** Configurations probed for this stage (the good setup's included), and installs that ran for them. */
  tests: number;
  installs: number;
  /** Configurations that could not be installed or set up, or could not be tested. */
  unresolved: number;
  /** For one package upgraded across releases: the ones between its two versions (where the versions stage would look). */
  between?: string[];
  /** The releases were to be bisected next (--bisect-versions): the versions stage's result follows. */
  bisectVersions?: boolean;
  note?: string;
}

export type StageResult = FactorsResult | VersionsResult | SourceResult | EndpointsResult | MergeBasesResult | BisectionResult | MergeDescentResult | NarrowingResult;
export type StageName = StageResult['stage'];

/** The result of a finished hunt: the answer, and every stage's own result in the order they ran. */
export interface HuntOutcome {
  status: 'found' | 'ambiguous';
  firstBad: FirstBad | null;
  candidates: string[];
  /** A command line that reproduces the probe of the first bad commit. */
  reproduce: string | null;
  /** Probes that ran one after another (the longest such chain with several workers): wall time in probe units. */
  rounds: number;
  stages: StageResult[];
  /** The timeout each test run had: --timeout, or the one derived from the good endpoints (absent in older hunts). */
  timeoutSeconds?: number;
  /** The tools that found the answer: culprit's version, Node's, and the version control's (absent in older hunts). */
  tools?: { culprit: string; node: string; vcs?: string };
}

export function stageResult<N extends StageName>(stages: readonly StageResult[], name: N): Extract<StageResult, { stage: N }> | undefined {
  return stages.find((stage): stage is Extract<StageResult, { stage: N }> => stage.stage === name);
}

function withoutStageName<T extends { stage: string }>(result: T): Omit<T, 'stage'> {
  const copy: Partial<T> = { ...result };
  delete copy.stage;
  return copy as Omit<T, 'stage'>;
}

/** The narrowing's result, when that stage ran and found something to report. */
export function narrowingOf(stages: readonly StageResult[]): Narrowing | undefined {
  const found = stageResult(stages, 'narrowing');
  return found && withoutStageName(found);
}

/** Whether a hunt's answer is a released version: it searched versions and did not go on into their source. */
export function answersWithVersion(vcs: string, stages: readonly StageResult[]): boolean {
  return vcs === 'versions' && !stages.some((stage) => stage.stage === 'source');
}

/** The factors stage's result, when the hunt searched the differences between two environments. */
export function factorsOf(stages: readonly StageResult[]): Omit<FactorsResult, 'stage'> | undefined {
  const found = stageResult(stages, 'factors');
  return found && withoutStageName(found);
}

/** The versions stage's result, when the hunt began with released versions. */
export function versionsOf(stages: readonly StageResult[]): Omit<VersionsResult, 'stage'> | undefined {
  const found = stageResult(stages, 'versions');
  return found && withoutStageName(found);
}

/** The merge descent's result, when a --first-parent hunt descended into the merge it found. */
export function descentOf(stages: readonly StageResult[]): MergeDescent | undefined {
  const found = stageResult(stages, 'merge-descent');
  return found && withoutStageName(found);
}
