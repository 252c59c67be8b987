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

export function addedText(line: Extract<ChangeNode, { kind: 'line' }>, included: Configuration): string {
  if (!line.words) return line.added ?? '';
  let text = '';
  for (const piece of line.words) {
    if (piece.op === 'keep') text += piece.text;
    else if (piece.op === 'remove' && (piece.token === null || !included.has(piece.token))) text += piece.text;
    else if (piece.op === 'add' && piece.token !== null && included.has(piece.token)) text += piece.text;
  }
  return text;
}

/** What a node of a hunk writes: its new text where it and all above it are included, the old text elsewhere. */
function unitText(tree: ChangeTree, id: number, applied: boolean, included: Configuration): string {
  const unit = node(tree, id);
  const on = applied && included.has(id);
  if (unit.kind === 'line') return on ? (unit.op === 'remove' ? '' : addedText(unit, included)) : (unit.removed ?? '');
  let text = '';
  for (const child of unit.children) text += unitText(tree, child, on, included);
  return text;
}

function modifiedText(tree: ChangeTree, file: FileChange, included: Configuration): string {
  const lines = splitLines(file.before?.toString('utf8') ?? '');
  let out = '';
  let cursor = 0;
  for (const hunkId of node(tree, file.node).children) {
    const hunk = node(tree, hunkId);
    if (hunk.kind !== 'hunk') continue;
    while (cursor < hunk.oldStart) out += lines[cursor++] ?? '';
    out += unitText(tree, hunkId, true, included);
    cursor = hunk.oldStart + hunk.oldCount;
  }
  while (cursor < lines.length) out += lines[cursor++] ?? '';
  return out;
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
