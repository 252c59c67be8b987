// A list of released versions as the user gave it, checked: one version a line or word, oldest first, each a name a
// shell command can carry unquoted, no duplicates, at least a good and a bad one.
import { UsageError } from '../errors.js';

/** Letters, digits and the punctuation version names use; nothing a shell would interpret. */
const VERSION_NAME = /^[\w.+~:@/-]+$/;

/** Versions separated by white space or lines; `#` starts a comment that runs to the end of its line. */
export function parseVersionList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .flatMap((line) => line.split(/\s+/))
    .filter((word) => word.length > 0);
}

export function checkVersionList(versions: readonly string[], origin: string): void {
  if (versions.length === 0) throw new UsageError(`the list of versions (${origin}) is empty`, 'give the versions oldest first with --list, --list-file or --list-cmd');
  if (versions.length === 1) throw new UsageError(`the list of versions (${origin}) holds only ${versions[0] ?? ''}`, 'a hunt needs a good and a bad version: give at least two');
  const odd = versions.find((version) => !VERSION_NAME.test(version));
  if (odd !== undefined) throw new UsageError(`version ${JSON.stringify(odd)} in ${origin} is not a plain name`, 'use letters, digits and . + ~ : @ / - _ only');
  const seen = new Set<string>();
  for (const version of versions) {
    if (seen.has(version)) throw new UsageError(`version ${version} appears twice in ${origin}`, 'list each version once, oldest first');
    seen.add(version);
  }
}
