// What a hunt adds under culprit's cache (its root, workspace slots, the logs directory), noted when it starts, so
// that a hunt discarded for bad input takes it all away again and leaves nothing behind but the log its line names.
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** The directories under the cache root that hold workspace slots, one level of repositories (or lists) below. */
const SLOT_ROOTS = ['workspaces', 'version-workspaces', 'factor-workspaces'];

function entries(directory: string): string[] {
  try {
    return readdirSync(directory).map((name) => path.join(directory, name));
  } catch {
    return [];
  }
}

export class CacheFootprint {
  /** What was there before the hunt: the root, its entries, and the slot roots' repositories and slots. */
  private readonly before = new Set<string>();

  constructor(private readonly cacheRoot: string) {
    if (!existsSync(cacheRoot)) return;
    this.before.add(cacheRoot);
    for (const entry of entries(cacheRoot)) {
      this.before.add(entry);
      if (!SLOT_ROOTS.includes(path.basename(entry))) continue;
      for (const base of entries(entry)) {
        this.before.add(base);
        for (const slot of entries(base)) this.before.add(slot);
      }
    }
  }

  /** Removes each of `directories` the hunt created. Call it while their slots are still held: no other hunt is in them. */
  removeCreated(directories: readonly string[]): void {
    for (const directory of directories) if (!this.before.has(directory)) rmSync(directory, { recursive: true, force: true });
  }

  /** Removes the directories the hunt created above `directories` up to the cache root, when nothing is left in them. */
  removeEmptyParents(directories: readonly string[]): void {
    const parents = new Set<string>([path.join(this.cacheRoot, 'logs')]);
    for (const directory of directories) {
      for (let parent = path.dirname(directory); parent.startsWith(`${this.cacheRoot}${path.sep}`); parent = path.dirname(parent)) parents.add(parent);
    }
    // Deepest first, so a parent is looked at after its children went; the root last.
    for (const parent of [...parents].sort((a, b) => b.length - a.length)) this.removeIfEmptyAndNew(parent);
    this.removeIfEmptyAndNew(this.cacheRoot);
  }

  private removeIfEmptyAndNew(directory: string): void {
    if (this.before.has(directory)) return;
    try {
      rmdirSync(directory);
    } catch {
      // Not empty (another hunt's files, the log kept for the user) or already gone.
    }
  }
}
