// Package changes between two lockfiles: what counts as one change, which changes a subset drags along so npm ci
// can install it, the lockfile and manifest written for a subset, and every wrong lockfile refused in one line.
import { describe, expect, it } from 'vitest';
import { describeChange, LockfileChanges } from '../../src/changes/lockfile-changes.js';
import { parseLockfile, type LockEntry } from '../../src/changes/lockfile.js';
import { UsageError } from '../../src/errors.js';

const entry = (version: string, dependencies?: Record<string, string>): LockEntry => ({
  version,
  resolved: `http://127.0.0.1:4873/x/-/x-${version}.tgz`,
  integrity: `sha512-${version}`,
  ...(dependencies ? { dependencies } : {}),
});

function lock(root: Record<string, string>, packages: Record<string, LockEntry>): string {
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'app', version: '1.0.0', dependencies: root }, ...packages } });
}

const good = parseLockfile(
  lock({ a: '^1.0.0', b: '^1.0.0' }, {
    'node_modules/a': entry('1.0.0', { c: '^1.0.0' }),
    'node_modules/b': entry('1.0.0'),
    'node_modules/c': entry('1.0.0'),
    'node_modules/same': entry('3.0.0'),
  }),
  'good.json',
  '--good-lock',
);
const bad = parseLockfile(
  lock({ a: '^2.0.0', b: '^1.0.0' }, {
    'node_modules/a': entry('2.0.0', { c: '^2.0.0', e: '^1.0.0' }),
    'node_modules/a/node_modules/e': entry('1.0.0'),
    'node_modules/b': entry('1.1.0', { d: '^1.0.0' }),
    'node_modules/c': entry('2.0.0'),
    'node_modules/d': entry('1.0.0'),
    'node_modules/same': { ...entry('3.0.0'), dev: true },
  }),
  'bad.json',
  '--bad-lock',
);

describe('package changes between two lockfiles', () => {
  const changes = new LockfileChanges(good, bad);
  const index = (name: string): number => changes.changes.findIndex((change) => change.name === name);

  it('lists added, removed and changed packages; a package nested under a changed one comes with it; flags do not count', () => {
    expect(changes.changes.map(describeChange)).toEqual(['a 1.0.0 → 2.0.0', 'b 1.0.0 → 1.1.0', 'c 1.0.0 → 2.0.0', '+ d 1.0.0']);
    expect(changes.changes[index('a')]?.keys).toEqual(['node_modules/a', 'node_modules/a/node_modules/e']);
  });

  it('closes a subset over the dependency edges it would break: what the upgrade needs comes along', () => {
    // a 2.0.0 needs c ^2, which the bad lockfile puts where Node looks: c's upgrade joins.
    expect(changes.closure([index('a')])).toEqual([index('a'), index('c')]);
    expect(changes.closure([index('b')])).toEqual([index('b'), index('d')]);
    // An extra package nobody needs installs fine: it drags nothing along.
    expect(changes.closure([index('d')])).toEqual([index('d')]);
    expect(changes.closure([])).toEqual([]);
  });

  it('keeps an old version nested under a dependent that cannot take the new one, as npm does', () => {
    // c 2.0.0 at the top, but a 1.0.0 needs c ^1: the good lockfile's c 1.0.0 goes under a, and a is not upgraded.
    expect(changes.closure([index('c')])).toEqual([index('c')]);
    const lock = JSON.parse(changes.files([index('c')], () => undefined).find((file) => file.path === 'package-lock.json')?.content?.toString() ?? '{}') as { packages: Record<string, LockEntry> };
    expect(lock.packages['node_modules/c']?.version).toBe('2.0.0');
    expect(lock.packages['node_modules/a/node_modules/c']?.version).toBe('1.0.0');
    expect(lock.packages['node_modules/a']?.version).toBe('1.0.0');
  });

  it('moves the dependent itself when no lockfile has a version it accepts, and never nests a peer', () => {
    const withPeer = (peer: string): string => lock({ p: '^1.0.0', q: '^1.0.0' }, { 'node_modules/p': { ...entry('1.0.0'), peerDependencies: { q: peer } }, 'node_modules/q': entry(peer === '^1.0.0' ? '1.0.0' : '2.0.0') });
    const peers = new LockfileChanges(parseLockfile(withPeer('^1.0.0'), 'g', '--good-lock'), parseLockfile(withPeer('^2.0.0'), 'b', '--bad-lock'));
    // q 2.0.0 under p 1.0.0 (peer q ^1): a peer cannot be nested, so p's change joins.
    expect(peers.changes.map(describeChange)).toEqual(['p 1.0.0 (same version, other contents)', 'q 1.0.0 → 2.0.0']);
    expect(peers.closure([1])).toEqual([0, 1]);
  });

  it('writes the lockfile and the manifest of a subset: the bad side where it is made, the good side elsewhere', () => {
    const manifest = { name: 'app', version: '1.0.0', scripts: { test: 'node test.js' }, dependencies: { a: '^2.0.0', b: '^1.0.0' } };
    const files = changes.files(changes.closure([index('b')]), (folder) => (folder === '' ? manifest : undefined));
    // An npm-shrinkwrap.json would win over the lockfile written: it goes.
    expect(files.find((file) => file.path === 'npm-shrinkwrap.json')).toEqual({ path: 'npm-shrinkwrap.json', content: null, mode: null });
    const written = JSON.parse(files.find((file) => file.path === 'package-lock.json')?.content?.toString() ?? '{}') as { lockfileVersion: number; packages: Record<string, LockEntry> };
    expect(written.lockfileVersion).toBe(3);
    expect(written.packages['node_modules/a']?.version).toBe('1.0.0');
    expect(written.packages['node_modules/a/node_modules/e']).toBeUndefined();
    expect(written.packages['node_modules/b']?.version).toBe('1.1.0');
    expect(written.packages['node_modules/d']?.version).toBe('1.0.0');
    expect(written.packages['']?.dependencies).toEqual({ a: '^1.0.0', b: '^1.0.0' });
    const packageJson = JSON.parse(files.find((file) => file.path === 'package.json')?.content?.toString() ?? '{}') as typeof manifest;
    expect(packageJson).toEqual({ ...manifest, dependencies: { a: '^1.0.0', b: '^1.0.0' } });
    const all = changes.files([0, 1, 2, 3], () => manifest);
    const allLock = JSON.parse(all.find((file) => file.path === 'package-lock.json')?.content?.toString() ?? '{}') as { packages: Record<string, LockEntry> };
    expect(allLock.packages['node_modules/a/node_modules/e']?.version).toBe('1.0.0');
    expect(allLock.packages['']?.dependencies).toEqual({ a: '^2.0.0', b: '^1.0.0' });
  });
});

describe('what npm itself takes into account', () => {
  it('leaves names the project overrides to npm, puts back a missing optional dependency, and writes each workspace\'s ranges', () => {
    const side = (version: string, extra: Record<string, LockEntry>, workspaceRange: string): string =>
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { name: 'app', workspaces: ['packages/w'], dependencies: { a: '^1.0.0', o: '^1.0.0' } },
          'node_modules/a': entry('1.0.0', { x: '^1.0.0' }),
          'node_modules/x': entry(version),
          'node_modules/o': { ...entry('1.0.0'), optionalDependencies: { opt: '^1.0.0' } },
          'node_modules/w': { resolved: 'packages/w', link: true },
          'packages/w': { name: 'w', version: '0.0.0', dependencies: { y: workspaceRange } },
          'node_modules/y': entry(workspaceRange === '^1.0.0' ? '1.0.0' : '2.0.0'),
          ...extra,
        },
      });
    const goodLock = parseLockfile(side('1.0.0', { 'node_modules/opt': entry('1.0.0') }, '^1.0.0'), 'g', '--good-lock');
    const badLock = parseLockfile(side('2.0.0', {}, '^2.0.0'), 'b', '--bad-lock');
    const plain = new LockfileChanges(goodLock, badLock);
    const named = plain.changes.map(describeChange);
    expect(named).toEqual(['- opt 1.0.0', 'x 1.0.0 → 2.0.0', 'y 1.0.0 → 2.0.0', 'w 0.0.0 (same version, other contents)']);
    // x 2.0.0 does not fit a's ^1 and no lockfile has another x that does but 1.0.0: nested under a.
    expect(plain.closure([named.indexOf('x 1.0.0 → 2.0.0')])).toEqual([named.indexOf('x 1.0.0 → 2.0.0')]);
    // Removing opt breaks o's optional edge, which npm would mend by installing it: the old opt is nested under o.
    const removed = plain.configuration([named.indexOf('- opt 1.0.0')]);
    expect(removed.packages['node_modules/o/node_modules/opt']?.version).toBe('1.0.0');
    // With x overridden, its ranges are npm's business: x 2.0.0 goes in alone, nothing nested.
    const overridden = new LockfileChanges(goodLock, badLock, { x: '2.0.0' });
    expect(overridden.configuration([named.indexOf('x 1.0.0 → 2.0.0')]).packages['node_modules/a/node_modules/x']).toBeUndefined();
    // The workspace's own package.json gets the ranges of its lockfile entry.
    const files = plain.files([named.indexOf('w 0.0.0 (same version, other contents)'), named.indexOf('y 1.0.0 → 2.0.0')], (folder) => (folder === 'packages/w' ? { name: 'w', version: '0.0.0', dependencies: { y: '^1.0.0' } } : undefined));
    const workspace = JSON.parse(files.find((file) => file.path === 'packages/w/package.json')?.content?.toString() ?? '{}') as { dependencies: Record<string, string> };
    expect(workspace.dependencies).toEqual({ y: '^2.0.0' });
  });
});

describe('lockfiles culprit refuses', () => {
  const refused = (text: string): string => {
    try {
      parseLockfile(text, 'x.json', '--good-lock');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('says what is wrong with each', () => {
    expect(refused('lockfile')).toMatch(/--good-lock x.json is not JSON/);
    expect(refused('{"name":"x"}')).toMatch(/no lockfileVersion, so it is not an npm package-lock.json/);
    expect(refused('{"lockfileVersion":1,"dependencies":{}}')).toMatch(/lockfileVersion 1, which culprit cannot split/);
    expect(refused('{"lockfileVersion":9,"packages":{"":{}}}')).toMatch(/lockfileVersion 9/);
    expect(refused('{"lockfileVersion":"3"}')).toMatch(/lockfileVersion "3", which npm does not know/);
    expect(refused('{"lockfileVersion":3}')).toMatch(/no "packages" section/);
    expect(refused('{"lockfileVersion":3,"packages":{"":{},"node_modules/a":5}}')).toMatch(/entry for "node_modules\/a" is not an object/);
  });
});
