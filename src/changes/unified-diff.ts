// Renders the difference between the parent and a configuration as a git-style unified diff (jsdiff for the
// hunks), the form users read, paste and feed to `git apply`.
import { createTwoFilesPatch } from 'diff';
import type { FileMode } from '../history/history.js';
import { isBinary } from './change-tree.js';
import type { FileState } from './materialize.js';

const MODE_NUMBER: Record<FileMode, string> = { file: '100644', executable: '100755', link: '120000' };

/** One file's diff; empty when the two sides are the same. `from`: the path before, when the file was renamed. */
function fileDiff(path: string, before: FileState | undefined, after: FileState | undefined, from = path): string {
  const old = before?.content ?? null;
  const now = after?.content ?? null;
  const oldMode = before?.mode ?? null;
  const newMode = after?.mode ?? null;
  if (old === null && now === null) return '';
  const renamed = from !== path;
  if (renamed && old !== null && now !== null && old.equals(now) && oldMode === newMode) return `diff --git a/${from} b/${path}\nsimilarity index 100%\nrename from ${from}\nrename to ${path}\n`;
  if (old !== null && now !== null && old.equals(now) && oldMode === newMode) return '';
  const lines = [`diff --git a/${from} b/${path}`];
  if (renamed) lines.push(`rename from ${from}`, `rename to ${path}`);
  if (old === null) lines.push(`new file mode ${MODE_NUMBER[newMode ?? 'file']}`);
  else if (now === null) lines.push(`deleted file mode ${MODE_NUMBER[oldMode ?? 'file']}`);
  else if (oldMode !== newMode) lines.push(`old mode ${MODE_NUMBER[oldMode ?? 'file']}`, `new mode ${MODE_NUMBER[newMode ?? 'file']}`);
  if (old !== null && now !== null && old.equals(now)) return `${lines.join('\n')}\n`;
  const oldName = old === null ? '/dev/null' : `a/${from}`;
  const newName = now === null ? '/dev/null' : `b/${path}`;
  if (isBinary(old) || isBinary(now)) return `${[...lines, `Binary files ${oldName} and ${newName} differ`].join('\n')}\n`;
  const patch = createTwoFilesPatch(oldName, newName, old?.toString('utf8') ?? '', now?.toString('utf8') ?? '', '', '', { context: 3 });
  // jsdiff starts with a separator line and puts tabs after the names; git's form has neither.
  const body = patch
    .split('\n')
    .filter((line, index) => !(index === 0 && line.startsWith('===')))
    .map((line) => (line.startsWith('--- ') || line.startsWith('+++ ') ? line.replace(/\t.*$/, '') : line))
    .join('\n');
  return `${lines.join('\n')}\n${body}`;
}

/**
 * The diff from `before` (the parent's states) to `after` (a configuration's), over the paths either names.
 * `renames` (new path → old path): a file the configuration moves, gone from its old path and present at its new
 * one, is shown as git shows a rename, not as a deletion and an addition.
 */
export function unifiedDiff(before: readonly FileState[], after: readonly FileState[], renames: ReadonlyMap<string, string> = new Map()): string {
  const paths = [...new Set([...before, ...after].map((state) => state.path))].sort();
  const find = (states: readonly FileState[], path: string): FileState | undefined => states.find((state) => state.path === path);
  const moved = new Map<string, string>();
  for (const [to, from] of renames) {
    const gone = find(after, from)?.content === null && find(before, from)?.content != null;
    const arrived = find(after, to)?.content != null && (find(before, to)?.content ?? null) === null;
    if (gone && arrived) moved.set(to, from);
  }
  const movedFrom = new Set(moved.values());
  return paths
    .filter((path) => !movedFrom.has(path))
    .map((path) => {
      const from = moved.get(path);
      return from === undefined ? fileDiff(path, find(before, path), find(after, path)) : fileDiff(path, find(before, from), find(after, path), from);
    })
    .join('');
}
