// Hunts that survive anything: SIGKILL at seeded points of a hunt then resume (same answer, no finished probe repeated,
// an intact store), Ctrl-C, the verdict cache (a second identical hunt runs nothing), two hunts at once.
// Signals are sent at points of progress (a test run has started or ended), never after a wall-clock delay.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { culprit, finished, processAlive, startCulprit, whenRunning, type CliResult } from '../fixtures/cli.js';
import { seededRandom } from '../fixtures/random-history.js';
import { narrowingRepo } from '../fixtures/narrowing-repo.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

/**
 * A test that logs every run (and its pid) outside the repository, takes a moment, and reads state.txt;
 * with `ends`, it also logs there that it is about to exit.
 */
function countingTest(counter: string, pids: string, seconds = 0.15, ends?: string): string {
  const test = `echo "$CULPRIT_COMMIT" >> ${counter}; echo $$ >> ${pids}; sleep ${seconds}; grep -q ok state.txt`;
  return ends === undefined ? test : `${test}; status=$?; echo end >> ${ends}; exit $status`;
}

function lines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function integrity(store: string): string {
  const db = new Database(store, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

describe('resume', () => {
  it('survives SIGKILL at seeded points: same answer, at most one repeated probe per kill, an intact store', async () => {
    const repo = await linearRepo(160, 101);
    const scratch = tempDir();
    const counter = path.join(scratch, 'runs');
    const pids = path.join(scratch, 'pids');
    const ends = path.join(scratch, 'ends');
    const test = countingTest(counter, pids, 0.15, ends);
    const args = (store: string): string[] => ['--repo', repo.dir, '--store', store, '--workdir', path.join(scratch, 'cache'), '--json'];
    const run = (store: string): string[] => ['run', '--good', repo.commits[0]!, '--bad', repo.head, '--test', test, '--no-cache', '--narrow', 'none', ...args(store)];

    const reference = await culprit(run(path.join(scratch, 'reference.sqlite')));
    expect(reference.code, reference.stderr).toBe(0);
    const uninterrupted = lines(counter);
    writeFileSync(counter, '');

    const store = path.join(scratch, 'killed.sqlite');
    // The seed picks where each kill lands: at start-up (the first attempt, once the workspaces are being made, before
    // any test ran), during the 1st-3rd test run from here, or just after the 1st-2nd one ended (while culprit
    // records its verdict and checks out the next commit). The schedule is the same on every run of the test.
    const random = seededRandom(4242);
    let kills = 0;
    let final: CliResult | undefined;
    for (let attempt = 0; attempt < 12 && !final; attempt++) {
      const viaResume = attempt % 3 === 2;
      const [started, ended] = [lines(counter), lines(ends)];
      const during = random() < 0.6;
      const nth = during ? 1 + Math.floor(random() * 3) : 1 + Math.floor(random() * 2);
      const ready =
        attempt === 0
          ? (): boolean => existsSync(path.join(scratch, 'cache', 'workspaces'))
          : during
            ? (): boolean => lines(counter) >= started + nth
            : (): boolean => lines(ends) >= ended + nth;
      const child = startCulprit(viaResume ? ['resume', ...args(store)] : run(store));
      const done = finished(child);
      const outcome = (await whenRunning(child, done, ready)) ?? (child.kill('SIGKILL'), await done);
      if (outcome.signal === 'SIGKILL') {
        kills += 1;
      } else if (outcome.code === 0) {
        final = outcome;
      } else {
        expect(viaResume && outcome.code === 2, outcome.stderr).toBe(true); // resume before any hunt existed
      }
    }
    final ??= await culprit(run(store));
    expect(final.code, final.stderr).toBe(0);
    const document = JSON.parse(final.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    expect(document.firstBad.commit).toBe(JSON.parse(reference.stdout).firstBad.commit);
    expect(kills).toBeGreaterThanOrEqual(5);
    const why = `uninterrupted ${uninterrupted} runs, ${kills} kills; runs:\n${readFileSync(counter, 'utf8')}\nlast stderr:\n${final.stderr}`;
    expect(lines(counter), why).toBeLessThanOrEqual(uninterrupted + kills);
    expect(integrity(store)).toBe('ok');
    // Every restart continued the one hunt: `run` with the same arguments resumes, it does not start over.
    expect(JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout)).toHaveLength(1);
    // Tests left running by a killed culprit are swept by the next start (which waits until they are gone): none survives.
    const alive = readFileSync(pids, 'utf8').trim().split('\n').map(Number).filter(processAlive);
    expect(alive).toEqual([]);
  }, 240_000);

  it('Ctrl-C stops with a resume hint; resume finishes; resuming a finished hunt runs nothing', async () => {
    const repo = await linearRepo(40, 23);
    const scratch = tempDir();
    const counter = path.join(scratch, 'runs');
    const store = path.join(scratch, 'store.sqlite');
    const common = ['--repo', repo.dir, '--store', store, '--workdir', path.join(scratch, 'cache')];
    const child = startCulprit(['run', '--good', repo.commits[0]!, '--bad', repo.head, '--test', countingTest(counter, path.join(scratch, 'pids'), 0.3), '--narrow', 'none', ...common]);
    const done = finished(child);
    // Ctrl-C during the 4th test run: the two endpoints and the first bisection step are done.
    expect(await whenRunning(child, done, () => lines(counter) >= 4)).toBeUndefined();
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    const id = /culprit resume (\d+)/.exec(stopped.stderr)?.[1];
    expect(id, stopped.stderr).toBeDefined();
    const before = lines(counter);
    const resumed = await culprit(['resume', id!, '--json', ...common]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const document = JSON.parse(resumed.stdout);
    expect(document.hunt).toBe(Number(id));
    expect(document.firstBad.commit).toBe(repo.culprit);
    expect(document.probes.some((probe: { source: string }) => probe.source === 'resumed')).toBe(true);
    expect(resumed.stderr).toMatch(/resumed with \d+ probes? already done/);
    const afterResume = lines(counter);
    expect(afterResume - before).toBeLessThan(document.probes.length);
    const again = await culprit(['resume', id!, ...common]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`hunt ${id} has already finished`);
    expect(again.stdout).toContain(`${repo.culprit} is the first bad commit`);
    expect(lines(counter)).toBe(afterResume);
  }, 120_000);

  it('a second identical hunt runs nothing; --no-cache and an edited test script run again', async () => {
    const repo = await linearRepo(30, 17);
    const scratch = tempDir();
    const counter = path.join(scratch, 'runs');
    const script = path.join(scratch, 'check.sh');
    writeFileSync(script, `#!/bin/sh\necho run >> ${counter}\ngrep -q ok state.txt\n`, { mode: 0o755 });
    const hunt = (...extra: string[]): Promise<CliResult> =>
      culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--json', '--narrow', 'none', '--workdir', path.join(scratch, 'cache'), ...extra, '--', script]);
    const first = await hunt();
    expect(first.code, first.stderr).toBe(0);
    const runs = lines(counter);
    const second = await hunt();
    expect(second.code).toBe(0);
    expect(lines(counter)).toBe(runs);
    const document = JSON.parse(second.stdout);
    expect(document.hunt).not.toBe(JSON.parse(first.stdout).hunt);
    expect(document.firstBad.commit).toBe(repo.culprit);
    expect(document.probes.every((probe: { source: string }) => probe.source === 'cached')).toBe(true);
    expect(second.stderr).toMatch(/cached/);
    // With --json the summary goes to stderr: it says how many verdicts were reused, and how not to.
    expect(second.stderr).toContain(`${document.probes.length} verdicts reused from the cache (earlier runs of the same trees and recipe); pass --no-cache if something outside the tree changed`);
    await hunt('--no-cache');
    expect(lines(counter)).toBe(2 * runs);
    writeFileSync(script, `#!/bin/sh\n# edited\necho run >> ${counter}\ngrep -q ok state.txt\n`, { mode: 0o755 });
    await hunt();
    expect(lines(counter)).toBe(3 * runs);
  }, 120_000);

  it('narrowing probes are stored too: killed mid-narrowing, a resume repeats at most one; an identical hunt runs none', async () => {
    const repo = await narrowingRepo();
    const scratch = tempDir();
    const counter = path.join(scratch, 'runs');
    const store = path.join(scratch, 'store.sqlite');
    const test = `echo run >> ${counter}; sleep 0.2; test "$(grep -c "const RETRIED" src/errors.js)" -eq 1 || exit 3; ! grep -q EBADF src/errors.js`;
    const hunt = (file: string): string[] => ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--store', file, '--workdir', path.join(scratch, 'cache'), '--json', '--test', test];
    const reference = await culprit(hunt(path.join(scratch, 'reference.sqlite')));
    expect(reference.code, reference.stderr).toBe(0);
    const uninterrupted = lines(counter);
    writeFileSync(counter, '');

    const child = startCulprit(hunt(store));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = finished(child);
    expect(await whenRunning(child, done, () => /^narrow +\d+ .*file level/m.test(stderr))).toBeUndefined();
    child.kill('SIGKILL');
    await done;
    const resumed = await culprit(['resume', '--repo', repo.dir, '--store', store, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const narrowed = JSON.parse(resumed.stdout).narrowed;
    expect(narrowed.diff).toBe(JSON.parse(reference.stdout).narrowed.diff);
    expect(narrowed.diff).toContain("'EBADF'");
    expect(lines(counter)).toBeLessThanOrEqual(uninterrupted + 1);

    const before = lines(counter);
    const again = await culprit(hunt(store));
    expect(again.code).toBe(0);
    expect(lines(counter), again.stderr).toBe(before);
    expect(JSON.parse(again.stdout).narrowed.diff).toBe(narrowed.diff);
  }, 120_000);

  it('mentions an unfinished hunt, refuses to resume a running one, and runs two hunts on one store at once', async () => {
    const scratch = tempDir();
    const store = path.join(scratch, 'store.sqlite');
    const [a, b] = await Promise.all([linearRepo(60, 31), linearRepo(60, 44)]);
    // Each test run logs itself to `runs`, and waits while the file `gate` exists: the hunt is held at its first runs.
    const slow = (repo: typeof a, runs: string, gate = path.join(scratch, 'no-gate')): string[] => [
      'run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--store', store, '--narrow', 'none', '--workdir', path.join(scratch, 'cache'), '--json',
      '--test', `echo run >> ${runs}; while test -e ${gate}; do sleep 0.05; done; sleep 0.2; grep -q ok state.txt`,
    ];
    const [runsA, runsB, gate] = ['runs-a', 'runs-b', 'gate'].map((name) => path.join(scratch, name)) as [string, string, string];
    writeFileSync(gate, '');
    const child = startCulprit(slow(a, runsA, gate));
    const running = finished(child);
    expect(await whenRunning(child, running, () => lines(runsA) > 0)).toBeUndefined();
    const other = await culprit(['resume', '1', '--store', store]);
    expect(other.code).toBe(2);
    expect(other.stderr.trim().split('\n')).toHaveLength(1);
    expect(other.stderr).toMatch(/hunt 1 is running in process \d+/);
    // Meanwhile a second hunt on the same store, in another repository: the first goes on once the second has begun.
    const secondChild = startCulprit(slow(b, runsB));
    const secondDone = finished(secondChild);
    expect(await whenRunning(secondChild, secondDone, () => lines(runsB) > 0)).toBeUndefined();
    rmSync(gate);
    const [first, second] = await Promise.all([running, secondDone]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(first.stdout).firstBad.commit).toBe(a.culprit);
    expect(JSON.parse(second.stdout).firstBad.commit).toBe(b.culprit);
    expect(integrity(store)).toBe('ok');

    // An interrupted hunt is mentioned by a run with other arguments.
    const stoppedRuns = path.join(scratch, 'runs-stopped');
    const stopped = startCulprit(['run', '--repo', a.dir, '--good', a.commits[0]!, '--bad', a.head, '--store', store, '--narrow', 'none', '--no-cache', '--workdir', path.join(scratch, 'cache'), '--test', `echo run >> ${stoppedRuns}; sleep 0.3; grep -q ok state.txt`]);
    const stoppedDone = finished(stopped);
    expect(await whenRunning(stopped, stoppedDone, () => lines(stoppedRuns) > 0)).toBeUndefined();
    stopped.kill('SIGKILL');
    await stoppedDone;
    const mention = await culprit(['run', '--repo', a.dir, '--good', a.commits[1]!, '--bad', a.head, '--store', store, '--narrow', 'none', '--workdir', path.join(scratch, 'cache'), '--test', 'grep -q ok state.txt']);
    expect(mention.code).toBe(0);
    expect(mention.stderr).toMatch(/hunt \d+ on this repository is unfinished .*culprit resume \d+/);
  }, 120_000);
});
