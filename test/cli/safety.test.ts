// The non-negotiables, end to end: hangs kill whole process groups (children that ignore SIGTERM too),
// the user's repository is identical after a hunt and after culprit is SIGKILLed, Ctrl-C exits 130.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, dirtyUp, finished, processAlive, repoSnapshot, startCulprit, whenRunning } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A test that hangs on bad commits, leaving children that ignore SIGTERM, and records their pids. */
function hangingTest(pidFile: string): string {
  return [
    'grep -q ok state.txt && exit 0',
    `(trap '' TERM; sleep 300) & echo $! >> ${pidFile}`,
    `(trap '' TERM; sh -c 'trap "" TERM; sleep 300' & echo $! >> ${pidFile}; wait) & echo $! >> ${pidFile}`,
    `sleep 300 & echo $! >> ${pidFile}`,
    'wait',
  ].join('\n');
}

describe('hangs and process groups', () => {
  it('reads a hang as `hang`, counts it bad, and leaves none of the test processes alive', async () => {
    const repo = await linearRepo(12, 7);
    const pidFile = path.join(tempDir(), 'pids');
    const result = await culprit(
      ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--timeout', '1', '--grace', '0.5', '--test', hangingTest(pidFile), '--json'],
      { env: { XDG_CACHE_HOME: tempDir() } },
    );
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    const hangs = document.probes.filter((probe: { verdict: string }) => probe.verdict === 'hang');
    expect(hangs.length).toBeGreaterThan(0);
    expect(document.probes.every((probe: { verdict: string }) => probe.verdict === 'good' || probe.verdict === 'hang')).toBe(true);
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(hangs.length * 3);
    expect(pids.filter(processAlive)).toEqual([]);
  });

  it('stops the probe group, cleans up and exits 130 on SIGINT', async () => {
    const repo = await linearRepo(12, 7);
    const pidFile = path.join(tempDir(), 'pids');
    const cache = tempDir();
    const child = startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--timeout', '60', '--no-verify', '--test', hangingTest(pidFile)], {
      env: { XDG_CACHE_HOME: cache },
    });
    const done = finished(child);
    // Ctrl-C once the hanging test has started all four of its processes.
    const started = (): number => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).length : 0);
    expect(await whenRunning(child, done, () => started() >= 4)).toBeUndefined();
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted/);
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids.filter(processAlive)).toEqual([]);
    // The workspace slot is released: its lock file is gone.
    const base = path.join(cache, 'culprit', 'workspaces');
    const { readdirSync } = await import('node:fs');
    const slots = readdirSync(path.join(base, readdirSync(base)[0]!));
    expect(slots.filter((name) => name.endsWith('.lock'))).toEqual([]);
  });
});

describe("the user's checkout is sacred", () => {
  it('leaves refs, HEAD, index, working tree, untracked files and stash identical after a hunt', async () => {
    const repo = await linearRepo(20, 11);
    dirtyUp(repo.dir);
    const before = repoSnapshot(repo.dir);
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt'], { env: { XDG_CACHE_HOME: tempDir() } });
    expect(result.code).toBe(0);
    expect(repoSnapshot(repo.dir)).toEqual(before);
  });

  it('leaves the repository identical when culprit is SIGKILLed mid-probe, and the next hunt recovers', async () => {
    const repo = await linearRepo(20, 11);
    dirtyUp(repo.dir);
    const before = repoSnapshot(repo.dir);
    const cache = tempDir();
    const marker = path.join(tempDir(), 'started');
    // Two kills at arbitrary moments (whatever culprit is doing then, the repository must be as it was), and one
    // once a test has started, so that at least one kill lands mid-probe however slow the machine is.
    for (const delay of [150, 700, -1]) {
      rmSync(marker, { force: true });
      const child = startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', `touch ${marker}; sleep 0.2; grep -q ok state.txt`], {
        env: { XDG_CACHE_HOME: cache },
      });
      const done = finished(child);
      if (delay >= 0) await sleep(delay);
      else expect(await whenRunning(child, done, () => existsSync(marker))).toBeUndefined();
      child.kill('SIGKILL');
      await done;
      expect(repoSnapshot(repo.dir)).toEqual(before);
    }
    expect(existsSync(marker)).toBe(true);
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--json'], { env: { XDG_CACHE_HOME: cache } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).firstBad.commit).toBe(repo.culprit);
    expect(repoSnapshot(repo.dir)).toEqual(before);
  });

  /**
   * Hunts whose test does `reach` to its workspace on every probe: the answer must be right and the user's repository
   * untouched. Later hunts share the first one's cache, so they start in the workspace the last test left.
   */
  async function huntReaching(reach: (userRepo: string) => string, hunts = 1): Promise<void> {
    const repo = await linearRepo(20, 11);
    dirtyUp(repo.dir);
    const before = repoSnapshot(repo.dir);
    const cache = tempDir();
    for (let hunt = 1; hunt <= hunts; hunt++) {
      // A test of its own per hunt, so that no verdict is reused and every hunt probes.
      const test = `: hunt ${hunt}\n${reach(repo.dir)}\ngrep -q ok state.txt`;
      const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--test', test, '--json'], { env: { XDG_CACHE_HOME: cache } });
      expect(repoSnapshot(repo.dir)).toEqual(before);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).firstBad.commit).toBe(repo.culprit);
    }
  }

  it('keeps the repository identical when a test points its workspace\'s core.worktree at it', async () => {
    await huntReaching((userRepo) => `git config core.worktree '${userRepo}'`);
  });

  it('keeps the repository identical when a test replaces its workspace\'s .git with a gitdir file naming the user\'s', async () => {
    await huntReaching((userRepo) => `rm -rf .git && printf 'gitdir: %s\\n' '${userRepo}/.git' > .git`);
  });

  it('keeps the index identical when a test links its workspace\'s index to the user\'s', async () => {
    await huntReaching((userRepo) => `rm -f .git/index && ln -s '${userRepo}/.git/index' .git/index`);
  });

  it('keeps the reflogs identical when a test links its workspace\'s logs to the user\'s', async () => {
    await huntReaching((userRepo) => `rm -rf .git/logs && ln -s '${userRepo}/.git/logs' .git/logs`);
  });

  it('writes no alternates into the repository when a test links its workspace\'s objects/info to the user\'s', async () => {
    await huntReaching((userRepo) => `rm -rf .git/objects/info && ln -s '${userRepo}/.git/objects/info' .git/objects/info`, 2);
  });

  it('finds the right commit when a test makes its workspace a sparse checkout of nothing', async () => {
    await huntReaching(() => 'git config core.sparseCheckout true && mkdir -p .git/info && echo /nothing > .git/info/sparse-checkout');
  });

  it('refuses a --workdir inside the repository in one line, creating nothing', async () => {
    const repo = await linearRepo(4, 2);
    dirtyUp(repo.dir);
    const before = repoSnapshot(repo.dir);
    const store = path.join(tempDir(), 'hunts.sqlite');
    for (const workdir of [path.join(repo.dir, 'cache'), repo.dir]) {
      const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--workdir', workdir, '--store', store]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^culprit: culprit's cache directory .* is inside the repository .*; pass --workdir naming a directory outside it$/)]);
      expect(existsSync(store)).toBe(false);
      expect(repoSnapshot(repo.dir)).toEqual(before);
    }
    expect(existsSync(path.join(repo.dir, 'cache'))).toBe(false);
  });

  it('re-initialises a workspace whose test removed its .git, never letting git find an enclosing repository', async () => {
    // The cache lives inside some other repository (a home directory kept in git, say).
    const home = tempDir();
    const run = (args: string[]): void => {
      const done = spawnSync('git', args, { cwd: home, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
      if (done.status !== 0) throw new Error(done.stderr);
    };
    run(['init', '-q']);
    writeFileSync(path.join(home, 'dotfile'), 'mine\n');
    run(['add', 'dotfile']);
    run(['commit', '-q', '-m', 'home']);
    writeFileSync(path.join(home, 'dotfile'), 'edited\n');
    writeFileSync(path.join(home, 'staged'), 'staged\n');
    run(['add', 'staged']);
    writeFileSync(path.join(home, 'untracked'), 'untracked\n');
    mkdirSync(path.join(home, 'cache'));
    writeFileSync(path.join(home, '.git', 'info', 'exclude'), 'cache/\n');
    // Its working tree holds culprit's cache, which changes; everything else must not.
    const homeState = (): unknown => {
      const snapshot = repoSnapshot(home);
      delete snapshot.workingTree;
      return { ...snapshot, files: ['dotfile', 'staged', 'untracked'].map((file) => readFileSync(path.join(home, file), 'utf8')) };
    };
    const homeBefore = homeState();
    const repo = await linearRepo(20, 11);
    const before = repoSnapshot(repo.dir);
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--workdir', path.join(home, 'cache'), '--test', 'rm -rf .git; git status --short >/dev/null 2>&1 && exit 3; grep -q ok state.txt', '--json']);
    expect(repoSnapshot(repo.dir)).toEqual(before);
    expect(homeState()).toEqual(homeBefore);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).firstBad.commit).toBe(repo.culprit);
  });
});
