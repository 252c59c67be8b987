// Workspaces: private, reusable across hunts, reclaimed after a killed hunt, never shared by two live hunts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../src/history/git-command.js';
import { GitHistory } from '../../src/history/git-history.js';
import { GitWorkspace, workspaceBase } from '../../src/probe/git-workspace.js';
import { processStartIdentity } from '../../src/system/process-alive.js';
import { repoSnapshot } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

describe('GitWorkspace', () => {
  it('checks out any commit privately, keeps ignored build outputs, drops untracked leftovers', async () => {
    const repo = await linearRepo(6, 3);
    const before = repoSnapshot(repo.dir);
    const history = await GitHistory.open(repo.dir);
    const workspace = await GitWorkspace.acquire(tempDir(), history);
    try {
      await workspace.checkout(repo.commits[1]!);
      expect(readFileSync(path.join(workspace.directory, 'state.txt'), 'utf8')).toBe('ok\n');
      mkdirSync(path.join(workspace.directory, '.git', 'info'), { recursive: true });
      writeFileSync(path.join(workspace.directory, '.git', 'info', 'exclude'), 'build/\n');
      spawnSync('sh', ['-c', 'mkdir -p build && echo out > build/out && echo junk > junk.txt && echo edit >> state.txt'], { cwd: workspace.directory });
      await workspace.checkout(repo.commits[4]!);
      expect(readFileSync(path.join(workspace.directory, 'state.txt'), 'utf8')).toBe('bug\n');
      expect(existsSync(path.join(workspace.directory, 'build', 'out'))).toBe(true);
      expect(existsSync(path.join(workspace.directory, 'junk.txt'))).toBe(false);
      expect(workspace.directory.startsWith(repo.dir)).toBe(false);
    } finally {
      workspace.release();
    }
    expect(repoSnapshot(repo.dir)).toEqual(before);
  });

  it('gives two live hunts different slots and reuses a released one', async () => {
    const repo = await linearRepo(3, 1);
    const history = await GitHistory.open(repo.dir);
    const cache = tempDir();
    const first = await GitWorkspace.acquire(cache, history);
    const second = await GitWorkspace.acquire(cache, history);
    expect(second.directory).not.toBe(first.directory);
    second.release();
    first.release();
    const again = await GitWorkspace.acquire(cache, history);
    expect(again.directory).toBe(first.directory);
    // The other released slot is an abandoned leftover now, and is removed.
    expect(readdirSync(workspaceBase(cache, history)).sort()).toEqual(['ws-0', 'ws-0.lock']);
    again.release();
  });

  it('reclaims the slot of a hunt that died, repairing a leftover index lock', async () => {
    const repo = await linearRepo(3, 1);
    const history = await GitHistory.open(repo.dir);
    const cache = tempDir();
    const workspace = await GitWorkspace.acquire(cache, history);
    await workspace.checkout(repo.head);
    // Simulate SIGKILL: the lock names a dead process and git's index.lock is left behind.
    const dead = spawnSync('true').pid!;
    writeFileSync(`${workspace.directory}.lock`, `${dead}\n`);
    writeFileSync(path.join(workspace.directory, '.git', 'index.lock'), '');
    const next = await GitWorkspace.acquire(cache, history);
    expect(next.directory).toBe(workspace.directory);
    await next.checkout(repo.commits[0]!);
    expect(readFileSync(path.join(next.directory, 'state.txt'), 'utf8')).toBe('ok\n');
    next.release();
  });

  it('reclaims a slot whose lock names a pid that another process has since (after a reboot)', async () => {
    const repo = await linearRepo(3, 1);
    const history = await GitHistory.open(repo.dir);
    const cache = tempDir();
    const workspace = await GitWorkspace.acquire(cache, history);
    // A live process with the lock's pid, but not the one that wrote it: another start time.
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(`${workspace.directory}.lock`, `${sleeper.pid} some-other-boot:12345\n`);
      const next = await GitWorkspace.acquire(cache, history);
      expect(next.directory).toBe(workspace.directory);
      next.release();
      // The same process, as it was recorded: the slot stays its own.
      writeFileSync(`${workspace.directory}.lock`, `${sleeper.pid} ${processStartIdentity(sleeper.pid!)}\n`);
      const other = await GitWorkspace.acquire(cache, history);
      expect(other.directory).not.toBe(workspace.directory);
      other.release();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('recreates a workspace deleted between probes and goes on', async () => {
    const repo = await linearRepo(4, 2);
    const history = await GitHistory.open(repo.dir);
    const workspace = await GitWorkspace.acquire(tempDir(), history);
    try {
      await workspace.checkout(repo.commits[0]!);
      rmSync(workspace.directory, { recursive: true, force: true });
      await workspace.checkout(repo.commits[3]!);
      expect(readFileSync(path.join(workspace.directory, 'state.txt'), 'utf8')).toBe('bug\n');
      expect(await workspace.holds(repo.commits[3]!)).toBe(true);
    } finally {
      workspace.release();
    }
  });

  it('rebuilds a git directory a test made foreign, before it checks anything out', async () => {
    const repo = await linearRepo(4, 2);
    const before = repoSnapshot(repo.dir);
    const history = await GitHistory.open(repo.dir);
    const workspace = await GitWorkspace.acquire(tempDir(), history);
    const gitDir = path.join(workspace.directory, '.git');
    const sabotage: Record<string, () => void> = {
      'a gitdir file': () => {
        rmSync(gitDir, { recursive: true, force: true });
        writeFileSync(gitDir, `gitdir: ${repo.dir}/.git\n`);
      },
      'a commondir file': () => writeFileSync(path.join(gitDir, 'commondir'), `${repo.dir}/.git\n`),
      'no .git at all': () => rmSync(gitDir, { recursive: true, force: true }),
      'core.worktree': () => spawnSync('git', ['config', 'core.worktree', repo.dir], { cwd: workspace.directory }),
      'other alternates': () => writeFileSync(path.join(gitDir, 'objects', 'info', 'alternates'), `${tempDir()}\n`),
    };
    try {
      for (const [what, damage] of Object.entries(sabotage)) {
        await workspace.checkout(repo.commits[0]!);
        damage();
        await workspace.checkout(repo.commits[3]!);
        expect(readFileSync(path.join(workspace.directory, 'state.txt'), 'utf8'), what).toBe('bug\n');
        expect(repoSnapshot(repo.dir), what).toEqual(before);
      }
    } finally {
      workspace.release();
    }
  });

  it('tells a missing working directory from a missing git', async () => {
    const gone = path.join(tempDir(), 'gone');
    await expect(git(gone, ['status'])).rejects.toThrow(new RegExp(`${gone}.*does not exist`));
    await expect(git(gone, ['status'])).rejects.not.toThrow(/not installed/);
  });
});
