// The pure aids that keep narrowing on real code cheap and right: the three-way merge that takes a change out of
// a revision where lines moved, the in-process syntax check, the token balance rule and the coupling of units.
import { describe, expect, it } from 'vitest';
import { buildChangeTree, nodesAtLevel } from '../../src/changes/change-tree.js';
import { closeConfiguration, everything, materialize } from '../../src/changes/materialize.js';
import { SyntaxCheck } from '../../src/changes/syntax-check.js';
import { mergeThreeWay } from '../../src/changes/three-way-merge.js';
import { unbalancedLine } from '../../src/changes/token-balance.js';
import type { FileDelta } from '../../src/history/history.js';
import { couplingOf } from '../../src/hunt/change-narrowing.js';
import { parseNarrowBudget } from '../../src/model/narrow-budget.js';

function modified(path: string, before: string, after: string): FileDelta {
  return { path, oldPath: null, status: 'modified', before: Buffer.from(before), after: Buffer.from(after), modeBefore: 'file', modeAfter: 'file' };
}

describe('three-way merge', () => {
  it('takes a change out of a revision whose lines moved, and refuses edits that overlap', () => {
    const commit = 'a\nb\nlimit = 3\nc\n';
    const withoutChange = 'a\nb\nlimit = 8\nc\n';
    // Later work moved the block down and added lines around it.
    const later = 'header\nnew 1\nnew 2\na\nb\nlimit = 3\nc\nfooter\n';
    expect(mergeThreeWay(commit, later, withoutChange)).toBe('header\nnew 1\nnew 2\na\nb\nlimit = 8\nc\nfooter\n');
    expect(mergeThreeWay(commit, 'a\nb\nlimit = 4\nc\n', withoutChange)).toBeNull();
    expect(mergeThreeWay(commit, commit, withoutChange)).toBe(withoutChange);
  });
});

describe('syntax check', () => {
  it('rejects what does not parse the way the commit parses, and ignores files that never parsed', () => {
    const commit = [
      { path: 'lib/table.js', content: Buffer.from('export const T = { semver: `^v?(\\d+)$`, id: /[0-9A-Za-z-]+/ };\n'), mode: 'file' as const },
      { path: 'conf.json', content: Buffer.from('{"a": 1}\n'), mode: 'file' as const },
      { path: 'broken.js', content: Buffer.from('this is not javascript(\n'), mode: 'file' as const },
    ];
    const check = new SyntaxCheck(commit);
    expect(check.paths).toEqual(['conf.json', 'lib/table.js']);
    expect(check.problemOf(commit)).toBeUndefined();
    expect(check.problemOf([{ ...commit[0]!, content: Buffer.from("export const T = { semver: `^v?(\\d+)$`, id: '[0-9A-Za-z-]+'` };\n") }])?.path).toBe('lib/table.js');
    expect(check.problemOf([{ ...commit[1]!, content: Buffer.from('{"a": 1,}\n') }])?.path).toBe('conf.json');
    expect(check.problemOf([{ ...commit[2]!, content: Buffer.from('still not(\n') }])).toBeUndefined();
  });
});

describe('token balance', () => {
  it('flags a token cut that leaves a stray quote or bracket, never the whole edit or none of it', () => {
    const tree = buildChangeTree([modified('t.js', "const R = ['a'];\n", "const R = [`a`, 'b'];\n")]);
    const tokens = nodesAtLevel(tree, 'token');
    expect(unbalancedLine(tree, everything(tree))).toBeUndefined();
    const cuts = tokens.map((token) => unbalancedLine(tree, closeConfiguration(tree, [token])));
    expect(cuts.some((cut) => cut !== undefined)).toBe(true);
    for (const [index, cut] of cuts.entries()) {
      if (cut === undefined) continue;
      const text = materialize(tree, closeConfiguration(tree, [tokens[index]!]))[0]!.content!.toString();
      expect((text.match(/[`'[\]]/g) ?? []).length % 2 === 1 || /\[[^\]]*$/.test(text)).toBe(true);
    }
  });
});

describe('coupling', () => {
  it('groups a renamed function with its callers across files, and a moved line with where it went', () => {
    const tree = buildChangeTree([
      modified('a.py', 'def load(path):\n    return 1\n\n\nx = 1\n', 'def read_text(path):\n    return 1\n\n\nx = 2\n'),
      modified('b.py', 'import a\nv = a.load("p")\nw = 5\n', 'import a\nv = a.read_text("p")\nw = 6\n'),
      modified('c.py', 'total = compute_everything(values)\nkeep = 1\n', 'keep = 1\n'),
      modified('d.py', 'start = 0\n', 'start = 0\ntotal = compute_everything(values)\n'),
    ]);
    const group = couplingOf(tree);
    const files = tree.files.map((file) => file.node);
    expect(group(files)).toEqual([[files[0], files[1]], [files[2], files[3]]]);
    // Within a.py, the rename and the unrelated `x = 2` stay apart.
    const hunks = tree.nodes.filter((node) => node.kind === 'hunk' && tree.nodes[node.parent]?.id === files[0]).map((node) => node.id);
    expect(group(hunks)).toEqual(hunks.map((hunk) => [hunk]));
  });
});

describe('narrowing budget', () => {
  it('reads tests, times, both, and none; rejects the rest', () => {
    expect(parseNarrowBudget('200')).toEqual({ tests: 200 });
    expect(parseNarrowBudget('15m')).toEqual({ seconds: 900 });
    expect(parseNarrowBudget('200,1h')).toEqual({ tests: 200, seconds: 3600 });
    expect(parseNarrowBudget('none')).toEqual({});
    for (const bad of ['', 'soon', '0', '-3', '1.5', '15m,20m', '3,4']) expect(parseNarrowBudget(bad)).toBeUndefined();
  });
});
