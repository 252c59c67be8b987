// The shape of source lines without a parser: indentation, bracket balance (strings and comments left out), and
// where statements and blocks begin and end, so a changed region can be cut into units that stay well-formed.

/** Which comments and strings a file's language has: guessed from its name, both when unknown. */
export interface Syntax {
  hashComments: boolean;
  slashComments: boolean;
  /** Python's ''' and """ strings, which span lines. */
  tripleQuotes: boolean;
  /** JavaScript's `template` strings, which span lines. */
  backticks: boolean;
}

const HASH = /\.(py|pyi|pyw|sh|bash|zsh|rb|pl|pm|r|ya?ml|toml|cfg|ini|conf|cmake|mk|nix|tcl|ex|exs)$|(^|\/)(Makefile|Dockerfile|CMakeLists\.txt|BUILD|WORKSPACE)$/i;
const SLASH = /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx|c|h|cc|cpp|cxx|hpp|hh|java|kt|kts|scala|go|rs|cs|swift|dart|php|m|mm|groovy|gradle|css|scss|less|json5?|jsonc|proto|zig|v|sol)$/i;

export function syntaxOf(path: string): Syntax {
  const hash = HASH.test(path);
  const slash = SLASH.test(path);
  const unknown = !hash && !slash;
  return {
    hashComments: hash || unknown,
    slashComments: slash || unknown,
    tripleQuotes: /\.py[iw]?$/i.test(path) || unknown,
    backticks: /\.(m?js|cjs|jsx|ts|mts|cts|tsx)$/i.test(path) || unknown,
  };
}

export interface LineShape {
  indent: number;
  blank: boolean;
  /** Only a comment (or the inside of a multi-line string or comment): no code of its own. */
  commentOnly: boolean;
  /** Opening minus closing brackets in the line's code. */
  delta: number;
  /** The code ends with an opening bracket or a colon: the indented lines after it are its body. */
  opensBody: boolean;
  /** The code starts by closing or continuing what came before (`}`, `else`, `except`, `.then`, `&&`). */
  continues: boolean;
  /** The line says the next one belongs to it (a backslash, a decorator, a trailing operator). */
  joinsNext: boolean;
}

type LexState = { kind: 'code' } | { kind: 'string'; close: string } | { kind: 'comment' };

const CONTINUES = /^(?:[)\]}]|else\b|elif\b|except\b|finally\b|catch\b|\.(?!\.\.)|&&|\|\||\?\?|\?(?!\.)|:(?!:)|\+(?!\+)|-(?!-)|\*|\/(?![/*])|%|=>|and\b|or\b)/;
const JOINS = /(?:\\|,|=|&&|\|\||\?\?|\+|-|\*|\/|%|\band|\bor|\bnot|=>)$/;

function indentOf(line: string): number {
  let width = 0;
  for (const char of line) {
    if (char === ' ') width += 1;
    else if (char === '\t') width += 4 - (width % 4);
    else break;
  }
  return width;
}

/** Reads one line in the given lexical state: its code with strings emptied and comments removed, and the state after it. */
function lexLine(line: string, syntax: Syntax, state: LexState): { code: string; state: LexState } {
  let code = '';
  let at = 0;
  let current = state;
  while (at < line.length) {
    if (current.kind === 'comment') {
      const end = line.indexOf('*/', at);
      if (end < 0) return { code, state: current };
      at = end + 2;
      current = { kind: 'code' };
      continue;
    }
    if (current.kind === 'string') {
      const close = current.close;
      let end = -1;
      for (let index = at; index < line.length; index++) {
        if (line[index] === '\\') index += 1;
        else if (line.startsWith(close, index)) {
          end = index;
          break;
        }
      }
      if (end < 0) {
        // Only strings that may span lines carry over; an unclosed quote ends with its line.
        return { code: `${code}""`, state: close.length === 3 || close === '`' ? current : { kind: 'code' } };
      }
      code += '""';
      at = end + close.length;
      current = { kind: 'code' };
      continue;
    }
    const rest = line.slice(at);
    if ((syntax.hashComments && rest.startsWith('#') && !(syntax.slashComments && /[\w$.]$/.test(code))) || (syntax.slashComments && rest.startsWith('//'))) break;
    if (syntax.slashComments && rest.startsWith('/*')) {
      current = { kind: 'comment' };
      at += 2;
      continue;
    }
    const triple = syntax.tripleQuotes && (rest.startsWith('"""') || rest.startsWith("'''")) ? rest.slice(0, 3) : null;
    if (triple) {
      current = { kind: 'string', close: triple };
      at += 3;
      continue;
    }
    const char = line[at] ?? '';
    // An apostrophe inside a word (don't, Rust's 'a) starts no string.
    if (char === '"' || (char === "'" && !/\w$/.test(code)) || (char === '`' && syntax.backticks)) {
      current = { kind: 'string', close: char };
      at += 1;
      continue;
    }
    code += char;
    at += 1;
  }
  return { code, state: current };
}

/** The shape of every line of one side of a change, read in order (a string or comment may span lines). */
export function lineShapes(lines: readonly string[], syntax: Syntax): LineShape[] {
  let state: LexState = { kind: 'code' };
  return lines.map((line) => {
    const startedInside = state.kind !== 'code';
    const lexed = lexLine(line.replace(/\r?\n$/, ''), syntax, state);
    state = lexed.state;
    const code = lexed.code.trim();
    let delta = 0;
    for (const char of code) {
      if (char === '(' || char === '[' || char === '{') delta += 1;
      else if (char === ')' || char === ']' || char === '}') delta -= 1;
    }
    const blank = line.trim() === '';
    return {
      indent: indentOf(line),
      blank,
      commentOnly: !blank && (code === '' || (startedInside && code === '""')),
      delta,
      opensBody: /[([{:]$/.test(code),
      continues: CONTINUES.test(code),
      joinsNext: JOINS.test(code) || code.startsWith('@') || state.kind !== 'code',
    };
  });
}

/** A run of lines [start, end) of one side. */
export interface LineRange {
  start: number;
  end: number;
}

/**
 * Cuts lines [start, end) into statements: a new one begins at a line no deeper than the current one's first line
 * once its brackets are closed, unless the line continues the last (`else`, `}`, `.then`) or the last asked for it.
 * Blank lines stay with what precedes them, comments with what follows.
 */
export function statementsOf(shapes: readonly LineShape[], start: number, end: number): LineRange[] {
  const found: LineRange[] = [];
  let from = start;
  let indent = 0;
  let depth = 0;
  let hasCode = false;
  let joins = false;
  for (let index = start; index < end; index++) {
    const shape = shapes[index];
    if (!shape) continue;
    if (shape.blank) continue;
    if (hasCode && depth <= 0 && shape.indent <= indent && !shape.continues && !joins) {
      found.push({ start: from, end: index });
      from = index;
      hasCode = false;
      depth = 0;
    }
    if (!shape.commentOnly) {
      if (!hasCode) indent = shape.indent;
      hasCode = true;
      depth += shape.delta;
      // A statement that closed more than it opened (a region that starts inside a block) starts counting afresh.
      if (depth < 0) depth = 0;
      joins = shape.joinsNext;
    }
  }
  if (from < end) found.push({ start: from, end });
  return found;
}

/**
 * The parts of one statement [start, end): its header lines (with their continuation lines) and, after each
 * header, the deeper-indented body cut into statements. One line, or a statement with no inner structure, has
 * its single lines as parts.
 */
export function partsOf(shapes: readonly LineShape[], start: number, end: number): LineRange[] {
  if (end - start <= 1) return [];
  const first = shapes.slice(start, end).findIndex((shape) => !shape.blank && !shape.commentOnly);
  const base = first < 0 ? 0 : (shapes[start + first]?.indent ?? 0);
  const parts: LineRange[] = [];
  let index = start;
  while (index < end) {
    const groupStart = index;
    let depth = 0;
    let last: LineShape | undefined;
    do {
      last = shapes[index];
      depth += last?.delta ?? 0;
      index += 1;
    } while (index < end && last && (last.blank || last.commentOnly || last.joinsNext || (depth > 0 && !last.opensBody)));
    parts.push({ start: groupStart, end: index });
    const bodyStart = index;
    while (index < end && ((shapes[index]?.blank ?? false) || (shapes[index]?.indent ?? 0) > base)) index += 1;
    if (index > bodyStart) parts.push(...statementsOf(shapes, bodyStart, index));
  }
  if (parts.length === 1) return Array.from({ length: end - start }, (_, offset) => ({ start: start + offset, end: start + offset + 1 }));
  return parts;
}
