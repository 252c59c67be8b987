// --jobs and the build cache through the built CLI: the same answer as one worker in fewer rounds, cancelled
// probes leave no process behind, a repeated hunt builds nothing, a narrowing never builds one tree twice; git and hg.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { importHistory, type SyntheticCommit } from '../../src/demo/fast-import.js';
import { culprit, DATA_HOME, finished, processAlive, startCulprit, whenRunning } from '../fixtures/cli.js';
import { narrowingRepo } from '../fixtures/narrowing-repo.js';
import { createRandomHistory, seededRandom } from '../fixtures/random-history.js';
import { linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

const MARKER_TEST = '! test -f culprit.txt';

/** A build that counts its runs in `counter` and leaves one output file; the test reads that output. */
function countingBuild(counter: string): string {
  return `echo built >> ${counter}; cat state.txt > out.txt`;
}

function lines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe('culprit run --jobs', () => {
  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: 4 workers name the same first bad commit as 1, in fewer rounds`, async () => {
      const random = seededRandom(seed);
      const commits = 150 + Math.floor(random() * 150);
      const history = createRandomHistory(path.join(tempDir(), 'repo'), {
        commits,
        seed,
        marker: { commitIndex: 1 + Math.floor(random() * (commits - 2)), file: 'culprit.txt', content: 'the regression\n' },
      });
      const hunt = async (jobs: number) => {
        const result = await culprit(
          ['run', '--repo', history.dir, '--good', history.root, '--bad', history.head, '--test', MARKER_TEST, '--json', '--no-cache', '--narrow', 'none', '--jobs', String(jobs)],
          { env: { XDG_CACHE_HOME: tempDir() } },
        );
        expect(result.code, result.stderr).toBe(0);
        return JSON.parse(result.stdout) as { firstBad: { commit: string }; rounds: number; probes: unknown[] };
      };
      const one = await hunt(1);
      const four = await hunt(4);
      expect(four.firstBad.commit).toBe(one.firstBad.commit);
      expect(four.rounds).toBeLessThan(one.rounds);
    }, 120_000);
  }

  it('cancels probes whose answer no longer matters, TERM-ignoring children included, and reuses their workers', async () => {
    // Commits 20-38 hang (with a child that ignores SIGTERM) but lie above the culprit: the first bad verdict
    // below them makes them irrelevant, and the hunt ends long before their 300 s.
    const slow = Array.from({ length: 19 }, (_, i) => 20 + i);
    const repo = await linearRepo(40, 10, 'bug', { skip: slow });
    const pids = path.join(tempDir(), 'pids');
    writeFileSync(pids, '');
    // Every other probe takes a second, so the hanging ones have started for real when they are cancelled.
    const test = `if grep -q skip skip.txt; then (trap '' TERM; exec sleep 300) & echo $! >> ${pids}; echo $$ >> ${pids}; sleep 300; fi; sleep 1; grep -q ok state.txt`;
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', test, '--timeout', '600', '--grace', '1', '--jobs', '4', '--json', '--no-cache', '--narrow', 'none'], {
      env: { XDG_CACHE_HOME: tempDir() },
    });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    expect(result.stderr).toMatch(/cancel +\[w\d\] +[0-9a-f]{12} +its answer no longer matters/);
    const started = readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number);
    expect(started.length).toBeGreaterThan(0);
    expect(started.filter(processAlive)).toEqual([]);
    // Cancelled probes are not answers: none is listed, none is left in flight in the store.
    expect(document.probes.every((probe: { commit: string }) => !slow.map((i) => repo.commits[i]).includes(probe.commit))).toBe(true);
    const db = new Database(path.join(DATA_HOME, 'culprit', 'hunts.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM probes WHERE hunt_id = ? AND ended_at IS NULL').get(document.hunt)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }, 120_000);

  it('survives SIGKILL mid-round: resume repeats no finished probe, same answer, intact store, no strays', async () => {
    const repo = await linearRepo(300, 187);
    const scratch = tempDir();
    const counter = path.join(scratch, 'runs');
    const pids = path.join(scratch, 'pids');
    const store = path.join(scratch, 'store.sqlite');
    const test = `echo "$CULPRIT_COMMIT" >> ${counter}; echo $$ >> ${pids}; sleep 0.3; grep -q ok state.txt`;
    const common = ['--repo', repo.dir, '--store', store, '--workdir', path.join(scratch, 'cache'), '--json'];
    const run = ['run', '--good', repo.commits[0]!, '--bad', repo.head, '--test', test, '--no-cache', '--narrow', 'none', '--jobs', '3', ...common];
    // The seed picks where each kill lands: once the nth test run from here has started, three in flight at most.
    // The first kill comes after the two endpoint runs and 1-3 bisection runs, so some probes have finished.
    const random = seededRandom(77);
    const checkpoints: Array<{ at: number; finished: Set<string> }> = [];
    for (let kill = 0; kill < 3; kill++) {
      const target = lines(counter) + (kill === 0 ? 3 : 1) + Math.floor(random() * 3);
      const child = startCulprit(kill === 0 ? run : ['resume', ...common]);
      const done = finished(child);
      expect(await whenRunning(child, done, () => lines(counter) >= target)).toBeUndefined();
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
      const db = new Database(store, { readonly: true });
      try {
        const rows = db.prepare(`SELECT revision FROM probes WHERE ended_at IS NOT NULL AND source = 'run'`).all() as Array<{ revision: string }>;
        checkpoints.push({ at: lines(counter), finished: new Set(rows.map((row) => row.revision)) });
      } finally {
        db.close();
      }
    }
    const final = await culprit(['resume', ...common]);
    expect(final.code, final.stderr).toBe(0);
    expect(JSON.parse(final.stdout).firstBad.commit).toBe(repo.culprit);
    const runs = readFileSync(counter, 'utf8').split('\n').filter(Boolean);
    for (const { at, finished: done } of checkpoints) expect(runs.slice(at).filter((commit) => done.has(commit))).toEqual([]);
    expect(checkpoints.at(-1)?.finished.size).toBeGreaterThan(0);
    const db = new Database(store, { readonly: true });
    try {
      expect(String(db.pragma('integrity_check', { simple: true }))).toBe('ok');
    } finally {
      db.close();
    }
    expect(JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout)).toHaveLength(1);
    // Tests left running by a killed culprit are swept by the next start (which waits until they are gone).
    expect(readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number).filter(processAlive)).toEqual([]);
  }, 120_000);

  it('works on Mercurial, with the build cache', async () => {
    const repo = await linearHgRepo(30, 17);
    const counter = path.join(tempDir(), 'builds');
    const workdir = tempDir();
    const args = ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--build', countingBuild(counter), '--artifacts', 'out.txt', '--test', 'grep -q ok out.txt', '--json', '--narrow', 'none', '--jobs', '3', '--workdir', workdir];
    const first = await culprit([...args, '--no-cache']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).firstBad.commit).toBe(repo.culprit);
    const builtFirst = lines(counter);
    expect(builtFirst).toBeGreaterThan(0);
    // The same hunt again: every answer is known, nothing is built or run.
    const second = await culprit(args);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).firstBad.commit).toBe(repo.culprit);
    expect(JSON.parse(second.stdout).probes.every((probe: { source: string }) => probe.source !== 'run')).toBe(true);
    expect(lines(counter)).toBe(builtFirst);
    // Fresh verdicts with one worker: trees the parallel hunt built come from the build cache.
    const third = await culprit([...args.filter((arg) => arg !== '--jobs' && arg !== '3'), '--no-cache']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toContain('(build restored)');
  }, 120_000);
});

describe('the build cache', () => {
  it('a repeated hunt builds nothing; cache list shows the builds and cache clear empties it', async () => {
    const repo = await linearRepo(24, 9);
    const counter = path.join(tempDir(), 'builds');
    const workdir = tempDir();
    const args = ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--build', countingBuild(counter), '--artifacts', 'out.txt', '--test', 'grep -q ok out.txt', '--json', '--narrow', 'none', '--workdir', workdir];
    const first = await culprit([...args, '--no-cache']);
    expect(first.code, first.stderr).toBe(0);
    const probes = JSON.parse(first.stdout).probes.length;
    expect(lines(counter)).toBe(probes);
    // Fresh verdicts (--no-cache), but every tree's build comes from the cache.
    const second = await culprit([...args, '--no-cache']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).probes.every((probe: { source: string }) => probe.source === 'run')).toBe(true);
    expect(second.stderr).toContain('(build restored)');
    expect(lines(counter)).toBe(probes);
    // With the verdict cache, nothing runs at all.
    const third = await culprit(args);
    expect(JSON.parse(third.stdout).probes.every((probe: { source: string }) => probe.source === 'cached')).toBe(true);
    expect(lines(counter)).toBe(probes);

    const list = await culprit(['cache', 'list', '--workdir', workdir, '--json']);
    expect(list.code, list.stderr).toBe(0);
    const entries = JSON.parse(list.stdout) as Array<{ commit: string; files: number }>;
    expect(entries.length).toBe(probes);
    expect(entries.every((entry) => repo.commits.includes(entry.commit) && entry.files === 1)).toBe(true);
    const cleared = await culprit(['cache', 'clear', '--workdir', workdir, '--json']);
    expect(JSON.parse(cleared.stdout)).toMatchObject({ entries: probes });
    expect(JSON.parse((await culprit(['cache', 'list', '--workdir', workdir, '--json'])).stdout)).toEqual([]);
  }, 120_000);

  it('a narrowing that revisits a tree does not build it again', async () => {
    const repo = await narrowingRepo();
    const counter = path.join(tempDir(), 'builds');
    const test = `test "$(grep -c "const RETRIED" src/errors.js)" -eq 1 || exit 3; ! grep -q EBADF build/errors.js`;
    const build = `echo built >> ${counter}; mkdir -p build; cp src/errors.js build/errors.js`;
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--build', build, '--artifacts', 'build', '--test', test, '--json', '--workdir', tempDir()]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.narrowed.diff).toContain("'EBADF'");
    const db = new Database(path.join(DATA_HOME, 'culprit', 'hunts.sqlite'), { readonly: true });
    try {
      const { runs, trees } = db.prepare(`SELECT count(*) AS runs, count(DISTINCT tree) AS trees FROM probes WHERE hunt_id = ? AND source = 'run'`).get(document.hunt) as { runs: number; trees: number };
      // The flaky check and the verification probes run the test again on trees already built.
      expect(runs).toBeGreaterThan(trees);
      expect(lines(counter)).toBe(trees);
    } finally {
      db.close();
    }
  }, 120_000);

  it('--clean-build removes ignored build outputs at each checkout; without it they stay for incremental builds', async () => {
    const dir = path.join(tempDir(), 'repo');
    mkdirSync(dir, { recursive: true });
    const commits: SyntheticCommit[] = Array.from({ length: 8 }, (_, i) => ({
      mark: i + 1,
      branch: 'main',
      parents: i === 0 ? [] : [i],
      message: `commit ${i}`,
      author: 'Test Author <test@example.org>',
      time: 1_700_000_000 + i * 60,
      files: { '.gitignore': '*.o\n', 'state.txt': i >= 5 ? 'bug\n' : 'ok\n', [`file-${i}.txt`]: `${i}\n` },
    }));
    const marks = await importHistory(dir, commits);
    const seen = path.join(tempDir(), 'seen');
    const build = `if [ -f incremental.o ]; then echo kept >> ${seen}; else echo fresh >> ${seen}; fi; touch incremental.o`;
    const run = (extra: string[]) =>
      culprit(['run', '--repo', dir, '--good', marks.get(1) as string, '--bad', marks.get(8) as string, '--build', build, '--test', 'grep -q ok state.txt', '--no-cache', '--narrow', 'none', '--workdir', tempDir(), ...extra]);
    const incremental = await run([]);
    expect(incremental.code, incremental.stderr).toBe(0);
    expect(readFileSync(seen, 'utf8').split('\n').filter(Boolean)).toEqual(['fresh', ...Array(lines(seen) - 1).fill('kept')]);
    writeFileSync(seen, '');
    const clean = await run(['--clean-build']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(new Set(readFileSync(seen, 'utf8').split('\n').filter(Boolean))).toEqual(new Set(['fresh']));
  }, 120_000);
});
