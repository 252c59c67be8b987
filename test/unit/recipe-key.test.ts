// The verdict cache's and the build cache's keys of a recipe: every field of the recipe counts, so a recipe field
// added later can never share cache entries with recipes that lack it; field order does not matter.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Recipe } from '../../src/model/recipe.js';
import { recipeChange } from '../../src/hunt/recipe-change.js';
import { buildRecipeKey, recipeEnvironment, recipeKey, recipeKeyWith } from '../../src/probe/recipe-key.js';

const recipe: Recipe = { build: { shell: 'make' }, test: { shell: 'make check' }, buildTimeoutSeconds: 600, graceSeconds: 5, onHang: 'bad', onBuildFailure: 'skip' };
const env = { PATH: '/usr/bin' };

describe('recipe keys', () => {
  it('changes with every field of the recipe, the grace period and fields added later included', () => {
    const base = recipeKey(recipe, '', env);
    const variants: Recipe[] = [
      { ...recipe, graceSeconds: 1 },
      { ...recipe, timeoutSeconds: 30 },
      { ...recipe, buildTimeoutSeconds: 60 },
      { ...recipe, onHang: 'skip' },
      { ...recipe, onBuildFailure: 'bad' },
      { ...recipe, test: { argv: ['make', 'check'] } },
      { ...recipe, build: { shell: 'make -j2' } },
      // A field a later culprit adds to Recipe, seen by this one as any other field.
      { ...recipe, repeat: 3 } as Recipe,
    ];
    const keys = variants.map((variant) => recipeKey(variant, '', env));
    for (const key of keys) expect(key).not.toBe(base);
    expect(new Set(keys).size).toBe(keys.length);
    expect(recipeKey(recipe, 'sub', env)).not.toBe(base);
    expect(recipeKey(recipe, '', { PATH: '/opt/bin' })).not.toBe(base);
  });

  it('does not depend on the order the fields were written in', () => {
    const reordered: Recipe = { onBuildFailure: 'skip', onHang: 'bad', graceSeconds: 5, buildTimeoutSeconds: 600, test: { shell: 'make check' }, build: { shell: 'make' } };
    expect(recipeKey(reordered, '', env)).toBe(recipeKey(recipe, '', env));
    expect(buildRecipeKey(reordered, '', ['out/**'], env)).toBe(buildRecipeKey(recipe, '', ['out/**'], env));
  });

  it('keys builds by what shapes them: another test or grace reuses the build, another build command does not', () => {
    const base = buildRecipeKey(recipe, '', ['out/**'], env);
    expect(buildRecipeKey({ ...recipe, test: { shell: 'other' }, graceSeconds: 1, onHang: 'skip' }, '', ['out/**'], env)).toBe(base);
    expect(buildRecipeKey({ ...recipe, build: { shell: 'make -j8' } }, '', ['out/**'], env)).not.toBe(base);
    expect(buildRecipeKey({ ...recipe, buildTimeoutSeconds: 5 }, '', ['out/**'], env)).not.toBe(base);
    expect(buildRecipeKey(recipe, '', ['bin/**'], env)).not.toBe(base);
    expect(buildRecipeKey({ ...recipe, build: undefined } as Recipe, '', ['out/**'], env)).toBeUndefined();
  });

  it('follows a test script named through ~ or a variable: editing it changes the key', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'culprit-home-'));
    const script = path.join(home, 'check.sh');
    writeFileSync(script, 'exit 0\n');
    const shells = ['sh ~/check.sh', 'sh $CHK', 'sh "${CHK}"', '$RUN'];
    const environment = { PATH: '/usr/bin', HOME: home, CHK: script, RUN: `sh ${script}` };
    const before = shells.map((shell) => recipeKey({ ...recipe, test: { shell } }, '', environment));
    writeFileSync(script, 'exit 1\n');
    const after = shells.map((shell) => recipeKey({ ...recipe, test: { shell } }, '', environment));
    shells.forEach((shell, index) => expect(after[index], shell).not.toBe(before[index]));
    // An unset variable stays as written: no file, no error.
    expect(recipeKey({ ...recipe, test: { shell: 'sh $NOPE' } }, '', environment)).toBe(recipeKey({ ...recipe, test: { shell: 'sh $NOPE' } }, '', environment));
  });

  it('keeps what the key was made of, and says in one line what differs from it now', () => {
    const script = path.join(mkdtempSync(path.join(os.tmpdir(), 'culprit-key-')), 'check.sh');
    writeFileSync(script, 'exit 0\n');
    const withScript: Recipe = { ...recipe, test: { shell: `sh ${script}` } };
    const before = recipeEnvironment(withScript, { PATH: '/usr/bin', CFLAGS: 'A', SECRET_TOKEN: 'x' });
    expect(before).toEqual({ env: { PATH: '/usr/bin', CFLAGS: 'A' }, files: { [script]: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(recipeKeyWith(withScript, '', before)).toBe(recipeKey(withScript, '', { PATH: '/usr/bin', CFLAGS: 'A', SECRET_TOKEN: 'x' }));
    writeFileSync(script, 'exit 1\n');
    const after = recipeEnvironment(withScript, { PATH: '/usr/bin', CC: 'clang', CFLAGS: "it's\nB" });
    const change = recipeChange(before, after);
    const [was, is] = [before.files[script]!.slice(0, 12), after.files[script]!.slice(0, 12)];
    expect(was).not.toBe(is);
    expect(change).toBe(`CC unset, CFLAGS='A', ${script} (sha256 ${was}), now CC='clang', CFLAGS=$'it\\'s\\nB', ${script} (sha256 ${is})`);
    expect(change.split('\n')).toHaveLength(1);
    expect(recipeChange(null, after)).toMatch(/stored without them/);
  });

  it('keys PATH without what npm and npx add for the directory they run in, and names only the entries that differ', () => {
    const fromTop = { PATH: '/home/u/project/node_modules/.bin:/home/u/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:/opt/cc/bin:/usr/bin' };
    const fromSub = { PATH: '/home/u/project/sub/node_modules/.bin:/home/u/project/node_modules/.bin:/home/u/node_modules/.bin:/opt/cc/bin:/usr/bin' };
    expect(recipeKey(recipe, '', fromSub)).toBe(recipeKey(recipe, '', fromTop));
    const otherCompiler = recipeEnvironment(recipe, { PATH: '/opt/cc2/bin:/usr/bin' });
    expect(recipeChange(recipeEnvironment(recipe, fromTop), otherCompiler)).toBe(`PATH including '/opt/cc/bin', now PATH including '/opt/cc2/bin'`);
    expect(recipeChange(recipeEnvironment(recipe, { PATH: '/usr/bin' }), otherCompiler)).toBe(`PATH without '/opt/cc2/bin', now PATH including '/opt/cc2/bin'`);
  });
});
