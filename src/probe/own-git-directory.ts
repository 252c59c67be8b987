// Whether a workspace's git directory is still the one culprit made: no link out of it, and the files that steer
// git (configuration, info/, alternates) as culprit sealed them, so a test cannot aim culprit's next git elsewhere.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRealDirectory, contentIfReadable } from '../system/file-facts.js';

/** Where the digest of the steering files is kept, in the git directory itself (removed with it). */
const SEAL = 'culprit-seal';

/**
 * The files whose presence or content changes what git does to the working tree or where it writes: settings
 * (sparse checkout, line endings, filters, `core.worktree`, includes), a shared `commondir`, grafts, shallow roots.
 */
const STEERING_FILES = ['config', 'config.worktree', 'commondir', 'shallow', path.join('objects', 'info', 'alternates')];
/** Directories whose every file steers git: attributes, excludes, sparse-checkout patterns, grafts. */
const STEERING_DIRECTORIES = ['info'];

/**
 * Whether a directory holds a symbolic link, or (with `hardLinks`) a file with another name somewhere else, looking
 * `depth` levels down. An unreadable directory counts as holding one: it cannot be shown not to.
 */
function holdsLink(directory: string, depth: number, hardLinks: boolean): boolean {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  return entries.some((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isSymbolicLink()) return true;
    if (entry.isDirectory()) return depth > 1 && holdsLink(full, depth - 1, hardLinks);
    return hardLinks && (lstatSync(full, { throwIfNoEntry: false })?.nlink ?? 1) > 1;
  });
}

/**
 * Whether a link is anywhere in the git directory: git writes through a symbolic link (it locks and renames the link's
 * target) and appends to a reflog in place, so a linked index, logs or objects/info would reach another repository.
 * objects/ is looked at shallowly (its fan-out directories, info/ and pack/ themselves, and what info/ and pack/
 * hold): it is the one big directory, and git never writes an object file in place.
 */
function linkInside(gitDir: string): boolean {
  let entries;
  try {
    entries = readdirSync(gitDir, { withFileTypes: true });
  } catch {
    return true;
  }
  return entries.some((entry) => {
    const full = path.join(gitDir, entry.name);
    if (entry.isSymbolicLink()) return true;
    if (!entry.isDirectory()) return (lstatSync(full, { throwIfNoEntry: false })?.nlink ?? 1) > 1;
    if (entry.name !== 'objects') return holdsLink(full, Infinity, true);
    return holdsLink(full, 1, false) || holdsLink(path.join(full, 'info'), 1, false) || holdsLink(path.join(full, 'pack'), 1, false);
  });
}

function filesUnder(directory: string, relative = ''): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(directory, relative), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .map((entry) => ({ entry, name: path.join(relative, entry.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap(({ entry, name }) => (entry.isDirectory() ? filesUnder(directory, name) : [name]));
}

/** A digest of the steering files as they are now; a missing file counts differently from an empty one. */
function steeringDigest(gitDir: string): string {
  const hash = createHash('sha256');
  const add = (relative: string): void => {
    const content = contentIfReadable(path.join(gitDir, relative));
    hash.update(`${relative}\0${content === undefined ? 'missing' : `${content.length}`}\0`);
    if (content) hash.update(content);
  };
  STEERING_FILES.forEach(add);
  for (const directory of STEERING_DIRECTORIES) filesUnder(path.join(gitDir, directory)).forEach((file) => add(path.join(directory, file)));
  return hash.digest('hex');
}

/** Records the steering files of a git directory culprit has just made, as the ones to expect from now on. */
export function sealGitDirectory(gitDir: string): void {
  writeFileSync(path.join(gitDir, SEAL), `${steeringDigest(gitDir)}\n`);
}

/**
 * Whether `directory/.git` is a repository culprit made, as it made it: a real directory (not a `.git` file or a link
 * to another one) with a real HEAD, no link anywhere inside, borrowing `objects`, and its steering files as sealed.
 */
export function ownRepository(directory: string, objects: string): boolean {
  const gitDir = path.join(directory, '.git');
  if (!isRealDirectory(directory) || !isRealDirectory(gitDir) || !isRealDirectory(path.join(gitDir, 'objects'))) return false;
  if (!lstatSync(path.join(gitDir, 'HEAD'), { throwIfNoEntry: false })?.isFile()) return false;
  if (linkInside(gitDir)) return false;
  if (contentIfReadable(path.join(gitDir, 'objects', 'info', 'alternates'))?.toString('utf8') !== `${objects}\n`) return false;
  return contentIfReadable(path.join(gitDir, SEAL))?.toString('utf8') === `${steeringDigest(gitDir)}\n`;
}
