// End to end, what culprit does with a probe's processes when culprit itself is paused, killed or interrupted twice:
// a stopped culprit does not invent hangs, a second Ctrl-C kills what ignores SIGTERM, a killed culprit's daemons die.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, finished, processAlive, startCulprit, whenRunning } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';
import { cgroupDirectory, cgroupUnavailable, probeCgroupsOf } from '../fixtures/cgroup.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, deadlineMs = 60_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number) : [];
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' }).map((name) => path.join(directory, name));
}

function killQuietly(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

describe('a paused culprit', () => {
  it('does not call a test that passed while culprit was stopped a hang', async () => {
    // commits 0..2, the culprit is 2: the one candidate, commit 1, is good.
    const repo = await linearRepo(3, 2);
    const scratch = tempDir();
    const started = path.join(scratch, 'started');
    const release = path.join(scratch, 'release');
    const passed = path.join(scratch, 'passed');
    // Only the first good run waits: it finishes (exit 0) while culprit is stopped.
    const test = `grep -q ok state.txt || exit 1\nif [ ! -f '${release}' ]; then touch '${started}'; while [ ! -f '${release}' ]; do sleep 0.05; done; touch '${passed}'; fi\nexit 0`;
    const timeout = 3;
    const child = startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--timeout', String(timeout), '--narrow', 'none', '--json', '--test', test], {
      env: { XDG_CACHE_HOME: tempDir() },
    });
    const done = finished(child);
    expect(await whenRunning(child, done, () => existsSync(started))).toBeUndefined();
    const seen = performance.now();
    child.kill('SIGSTOP');
    try {
      writeFileSync(release, '');
      await waitFor(() => existsSync(passed), 'the test to pass');
      // Stopped for longer than the timeout (counted from before `started` appeared): every timer has expired.
      const stoppedFor = performance.now() - seen;
      await sleep(Math.max(0, (timeout + 2) * 1000 - stoppedFor));
    } finally {
      child.kill('SIGCONT');
    }
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    const first = document.probes.find((probe: { commit: string }) => probe.commit === repo.commits[0]);
    expect(first).toMatchObject({ verdict: 'good', signal: null, exitCode: 0 });
  }, 60_000);
});

describe('a second Ctrl-C', () => {
  it('kills a probe that ignores SIGTERM, marks the hunt interrupted and prints the resume line', async () => {
    const repo = await linearRepo(8, 5);
    const scratch = tempDir();
    const pids = path.join(scratch, 'pids');
    const store = path.join(scratch, 'hunts.sqlite');
    // The shell and its sleep both ignore SIGTERM; only SIGKILL ends them before the 60 s grace.
    const test = `trap '' TERM\necho $$ >> '${pids}'\nsleep 300 & echo $! >> '${pids}'\nwait`;
    const child = startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--no-verify', '--timeout', '600', '--grace', '60', '--store', store, '--test', test], {
      env: { XDG_CACHE_HOME: tempDir() },
    });
    const done = finished(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      expect(await whenRunning(child, done, () => pidsIn(pids).length >= 2)).toBeUndefined();
      child.kill('SIGINT');
      await waitFor(() => stderr.includes('SIGINT received'), 'the first Ctrl-C to be seen');
      child.kill('SIGINT');
      const result = await done;
      expect(result.code, result.stderr).toBe(130);
      const id = /continue with: culprit resume (\d+)/.exec(result.stderr)?.[1];
      expect(id, result.stderr).toBeDefined();
      expect(pidsIn(pids).filter(processAlive)).toEqual([]);
      const listed = JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout);
      expect(listed).toEqual([expect.objectContaining({ hunt: Number(id), status: 'interrupted' })]);
    } finally {
      killQuietly(pidsIn(pids));
    }
  }, 60_000);
});

const noCgroups = cgroupUnavailable();
if (noCgroups !== undefined) console.warn(`skipping the cgroup test: ${noCgroups}`);

describe.skipIf(noCgroups !== undefined)('a SIGKILLed culprit', () => {
  it("leaves daemons in its probe's cgroup, which the next hunt kills and removes", async () => {
    const repo = await linearRepo(8, 5);
    const scratch = tempDir();
    const daemon = path.join(scratch, 'daemon');
    const cache = tempDir();
    // The daemon drops the probe token and leaves the process group: only its cgroup still knows it.
    const test = `env -i setsid sh -c 'echo $$ > "$0"; exec sleep 300' '${daemon}' &\nsleep 300`;
    const child = startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--no-verify', '--timeout', '600', '--test', test], {
      env: { XDG_CACHE_HOME: cache },
    });
    const done = finished(child);
    try {
      expect(await whenRunning(child, done, () => pidsIn(daemon).length === 1)).toBeUndefined();
      const [pid] = pidsIn(daemon);
      // Read while culprit runs: every culprit's sweep spares the cgroups of a culprit that is alive.
      const relative = /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? '';
      expect(relative).toMatch(new RegExp(`/culprit-probe\\.${child.pid}\\.`));
      const directory = cgroupDirectory(relative)!;
      child.kill('SIGKILL');
      await done;
      // Nothing but a sweep kills the daemon now, and a sweep removes the cgroup once it is empty: another culprit
      // starting meanwhile (test files run side by side) may be the one, so its daemon dead means its cgroup gone.
      await waitFor(() => processAlive(pid!) || !existsSync(directory), 'the daemon to live on, or its cgroup to be swept');
      // The next hunt, in the same cache: its start-up sweep finds the dead owner's cgroup.
      const next = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--test', 'grep -q ok state.txt'], { env: { XDG_CACHE_HOME: cache } });
      expect(next.code, next.stderr).toBe(0);
      expect(processAlive(pid!)).toBe(false);
      expect(existsSync(directory)).toBe(false);
    } finally {
      killQuietly(pidsIn(daemon));
    }
  }, 60_000);
});

describe.skipIf(noCgroups !== undefined)('a culprit that cannot step back out of a probe cgroup', () => {
  it('kills no other probe, finds the answer, and leaves no cgroup', async () => {
    const repo = await linearRepo(30, 17);
    const cache = tempDir();
    // Every run overlaps others (three at a time), and a run that is signalled says so in its log before it ends.
    const test = `trap 'echo signalled; exit 1' TERM\nsleep 0.5 & wait\ngrep -q ok state.txt`;
    const child = startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--no-verify', '--timeout', '600', '--jobs', '3', '--narrow', 'none', '--json', '--test', test], {
      // The first step back out of a probe cgroup fails (a fault only culprit's tests can inject).
      env: { XDG_CACHE_HOME: cache, CULPRIT_TEST_CGROUP_RETURN_FAILS: '1' },
    });
    const result = await finished(child);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    // Every run's log, cancelled runs' included.
    const logs = filesUnder(cache)
      .filter((file) => file.endsWith('.log'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('');
    expect(logs).toMatch(/could not step back out of the run's cgroup/);
    // Only culprit's cancels of probes it no longer needs signal a run (and that run's log says it was interrupted).
    const signalled = logs.split(/^\[culprit\] \$ /m).filter((run) => /^signalled$/m.test(run));
    expect(signalled.filter((run) => !run.includes('interrupted; process group killed'))).toEqual([]);
    expect(probeCgroupsOf(child.pid!)).toEqual([]);
  }, 90_000);
});
