// Which files of a workspace --artifacts names: tinyglobby's matching, confined to the workspace.
// Symbolic links are matched like files and never entered, so a link can neither leak nor loop the search.
import { readdir, realpath, type Dirent } from 'node:fs';
import { lstat as lstatAsync, readlink as readlinkAsync, realpath as realpathAsync } from 'node:fs/promises';
import path from 'node:path';
import { glob, type FileSystemAdapter } from 'tinyglobby';
import { UsageError } from '../errors.js';

/** One artifact as found in the workspace: a regular file, or a link kept as a link. */
export type FoundArtifact =
  | { path: string; type: 'file'; mode: number; size: number }
  | { path: string; type: 'symlink'; target: string };

const VCS_DIRECTORIES = new Set(['.git', '.hg']);
const VCS_IGNORE = ['**/.git', '**/.git/**', '**/.hg', '**/.hg/**'];
const HINT = 'give paths relative to the checkout, such as build/** or out/app';

/** Rejects what could reach outside the workspace; the CLI calls it before anything runs. */
export function checkArtifactGlobs(globs: readonly string[]): void {
  for (const pattern of globs) {
    if (pattern.trim() === '') throw new UsageError('--artifacts was given an empty glob', HINT);
    if (path.isAbsolute(pattern) || /^[A-Za-z]:[\\/]/.test(pattern)) {
      throw new UsageError(`--artifacts glob '${pattern}' is absolute; artifacts are found inside the probe's checkout`, HINT);
    }
    // Brace alternatives count as segments too: `{..,x}/y` would otherwise climb out.
    if (pattern.split(/[\\/{},]/).includes('..')) {
      throw new UsageError(`--artifacts glob '${pattern}' climbs out of the checkout with '..'`, HINT);
    }
  }
}

/** A path that stays inside the directory it is relative to and names no VCS metadata. */
export function isConfinedPath(relative: string): boolean {
  if (relative === '' || relative.includes('\0') || path.posix.isAbsolute(relative) || relative.includes('\\')) return false;
  return relative.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !VCS_DIRECTORIES.has(segment));
}

/**
 * fdir (under tinyglobby) descends into links unless told to drop them; it cannot keep them as leaves.
 * Showing it each link as a plain file gets exactly that: the globs decide on the link's own path.
 */
function asLeaf(entry: Dirent): Dirent {
  if (!entry.isSymbolicLink()) return entry;
  return Object.assign(Object.create(entry) as Dirent, { isFile: () => true, isDirectory: () => false, isSymbolicLink: () => false });
}

/**
 * A glob with a fixed prefix (`out/*.so`) makes the crawl start at that prefix, resolved by the OS, links
 * and all. A directory whose real path is not where it sits in the workspace is read as empty, so no crawl
 * wanders through a linked directory (to `/`, say) before the results are checked.
 */
function confinedFileSystem(directory: string, realDirectory: string): FileSystemAdapter {
  type Callback = (error: NodeJS.ErrnoException | null, entries?: Dirent[]) => void;
  const confinedReaddir = (target: string, options: { withFileTypes: true }, callback: Callback): void => {
    const absolute = path.resolve(directory, String(target));
    realpath(absolute, (error, real) => {
      if (error) return callback(error);
      if (real !== path.join(realDirectory, path.relative(directory, absolute))) return callback(null, []);
      readdir(absolute, options, (readError, entries) => callback(readError, entries?.map(asLeaf)));
    });
  };
  return { readdir: confinedReaddir as unknown as typeof readdir };
}

/**
 * The files and links under `directory` the globs match (a directory's name takes all of it), dotfiles
 * included, VCS metadata excluded. A match reached through a linked directory is dropped: it lives elsewhere.
 */
export async function findArtifacts(workspace: string, globs: readonly string[]): Promise<FoundArtifact[]> {
  checkArtifactGlobs(globs);
  const directory = path.resolve(workspace);
  const realDirectory = await realpathAsync(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (realDirectory === undefined) return [];
  const matched = await glob([...globs], {
    cwd: directory,
    dot: true,
    onlyFiles: true,
    expandDirectories: true,
    followSymbolicLinks: false,
    ignore: VCS_IGNORE,
    fs: confinedFileSystem(directory, realDirectory),
  });
  const realDirectories = new Map<string, Promise<boolean>>();
  const isRealDirectory = (relative: string): Promise<boolean> => {
    let known = realDirectories.get(relative);
    if (!known) {
      known = lstatAsync(path.join(directory, relative)).then((stats) => stats.isDirectory(), () => false);
      realDirectories.set(relative, known);
    }
    return known;
  };
  const found: FoundArtifact[] = [];
  for (const relative of [...new Set(matched)].sort()) {
    // Checked again on the results, whatever the crawl did: nothing outside or behind a link gets saved.
    if (!isConfinedPath(relative)) continue;
    const parents = relative.split('/').slice(0, -1).map((_, index, segments) => segments.slice(0, index + 1).join('/'));
    if (!(await Promise.all(parents.map(isRealDirectory))).every(Boolean)) continue;
    const absolute = path.join(directory, relative);
    const stats = await lstatAsync(absolute).catch(() => undefined);
    if (stats?.isFile()) found.push({ path: relative, type: 'file', mode: stats.mode & 0o777, size: stats.size });
    else if (stats?.isSymbolicLink()) found.push({ path: relative, type: 'symlink', target: await readlinkAsync(absolute) });
  }
  return keepInnerLinks(found);
}

/**
 * Where a relative link points, as a path relative to the workspace; undefined when it may leave it.
 * Every `..` must come first: they then climb from the link's own (real) directory, exactly as written,
 * whereas a `..` after a name that is itself a link would climb from wherever that link leads.
 */
export function linkDestination(linkPath: string, target: string): string | undefined {
  if (target === '' || path.posix.isAbsolute(target) || target.includes('\\') || target.includes('\0')) return undefined;
  const segments = target.split('/').filter((segment) => segment !== '' && segment !== '.');
  const firstName = segments.findIndex((segment) => segment !== '..');
  if (firstName >= 0 && segments.slice(firstName).includes('..')) return undefined;
  const destination = path.posix.normalize(path.posix.join(path.posix.dirname(linkPath), ...segments));
  return destination === '.' || destination === '..' || destination.startsWith('../') ? undefined : destination;
}

/**
 * Links survive only when relative and pointing at something saved alongside them (a file, a link, or a
 * directory holding either); others would dangle or reach outside once restored. Repeats until stable,
 * since dropping a link can orphan a link to it.
 */
export function keepInnerLinks<T extends FoundArtifact>(found: readonly T[]): T[] {
  let kept = [...found];
  for (;;) {
    const reachable = new Set<string>();
    for (const artifact of kept) {
      const segments = artifact.path.split('/');
      for (let length = 1; length <= segments.length; length++) reachable.add(segments.slice(0, length).join('/'));
    }
    const next = kept.filter((artifact) => {
      if (artifact.type === 'file') return true;
      const destination = linkDestination(artifact.path, artifact.target);
      return destination !== undefined && destination !== artifact.path && reachable.has(destination);
    });
    if (next.length === kept.length) return next;
    kept = next;
  }
}
