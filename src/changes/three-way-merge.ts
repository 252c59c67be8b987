// A three-way merge of line lists (as diff3 and `git merge-file` do it): what changed from base to theirs is
// replayed on ours, so an edit still applies where the lines around it moved. Overlapping edits are a conflict.
import { diffArrays } from 'diff';
import { splitLines } from './change-tree.js';

/** For each base line kept in `other`, the index it has there; -1 where it was removed. */
function matchesOf(base: readonly string[], other: readonly string[]): Int32Array {
  const matched = new Int32Array(base.length).fill(-1);
  let b = 0;
  let o = 0;
  for (const part of diffArrays(base as string[], other as string[])) {
    const count = part.count ?? part.value.length;
    if (part.added) o += count;
    else if (part.removed) b += count;
    else {
      for (let k = 0; k < count; k++) matched[b + k] = o + k;
      b += count;
      o += count;
    }
  }
  return matched;
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, index) => line === b[index]);
}

/** `ours` with base→theirs applied, or null when the two edit the same lines differently. */
export function mergeThreeWay(base: string, ours: string, theirs: string): string | null {
  const baseLines = splitLines(base);
  const oursLines = splitLines(ours);
  const theirsLines = splitLines(theirs);
  const inOurs = matchesOf(baseLines, oursLines);
  const inTheirs = matchesOf(baseLines, theirsLines);
  const out: string[] = [];
  let b = 0;
  let o = 0;
  let t = 0;
  const settle = (toB: number, toO: number, toT: number): boolean => {
    const baseChunk = baseLines.slice(b, toB);
    const oursChunk = oursLines.slice(o, toO);
    const theirsChunk = theirsLines.slice(t, toT);
    if (same(oursChunk, baseChunk)) out.push(...theirsChunk);
    else if (same(theirsChunk, baseChunk) || same(oursChunk, theirsChunk)) out.push(...oursChunk);
    else return false;
    return true;
  };
  for (let k = 0; k < baseLines.length; k++) {
    const ok = inOurs[k] ?? -1;
    const tk = inTheirs[k] ?? -1;
    // A base line both sides kept is a stable point: everything between two of them is merged as one chunk.
    if (ok < o || tk < t) continue;
    if (!settle(k, ok, tk)) return null;
    out.push(oursLines[ok] ?? '');
    b = k + 1;
    o = ok + 1;
    t = tk + 1;
  }
  if (!settle(baseLines.length, oursLines.length, theirsLines.length)) return null;
  return out.join('');
}
