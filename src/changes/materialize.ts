// Turns a configuration (the set of included change nodes) into the files that differ from the parent:
// what a workspace checked out at the parent must write, and what the minimal change looks like as text.
import type { FileMode } from '../history/history.js';
import { splitLines, type ChangeNode, type ChangeTree, type FileChange } from './change-tree.js';

/** A file as the configuration leaves it; `content: null` means the file does not exist. */
export interface FileState {
  path: string;
  content: Buffer | null;
  mode: FileMode | null;
}

/**
 * Included nodes, closed downwards and upwards by the caller: a line is applied only when its hunk and file are
 * included too. A hunk left out keeps the parent's lines; a file left out keeps the parent's file.
 */
export type Configuration = ReadonlySet<number>;

function node(tree: ChangeTree, id: number): ChangeNode {
  const found = tree.nodes[id];
  if (!found) throw new Error(`internal: no change node ${id}`);
  return found;
}

function addedText(line: Extract<ChangeNode, { kind: 'line' }>, included: Configuration): string {
  if (!line.words) return line.text;
  let text = '';
  for (const piece of line.words) {
    if (piece.op === 'keep') text += piece.text;
    else if (piece.op === 'remove' && (piece.token === null || !included.has(piece.token))) text += piece.text;
    else if (piece.op === 'add' && piece.token !== null && included.has(piece.token)) text += piece.text;
  }
  return text;
}

function modifiedText(tree: ChangeTree, file: FileChange, included: Configuration): string {
  const lines = splitLines(file.before?.toString('utf8') ?? '');
  const out: string[] = [];
  let cursor = 0;
  for (const hunkId of node(tree, file.node).children) {
    const hunk = node(tree, hunkId);
    if (hunk.kind !== 'hunk') continue;
    const hunkIncluded = included.has(hunkId);
    for (const lineId of hunk.children) {
      const line = node(tree, lineId);
      if (line.kind !== 'line') continue;
      if (line.op === 'remove') {
        while (cursor < line.oldIndex) out.push(lines[cursor++] ?? '');
        if (!(hunkIncluded && included.has(lineId))) out.push(lines[line.oldIndex] ?? '');
        cursor = line.oldIndex + 1;
      } else {
        while (cursor < line.oldIndex) out.push(lines[cursor++] ?? '');
        if (hunkIncluded && included.has(lineId)) out.push(addedText(line, included));
      }
    }
  }
  while (cursor < lines.length) out.push(lines[cursor++] ?? '');
  return out.join('');
}

/** Every file the change touches, as the configuration leaves it (unchanged ones included, at the parent's state). */
export function materialize(tree: ChangeTree, included: Configuration): FileState[] {
  const states: FileState[] = [];
  for (const file of tree.files) {
    const on = included.has(file.node);
    if (file.atomic) {
      if (file.oldPath !== null) states.push({ path: file.oldPath, content: on ? null : file.before, mode: on ? null : file.modeBefore });
      if (on) states.push({ path: file.path, content: file.after, mode: file.modeAfter });
      else if (file.oldPath === null) states.push({ path: file.path, content: file.before, mode: file.modeBefore });
      else states.push({ path: file.path, content: null, mode: null });
      continue;
    }
    const content = on ? Buffer.from(modifiedText(tree, file, included), 'utf8') : file.before;
    states.push({ path: file.path, content, mode: on ? file.modeAfter : file.modeBefore });
  }
  return states;
}

/** The configuration with every node: materializing it gives the commit itself. */
export function everything(tree: ChangeTree): Set<number> {
  return new Set(tree.nodes.map((each) => each.id));
}

/** Adds the ancestors and descendants of every node, so a configuration picked at one level applies as meant. */
export function closeConfiguration(tree: ChangeTree, picked: Iterable<number>): Set<number> {
  const closed = new Set<number>();
  const expanded = new Set<number>();
  const down = (id: number): void => {
    if (expanded.has(id)) return;
    expanded.add(id);
    closed.add(id);
    for (const child of node(tree, id).children) down(child);
  };
  for (const id of picked) {
    down(id);
    for (let parent = node(tree, id).parent; parent !== null; parent = node(tree, parent).parent) closed.add(parent);
  }
  return closed;
}

/** Everything except some nodes and their descendants: the commit with a change taken back out. */
export function everythingExcept(tree: ChangeTree, removed: Iterable<number>): Set<number> {
  const all = everything(tree);
  const drop = (id: number): void => {
    all.delete(id);
    for (const child of node(tree, id).children) drop(child);
  };
  for (const id of removed) drop(id);
  return all;
}
