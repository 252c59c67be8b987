// What a hunt over the differences between a working and a broken environment needs, as plain data: the factors
// (named setups, good and bad) or the two lockfiles whose package changes are the factors, and the project they act on.

/** One side of a factor: a setup command run in the workspace before the test, variables the test gets, or both. */
export interface FactorSide {
  run?: string;
  env?: Record<string, string>;
}

/** One named difference: how the working environment has it, and how the broken one does. */
export interface Factor {
  name: string;
  good: FactorSide;
  bad: FactorSide;
}

/** The package changes between two lockfiles (`culprit deps`): the files, as read when the hunt started. */
export interface DepsSpec {
  goodLock: string;
  badLock: string;
  /** Digest of both files' contents: a resumed hunt refuses lockfiles changed since. */
  locksDigest: string;
  /** When the answer is one package upgraded across several releases, find the first bad release in the same hunt. */
  bisectVersions?: boolean;
}

export interface FactorsSpec {
  kind: 'deps' | 'factors';
  /** `culprit factors`: the factors as the file listed them, and the file. */
  factors?: Factor[];
  file?: string;
  deps?: DepsSpec;
  /** The user's project, copied into each workspace (never written to); absent: an empty scratch directory. */
  project?: string;
  /** The user's `--build`, run after the install or the setups. */
  build?: string;
  /** The registry npm ci installs from (`culprit deps`), part of the install's key. */
  registry?: string;
}

/** The base every configuration is written on: the good environment; the bad one is all factors at their bad side. */
export const GOOD_SETUP = 'good';
export const BAD_SETUP = 'bad';
