// The change tree and its materialization: every configuration is a well-defined file state, the full one is
// the commit, the empty one the parent, and token-level configurations edit single words of a line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildChangeTree, nodesAtLevel, splitLines } from '../../src/changes/change-tree.js';
import { closeConfiguration, everything, everythingExcept, materialize } from '../../src/changes/materialize.js';
import { splitTokens } from '../../src/changes/token-split.js';
import type { FileDelta } from '../../src/history/history.js';

function modified(path: string, before: string, after: string): FileDelta {
  return { path, oldPath: null, status: 'modified', before: Buffer.from(before), after: Buffer.from(after), modeBefore: 'file', modeAfter: 'file' };
}

const text = (states: ReturnType<typeof materialize>, path: string): string | undefined => states.find((state) => state.path === path)?.content?.toString('utf8');

const lineText = fc.array(fc.constantFrom('a', 'b', 'c', 'let x = 1;', 'f(a, b)', '', '  return y'), { maxLength: 12 }).map((lines) => lines.map((line) => `${line}\n`).join(''));

describe('change tree', () => {
  it('materializes the commit from everything and the parent from nothing, for any pair of texts', () => {
    fc.assert(
      fc.property(lineText, lineText, fc.boolean(), (before, after, dropNewline) => {
        const last = dropNewline ? after.replace(/\n$/, '') : after;
        const tree = buildChangeTree([modified('f.txt', before, last)]);
        expect(text(materialize(tree, everything(tree)), 'f.txt')).toBe(last);
        expect(text(materialize(tree, new Set()), 'f.txt')).toBe(before);
        // Taking every line back out of the commit gives the parent again.
        expect(text(materialize(tree, everythingExcept(tree, nodesAtLevel(tree, 'line'))), 'f.txt')).toBe(before);
      }),
    );
  });

  it('any subset of hunks, lines or tokens gives a text made only of the two sides\' lines and words', () => {
    fc.assert(
      fc.property(lineText, lineText, fc.array(fc.nat(), { maxLength: 20 }), (before, after, picks) => {
        const tree = buildChangeTree([modified('f.txt', before, after)]);
        const picked = picks.map((pick) => pick % Math.max(1, tree.nodes.length)).filter((id) => id < tree.nodes.length);
        const result = text(materialize(tree, closeConfiguration(tree, picked)), 'f.txt') ?? '';
        expect(typeof result).toBe('string');
        expect(splitLines(result).length).toBeLessThanOrEqual(splitLines(before).length + splitLines(after).length);
      }),
    );
  });

  it('narrows a changed list to one token: dropping EPIPE keeps EBADF', () => {
    const before = "const RETRIED = new Set(['ECONNRESET']);\n";
    const after = "const RETRIED = new Set(['ECONNRESET', 'EPIPE', 'EBADF']);\n";
    const tree = buildChangeTree([modified('errors.js', `top\n${before}bottom\n`, `top\n${after}bottom\n`)]);
    const tokens = nodesAtLevel(tree, 'token').map((id) => tree.nodes[id]!);
    expect(tokens.map((token) => token.kind === 'token' && token.text)).toEqual([", 'EPIPE'", ", 'EBADF'"]);
    const epipe = tokens.filter((token) => token.kind === 'token' && /EPIPE/.test(token.text)).map((token) => token.id);
    const result = text(materialize(tree, everythingExcept(tree, epipe)), 'errors.js');
    expect(result).toContain("'EBADF'");
    expect(result).not.toContain('EPIPE');
    expect(result?.startsWith('top\n') && result.endsWith('bottom\n')).toBe(true);
  });

  it('keeps binary, added, deleted and renamed files whole', () => {
    const tree = buildChangeTree([
      { path: 'img.png', oldPath: null, status: 'modified', before: Buffer.from([0, 1, 2]), after: Buffer.from([0, 9]), modeBefore: 'file', modeAfter: 'file' },
      { path: 'new.txt', oldPath: null, status: 'added', before: null, after: Buffer.from('n\n'), modeBefore: null, modeAfter: 'executable' },
      { path: 'old.txt', oldPath: null, status: 'deleted', before: Buffer.from('o\n'), after: null, modeBefore: 'file', modeAfter: null },
      { path: 'b.txt', oldPath: 'a.txt', status: 'renamed', before: Buffer.from('r\n'), after: Buffer.from('r2\n'), modeBefore: 'file', modeAfter: 'file' },
    ]);
    expect(tree.files.every((file) => file.atomic)).toBe(true);
    expect(tree.nodes).toHaveLength(4);
    const all = materialize(tree, everything(tree));
    expect(all.find((state) => state.path === 'a.txt')?.content).toBeNull();
    expect(text(all, 'b.txt')).toBe('r2\n');
    expect(all.find((state) => state.path === 'old.txt')?.content).toBeNull();
    expect(all.find((state) => state.path === 'new.txt')?.mode).toBe('executable');
    const none = materialize(tree, new Set());
    expect(text(none, 'a.txt')).toBe('r\n');
    expect(none.find((state) => state.path === 'b.txt')?.content).toBeNull();
    expect(none.find((state) => state.path === 'new.txt')?.content).toBeNull();
  });

  it('splits changed runs into tokens that carry their leading space and lose nothing', () => {
    expect(splitTokens(", 'EPIPE', 'EBADF'")).toEqual([", 'EPIPE'", ", 'EBADF'"]);
    expect(splitTokens('a.b(c, 42) + "x y"')).toEqual(['a', '.b', '(c', ', 42', ') + "x y"']);
    fc.assert(fc.property(fc.string(), (value) => splitTokens(value).join('') === value));
  });
});

describe('unified diff', () => {
  it('renders a token-level configuration as a diff git apply accepts', async () => {
    const { unifiedDiff } = await import('../../src/changes/unified-diff.js');
    const tree = buildChangeTree([modified('errors.js', "top\nconst R = ['A'];\nbottom\n", "top\nconst R = ['A', 'B', 'C'];\nbottom\n")]);
    const c = nodesAtLevel(tree, 'token').find((id) => tree.nodes[id]?.kind === 'token' && /C/.test((tree.nodes[id] as { text: string }).text))!;
    // A replaced line is one unit: picking one of its tokens applies the edit with that token alone.
    expect(tree.nodes.filter((node) => node.kind === 'line').map((node) => node.kind === 'line' && node.op)).toEqual(['replace']);
    const diff = unifiedDiff(materialize(tree, new Set()), materialize(tree, closeConfiguration(tree, [c])));
    expect(diff).toBe("diff --git a/errors.js b/errors.js\n--- a/errors.js\n+++ b/errors.js\n@@ -1,3 +1,3 @@\n top\n-const R = ['A'];\n+const R = ['A', 'C'];\n bottom\n");
  });
});
