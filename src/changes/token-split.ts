// Splits a changed run of text into tokens: a word, number or quoted string together with the punctuation and
// space before it, so `, 'EPIPE'` is one token and dropping it from a list leaves the list well-formed.

const WORD = String.raw`[\p{L}\p{N}_]+`;
const QUOTED = String.raw`'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"`;
const LEAD = String.raw`[^\p{L}\p{N}_'"]*`;
// Lead + word/string; else trailing punctuation with no word after it; else a stray quote.
const TOKEN = new RegExp(`${LEAD}(?:${QUOTED}|${WORD})|[^\\p{L}\\p{N}_'"]+|['"]`, 'gu');

export function splitTokens(text: string): string[] {
  const tokens = text.match(TOKEN) ?? [];
  // The pattern covers every character; the guard makes sure a surprise can never lose text.
  return tokens.join('') === text ? tokens : [text];
}
