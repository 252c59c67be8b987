// The releases of one package between the two versions two lockfiles install, read from the registry the project
// uses: where the versions stage looks when one package upgrade is what the failure needs.
import semver from 'semver';
import { packageVersions } from '../history/npm-registry.js';
import type { FactorAnswer } from '../model/stage-results.js';

/** The one package upgrade an answer names, when it is one (a version changed, not a package added or removed). */
export function singleUpgrade(needed: readonly FactorAnswer[]): { name: string; from: string; to: string } | undefined {
  const [only, ...rest] = needed;
  const change = only?.change;
  if (!only || rest.length > 0 || change?.kind !== 'changed' || change.from === null || change.to === null) return undefined;
  // A copy nested under another package, or one installed under an alias, is not what `npm install NAME@V` would move.
  if (change.under !== null || change.alias !== undefined) return undefined;
  if (!semver.valid(change.from) || !semver.valid(change.to) || !semver.lt(change.from, change.to)) return undefined;
  return { name: only.name, from: change.from, to: change.to };
}

/** Published versions strictly between `from` and `to`, oldest first (pre-releases only if an endpoint is one). */
export async function releasesBetween(name: string, from: string, to: string, project: string): Promise<string[]> {
  const published = await packageVersions(name, project, { prereleases: false, keep: [from, to] });
  return published.versions.filter((version) => semver.gt(version, from) && semver.lt(version, to));
}
