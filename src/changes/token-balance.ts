// Predicts that a token-level configuration cannot parse in any language: a line whose kept tokens leave its
// brackets or quotes unbalanced where both the old and the new line had them balanced the same way.
import type { ChangeTree } from './change-tree.js';
import { addedText, type Configuration } from './materialize.js';

/** Open-minus-close per bracket kind, and the parity of each quote character: what a token cut can break. */
function balanceOf(text: string): string {
  let round = 0;
  let square = 0;
  let curly = 0;
  let single = 0;
  let double = 0;
  let back = 0;
  for (const char of text) {
    if (char === '(') round += 1;
    else if (char === ')') round -= 1;
    else if (char === '[') square += 1;
    else if (char === ']') square -= 1;
    else if (char === '{') curly += 1;
    else if (char === '}') curly -= 1;
    else if (char === "'") single ^= 1;
    else if (char === '"') double ^= 1;
    else if (char === '`') back ^= 1;
  }
  return `${round},${square},${curly},${single},${double},${back}`;
}

/** The first line the configuration edits to a balance neither of its versions has, as text; undefined if none. */
export function unbalancedLine(tree: ChangeTree, included: Configuration): string | undefined {
  for (const node of tree.nodes) {
    if (node.kind !== 'line' || !node.words || !included.has(node.id)) continue;
    const tokens = node.children;
    const taken = tokens.filter((token) => included.has(token)).length;
    if (taken === 0 || taken === tokens.length) continue;
    const text = addedText(node, included);
    const balance = balanceOf(text);
    if (balance !== balanceOf(node.added ?? '') && balance !== balanceOf(node.removed ?? '')) return text.trim();
  }
  return undefined;
}
