// Paths the user names for culprit's own files (--workdir, --store), checked before any work so a wrong one is one
// line and nothing left behind. Never a recursive mkdir to find out: on /proc, Node's spins forever.
import { accessSync, constants, mkdirSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

/** A directory culprit may create (or has): no file in the way, and the first missing part can be made. */
export function checkCreatableDirectory(target: string, option: string): void {
  const absolute = path.resolve(target);
  let current = absolute;
  let firstMissing: string | undefined;
  for (;;) {
    let stat;
    try {
      stat = statSync(current, { throwIfNoEntry: false });
    } catch {
      // ENOTDIR: a file further up is in the way; the walk up finds and names it.
      stat = undefined;
    }
    if (stat) {
      if (!stat.isDirectory()) throw new UsageError(`${option} ${target}: ${current} is a file, not a directory`, `pass ${option} naming a directory`);
      break;
    }
    firstMissing = current;
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (firstMissing === undefined) {
    try {
      accessSync(absolute, constants.W_OK);
    } catch {
      throw new UsageError(`${option} ${target} cannot be written`, `pass ${option} naming a directory you can write to`);
    }
    return;
  }
  // Made and removed again: whether it can be made is known, and nothing is left if the command stops on bad input.
  try {
    mkdirSync(firstMissing);
  } catch (error) {
    // Another culprit (a worker sharing the cache) made it meanwhile: it can be made, which is all we asked.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new UsageError(`${option} ${target}: cannot create ${firstMissing}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, `pass ${option} naming a directory you can write to`);
  }
  try {
    rmdirSync(firstMissing);
  } catch {
    // Another culprit has started to use it: leave it to that one.
  }
}

/** A file culprit may create: its directory must exist already (culprit does not make directories the user names). */
export function checkFileDirectory(target: string, option: string): void {
  const directory = path.dirname(path.resolve(target));
  const stat = statSync(directory, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) throw new UsageError(`${option} ${target}: the directory ${directory} does not exist`, 'create it first, or name a file in an existing directory');
}

/** The real path of `target`, which need not exist yet: its nearest existing ancestor resolved, the rest kept. */
function realPathOf(target: string): string {
  const absolute = path.resolve(target);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPathOf(parent), path.basename(absolute));
  }
}

/**
 * culprit's cache must lie outside the repository it hunts in: a test whose workspace lost its `.git` would find the
 * user's repository above it, and the cache would show up as untracked files in the user's checkout.
 */
export function checkOutsideRepository(cacheRoot: string, repositoryRoot: string): void {
  const cache = realPathOf(cacheRoot);
  const repository = realPathOf(repositoryRoot);
  if (cache !== repository && !cache.startsWith(`${repository}${path.sep}`)) return;
  throw new UsageError(`culprit's cache directory ${cacheRoot} (--workdir, else $XDG_CACHE_HOME/culprit) is inside the repository ${repositoryRoot}`, 'pass --workdir naming a directory outside it');
}
