// Cuts one hunk (its removed lines and the added lines that replace them) into nested units that keep code
// well-formed: statements and blocks of each side, a removed one paired with the added one that rewrites it.
import { lineShapes, partsOf, statementsOf, type LineRange, type LineShape, type Syntax } from './code-structure.js';

/** A line edit: a removal, an addition, or a removed line and the added line that replaces it (one unit). */
export interface LineUnit {
  kind: 'line';
  removed: string | null;
  added: string | null;
}

export interface BlockUnit {
  kind: 'block';
  children: Unit[];
}

export type Unit = LineUnit | BlockUnit;

interface Side {
  lines: readonly string[];
  shapes: readonly LineShape[];
  /** Identifier-like words per line, for telling which removed statement an added one rewrites. */
  words: ReadonlyArray<ReadonlySet<string>>;
}

function sideOf(lines: readonly string[], syntax: Syntax): Side {
  return { lines, shapes: lineShapes(lines, syntax), words: lines.map((line) => new Set(line.match(/[\p{L}\p{N}_$]+/gu) ?? [])) };
}

interface RangeSummary {
  text: string;
  words: Set<string>;
}

function summaryOf(side: Side, range: LineRange): RangeSummary {
  const words = new Set<string>();
  for (let index = range.start; index < range.end; index++) for (const word of side.words[index] ?? []) words.add(word);
  return { text: side.lines.slice(range.start, range.end).map((line) => line.trim()).join('\n'), words };
}

/** How alike two ranges are: shared words over all words (Jaccard), 1 for identical text modulo indentation. */
function similarity(left: RangeSummary, right: RangeSummary): number {
  if (left.text === right.text) return 1;
  if (left.words.size === 0 && right.words.size === 0) return 0;
  let shared = 0;
  for (const word of left.words) if (right.words.has(word)) shared += 1;
  return shared / (left.words.size + right.words.size - shared);
}

/** Pairs below this are left apart: an added statement that shares so little with a removed one is new code. */
const PAIRING_THRESHOLD = 0.3;
/** Beyond this many pairs to weigh, ranges are matched in order only (the weighing grows as their product). */
const ALIGNMENT_CELLS = 250_000;

type Pair = [LineRange | null, LineRange | null];

/**
 * The removed and added ranges in one order that keeps both sides' own orders, each removed range paired with the
 * added one it most likely became (the most similar pairs overall, as an LCS weighs them). Unpaired single lines
 * facing each other in the same gap pair up as the i-th removed and i-th added line, as line diffs show them.
 */
function align(removed: Side, rs: readonly LineRange[], added: Side, as: readonly LineRange[]): Pair[] {
  const n = rs.length;
  const m = as.length;
  const matched: Array<[number, number]> = [];
  if (n > 0 && m > 0 && n * m <= ALIGNMENT_CELLS) {
    const width = m + 1;
    const best = new Float64Array((n + 1) * width);
    const left = rs.map((range) => summaryOf(removed, range));
    const right = as.map((range) => summaryOf(added, range));
    const score = (i: number, j: number): number => {
      const value = similarity(left[i] as RangeSummary, right[j] as RangeSummary);
      return value >= PAIRING_THRESHOLD ? value : -1;
    };
    const scores = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) scores[i * m + j] = score(i, j);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        const pair = scores[i * m + j] ?? -1;
        const skip = Math.max(best[(i + 1) * width + j] ?? 0, best[i * width + j + 1] ?? 0);
        best[i * width + j] = pair > 0 ? Math.max(skip, pair + (best[(i + 1) * width + j + 1] ?? 0)) : skip;
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      const pair = scores[i * m + j] ?? -1;
      const here = best[i * width + j] ?? 0;
      if (pair > 0 && here === pair + (best[(i + 1) * width + j + 1] ?? 0)) {
        matched.push([i, j]);
        i += 1;
        j += 1;
      } else if (here === (best[(i + 1) * width + j] ?? 0)) i += 1;
      else j += 1;
    }
  }
  const pairs: Pair[] = [];
  let i = 0;
  let j = 0;
  const gap = (untilI: number, untilJ: number): void => {
    const single = (range: LineRange | undefined): boolean => range !== undefined && range.end - range.start === 1;
    while (i < untilI && j < untilJ && single(rs[i]) && single(as[j])) pairs.push([rs[i++] ?? null, as[j++] ?? null]);
    while (i < untilI) pairs.push([rs[i++] ?? null, null]);
    while (j < untilJ) pairs.push([null, as[j++] ?? null]);
  };
  for (const [mi, mj] of matched) {
    gap(mi, mj);
    pairs.push([rs[mi] ?? null, as[mj] ?? null]);
    i = mi + 1;
    j = mj + 1;
  }
  gap(n, m);
  return pairs;
}

function single(range: LineRange | null): boolean {
  return range === null || range.end - range.start <= 1;
}

/** The unit of a removed range, an added range, or a removed range and the added range that rewrites it. */
function unitOf(removed: Side, r: LineRange | null, added: Side, a: LineRange | null): Unit {
  if (single(r) && single(a)) return { kind: 'line', removed: r ? (removed.lines[r.start] ?? '') : null, added: a ? (added.lines[a.start] ?? '') : null };
  const rParts = r === null ? [] : single(r) ? [r] : partsOf(removed.shapes, r.start, r.end);
  const aParts = a === null ? [] : single(a) ? [a] : partsOf(added.shapes, a.start, a.end);
  return { kind: 'block', children: flatten(align(removed, rParts, added, aParts).map(([x, y]) => unitOf(removed, x, added, y))) };
}

/** A block that holds a single block is that block: no unit of one unit (it would only add a level). */
function flatten(units: Unit[]): Unit[] {
  const only = units[0];
  if (units.length === 1 && only?.kind === 'block') return flatten(only.children);
  return units;
}

/** The units of one hunk, in an order that keeps both the removed and the added lines in their own order. */
export function hunkUnits(removedLines: readonly string[], addedLines: readonly string[], syntax: Syntax): Unit[] {
  const removed = sideOf(removedLines, syntax);
  const added = sideOf(addedLines, syntax);
  const statements = (side: Side): LineRange[] => statementsOf(side.shapes, 0, side.lines.length);
  return flatten(align(removed, statements(removed), added, statements(added)).map(([r, a]) => unitOf(removed, r, added, a)));
}
