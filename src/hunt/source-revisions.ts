// Maps a released version to the revision of its source it was built from: the first tag pattern that names a
// revision there, else the registry's recorded `gitHead`. A version none of them names is wrong input.
import { UsageError } from '../errors.js';
import type { History } from '../history/history.js';
import type { VersionsSpec } from '../model/versions-spec.js';

/** When the user names no pattern: the two spellings release tags have in practice. */
export const DEFAULT_TAG_PATTERNS = ['v{version}', '{version}'];

export interface SourceRevision {
  revision: string;
  /** How it was found: the tag, or `gitHead abc123`. */
  via: string;
}

/** A tag and nothing else: `1980` is no abbreviated hash, `3` no hg revision number. */
function tagOnly(source: History, tag: string): string {
  if (source.kind === 'git') return `refs/tags/${tag}`;
  if (source.kind === 'hg') return `tag(${JSON.stringify(tag)})`;
  return tag;
}

export async function resolveSourceRevision(source: History, spec: VersionsSpec, version: string): Promise<SourceRevision> {
  const patterns = spec.source?.tags.length ? spec.source.tags : DEFAULT_TAG_PATTERNS;
  const tried: string[] = [];
  for (const pattern of patterns) {
    const tag = pattern.replaceAll('{version}', version);
    tried.push(tag);
    try {
      return { revision: await source.resolve(tagOnly(source, tag), 'tag'), via: tag };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
    }
  }
  const head = spec.gitHeads?.[version];
  if (head !== undefined) {
    tried.push(`gitHead ${head.slice(0, 12)}`);
    try {
      return { revision: await source.resolve(head, 'gitHead'), via: `gitHead ${head.slice(0, 12)}` };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
    }
  }
  throw new UsageError(`version ${version} has no tag in ${source.root} (tried ${tried.join(', ')})`, "tag it there, or give the tag pattern with --tag, e.g. --tag 'release-{version}'");
}

/**
 * The revision of `version`, or, when it has no tag, of the nearest version towards `limit` that has one (releases
 * are not always tagged): the range to search only widens, so the answer stays in it. `limit` itself must resolve.
 */
export async function nearestSourceRevision(source: History, spec: VersionsSpec, version: string, limit: string): Promise<SourceRevision & { version: string }> {
  const from = spec.list.indexOf(version);
  const to = spec.list.indexOf(limit);
  const step = to >= from ? 1 : -1;
  let first: unknown;
  for (let position = from; step > 0 ? position <= to : position >= to; position += step) {
    const candidate = spec.list[position] ?? '';
    try {
      return { ...(await resolveSourceRevision(source, spec, candidate)), version: candidate };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      first ??= error;
    }
  }
  throw first ?? new Error(`internal: no versions between ${version} and ${limit}`);
}
