// What a hunt over released versions needs besides a commit hunt's options, as plain data: the list, how a version
// is installed, the project it goes into, and the repository the versions were built from (the hand-off).
import type { Recipe } from './recipe.js';

export interface VersionsSpec {
  /** Every version, oldest first, as the hunt saw it when it started (a registry may publish more later). */
  list: string[];
  /** Where they came from: an npm package's name, or `versions` for a list the user gave. */
  origin: string;
  /** The shell line that installs `{version}` into `{workspace}` (culprit writes it for `culprit npm`). */
  install: string;
  /** The user's `--build`, run after the install in the same workspace (the probe's build step is install, then it). */
  build?: string;
  /** The registry the versions were read from (`culprit npm`): another registry may serve other packages by the name. */
  registry?: string;
  /** Set by `culprit npm`: the versions are the package `origin`'s, installed by npm into a copy of `project`. */
  npm?: boolean;
  /** The user's project, copied into each workspace before the install (`culprit npm`); never written to. */
  project?: string;
  /** The registry's `gitHead` of each version that has one (`culprit npm`): a hand-off's revision when no tag names it. */
  gitHeads?: Record<string, string>;
  /** Continue with the commits between the last good and the first bad version, in this repository. */
  source?: SourceSpec;
}

export interface SourceSpec {
  /** A local git or hg clone of what the versions were built from. */
  repo: string;
  vcs?: 'git' | 'hg';
  /** Tag patterns tried in order, `{version}` replaced: `v{version}`, `{version}`. */
  tags: string[];
  /** Build and test of a checkout (`--source-build`, `--source-test`). */
  recipe: Recipe;
  firstParent?: boolean;
  /** Set when the test packs each checkout into the user's project as this npm package (`culprit npm`'s default). */
  packs?: string;
}

/** Where versions came from when the user listed them: no name worth repeating. */
export const LISTED = 'versions';

/** How a version is named in progress and reports: `left-pad 1.3.0`, or `version 1.3` for a plain list. */
export function versionTitle(origin: string, version: string): string {
  return origin === LISTED ? `version ${version}` : `${origin} ${version}`;
}
