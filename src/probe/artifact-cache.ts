// The build-artifact cache: what --artifacts matched after a successful build, restored instead of rebuilding.
// Entries appear by one rename and leave by another, so a killed culprit or a second one never sees half an entry.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { copyArtifactsIn, copyArtifactsOut, errorCode } from './artifact-copy.js';
import { checkArtifactGlobs, findArtifacts, type FoundArtifact } from './artifact-globs.js';
import { createManifest, MANIFEST_NAME, parseManifest, type EntryFacts, type Manifest } from './artifact-manifest.js';
import { formatSize } from './cache-size.js';

export { checkArtifactGlobs } from './artifact-globs.js';
export { DEFAULT_CACHE_BYTES, formatSize, parseSize } from './cache-size.js';

/** One cached build as `culprit cache list` shows it: its manifest's facts and when it was last restored. */
export interface ArtifactEntry extends EntryFacts {
  lastUsedAt: string;
}

export interface SaveRequest {
  key: string;
  /** The workspace directory the globs are relative to. */
  directory: string;
  globs: readonly string[];
  repo: string;
  commit: string;
  tree: string;
}

export type SaveResult = { saved: true; bytes: number; files: number; evicted: number } | { saved: false; reason: string };

/** A save's temporary copy untouched this long belongs to a culprit that died (nothing takes an hour to copy). */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;
const TEMPORARY = '.tmp-';
const TRASH = '.trash-';
const FILES = 'files';

interface ValidEntry {
  name: string;
  manifest: Manifest;
  usedMs: number;
}

type EntryState = { state: 'missing' } | { state: 'damaged' } | ({ state: 'valid' } & ValidEntry);

/** Keys are usually hashes and name their directory as is; anything else is hashed into a safe name. */
function entryName(key: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(key)) return key;
  return `k-${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * Last use is the manifest's mtime: set with one utimes, no file rewritten under a concurrent reader.
 * Strictly increasing within a process, so uses that fall in the same millisecond still have an order.
 */
let lastStamp = 0;
function nextStamp(): Date {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return new Date(lastStamp);
}

export class ArtifactCache {
  constructor(
    readonly root: string,
    readonly limitBytes: number,
  ) {
    if (!(limitBytes > 0)) throw new RangeError(`the artifact cache limit must be positive, got ${limitBytes}`);
  }

  /** True when a complete entry exists; restore can still find its files damaged. */
  async has(key: string): Promise<boolean> {
    const entry = await this.read(entryName(key));
    return entry.state === 'valid' && entry.manifest.key === key;
  }

  /**
   * Copies what the globs match into a new entry, then evicts least-recently-used entries over the limit.
   * Bad globs throw a UsageError; a failing disk is a reason, not an exception, since the build itself succeeded.
   */
  async save(request: SaveRequest): Promise<SaveResult> {
    checkArtifactGlobs(request.globs);
    try {
      return await this.saveChecked(request);
    } catch (error) {
      if (errorCode(error) === undefined) throw error;
      return { saved: false, reason: `could not save the artifacts: ${(error as Error).message}` };
    }
  }

  /**
   * Puts the entry's files back into `directory`, fresh-dated so make-style builds see them as newer than the
   * checked-out sources. False (and the caller builds) when the entry is missing, damaged or evicted meanwhile;
   * the workspace may then hold part of the entry, which the build overwrites.
   */
  async restore(key: string, directory: string): Promise<boolean> {
    const name = entryName(key);
    const entry = await this.read(name);
    if (entry.state === 'damaged') await this.discard(name);
    if (entry.state !== 'valid' || entry.manifest.key !== key) return false;
    if (!(await this.intact(name, entry.manifest))) {
      await this.discard(name);
      return false;
    }
    try {
      await this.copyOut(name, entry.manifest, directory);
    } catch (error) {
      // A vanished or damaged entry means "build instead"; a healthy entry means the workspace refused the write.
      const now = await this.read(name);
      if (now.state === 'valid' && (await this.intact(name, now.manifest))) throw error;
      if (now.state !== 'missing') await this.discard(name);
      return false;
    }
    await this.touch(name);
    return true;
  }

  /** Complete entries, most recently used first. */
  async list(): Promise<ArtifactEntry[]> {
    return (await this.entries())
      .sort((a, b) => b.usedMs - a.usedMs || a.name.localeCompare(b.name))
      .map(({ manifest, usedMs }) => ({
        key: manifest.key,
        repo: manifest.repo,
        commit: manifest.commit,
        tree: manifest.tree,
        bytes: manifest.bytes,
        files: manifest.files,
        createdAt: manifest.createdAt,
        lastUsedAt: new Date(Math.round(usedMs)).toISOString(),
      }));
  }

  /** Removes every entry (damaged ones too, uncounted) and leftovers; a save still copying elsewhere is left alone. */
  async clear(): Promise<{ entries: number; bytes: number }> {
    let entries = 0;
    let bytes = 0;
    for (const name of await this.names()) {
      const entry = await this.read(name);
      if (entry.state === 'missing') continue;
      if ((await this.discard(name)) && entry.state === 'valid') {
        entries += 1;
        bytes += entry.manifest.bytes;
      }
    }
    await this.sweep();
    return { entries, bytes };
  }

  private async saveChecked(request: SaveRequest): Promise<SaveResult> {
    await mkdir(this.root, { recursive: true });
    await this.sweep();
    const name = entryName(request.key);
    const existing = await this.read(name);
    if (existing.state === 'valid' && existing.manifest.key === request.key) {
      // The same key is the same tree and recipe: another probe (or culprit) already saved this build.
      await this.touch(name);
      return { saved: true, bytes: existing.manifest.bytes, files: existing.manifest.files, evicted: 0 };
    }

    const found = await findArtifacts(request.directory, request.globs);
    if (found.length === 0) return { saved: false, reason: `--artifacts ${request.globs.join(' ')} matched nothing in the workspace` };
    const bytes = found.reduce((sum, artifact) => sum + (artifact.type === 'file' ? artifact.size : 0), 0);
    if (bytes > this.limitBytes) return this.tooBig(bytes);

    const temporary = path.join(this.root, `${TEMPORARY}${process.pid}-${randomBytes(6).toString('hex')}`);
    let placed = false;
    let manifest: Manifest;
    try {
      manifest = await this.copyIn(temporary, request, found);
      // Files that grew between globbing and copying are measured again.
      if (manifest.bytes > this.limitBytes) return this.tooBig(manifest.bytes);
      placed = await this.place(temporary, name);
    } finally {
      if (!placed) await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    }
    if (!placed) {
      const winner = await this.read(name);
      if (winner.state !== 'valid') return { saved: false, reason: 'another culprit was saving the same build at the same time' };
      return { saved: true, bytes: winner.manifest.bytes, files: winner.manifest.files, evicted: 0 };
    }
    const evicted = await this.evict(name);
    return { saved: true, bytes: manifest.bytes, files: manifest.files, evicted };
  }

  private tooBig(bytes: number): SaveResult {
    return {
      saved: false,
      reason: `the artifacts take ${formatSize(bytes)}, more than the whole cache limit of ${formatSize(this.limitBytes)}; raise it with --cache-size`,
    };
  }

  /** Copies the artifacts into a temporary directory and writes the manifest last. */
  private async copyIn(temporary: string, request: SaveRequest, found: readonly FoundArtifact[]): Promise<Manifest> {
    const paths = await copyArtifactsIn(request.directory, found, path.join(temporary, FILES));
    const manifest = createManifest({ key: request.key, repo: request.repo, commit: request.commit, tree: request.tree, paths });
    const manifestPath = path.join(temporary, MANIFEST_NAME);
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
    const stamp = nextStamp();
    await utimes(manifestPath, stamp, stamp);
    return manifest;
  }

  /** Renames the finished copy into place; false when another process placed the same entry first. */
  private async place(temporary: string, name: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(temporary, path.join(this.root, name));
        return true;
      } catch (error) {
        if (!['ENOTEMPTY', 'EEXIST'].includes(errorCode(error) ?? '') || attempt > 0) throw error;
      }
      const existing = await this.read(name);
      if (existing.state === 'valid') return false;
      await this.discard(name);
    }
  }

  private async copyOut(name: string, manifest: Manifest, directory: string): Promise<void> {
    await copyArtifactsOut(path.join(this.root, name, FILES), manifest.paths, directory);
  }

  /** Whether every file the manifest lists is there, with its type and size. */
  private async intact(name: string, manifest: Manifest): Promise<boolean> {
    const files = path.join(this.root, name, FILES);
    for (const artifact of manifest.paths) {
      const stats = await lstat(path.join(files, artifact.path)).catch(() => undefined);
      if (artifact.type === 'file' ? !stats?.isFile() || stats.size !== artifact.size : !stats?.isSymbolicLink()) return false;
    }
    return true;
  }

  private async read(name: string): Promise<EntryState> {
    const directory = path.join(this.root, name);
    const manifestPath = path.join(directory, MANIFEST_NAME);
    try {
      const [text, stats] = await Promise.all([readFile(manifestPath, 'utf8'), stat(manifestPath)]);
      const manifest = parseManifest(text);
      if (!manifest || entryName(manifest.key) !== name) return { state: 'damaged' };
      return { state: 'valid', name, manifest, usedMs: stats.mtimeMs };
    } catch (error) {
      if (!['ENOENT', 'ENOTDIR', 'EISDIR'].includes(errorCode(error) ?? '')) throw error;
      const present = await lstat(directory).then(() => true, () => false);
      return present ? { state: 'damaged' } : { state: 'missing' };
    }
  }

  /** Names that may be entries: temporary copies and trash start with a dot, which no entry name does. */
  private async names(): Promise<string[]> {
    try {
      return (await readdir(this.root)).filter((name) => !name.startsWith('.'));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  private async entries(): Promise<ValidEntry[]> {
    const entries: ValidEntry[] = [];
    for (const name of await this.names()) {
      const entry = await this.read(name);
      if (entry.state === 'valid') entries.push(entry);
    }
    return entries;
  }

  private async touch(name: string): Promise<void> {
    const stamp = nextStamp();
    // Evicted meanwhile: the files were already copied, so the restore still counts.
    await utimes(path.join(this.root, name, MANIFEST_NAME), stamp, stamp).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    });
  }

  /**
   * Takes an entry out of sight with one rename, then deletes it at leisure; false when it was already gone.
   * A restore reading it then fails cleanly rather than copying a half-deleted tree.
   */
  private async discard(name: string): Promise<boolean> {
    const trash = path.join(this.root, `${TRASH}${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(path.join(this.root, name), trash);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
    await rm(trash, { recursive: true, force: true }).catch(() => undefined);
    return true;
  }

  /** Deletes trash and the temporary copies of saves that died (SIGKILL, power cut) mid-copy. */
  private async sweep(): Promise<void> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    for (const name of names) {
      const full = path.join(this.root, name);
      if (name.startsWith(TEMPORARY)) {
        const stats = await lstat(full).catch(() => undefined);
        if (!stats || Date.now() - stats.mtimeMs < STALE_TEMPORARY_MS) continue;
      } else if (!name.startsWith(TRASH)) {
        continue;
      }
      await rm(full, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Deletes least-recently-used entries, never `keep`, until the total is within the limit. */
  private async evict(keep: string): Promise<number> {
    const entries = (await this.entries()).sort((a, b) => a.usedMs - b.usedMs || a.name.localeCompare(b.name));
    let total = entries.reduce((sum, entry) => sum + entry.manifest.bytes, 0);
    let evicted = 0;
    for (const entry of entries) {
      if (total <= this.limitBytes) break;
      if (entry.name === keep) continue;
      if (await this.discard(entry.name)) evicted += 1;
      total -= entry.manifest.bytes;
    }
    return evicted;
  }
}
