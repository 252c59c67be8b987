// A change between two commits as a tree: files > hunks > blocks > lines > tokens, every node with an id in one space,
// built with jsdiff from both sides' contents. Narrowing searches subsets of it; materialize.ts writes them out.
import { diffLines, diffWordsWithSpace } from 'diff';
import type { FileDelta } from '../history/history.js';
import { LEVELS, type ChangeLevel } from './change-level.js';
import { hunkUnits, type Unit } from './change-units.js';
import { syntaxOf } from './code-structure.js';
import { splitTokens } from './token-split.js';

export { LEVELS, type ChangeLevel };

/** One piece of an added line's word diff against the line it replaces: kept text, or a token that can be dropped. */
export interface WordPiece {
  text: string;
  /** Null for text both lines share. */
  token: number | null;
  op: 'keep' | 'remove' | 'add';
}

export type ChangeNode =
  | { kind: 'file'; id: number; parent: null; children: number[]; file: number }
  /** The removed lines [oldStart, oldStart + oldCount) of the parent's file and what replaces them. */
  | { kind: 'hunk'; id: number; parent: number; children: number[]; oldStart: number; oldCount: number }
  /** A statement or block of code (or a removed one and the added one that rewrites it): its parts are its children. */
  | { kind: 'block'; id: number; parent: number; children: number[] }
  | {
      kind: 'line';
      id: number;
      parent: number;
      children: number[];
      /** A removal, an addition, or a removed line and the added line that replaces it, taken or left as one. */
      op: 'remove' | 'add' | 'replace';
      removed: string | null;
      added: string | null;
      /** For a replacement: the word diff between the two lines, whose tokens are the children. */
      words: WordPiece[] | null;
    }
  | {
      kind: 'token';
      id: number;
      parent: number;
      children: number[];
      op: 'remove' | 'add';
      text: string;
      /**
       * Set for the tokens of a substitution (removed text right next to added text, `beta` → `BETA`): the id of its
       * first token. They are taken or left together: half of one would put text in the line that neither side had.
       */
      substitution?: number;
    };

export interface FileChange extends FileDelta {
  node: number;
  /** Binary, a link, or added/deleted/renamed: changed as a whole, never split into hunks. */
  atomic: boolean;
}

export interface ChangeTree {
  files: FileChange[];
  nodes: ChangeNode[];
}

/** Text files only: a NUL byte in the first 8,000 bytes means binary, as git decides. */
export function isBinary(content: Buffer | null): boolean {
  return content !== null && content.subarray(0, 8000).includes(0);
}

/** Splits text into lines that keep their terminators, so joining them gives the text back byte for byte. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function buildChangeTree(deltas: readonly FileDelta[]): ChangeTree {
  const nodes: ChangeNode[] = [];
  const files: FileChange[] = [];
  const add = <T extends ChangeNode>(node: Omit<T, 'id'>): T => {
    const created = { ...node, id: nodes.length } as T;
    nodes.push(created);
    if (created.parent !== null) nodes[created.parent]?.children.push(created.id);
    return created;
  };
  for (const delta of deltas) {
    const atomic =
      delta.status !== 'modified' || isBinary(delta.before) || isBinary(delta.after) || delta.modeBefore === 'link' || delta.modeAfter === 'link';
    const fileNode = add<Extract<ChangeNode, { kind: 'file' }>>({ kind: 'file', parent: null, children: [], file: files.length });
    files.push({ ...delta, node: fileNode.id, atomic });
    if (atomic) continue;
    addHunks(fileNode.id, delta.path, delta.before?.toString('utf8') ?? '', delta.after?.toString('utf8') ?? '', add);
  }
  return { files, nodes };
}

type Adder = <T extends ChangeNode>(node: Omit<T, 'id'>) => T;

function addHunks(fileId: number, path: string, before: string, after: string, add: Adder): void {
  const syntax = syntaxOf(path);
  let oldIndex = 0;
  let open: { start: number; removed: string[]; added: string[] } | undefined;
  const close = (): void => {
    if (!open) return;
    const hunk = add<Extract<ChangeNode, { kind: 'hunk' }>>({ kind: 'hunk', parent: fileId, children: [], oldStart: open.start, oldCount: open.removed.length });
    addUnits(hunk.id, hunkUnits(open.removed, open.added, syntax), add);
    open = undefined;
  };
  for (const part of diffLines(before, after)) {
    const lines = splitLines(part.value);
    if (!part.added && !part.removed) {
      close();
      oldIndex += lines.length;
      continue;
    }
    open ??= { start: oldIndex, removed: [], added: [] };
    if (part.removed) {
      open.removed.push(...lines);
      oldIndex += lines.length;
    } else open.added.push(...lines);
  }
  close();
}

function addUnits(parent: number, units: readonly Unit[], add: Adder): void {
  for (const unit of units) {
    if (unit.kind === 'block') {
      const block = add<Extract<ChangeNode, { kind: 'block' }>>({ kind: 'block', parent, children: [] });
      addUnits(block.id, unit.children, add);
      continue;
    }
    const op = unit.removed === null ? 'add' : unit.added === null ? 'remove' : 'replace';
    const line = add<Extract<ChangeNode, { kind: 'line' }>>({ kind: 'line', parent, children: [], op, removed: unit.removed, added: unit.added, words: null });
    // A replaced line's tokens are the word diff between the two lines.
    if (unit.removed !== null && unit.added !== null) line.words = wordPieces(line.id, unit.removed, unit.added, add);
  }
}

function wordPieces(lineId: number, before: string, after: string, add: Adder): WordPiece[] {
  const pieces: WordPiece[] = [];
  const parts = diffWordsWithSpace(before, after);
  /** The tokens of the changed run under way (removed and added parts with no kept text between them). */
  let run: Array<Extract<ChangeNode, { kind: 'token' }>> = [];
  const closeRun = (): void => {
    // Both sides in one run make a substitution; a pure addition or removal keeps its tokens apart.
    if (new Set(run.map((token) => token.op)).size === 2) for (const token of run) token.substitution = run[0]?.id;
    run = [];
  };
  for (const part of parts) {
    if (!part.added && !part.removed) {
      closeRun();
      pieces.push({ text: part.value, token: null, op: 'keep' });
      continue;
    }
    const op = part.added ? 'add' : 'remove';
    for (const text of splitTokens(part.value)) {
      const token = add<Extract<ChangeNode, { kind: 'token' }>>({ kind: 'token', parent: lineId, children: [], op, text });
      run.push(token);
      pieces.push({ text, token: token.id, op });
    }
  }
  closeRun();
  return pieces;
}

/** The ids of all nodes at one level of the tree, in order. */
export function nodesAtLevel(tree: ChangeTree, level: ChangeLevel): number[] {
  return tree.nodes.filter((node) => node.kind === level).map((node) => node.id);
}
