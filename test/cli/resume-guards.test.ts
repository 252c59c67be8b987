// What stops a hunt from being resumed or offered for resume: another recipe environment than the one it was started
// in (refused unless --force-recipe; `run` starts a new hunt), and a live owner (a pid reused by another process is not).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { processStartIdentity } from '../../src/system/process-alive.js';
import { culprit, finished, startCulprit, whenRunning } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

function lines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function huntRow(store: string, id: number): Record<string, unknown> {
  const db = new Database(store, { readonly: true });
  try {
    return db.prepare('SELECT * FROM hunts WHERE id = ?').get(id) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

/** Starts a hunt and SIGKILLs it once `runs` test runs have started: hunt 1 is left `running`, its owner dead. */
async function killedHunt(args: string[], runsFile: string, runs: number, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const child = startCulprit(args, { env });
  const done = finished(child);
  expect(await whenRunning(child, done, () => lines(runsFile) >= runs)).toBeUndefined();
  child.kill('SIGKILL');
  expect((await done).signal).toBe('SIGKILL');
}

describe('resume guards', () => {
  it('refuses to resume a hunt under another keyed environment unless --force-recipe; run starts a new hunt and says why', async () => {
    const repo = await linearRepo(40, 21);
    const scratch = tempDir();
    const store = path.join(scratch, 'store.sqlite');
    const runs = path.join(scratch, 'runs');
    const common = ['--repo', repo.dir, '--store', store, '--workdir', path.join(scratch, 'cache')];
    const run = ['run', '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--json', '--test', `echo "$CFLAGS" >> ${runs}; sleep 0.2; grep -q ok state.txt`, ...common];
    await killedHunt(run, runs, 3, { CFLAGS: 'A' });
    const before = huntRow(store, 1);
    const ranBefore = lines(runs);

    const refused = await culprit(['resume', '1', ...common], { env: { CFLAGS: 'B' } });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr.trim().split('\n'), refused.stderr).toHaveLength(1);
    expect(refused.stderr).toContain("hunt 1 was started with CFLAGS='A', now CFLAGS='B'");
    expect(refused.stderr).toContain('--force-recipe');
    expect(refused.stderr).toContain('culprit run');
    // Nothing ran and the hunt is as it was.
    expect(lines(runs)).toBe(ranBefore);
    expect(huntRow(store, 1)).toEqual(before);

    // The same command line under CFLAGS=B is another hunt: a new one, said so once, never a silent resume of hunt 1.
    const fresh = await culprit(run, { env: { CFLAGS: 'B' } });
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ hunt: 2, firstBad: { commit: repo.culprit } });
    expect(fresh.stderr.split('\n').filter((line) => /hunt 1\b/.test(line)), fresh.stderr).toEqual([expect.stringContaining("hunt 1 with the same arguments was started with CFLAGS='A', now CFLAGS='B'")]);
    expect(readFileSync(runs, 'utf8').split('\n').slice(ranBefore).filter(Boolean).every((value) => value === 'B')).toBe(true);

    const forced = await culprit(['resume', '1', '--force-recipe', '--json', ...common], { env: { CFLAGS: 'B' } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ hunt: 1, firstBad: { commit: repo.culprit } });
    expect(forced.stderr).toMatch(/--force-recipe/);
  }, 120_000);

  it('does not offer for resume a hunt that another process is running', async () => {
    const repo = await linearRepo(30, 17);
    const scratch = tempDir();
    const store = path.join(scratch, 'store.sqlite');
    const [runsA, gate] = [path.join(scratch, 'runs-a'), path.join(scratch, 'gate')];
    const common = ['--repo', repo.dir, '--store', store, '--workdir', path.join(scratch, 'cache'), '--narrow', 'none', '--bad', repo.head];
    writeFileSync(gate, '');
    // Hunt 1 is held at its first test run until the gate goes; hunt 2 (other arguments) starts and ends meanwhile.
    const first = startCulprit(['run', '--good', repo.commits[0]!, '--test', `echo run >> ${runsA}; while test -e ${gate}; do sleep 0.05; done; grep -q ok state.txt`, ...common]);
    const firstDone = finished(first);
    try {
      expect(await whenRunning(first, firstDone, () => lines(runsA) > 0)).toBeUndefined();
      const second = await culprit(['run', '--good', repo.commits[1]!, '--test', 'grep -q ok state.txt', ...common]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).not.toMatch(/culprit resume 1\b/);
      expect(second.stderr).not.toMatch(/hunt 1 .*unfinished/);
    } finally {
      rmSync(gate, { force: true });
    }
    expect((await firstDone).code).toBe(0);
  }, 120_000);

  it('claims a hunt whose owner pid now names an unrelated process, and refuses one whose owner is that very process', async () => {
    const repo = await linearRepo(30, 17);
    const scratch = tempDir();
    const store = path.join(scratch, 'store.sqlite');
    const runs = path.join(scratch, 'runs');
    const common = ['--repo', repo.dir, '--store', store, '--workdir', path.join(scratch, 'cache')];
    await killedHunt(['run', '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--test', `echo run >> ${runs}; sleep 0.2; grep -q ok state.txt`, ...common], runs, 2);
    const sleeper = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      const forge = (start: string | undefined): void => {
        const db = new Database(store);
        db.prepare(`UPDATE hunts SET status = 'running', owner_pid = ?, owner_start = ? WHERE id = 1`).run(sleeper.pid, start ?? null);
        db.close();
      };
      // The pid's process started at another time (or on another boot) than the hunt's owner: the owner is gone.
      forge('another-boot:12345');
      const claimed = await culprit(['resume', '1', '--json', ...common]);
      expect(claimed.code, claimed.stderr).toBe(0);
      expect(JSON.parse(claimed.stdout)).toMatchObject({ hunt: 1, firstBad: { commit: repo.culprit } });

      const identity = processStartIdentity(sleeper.pid!);
      expect(identity).toBeDefined();
      const db = new Database(store);
      db.prepare(`UPDATE hunts SET result = NULL, finished_at = NULL WHERE id = 1`).run();
      db.close();
      forge(identity);
      const refused = await culprit(['resume', '1', ...common]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`hunt 1 is running in process ${sleeper.pid}`));
    } finally {
      sleeper.kill('SIGKILL');
    }
  }, 120_000);
});
