// Predicts, without running anything, that a configuration cannot load: a JSON file that does not parse, a
// JavaScript file acorn rejects. Only files that parse in the commit itself are checked, in the way they parse there.
import { parse, type Options } from 'acorn';
import type { FileState } from './materialize.js';

export interface SyntaxProblem {
  path: string;
  message: string;
}

type Parser = (text: string) => void;

const JAVASCRIPT = /\.(js|mjs|cjs)$/i;

function javascriptParsers(): Parser[] {
  const base: Options = { ecmaVersion: 'latest', allowHashBang: true, allowAwaitOutsideFunction: true };
  return [
    (text) => void parse(text, { ...base, sourceType: 'module' }),
    (text) => void parse(text, { ...base, sourceType: 'script', allowReturnOutsideFunction: true }),
  ];
}

function parsersFor(path: string): Parser[] {
  if (/\.json$/i.test(path)) return [(text) => void JSON.parse(text)];
  if (JAVASCRIPT.test(path)) return javascriptParsers();
  return [];
}

function succeeds(parser: Parser, text: string): boolean {
  try {
    parser(text);
    return true;
  } catch {
    return false;
  }
}

/** Files whose syntax a configuration may break, each with the parser that accepts the commit's version. */
export class SyntaxCheck {
  private readonly parsers = new Map<string, Parser>();

  /** `commit`: the states of the whole change (the bad commit's files). */
  constructor(commit: readonly FileState[]) {
    for (const state of commit) {
      if (state.content === null) continue;
      const text = state.content.toString('utf8');
      const parser = parsersFor(state.path).find((candidate) => succeeds(candidate, text));
      if (parser) this.parsers.set(state.path, parser);
    }
  }

  /** The paths checked, for the report. */
  get paths(): string[] {
    return [...this.parsers.keys()].sort();
  }

  /** The first checked file the configuration leaves unparseable, if any. */
  problemOf(states: readonly FileState[]): SyntaxProblem | undefined {
    for (const state of states) {
      const parser = this.parsers.get(state.path);
      if (!parser || state.content === null) continue;
      try {
        parser(state.content.toString('utf8'));
      } catch (error) {
        return { path: state.path, message: error instanceof Error ? error.message : String(error) };
      }
    }
    return undefined;
  }
}
