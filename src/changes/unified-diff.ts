// Renders the difference between the parent and a configuration as a git-style unified diff (jsdiff for the
// hunks), the form users read, paste and feed to `git apply`.
import { createTwoFilesPatch } from 'diff';
import type { FileMode } from '../history/history.js';
import { isBinary } from './change-tree.js';
import type { FileState } from './materialize.js';

const MODE_NUMBER: Record<FileMode, string> = { file: '100644', executable: '100755', link: '120000' };

/** One file's diff; empty when the two sides are the same. */
function fileDiff(path: string, before: FileState | undefined, after: FileState | undefined): string {
  const old = before?.content ?? null;
  const now = after?.content ?? null;
  const oldMode = before?.mode ?? null;
  const newMode = after?.mode ?? null;
  if (old === null && now === null) return '';
  if (old !== null && now !== null && old.equals(now) && oldMode === newMode) return '';
  const lines = [`diff --git a/${path} b/${path}`];
  if (old === null) lines.push(`new file mode ${MODE_NUMBER[newMode ?? 'file']}`);
  else if (now === null) lines.push(`deleted file mode ${MODE_NUMBER[oldMode ?? 'file']}`);
  else if (oldMode !== newMode) lines.push(`old mode ${MODE_NUMBER[oldMode ?? 'file']}`, `new mode ${MODE_NUMBER[newMode ?? 'file']}`);
  if (old !== null && now !== null && old.equals(now)) return `${lines.join('\n')}\n`;
  const from = old === null ? '/dev/null' : `a/${path}`;
  const to = now === null ? '/dev/null' : `b/${path}`;
  if (isBinary(old) || isBinary(now)) return `${[...lines, `Binary files ${from} and ${to} differ`].join('\n')}\n`;
  const patch = createTwoFilesPatch(from, to, old?.toString('utf8') ?? '', now?.toString('utf8') ?? '', '', '', { context: 3 });
  // jsdiff starts with a separator line and puts tabs after the names; git's form has neither.
  const body = patch
    .split('\n')
    .filter((line, index) => !(index === 0 && line.startsWith('===')))
    .map((line) => (line.startsWith('--- ') || line.startsWith('+++ ') ? line.replace(/\t.*$/, '') : line))
    .join('\n');
  return `${lines.join('\n')}\n${body}`;
}

/** The diff from `before` (the parent's states) to `after` (a configuration's), over the paths either names. */
export function unifiedDiff(before: readonly FileState[], after: readonly FileState[]): string {
  const paths = [...new Set([...before, ...after].map((state) => state.path))].sort();
  const find = (states: readonly FileState[], path: string): FileState | undefined => states.find((state) => state.path === path);
  return paths.map((path) => fileDiff(path, find(before, path), find(after, path))).join('');
}
