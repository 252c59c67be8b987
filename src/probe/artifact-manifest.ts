// The manifest of one cached build: what was saved, from where, and the files with their modes.
// Written last and renamed into place with the files, so an entry with a manifest that parses is complete.
import { isConfinedPath, keepInnerLinks, linkDestination, type FoundArtifact } from './artifact-globs.js';

export const MANIFEST_NAME = 'manifest.json';
const VERSION = 1;

/** What an entry is: shown by `culprit cache list`, and kept in its manifest. */
export interface EntryFacts {
  key: string;
  repo: string;
  commit: string;
  tree: string;
  /** Bytes of the regular files; links count as nothing. */
  bytes: number;
  /** Files and links saved. */
  files: number;
  createdAt: string;
}

export interface Manifest extends EntryFacts {
  version: typeof VERSION;
  /** Relative to the workspace, in the order they were found. */
  paths: FoundArtifact[];
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isArtifact(value: unknown): value is FoundArtifact {
  if (typeof value !== 'object' || value === null) return false;
  const artifact = value as Record<string, unknown>;
  if (!isString(artifact.path) || !isConfinedPath(artifact.path)) return false;
  if (artifact.type === 'file') {
    return Number.isInteger(artifact.mode) && (artifact.mode as number) >= 0 && (artifact.mode as number) <= 0o777 && Number.isSafeInteger(artifact.size) && (artifact.size as number) >= 0;
  }
  return artifact.type === 'symlink' && isString(artifact.target) && linkDestination(artifact.path, artifact.target) !== undefined;
}

/** The manifest in `text` if it is whole and consistent; anything else means a damaged entry. */
export function parseManifest(text: string): Manifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const manifest = value as Record<string, unknown>;
  if (manifest.version !== VERSION) return undefined;
  if (![manifest.key, manifest.repo, manifest.commit, manifest.tree, manifest.createdAt].every(isString)) return undefined;
  if (!Array.isArray(manifest.paths) || !manifest.paths.every(isArtifact)) return undefined;
  const paths = manifest.paths as FoundArtifact[];
  if (manifest.bytes !== totalBytes(paths) || manifest.files !== paths.length) return undefined;
  const listed = new Set(paths.map((artifact) => artifact.path));
  if (listed.size !== paths.length) return undefined;
  // Nothing under a listed path: a file or link is never a directory, so restore never writes through a link.
  if (paths.some((artifact) => artifact.path.split('/').slice(0, -1).some((_, index, parents) => listed.has(parents.slice(0, index + 1).join('/'))))) return undefined;
  // The save-time rule for links, again: a tampered manifest must not plant a link into the rest of the workspace.
  if (keepInnerLinks(paths).length !== paths.length) return undefined;
  return value as Manifest;
}

function totalBytes(paths: readonly FoundArtifact[]): number {
  return paths.reduce((sum, artifact) => sum + (artifact.type === 'file' ? artifact.size : 0), 0);
}

export function createManifest(fields: Pick<Manifest, 'key' | 'repo' | 'commit' | 'tree' | 'paths'>): Manifest {
  const { paths, ...identity } = fields;
  return { version: VERSION, ...identity, bytes: totalBytes(paths), files: paths.length, createdAt: new Date().toISOString(), paths };
}
