// The hunt store from the outside: reports of stored hunts (hunts, show, log, report) on git and Mercurial,
// `git bisect replay` of the log, and every way a store path or hunt id can be wrong (one line, exit 2, nothing left).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { hgEnv, linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { branchyRepo, linearRepo, tempDir } from '../fixtures/scripted-repo.js';

function oneLine(stderr: string): void {
  expect(stderr.trim().split('\n'), stderr).toHaveLength(1);
}

describe('stored hunts', () => {
  it('lists, shows and reports a git hunt; its log replays in git bisect to the same first bad commit', async () => {
    const repo = await linearRepo(50, 31, 'bug', { skip: [23, 24, 25, 26, 27] });
    const scratch = tempDir();
    const store = path.join(scratch, 'store.sqlite');
    const test = 'if grep -q skip skip.txt; then exit 125; fi; grep -q ok state.txt';
    const run = await culprit(['run', '--repo', repo.dir, '--good', 'HEAD~49', '--bad', 'main', '--test', test, '--store', store, '--workdir', scratch, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const id = JSON.parse(run.stdout).hunt as number;

    const list = await culprit(['hunts', '--store', store]);
    expect(list.stdout).toMatch(new RegExp(`^${id} +found .* HEAD~49 \\(${repo.commits[0]!.slice(0, 12)}\\) \\.\\. main .*commit 31 \\(the culprit\\)`, 'm'));
    const listed = JSON.parse((await culprit(['hunts', '--store', store, '--json', '--repo', repo.dir])).stdout);
    expect(listed).toEqual([expect.objectContaining({ hunt: id, status: 'found', firstBad: repo.culprit })]);

    const show = await culprit(['show', String(id), '--store', store]);
    expect(show.stdout).toContain(`Hunt ${id}: found`);
    expect(show.stdout).toMatch(/STEP +PHASE +COMMIT +VERDICT/);
    const shown = JSON.parse((await culprit(['show', String(id), '--store', store, '--json'])).stdout);
    expect(shown).toMatchObject({ hunt: id, status: 'found', firstBad: { commit: repo.culprit }, vcs: 'git' });
    expect(shown.probes.length).toBeGreaterThan(4);

    const markdown = (await culprit(['report', String(id), '--store', store, '--format', 'markdown'])).stdout;
    expect(markdown).toContain(`first bad commit \`${repo.culprit.slice(0, 12)}\``);
    expect(markdown).toContain(repo.culprit);
    expect(markdown).toMatch(/<details><summary>Probes \(\d+\)<\/summary>[\s\S]*\| step \| phase \|[\s\S]*<\/details>/);
    expect(markdown).toContain('```sh\nnpx culprit probe');
    expect(markdown).toContain('### Minimal failure-inducing change');
    const report = JSON.parse((await culprit(['report', String(id), '--store', store, '--format', 'json'])).stdout);
    // Removing "ok" is all the test needs to fail: the 1-minimal change drops the added "bug" line.
    expect(report.narrowed.diff).toContain('-ok');

    const log = (await culprit(['log', String(id), '--store', store, '--format', 'git'])).stdout;
    expect(log).toContain('git bisect skip');
    const logFile = path.join(scratch, 'bisect.log');
    writeFileSync(logFile, log);
    const clone = path.join(scratch, 'clone');
    execFileSync('git', ['clone', '-q', repo.dir, clone]);
    const replay = execFileSync('git', ['bisect', 'replay', logFile], { cwd: clone, encoding: 'utf8' });
    expect(replay).toContain(`${repo.culprit} is the first bad commit`);
  }, 120_000);

  it('replays a --first-parent hunt, and reports a Mercurial hunt whose log script hg bisect follows', async () => {
    const repo = await branchyRepo(6, 3);
    const scratch = tempDir();
    const store = path.join(scratch, 'store.sqlite');
    const run = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--first-parent', '--narrow', 'none', '--test', 'grep -q ok state.txt', '--store', store, '--workdir', scratch, '--json']);
    const id = JSON.parse(run.stdout).hunt as number;
    const log = (await culprit(['log', String(id), '--store', store])).stdout;
    expect(log).toContain("git bisect start '--first-parent'");
    writeFileSync(path.join(scratch, 'fp.log'), log);
    execFileSync('git', ['clone', '-q', repo.dir, path.join(scratch, 'fp')]);
    expect(execFileSync('git', ['bisect', 'replay', path.join(scratch, 'fp.log')], { cwd: path.join(scratch, 'fp'), encoding: 'utf8' })).toContain(`${repo.merge} is the first bad commit`);

    const hgRepo = await linearHgRepo(30, 19);
    const hgRun = await culprit(['run', '--repo', hgRepo.dir, '--good', hgRepo.commits[0]!, '--bad', hgRepo.head, '--narrow', 'none', '--test', 'grep -q ok state.txt', '--store', store, '--workdir', scratch, '--json']);
    expect(hgRun.code, hgRun.stderr).toBe(0);
    const hgId = JSON.parse(hgRun.stdout).hunt as number;
    const wrong = await culprit(['log', String(hgId), '--store', store, '--format', 'git']);
    expect(wrong.code).toBe(2);
    oneLine(wrong.stderr);
    const script = (await culprit(['log', String(hgId), '--store', store])).stdout;
    expect(script).toContain('hg bisect --reset');
    const copy = path.join(scratch, 'hg-copy');
    execFileSync('hg', ['clone', '-q', hgRepo.dir, copy], { env: hgEnv() });
    const replayed = execFileSync('sh', ['-c', script], { cwd: copy, env: hgEnv(), encoding: 'utf8' });
    expect(replayed).toMatch(new RegExp(`The first bad revision is:\\nchangeset: +\\d+:${hgRepo.culprit.slice(0, 12)}`));
    const hgReport = (await culprit(['report', String(hgId), '--store', store])).stdout;
    expect(hgReport).toContain(hgRepo.culprit);
    expect(hgReport).toContain('(hg)');
  }, 180_000);

  it('says in one line what is wrong with a store path or a hunt id, and creates nothing', async () => {
    const repo = await linearRepo(12, 7);
    const scratch = tempDir();
    const run = (...args: string[]): ReturnType<typeof culprit> =>
      culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--workdir', scratch, ...args]);

    const file = path.join(scratch, 'plain-file');
    writeFileSync(file, 'x');
    const underFile = await run('--store', path.join(file, 'hunts.sqlite'));
    expect(underFile.code).toBe(2);
    oneLine(underFile.stderr);
    expect(underFile.stderr).toMatch(/--store .*: the directory .*plain-file does not exist/);

    const directory = path.join(scratch, 'a-directory');
    mkdirSync(directory);
    const isDirectory = await run('--store', directory);
    expect(isDirectory.code).toBe(2);
    expect(isDirectory.stderr).toMatch(/is a directory/);

    const notDatabase = path.join(scratch, 'not.sqlite');
    writeFileSync(notDatabase, 'this is not a database, just text that is long enough to have a header\n'.repeat(20));
    const garbage = await run('--store', notDatabase);
    expect(garbage.code).toBe(2);
    oneLine(garbage.stderr);
    expect(garbage.stderr).toMatch(/not a culprit hunt store/);

    const newer = path.join(scratch, 'newer.sqlite');
    expect((await run('--store', newer)).code).toBe(0);
    const db = new Database(newer);
    db.pragma('user_version = 999');
    db.close();
    const future = await run('--store', newer, '--json');
    expect(future.code).toBe(2);
    oneLine(future.stderr);
    expect(future.stderr).toMatch(/written by a newer culprit \(schema 999/);
    expect(JSON.parse(future.stdout)).toMatchObject({ status: 'error' });

    const fresh = path.join(scratch, 'fresh', 'hunts.sqlite');
    const unknown = await culprit(['run', '--repo', repo.dir, '--good', 'no-such-rev', '--test', 'true', '--store', fresh]);
    expect(unknown.code).toBe(2);
    const failingGood = await run('--store', fresh, '--test', 'exit 1');
    expect(failingGood.code).toBe(2);
    expect(existsSync(fresh)).toBe(false);

    const store = path.join(scratch, 'store.sqlite');
    expect((await run('--store', store)).code).toBe(0);
    expect((await run('--store', store, '--test', 'exit 1')).code).toBe(2);
    // The hunt stopped on bad input left no record behind.
    expect(JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout)).toHaveLength(1);

    for (const args of [['resume', '999'], ['resume', 'abc'], ['show', '999'], ['report', '1', '--format', 'pdf'], ['log', '0']]) {
      const result = await culprit([...args, '--store', store]);
      expect(result.code, args.join(' ')).toBe(2);
      oneLine(result.stderr);
    }
    // Without an id, a repository whose newest hunt has finished gets that hunt's result again, as `resume ID` does.
    const again = await culprit(['resume', '--repo', repo.dir, '--store', store]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/hunt \d+ has already finished; its result:/);
    expect(again.stdout).toMatch(/is the first bad commit/);
    const missing = await culprit(['hunts', '--store', path.join(scratch, 'missing.sqlite')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no hunt store at/);
    expect(existsSync(path.join(scratch, 'missing.sqlite'))).toBe(false);
  }, 120_000);

  it("refuses another application's SQLite file in one line and leaves it byte-identical, whatever the hunt's input", async () => {
    const repo = await linearRepo(12, 7);
    const scratch = tempDir();
    const file = path.join(scratch, 'app.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT); INSERT INTO settings VALUES ('theme', 'dark')`);
    db.close();
    const bytes = readFileSync(file);
    const run = (...args: string[]): ReturnType<typeof culprit> =>
      culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--workdir', scratch, '--store', file, ...args]);
    for (const result of [await run('--test', 'grep -q ok state.txt'), await run('--test', 'exit 1'), await culprit(['hunts', '--store', file])]) {
      expect(result.code, result.stderr).toBe(2);
      oneLine(result.stderr);
      expect(result.stderr).toMatch(/app\.db is not a culprit hunt store: it holds other tables \(settings\)/);
      expect(readFileSync(file).equals(bytes)).toBe(true);
      expect(existsSync(`${file}-wal`) || existsSync(`${file}-shm`)).toBe(false);
    }
  }, 60_000);

  it('forgets hunts with their probes and cached verdicts, all or none of the ids given', async () => {
    const repo = await linearRepo(12, 7);
    const scratch = tempDir();
    const store = path.join(scratch, 'store.sqlite');
    const run = (): ReturnType<typeof culprit> => culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--workdir', scratch, '--store', store, '--json']);
    expect((await run()).code).toBe(0);
    const wrong = await culprit(['forget', '1', '7', '--store', store]);
    expect(wrong.code).toBe(2);
    oneLine(wrong.stderr);
    expect(wrong.stderr).toMatch(/no hunt 7 in the store/);
    const forgot = await culprit(['forget', '1', '--store', store]);
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(forgot.stdout).toBe('forgot hunt 1, with its probes and cached verdicts\n');
    expect(JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout)).toEqual([]);
    // Its verdicts are gone from the cache too: the same hunt again runs its probes.
    const again = JSON.parse((await run()).stdout) as { hunt: number; probes: Array<{ source: string }> };
    expect(again.probes.every((probe) => probe.source === 'run')).toBe(true);
    // A forgotten hunt's id is never given again: "hunt 1" in an old report means nothing else.
    expect(again.hunt).toBe(2);
  });
});

