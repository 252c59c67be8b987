// Cutting hunks into units that keep code well-formed: statements and blocks of each side, a removed one paired
// with the added one that rewrites it, and any configuration of units still made of whole statements.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hunkUnits, type Unit } from '../../src/changes/change-units.js';
import { lineShapes, statementsOf, syntaxOf } from '../../src/changes/code-structure.js';

const lines = (text: string): string[] => text.split(/(?<=\n)/).filter(Boolean);

/** A unit tree as nested arrays of `-text`, `+text` and `-old => +new`. */
function render(units: readonly Unit[]): unknown[] {
  return units.map((unit) => {
    if (unit.kind === 'block') return render(unit.children);
    const trim = (text: string | null): string => (text ?? '').trim();
    if (unit.removed !== null && unit.added !== null) return `-${trim(unit.removed)} => +${trim(unit.added)}`;
    return unit.removed !== null ? `-${trim(unit.removed)}` : `+${trim(unit.added)}`;
  });
}

describe('code structure', () => {
  it('cuts Python into statements: a def with its body, decorators and comments with what follows', () => {
    const source = lines('import os\n\n# helper\n@cache\ndef f(a,\n      b):\n    x = 1\n\n    if x:\n        return a\n    else:\n        return b\ny = f(1, 2)\n');
    const shapes = lineShapes(source, syntaxOf('m.py'));
    const statements = statementsOf(shapes, 0, source.length).map((range) => source.slice(range.start, range.end).join('').trim());
    expect(statements).toEqual(['import os', '# helper\n@cache\ndef f(a,\n      b):\n    x = 1\n\n    if x:\n        return a\n    else:\n        return b', 'y = f(1, 2)']);
  });

  it('cuts JavaScript by braces, keeping `} else {` and strings with brackets inside one statement', () => {
    const source = lines("function f(a) {\n  if (a) {\n    return '{';\n  } else {\n    return `}\n`;\n  }\n}\nconst x = [\n  1,\n  2,\n];\nf(x);\n");
    const shapes = lineShapes(source, syntaxOf('m.js'));
    const statements = statementsOf(shapes, 0, source.length).map((range) => range.end - range.start);
    expect(statements).toEqual([8, 4, 1]);
  });
});

describe('hunk units', () => {
  it('pairs a renamed function with its rewrite and its statements with theirs', () => {
    const removed = lines('def load(path):\n    with open(path) as f:\n        return f.read()\n');
    const added = lines('def read_text(path, encoding):\n    with open(path, encoding=encoding) as handle:\n        return handle.read()\n');
    expect(render(hunkUnits(removed, added, syntaxOf('m.py')))).toEqual([
      '-def load(path): => +def read_text(path, encoding):',
      ['-with open(path) as f: => +with open(path, encoding=encoding) as handle:', '-return f.read() => +return handle.read()'],
    ]);
  });

  it('keeps an added block whole and apart from an unrelated removed line', () => {
    const removed = lines('x = compute()\n');
    const added = lines('try:\n    value = compute()\nexcept ValueError:\n    value = None\n');
    const units = render(hunkUnits(removed, added, syntaxOf('m.py')));
    expect(units).toEqual(['-x = compute()', ['+try:', '+value = compute()', '+except ValueError:', '+value = None']]);
  });

  it('pairs single lines facing each other as replacements, as a line diff does', () => {
    const units = render(hunkUnits(lines('a = 1\nb = 2\n'), lines('a = 10\nqq()\n'), syntaxOf('m.py')));
    expect(units).toEqual(['-a = 1 => +a = 10', '-b = 2 => +qq()']);
  });

  it('keeps both sides in order: all units read in order give the removed lines, and the added ones', () => {
    const line = fc.constantFrom('def f(x):\n', '    return x\n', '    if x:\n', '        y = 1\n', 'z = [\n', '  1,\n', ']\n', '}\n', 'g() {\n', '# note\n', '\n', 'else:\n');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 14 }), fc.array(line, { maxLength: 14 }), fc.constantFrom('m.py', 'm.js', 'm.txt'), (removed, added, path) => {
        const units = hunkUnits(removed, added, syntaxOf(path));
        const sides: { removed: string[]; added: string[] } = { removed: [], added: [] };
        const walk = (unit: Unit): void => {
          if (unit.kind === 'block') unit.children.forEach(walk);
          else {
            if (unit.removed !== null) sides.removed.push(unit.removed);
            if (unit.added !== null) sides.added.push(unit.added);
          }
        };
        units.forEach(walk);
        expect(sides.removed).toEqual(removed);
        expect(sides.added).toEqual(added);
      }),
      { numRuns: 500 },
    );
  });
});
