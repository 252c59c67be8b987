// The build-artifact cache on real directories: round trips, confinement to the workspace, damage, LRU and sizes.
// A restored entry replaces a build, so every test that restores checks the exact files, modes and links that come back.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ArtifactCache, checkArtifactGlobs, DEFAULT_CACHE_BYTES, parseSize, type SaveRequest } from '../../src/probe/artifact-cache.js';
import { cacheClearCommand, cacheListCommand } from '../../src/cli/cache-command.js';
import { UsageError } from '../../src/errors.js';

const base = mkdtempSync(path.join(tmpdir(), 'culprit-artifacts-'));
let counter = 0;

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

function fresh(name: string): string {
  counter += 1;
  const directory = path.join(base, `${counter}-${name}`);
  mkdirSync(directory, { recursive: true });
  return directory;
}

/** Writes files (path → content) under `directory`, creating parents. */
function write(directory: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, relative)), { recursive: true });
    writeFileSync(path.join(directory, relative), content);
  }
}

/** Every file and link under `directory` (relative, sorted), .git left out as culprit does. */
function tree(directory: string): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(directory, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else found.push(entry.isSymbolicLink() ? `${child} -> ${readlinkSync(path.join(directory, child))}` : child);
    }
  };
  walk('');
  return found.sort();
}

function request(directory: string, globs: string[], key = 'key-1', commit = 'c'.repeat(40)): SaveRequest {
  return { key, directory, globs, repo: '/src/project', commit, tree: 't'.repeat(40) };
}

function cacheIn(name: string, limit = DEFAULT_CACHE_BYTES): ArtifactCache {
  return new ArtifactCache(path.join(fresh(name), 'artifacts'), limit);
}

describe('save and restore', () => {
  it('round-trips nested files, the executable bit and an inner relative link', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'build/app': '#!/bin/sh\necho hi\n', 'build/lib/deep/util.o': 'object', 'build/.stamp': 'x', 'src/main.c': 'int main;' });
    chmodSync(path.join(workspace, 'build/app'), 0o755);
    chmodSync(path.join(workspace, 'build/lib/deep/util.o'), 0o640);
    symlinkSync('lib/deep/util.o', path.join(workspace, 'build/current'));
    const cache = cacheIn('roundtrip');

    const saved = await cache.save(request(workspace, ['build/**']));
    expect(saved).toEqual({ saved: true, bytes: 25, files: 4, evicted: 0 });
    expect(await cache.has('key-1')).toBe(true);

    // Cached long ago: what comes back must still be dated now.
    const cachedApp = path.join(cache.root, 'key-1/files/build/app');
    utimesSync(cachedApp, new Date('2001-01-01'), new Date('2001-01-01'));
    const target = fresh('target');
    write(target, { 'src/main.c': 'int main;', 'build/app': 'stale' });
    expect(await cache.restore('key-1', target)).toBe(true);

    expect(tree(target)).toEqual(['build/.stamp', 'build/app', 'build/current -> lib/deep/util.o', 'build/lib/deep/util.o', 'src/main.c']);
    expect(readFileSync(path.join(target, 'build/app'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(readFileSync(path.join(target, 'build/current'), 'utf8')).toBe('object');
    expect(statSync(path.join(target, 'build/app')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(target, 'build/lib/deep/util.o')).mode & 0o777).toBe(0o640);
    // Newer than the sources checked out just before, so make does not rebuild what was restored.
    expect(statSync(path.join(target, 'build/app')).mtimeMs).toBeGreaterThan(statSync(path.join(target, 'src/main.c')).mtimeMs);
    expect(statSync(path.join(target, 'build/lib/deep/util.o')).mtimeMs).toBeGreaterThan(statSync(path.join(target, 'src/main.c')).mtimeMs);

    const [entry] = await cache.list();
    expect(entry).toMatchObject({ key: 'key-1', repo: '/src/project', commit: 'c'.repeat(40), tree: 't'.repeat(40), bytes: 25, files: 4 });
    expect(Number.isNaN(Date.parse(entry?.createdAt ?? ''))).toBe(false);
    expect(Number.isNaN(Date.parse(entry?.lastUsedAt ?? ''))).toBe(false);
  });

  it('takes a whole directory when a glob names it, dotfiles included, never .git', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'out/a.txt': 'a', 'out/sub/.hidden': 'h', 'out/.git/HEAD': 'ref', '.git/config': 'c', 'other.txt': 'o' });
    const cache = cacheIn('directory');
    expect(await cache.save(request(workspace, ['out']))).toMatchObject({ saved: true, files: 2 });
    const target = fresh('target');
    expect(await cache.restore('key-1', target)).toBe(true);
    expect(tree(target)).toEqual(['out/a.txt', 'out/sub/.hidden']);

    const everything = cacheIn('everything');
    expect(await everything.save(request(workspace, ['**']))).toMatchObject({ saved: true, files: 3 });
    expect(await everything.save(request(workspace, ['.git/**'], 'key-git'))).toMatchObject({ saved: false });
  });

  it('keeps links inside the saved set and skips absolute, outward and dangling ones', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'build/real/lib.so.1': 'lib', 'src/x.c': 'x' });
    symlinkSync('real', path.join(workspace, 'build/dir-link'));
    symlinkSync('real/lib.so.1', path.join(workspace, 'build/lib.so'));
    symlinkSync('lib.so', path.join(workspace, 'build/chain'));
    symlinkSync('/etc/hostname', path.join(workspace, 'build/absolute'));
    symlinkSync('../src/x.c', path.join(workspace, 'build/to-source'));
    symlinkSync('../../outside', path.join(workspace, 'build/outward'));
    symlinkSync('missing', path.join(workspace, 'build/dangling'));
    symlinkSync('to-source', path.join(workspace, 'build/to-skipped'));
    symlinkSync('..', path.join(workspace, 'build/root'));
    symlinkSync('dir-link/../../src/x.c', path.join(workspace, 'build/climb-after-link'));
    const cache = cacheIn('links');
    expect(await cache.save(request(workspace, ['build']))).toMatchObject({ saved: true, files: 4 });
    const target = fresh('target');
    expect(await cache.restore('key-1', target)).toBe(true);
    expect(tree(target)).toEqual(['build/chain -> lib.so', 'build/dir-link -> real', 'build/lib.so -> real/lib.so.1', 'build/real/lib.so.1']);
  });

  it('never follows a linked directory out of the workspace', async () => {
    const outside = fresh('outside');
    write(outside, { 'secret.txt': 'secret', 'nested/more.txt': 'more' });
    const workspace = fresh('workspace');
    write(workspace, { 'build/ok.txt': 'ok' });
    symlinkSync(outside, path.join(workspace, 'out'));
    symlinkSync(outside, path.join(workspace, 'build/escape'));
    const cache = cacheIn('escape');
    // One glob at a time: a lone glob with a fixed prefix makes the glob library start its search inside that prefix.
    for (const glob of ['out/**', 'out/secret.txt', 'out/*/more.txt', 'build/escape/**', 'build/escape/secret.txt']) {
      expect(await cache.save(request(workspace, [glob]))).toMatchObject({ saved: false });
    }
    expect(await cache.save(request(workspace, ['out/secret.txt', 'build/escape/nested/more.txt']))).toMatchObject({ saved: false });
    expect(await cache.save(request(workspace, ['**']))).toMatchObject({ saved: true, files: 1 });
  });

  it('saves nothing when nothing matches, and says which globs', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'src/a.c': 'a' });
    const cache = cacheIn('nothing');
    const result = await cache.save(request(workspace, ['build/**', 'out/app']));
    expect(result).toEqual({ saved: false, reason: expect.stringContaining('build/** out/app') });
    expect(await cache.list()).toEqual([]);
    expect(await cache.has('key-1')).toBe(false);
  });

  it('restores over a directory in the way and through no linked directory', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'out/app': 'binary', 'out/sub/x': 'x' });
    const cache = cacheIn('replace');
    await cache.save(request(workspace, ['out']));

    const outside = fresh('outside');
    const target = fresh('target');
    write(target, { 'out/app/leftover': 'dir where a file goes' });
    symlinkSync(outside, path.join(target, 'out/sub'));
    expect(await cache.restore('key-1', target)).toBe(true);
    expect(tree(target)).toEqual(['out/app', 'out/sub/x']);
    expect(lstatSync(path.join(target, 'out/sub')).isDirectory()).toBe(true);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('returns false for a key never saved', async () => {
    const cache = cacheIn('missing');
    expect(await cache.restore('nope', fresh('target'))).toBe(false);
    expect(await cache.has('nope')).toBe(false);
  });

  it('keeps one entry when the same key is saved twice at once', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'build/a': 'aaaa' });
    const root = path.join(fresh('concurrent'), 'artifacts');
    const [first, second] = await Promise.all([
      new ArtifactCache(root, DEFAULT_CACHE_BYTES).save(request(workspace, ['build'])),
      new ArtifactCache(root, DEFAULT_CACHE_BYTES).save(request(workspace, ['build'])),
    ]);
    expect(first).toMatchObject({ saved: true, bytes: 4 });
    expect(second).toMatchObject({ saved: true, bytes: 4 });
    expect(readdirSync(root)).toEqual(['key-1']);
  });

  it('names an entry by a hash when the key is not a safe directory name', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'build/a': 'a' });
    const cache = cacheIn('odd-key');
    await cache.save(request(workspace, ['build'], '../../escape me'));
    expect(readdirSync(cache.root)).toEqual([expect.stringMatching(/^k-[0-9a-f]{64}$/)]);
    expect((await cache.list()).map((entry) => entry.key)).toEqual(['../../escape me']);
    expect(await cache.restore('../../escape me', fresh('target'))).toBe(true);
  });
});

describe('globs', () => {
  it('rejects absolute globs and .. segments with a UsageError', async () => {
    for (const glob of ['/tmp/build/**', '../sibling/out', 'build/../../x', '{..,build}/x', '']) {
      expect(() => checkArtifactGlobs([glob])).toThrow(UsageError);
    }
    expect(() => checkArtifactGlobs(['/abs'])).toThrow(/absolute/);
    expect(() => checkArtifactGlobs(['a/../b'])).toThrow(/'\.\.'/);
    expect(() => checkArtifactGlobs(['build/**', 'out/app', 'target/release/tool', '*.{so,a}', 'v{1..3}/x', 'a..b'])).not.toThrow();
    const cache = cacheIn('bad-globs');
    await expect(cache.save(request(fresh('workspace'), ['build', '../up']))).rejects.toThrow(UsageError);
  });
});

describe('damage', () => {
  async function savedEntry(name: string): Promise<{ cache: ArtifactCache; entry: string }> {
    const workspace = fresh('workspace');
    write(workspace, { 'build/a': 'a', 'build/b/c': 'c' });
    const cache = cacheIn(name);
    await cache.save(request(workspace, ['build']));
    return { cache, entry: path.join(cache.root, 'key-1') };
  }

  it('treats an entry without its manifest as missing, and removes it', async () => {
    const { cache, entry } = await savedEntry('no-manifest');
    rmSync(path.join(entry, 'manifest.json'));
    expect(await cache.has('key-1')).toBe(false);
    expect(await cache.restore('key-1', fresh('target'))).toBe(false);
    expect(existsSync(entry)).toBe(false);
  });

  it('treats an entry with a garbled manifest as missing, and removes it', async () => {
    const { cache, entry } = await savedEntry('garbled');
    writeFileSync(path.join(entry, 'manifest.json'), '{"version":1,');
    expect(await cache.restore('key-1', fresh('target'))).toBe(false);
    expect(existsSync(entry)).toBe(false);
  });

  it('treats an entry missing a file as damaged before writing anything, and removes it', async () => {
    const { cache, entry } = await savedEntry('lost-file');
    rmSync(path.join(entry, 'files/build/b/c'));
    const target = fresh('target');
    expect(await cache.restore('key-1', target)).toBe(false);
    expect(tree(target)).toEqual([]);
    expect(existsSync(entry)).toBe(false);
    expect(await cache.list()).toEqual([]);
  });

  it('refuses a manifest that would plant a file or link outside the workspace', async () => {
    const { cache, entry } = await savedEntry('tampered');
    const manifest = JSON.parse(readFileSync(path.join(entry, 'manifest.json'), 'utf8')) as { paths: { path: string }[] };
    (manifest.paths[0] as { path: string }).path = '../escaped';
    writeFileSync(path.join(entry, 'manifest.json'), JSON.stringify(manifest));
    const target = fresh('target');
    expect(await cache.restore('key-1', path.join(target, 'ws'))).toBe(false);
    expect(tree(target)).toEqual([]);
  });

  it('refuses a manifest whose link leads out, or whose file sits under a link', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'build/real/lib': 'lib' });
    symlinkSync('real', path.join(workspace, 'build/link'));
    for (const [name, extra] of [
      ['link-out', { path: 'build/up', type: 'symlink', target: 'link/../..' }],
      ['under-link', { path: 'build/link/planted', type: 'file', mode: 0o644, size: 0 }],
    ] as const) {
      const cache = cacheIn(name);
      await cache.save(request(workspace, ['build']));
      const manifestPath = path.join(cache.root, 'key-1/manifest.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { paths: unknown[]; files: number };
      manifest.paths.push(extra);
      manifest.files += 1;
      writeFileSync(manifestPath, JSON.stringify(manifest));
      expect(await cache.has('key-1')).toBe(false);
      expect(await cache.restore('key-1', fresh('target'))).toBe(false);
    }
  });

  it('never lists or restores a half-written save, and sweeps it once it is an hour old', async () => {
    const { cache } = await savedEntry('half');
    // What a save killed mid-copy leaves: a temporary directory, perhaps with a manifest already written.
    const temporary = path.join(cache.root, '.tmp-99999-abcdef');
    mkdirSync(path.join(temporary, 'files/build'), { recursive: true });
    writeFileSync(path.join(temporary, 'files/build/a'), 'partial');
    writeFileSync(path.join(temporary, 'manifest.json'), readFileSync(path.join(cache.root, 'key-1/manifest.json')));
    expect((await cache.list()).map((entry) => entry.key)).toEqual(['key-1']);
    expect(await cache.has('.tmp-99999-abcdef')).toBe(false);
    expect(await cache.restore('.tmp-99999-abcdef', fresh('target'))).toBe(false);

    const workspace = fresh('workspace');
    write(workspace, { 'out/x': 'x' });
    await cache.save(request(workspace, ['out'], 'key-2'));
    expect(existsSync(temporary)).toBe(true);
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(temporary, hoursAgo, hoursAgo);
    await cache.save(request(workspace, ['out'], 'key-3'));
    expect(existsSync(temporary)).toBe(false);
  });

  it('returns false when the entry disappears between has and restore', async () => {
    const { cache } = await savedEntry('vanish');
    expect(await cache.has('key-1')).toBe(true);
    await new ArtifactCache(cache.root, DEFAULT_CACHE_BYTES).clear();
    expect(await cache.restore('key-1', fresh('target'))).toBe(false);
  });
});

describe('size limit', () => {
  function workspaceOf(bytes: number): string {
    const workspace = fresh('workspace');
    write(workspace, { 'build/blob': 'x'.repeat(bytes) });
    return workspace;
  }

  it('evicts the least recently used entries, counting a restore as a use', async () => {
    const cache = cacheIn('lru', 250);
    expect(await cache.save(request(workspaceOf(100), ['build'], 'old'))).toMatchObject({ saved: true, evicted: 0 });
    expect(await cache.save(request(workspaceOf(100), ['build'], 'middle'))).toMatchObject({ saved: true, evicted: 0 });
    expect(await cache.restore('old', fresh('target'))).toBe(true);
    expect((await cache.list()).map((entry) => entry.key)).toEqual(['old', 'middle']);

    expect(await cache.save(request(workspaceOf(100), ['build'], 'new'))).toEqual({ saved: true, bytes: 100, files: 1, evicted: 1 });
    expect((await cache.list()).map((entry) => entry.key)).toEqual(['new', 'old']);

    expect(await cache.save(request(workspaceOf(240), ['build'], 'large'))).toEqual({ saved: true, bytes: 240, files: 1, evicted: 2 });
    expect((await cache.list()).map((entry) => entry.key)).toEqual(['large']);
  });

  it('does not keep an entry bigger than the whole limit, and points at --cache-size', async () => {
    const cache = cacheIn('too-big', 50);
    await cache.save(request(workspaceOf(10), ['build'], 'small'));
    const result = await cache.save(request(workspaceOf(51), ['build'], 'huge'));
    expect(result).toEqual({ saved: false, reason: expect.stringContaining('--cache-size') });
    expect((await cache.list()).map((entry) => entry.key)).toEqual(['small']);
    expect(readdirSync(cache.root).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });

  it('parses --cache-size values', () => {
    expect(parseSize('10000')).toBe(10000);
    expect(parseSize('500M')).toBe(500 * 1024 ** 2);
    expect(parseSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('64kb')).toBe(64 * 1024);
    expect(parseSize(' 3 MB ')).toBe(3 * 1024 ** 2);
    expect(parseSize('1T')).toBe(1024 ** 4);
    expect(DEFAULT_CACHE_BYTES).toBe(5 * 1024 ** 3);
    for (const bad of ['x', '', '-1', '5X', '1.2.3', 'G', '1e9', '5 GiBs']) {
      expect(() => parseSize(bad)).toThrow(UsageError);
      expect(() => parseSize(bad)).toThrow(`--cache-size must be a size such as 500M or 2G, got '${bad}'`);
    }
    expect(() => parseSize('0')).toThrow(UsageError);
    expect(() => parseSize('0.0001K')).toThrow(/more than 0/);
  });
});

describe('clear and the cache commands', () => {
  it('clears every entry and reports what it removed', async () => {
    const workspace = fresh('workspace');
    write(workspace, { 'build/a': 'aaa', 'build/b': 'bb' });
    const cache = cacheIn('clear');
    await cache.save(request(workspace, ['build'], 'one'));
    await cache.save(request(workspace, ['build/a'], 'two'));
    expect(await cache.clear()).toEqual({ entries: 2, bytes: 8 });
    expect(await cache.list()).toEqual([]);
    expect(readdirSync(cache.root)).toEqual([]);
    expect(await cacheIn('never-used').clear()).toEqual({ entries: 0, bytes: 0 });
  });

  it('lists and clears through the CLI functions, as text and as JSON', async () => {
    const workdir = fresh('workdir');
    const workspace = fresh('workspace');
    write(workspace, { 'build/a': 'x'.repeat(2048) });
    const cache = new ArtifactCache(path.join(workdir, 'artifacts'), DEFAULT_CACHE_BYTES);
    await cache.save(request(workspace, ['build'], 'abcdef0123456789abcdef', '0123456789abcdef0123'));

    const output: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
    try {
      expect(await cacheListCommand({ workdir })).toBe(0);
      const text = output.splice(0).join('');
      expect(text).toMatch(/^KEY +COMMIT +SIZE +FILES +LAST USED +REPOSITORY\n/);
      expect(text).toContain('abcdef012345  0123456789ab  2 KiB');
      expect(text).not.toContain('abcdef0123456');
      expect(text).toContain('/src/project');
      expect(text).toMatch(/\n1 entry, 2 KiB in total\n$/);

      expect(await cacheListCommand({ workdir, json: true })).toBe(0);
      expect(JSON.parse(output.splice(0).join(''))).toEqual([expect.objectContaining({ key: 'abcdef0123456789abcdef', bytes: 2048, files: 1 })]);

      expect(await cacheClearCommand({ workdir, json: true })).toBe(0);
      expect(JSON.parse(output.splice(0).join(''))).toEqual({ entries: 1, bytes: 2048, logs: 0, logBytes: 0 });

      expect(await cacheClearCommand({ workdir })).toBe(0);
      expect(output.splice(0).join('')).toBe('removed 0 entries (0 B) and the logs of 0 hunts (0 B)\n');
      expect(await cacheListCommand({ workdir })).toBe(0);
      expect(output.splice(0).join('')).toMatch(/^No build artifacts cached/);
    } finally {
      spy.mockRestore();
    }
  });
});
