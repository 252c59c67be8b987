// Copying artifact files between a workspace and a cache entry, a few at a time: reflinks where the filesystem has
// them, modes kept, links recreated as links, and nothing ever written through a link that is in the way.
import { constants } from 'node:fs';
import { chmod, copyFile, lstat, lutimes, mkdir, rm, symlink, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { FoundArtifact } from './artifact-globs.js';

/** Copies in flight at once: enough to keep a disk busy, few enough for the libuv pool's other users. */
const PARALLEL_COPIES = 8;

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Runs `work` over `items`, a few at a time; on a failure, lets the running ones finish, then throws the first. */
async function eachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_COPIES, items.length) }, worker));
  if (failure) throw failure.error;
}

function parentsOf(artifacts: readonly FoundArtifact[]): string[] {
  const parents = new Set<string>();
  for (const artifact of artifacts) {
    const segments = artifact.path.split('/');
    for (let length = 1; length < segments.length; length++) parents.add(segments.slice(0, length).join('/'));
  }
  return [...parents].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/** Makes `relative` a real directory under `directory`, replacing a file or link in the way (never writing through a link). */
async function realDirectory(directory: string, relative: string): Promise<void> {
  const target = path.join(directory, relative);
  const stats = await lstat(target).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (stats?.isDirectory()) return;
  if (stats) await rm(target, { force: true });
  await mkdir(target).catch((error: unknown) => {
    if (errorCode(error) !== 'EEXIST') throw error;
  });
}

/** Removes whatever is at `target` (a directory too), so a restored file replaces it rather than writing into it. */
async function clearPath(target: string): Promise<void> {
  const stats = await lstat(target).catch(() => undefined);
  if (!stats) return;
  if (stats.isDirectory()) await rm(target, { recursive: true, force: true });
  else await unlink(target);
}

/** Copies the artifacts from `directory` into `files`; returns them with the sizes copied (what restore checks). */
export async function copyArtifactsIn(directory: string, found: readonly FoundArtifact[], files: string): Promise<FoundArtifact[]> {
  await mkdir(files, { recursive: true });
  for (const parent of parentsOf(found)) await mkdir(path.join(files, parent), { recursive: true });
  const saved = new Map<string, FoundArtifact>();
  await eachLimited(found, async (artifact) => {
    const destination = path.join(files, artifact.path);
    if (artifact.type === 'symlink') {
      await symlink(artifact.target, destination);
      saved.set(artifact.path, artifact);
      return;
    }
    // A reflink where the filesystem offers one (btrfs, xfs, APFS), a plain copy elsewhere.
    await copyFile(path.join(directory, artifact.path), destination, constants.COPYFILE_FICLONE);
    await chmod(destination, artifact.mode);
    saved.set(artifact.path, { ...artifact, size: (await lstat(destination)).size });
  });
  return found.map((artifact) => saved.get(artifact.path) as FoundArtifact);
}

/** Copies saved artifacts from `files` back into `directory`, replacing what is in the way, dated now. */
export async function copyArtifactsOut(files: string, paths: readonly FoundArtifact[], directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  for (const parent of parentsOf(paths)) await realDirectory(directory, parent);
  // A millisecond ahead: the kernel dates files with a coarse clock that can run past Date.now()'s truncated
  // millisecond, and make compares in nanoseconds, so "now" could read as older than a source checked out just before.
  const now = new Date(Date.now() + 1);
  await eachLimited(paths, async (artifact) => {
    const destination = path.join(directory, artifact.path);
    await clearPath(destination);
    if (artifact.type === 'symlink') {
      await symlink(artifact.target, destination);
      await lutimes(destination, now, now).catch(() => undefined);
      return;
    }
    await copyFile(path.join(files, artifact.path), destination, constants.COPYFILE_FICLONE);
    await chmod(destination, artifact.mode);
    await utimes(destination, now, now);
  });
}
