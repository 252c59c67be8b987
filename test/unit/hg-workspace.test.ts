// Mercurial workspaces: private clones that keep ignored outputs, pull new changesets on reuse, are reclaimed
// after a killed hunt, and leave the user's repository (store, phases, bookmarks, caches aside) as it was.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HgHistory } from '../../src/history/hg-history.js';
import { HgWorkspace, hgWorkspaceBase } from '../../src/probe/hg-workspace.js';
import { dirtyUpHg, hgRun, hgRunAll, hgSnapshot, linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { tempDir } from '../fixtures/scripted-repo.js';

const read = (directory: string, file: string): string => readFileSync(path.join(directory, file), 'utf8');

describe('HgWorkspace', () => {
  it('checks out any changeset privately, keeps ignored build outputs, drops untracked leftovers', async () => {
    const repo = await linearHgRepo(6, 3);
    writeFileSync(path.join(repo.dir, '.hgignore'), 'syntax: glob\nbuild/**\n');
    const [, ignoring] = hgRunAll([
      [repo.dir, ['commit', '--quiet', '--addremove', '--include', '.hgignore', '--message', 'ignore build outputs']],
      [repo.dir, ['log', '--rev', '.', '--template', '{node}']],
    ]) as [string, string];
    dirtyUpHg(repo);
    const before = hgSnapshot(repo.dir);
    const history = await HgHistory.open(repo.dir);
    const workspace = await HgWorkspace.acquire(tempDir(), history);
    try {
      expect(workspace.directory.startsWith(repo.dir)).toBe(false);
      await workspace.checkout(repo.commits[1]!);
      expect(read(workspace.directory, 'state.txt')).toBe('ok\n');
      await workspace.checkout(ignoring);
      spawnSync('sh', ['-c', 'mkdir -p build && echo out > build/out && echo junk > junk.txt && echo edit >> state.txt && rm file-0.txt'], { cwd: workspace.directory });
      await workspace.checkout(ignoring);
      expect(read(workspace.directory, 'state.txt')).toBe('bug\n');
      expect(existsSync(path.join(workspace.directory, 'file-0.txt'))).toBe(true);
      expect(existsSync(path.join(workspace.directory, 'build', 'out'))).toBe(true);
      expect(existsSync(path.join(workspace.directory, 'junk.txt'))).toBe(false);
      // At a changeset without the ignore rule the outputs are plain untracked files, and go.
      await workspace.checkout(repo.commits[2]!);
      expect(existsSync(path.join(workspace.directory, 'build'))).toBe(false);
      expect(existsSync(path.join(workspace.directory, 'file-3.txt'))).toBe(false);
      expect(workspace.environment(repo.commits[2]!)).toEqual({ HG_NODE: repo.commits[2] });
      // Whatever the test does with hg in its workspace stays there.
      spawnSync('sh', ['-c', 'echo more > more.txt && hg add -q more.txt && hg commit -q -m local && hg phase -p . && hg bookmark -f main'], {
        cwd: workspace.directory,
        env: { ...process.env, HGRCPATH: '', HGUSER: 'Test <t@e>' },
      });
    } finally {
      workspace.release();
    }
    expect(hgSnapshot(repo.dir)).toEqual(before);
  });

  it('pulls changesets committed since the slot was cloned', async () => {
    const repo = await linearHgRepo(3, 1);
    const history = await HgHistory.open(repo.dir);
    const cache = tempDir();
    const first = await HgWorkspace.acquire(cache, history);
    await first.checkout(repo.head);
    first.release();
    writeFileSync(path.join(repo.dir, 'later.txt'), 'later\n');
    const [, later] = hgRunAll([
      [repo.dir, ['commit', '--quiet', '--addremove', '--message', 'later']],
      [repo.dir, ['log', '--rev', '.', '--template', '{node}']],
    ]) as [string, string];
    const again = await HgWorkspace.acquire(cache, history);
    expect(again.directory).toBe(first.directory);
    await again.checkout(later);
    expect(read(again.directory, 'later.txt')).toBe('later\n');
    again.release();
  });

  it('gives two live hunts different slots and reuses a released one', async () => {
    const repo = await linearHgRepo(3, 1);
    const history = await HgHistory.open(repo.dir);
    const cache = tempDir();
    const first = await HgWorkspace.acquire(cache, history);
    const second = await HgWorkspace.acquire(cache, history);
    expect(second.directory).not.toBe(first.directory);
    second.release();
    first.release();
    const again = await HgWorkspace.acquire(cache, history);
    expect(again.directory).toBe(first.directory);
    expect(readdirSync(hgWorkspaceBase(cache, history)).sort()).toEqual(['ws-0', 'ws-0.lock']);
    again.release();
  });

  it("reclaims a dead hunt's slot, and clones afresh when the clone was cut short or its transaction abandoned", async () => {
    const repo = await linearHgRepo(3, 1);
    const history = await HgHistory.open(repo.dir);
    const cache = tempDir();
    const workspace = await HgWorkspace.acquire(cache, history);
    await workspace.checkout(repo.head);
    const dead = spawnSync('true').pid!;
    // A pull killed mid-transaction leaves its journal behind.
    writeFileSync(`${workspace.directory}.lock`, `${dead}\n`);
    writeFileSync(path.join(workspace.directory, '.hg', 'store', 'journal'), '');
    const next = await HgWorkspace.acquire(cache, history);
    expect(next.directory).toBe(workspace.directory);
    await next.checkout(repo.commits[0]!);
    expect(read(next.directory, 'state.txt')).toBe('ok\n');
    // A clone killed before it finished: no completion marker, half a store.
    writeFileSync(`${next.directory}.lock`, `${dead}\n`);
    rmSync(path.join(next.directory, '.hg', 'culprit-clone-complete'));
    rmSync(path.join(next.directory, '.hg', 'store', '00changelog.i'));
    const third = await HgWorkspace.acquire(cache, history);
    await third.checkout(repo.head);
    expect(read(third.directory, 'state.txt')).toBe('bug\n');
    third.release();
  });

  it('never acts on an enclosing repository when its own clone is gone', async () => {
    // The cache lies inside a Mercurial repository (a home directory kept in hg, say).
    const outer = path.join(tempDir(), 'home');
    mkdirSync(outer);
    writeFileSync(path.join(outer, 'tracked.txt'), 'tracked\n');
    hgRunAll([[outer, ['init']], [outer, ['commit', '--quiet', '--addremove', '--message', 'home']]]);
    writeFileSync(path.join(outer, 'precious.txt'), 'untracked\n');
    const repo = await linearHgRepo(3, 1);
    const workspace = await HgWorkspace.acquire(path.join(outer, 'cache'), await HgHistory.open(repo.dir));
    // Its working tree holds culprit's cache, which changes; everything else must not.
    const outerState = (): Record<string, string> => {
      const snapshot = hgSnapshot(outer);
      delete snapshot.workingTree;
      return { ...snapshot, precious: read(outer, 'precious.txt'), tracked: read(outer, 'tracked.txt') };
    };
    const before = outerState();
    rmSync(path.join(workspace.directory, '.hg'), { recursive: true });
    // Cloned afresh: hg never looks for the workspace's repository above it.
    await workspace.checkout(repo.head);
    expect(read(workspace.directory, 'state.txt')).toBe('bug\n');
    expect(await workspace.holds(repo.head)).toBe(true);
    expect(outerState()).toEqual(before);
    workspace.release();
  });

  it('recreates a workspace deleted between probes and goes on', async () => {
    const repo = await linearHgRepo(3, 1);
    const workspace = await HgWorkspace.acquire(tempDir(), await HgHistory.open(repo.dir));
    try {
      await workspace.checkout(repo.commits[0]!);
      expect(await workspace.holds(repo.commits[0]!)).toBe(true);
      rmSync(workspace.directory, { recursive: true, force: true });
      expect(await workspace.holds(repo.commits[0]!)).toBe(false);
      await workspace.checkout(repo.head);
      expect(read(workspace.directory, 'state.txt')).toBe('bug\n');
      expect(await workspace.holds(repo.head)).toBe(true);
      expect(await workspace.holds(repo.commits[0]!)).toBe(false);
    } finally {
      workspace.release();
    }
  });

  it('clones afresh rather than pull into a store a test shared its clone with', async () => {
    const repo = await linearHgRepo(3, 1);
    const other = path.join(tempDir(), 'other');
    mkdirSync(other);
    hgRun(other, ['init']);
    const workspace = await HgWorkspace.acquire(tempDir(), await HgHistory.open(repo.dir));
    try {
      await workspace.checkout(repo.commits[0]!);
      // What `hg share` writes: the clone's changesets now come from (and go to) the other repository's store.
      writeFileSync(path.join(workspace.directory, '.hg', 'requires'), `${read(workspace.directory, '.hg/requires')}shared\n`);
      writeFileSync(path.join(workspace.directory, '.hg', 'sharedpath'), path.join(other, '.hg'));
      await workspace.checkout(repo.head);
      expect(read(workspace.directory, 'state.txt')).toBe('bug\n');
      expect(hgRun(other, ['log', '--template', '{node}\n'])).toBe('');
    } finally {
      workspace.release();
    }
  });

  it('says the repository no longer has a changeset stripped from it since the hunt began', async () => {
    const repo = await linearHgRepo(5, 2);
    const history = await HgHistory.open(repo.dir);
    const stripped = repo.head;
    hgRun(repo.dir, ['--config', 'extensions.strip=', 'strip', '--no-backup', '--quiet', '--rev', stripped]);
    const workspace = await HgWorkspace.acquire(tempDir(), history);
    try {
      await expect(workspace.checkout(stripped)).rejects.toThrow(/no longer has commit .*pruned or rewritten/);
    } finally {
      workspace.release();
    }
  });
});

