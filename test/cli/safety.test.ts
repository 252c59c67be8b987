// The non-negotiables, end to end: hangs kill whole process groups (children that ignore SIGTERM too),
// the user's repository is identical after a hunt and after culprit is SIGKILLed, Ctrl-C exits 130.
import { existsSync, readFileSync, rmSync } from 'node:fs';
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
});
