// Takes a narrowed change back out of some revision: each file's part of the change is undone by a three-way
// merge (text) or swapped back whole (binary, added, deleted), and a part that no longer applies is reported.
import { isBinary } from './change-tree.js';
import { mergeThreeWay } from './three-way-merge.js';
import type { FileState } from './materialize.js';

export type RevertResult = { applies: true; states: FileState[] } | { applies: false; path: string };

function same(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/**
 * `without` and `with` are the parent's states and the parent plus the change; `target` holds the revision's
 * contents of the same paths. Returns the states that revision gets with the change reverted.
 */
export function revertChange(without: readonly FileState[], withChange: readonly FileState[], target: ReadonlyMap<string, Buffer | null>): RevertResult {
  const states: FileState[] = [];
  for (const changed of withChange) {
    const original = without.find((state) => state.path === changed.path);
    const before = original?.content ?? null;
    if (same(before, changed.content) && original?.mode === changed.mode) continue;
    const current = target.get(changed.path) ?? null;
    const after = changed.content;
    if (before === null || after === null || current === null || isBinary(before) || isBinary(after) || isBinary(current)) {
      if (!same(current, changed.content)) return { applies: false, path: changed.path };
      states.push({ path: changed.path, content: before, mode: original?.mode ?? null });
      continue;
    }
    // The revision's file is "ours"; the commit's file the base; the commit without the change "theirs".
    const reverted = mergeThreeWay(after.toString('utf8'), current.toString('utf8'), before.toString('utf8'));
    if (reverted === null) return { applies: false, path: changed.path };
    states.push({ path: changed.path, content: Buffer.from(reverted, 'utf8'), mode: original?.mode ?? changed.mode });
  }
  return { applies: true, states };
}
