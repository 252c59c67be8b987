// What a path is, without following a link and without throwing: the workspaces ask this of directories a test may
// have removed, replaced by a link, or emptied while culprit looked away.
import { lstatSync, readFileSync } from 'node:fs';

/** A directory itself, not a link to one: a link planted by a test may lead into the user's repository. */
export function isRealDirectory(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The file's bytes, or undefined when it is missing or unreadable. */
export function contentIfReadable(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
