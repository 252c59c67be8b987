// Workspaces: private, reusable across hunts, reclaimed after a killed hunt, never shared by two live hunts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../src/history/git-command.js';
import { GitHistory } from '../../src/history/git-history.js';
import { GitWorkspace, workspaceBase } from '../../src/probe/git-workspace.js';
import { processStartIdentity } from '../../src/system/process-alive.js';
import { dirtyUp, repoSnapshot } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

describe('GitWorkspace', () => {
  it('checks out any commit privately, keeps ignored build outputs, drops untracked leftovers', async () => {
    const repo = await linearRepo(6, 3);
    // The commits' own ignore rules keep build outputs: a test's .git/info/exclude would make the workspace foreign.
    spawnSync('sh', ['-c', 'echo build/ > .gitignore && git add .gitignore && git -c user.name=t -c user.email=t@e commit -qm ignore'], { cwd: repo.dir });
    const ignoring = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).stdout.trim();
    const before = repoSnapshot(repo.dir);
    const history = await GitHistory.open(repo.dir);
    const workspace = await GitWorkspace.acquire(tempDir(), history);
    try {
      await workspace.checkout(repo.commits[1]!);
      expect(readFileSync(path.join(workspace.directory, 'state.txt'), 'utf8')).toBe('ok\n');
      await workspace.checkout(ignoring);
      spawnSync('sh', ['-c', 'mkdir -p build && echo out > build/out && echo junk > junk.txt && echo edit >> state.txt'], { cwd: workspace.directory });
      await workspace.checkout(ignoring);
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

  /** What a test may do to its workspace's git directory that must not reach the user's repository or later checkouts. */
  function sabotages(userRepo: string, commits: string[]): Record<string, string> {
    const user = `${userRepo}/.git`;
    return {
      'a gitdir file': `rm -rf .git && echo 'gitdir: ${user}' > .git`,
      'a commondir file': `echo '${user}' > .git/commondir`,
      'no .git at all': 'rm -rf .git',
      'core.worktree': `git config core.worktree '${userRepo}'`,
      'other alternates': `echo '${tempDir()}' > .git/objects/info/alternates`,
      // Links into the user's git directory: git writes through them (it locks and renames the link's target).
      'a linked index': `rm -f .git/index && ln -s '${user}/index' .git/index`,
      'linked logs': `rm -rf .git/logs && ln -s '${user}/logs' .git/logs`,
      // A hard link too: git appends to an existing reflog in place, whatever core.logAllRefUpdates says.
      'a hard-linked reflog': `mkdir -p .git/logs && rm -f .git/logs/HEAD && ln '${user}/logs/refs/stash' .git/logs/HEAD`,
      'linked objects/info': `rm -rf .git/objects/info && ln -s '${user}/objects/info' .git/objects/info`,
      // Settings that change what the next checkout writes or what the clean keeps.
      'a sparse checkout': 'git config core.sparseCheckout true && mkdir -p .git/info && echo /nothing > .git/info/sparse-checkout',
      'core.autocrlf': 'git config core.autocrlf true',
      'info/attributes': 'mkdir -p .git/info && echo "* text eol=crlf" > .git/info/attributes',
      'a filter driver': 'git config filter.x.smudge "sed s/bug/ok/" && mkdir -p .git/info && echo "* filter=x" > .git/info/attributes',
      'info/exclude': 'mkdir -p .git/info && echo "*" > .git/info/exclude',
      // Read by the next checkout where its commit has no .gitattributes, before the clean removes it.
      'an untracked .gitattributes': 'echo "* text eol=crlf" > .gitattributes',
      // …kept by every clean but for this: the test made it ignored itself.
      'an ignored .gitattributes': 'echo "* text eol=crlf" > .gitattributes && printf ".gitattributes\\n.gitignore\\n" > .gitignore',
      'a replace ref': `git replace ${commits[3]} ${commits[1]}`,
    };
  }

  describe('rebuilds a git directory a test made foreign or reconfigured, before anything is written', () => {
    for (const what of Object.keys(sabotages('', []))) {
      for (const between of ['probes', 'hunts']) {
        it(`${what}, between ${between}`, async () => {
          const repo = await linearRepo(4, 2);
          dirtyUp(repo.dir);
          const before = repoSnapshot(repo.dir);
          const history = await GitHistory.open(repo.dir);
          const cache = tempDir();
          let workspace = await GitWorkspace.acquire(cache, history);
          try {
            await workspace.checkout(repo.commits[0]!);
            const damage = sabotages(repo.dir, repo.commits)[what]!;
            const done = spawnSync('sh', ['-c', `echo junk > junk.txt && ${damage}`], { cwd: workspace.directory, encoding: 'utf8' });
            expect(done.status, done.stderr).toBe(0);
            if (between === 'hunts') {
              workspace.release();
              workspace = await GitWorkspace.acquire(cache, history);
            }
            await workspace.checkout(repo.commits[3]!);
            expect(repoSnapshot(repo.dir)).toEqual(before);
            expect(readFileSync(path.join(workspace.directory, 'state.txt'), 'utf8')).toBe('bug\n');
            expect(existsSync(path.join(workspace.directory, 'junk.txt'))).toBe(false);
          } finally {
            workspace.release();
          }
        });
      }
    }
  });

  it('holds a checkout the test committed on top of, and not one it moved to a later commit of the repository', async () => {
    const repo = await linearRepo(6, 3);
    const history = await GitHistory.open(repo.dir);
    const workspace = await GitWorkspace.acquire(tempDir(), history);
    const inWorkspace = (script: string): void => {
      const done = spawnSync('sh', ['-c', script], { cwd: workspace.directory, encoding: 'utf8' });
      if (done.status !== 0) throw new Error(done.stderr);
    };
    const commit = 'git -c user.name=t -c user.email=t@e commit -q --allow-empty -m mine';
    try {
      await workspace.checkout(repo.commits[1]!);
      inWorkspace(`${commit} && ${commit}`);
      expect(await workspace.holds(repo.commits[1]!)).toBe(true);
      await workspace.checkout(repo.commits[1]!);
      inWorkspace(`git checkout -q ${repo.commits[4]!}`);
      expect(await workspace.holds(repo.commits[1]!)).toBe(false);
      await workspace.checkout(repo.commits[1]!);
      inWorkspace(`git checkout -q -b later ${repo.commits[4]!} && ${commit}`);
      expect(await workspace.holds(repo.commits[1]!)).toBe(false);
      await workspace.checkout(repo.commits[1]!);
      inWorkspace(`git checkout -q -b mixed && ${commit} && git -c user.name=t -c user.email=t@e merge -q --no-edit ${repo.commits[4]!}`);
      expect(await workspace.holds(repo.commits[1]!)).toBe(false);
      await workspace.checkout(repo.commits[1]!);
      inWorkspace(`git checkout -q -b mine && ${commit}`);
      expect(await workspace.holds(repo.commits[1]!)).toBe(true);
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
