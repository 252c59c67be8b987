// End-to-end hunts on Mercurial repositories through the built binary: the git scenarios again (JSON contract,
// first-parent, skips, hangs, the test environment), the user's hg state untouched, and hg's own bad inputs.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, finished, processAlive, startCulprit, whenRunning, type CliResult } from '../fixtures/cli.js';
import { branchyHgRepo, dirtyUpHg, hgSnapshot, linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { tempDir } from '../fixtures/scripted-repo.js';

const env = (cache = tempDir('culprit-cache-')): NodeJS.ProcessEnv => ({ XDG_CACHE_HOME: cache });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const json = (result: CliResult): { status: string; firstBad: { commit: string } | null; candidates: string[]; probes: { commit: string; verdict: string }[] } => {
  expect(result.stdout.trim().split('\n'), result.stderr).toHaveLength(1);
  return JSON.parse(result.stdout);
};

/** Processes a SIGKILLed culprit leaves running: hg commands on its workspaces (the cache path is in their argv). */
async function orphansGone(cache: string): Promise<void> {
  const running = (): boolean =>
    readdirSync('/proc').some((pid) => {
      try {
        return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(cache) && processAlive(Number(pid));
      } catch {
        return false;
      }
    });
  for (let i = 0; i < 200 && running(); i++) await sleep(100);
}

async function expectUsageError(args: string[], pattern: RegExp, extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
  const cache = tempDir();
  const result = await culprit([args[0]!, '--json', ...args.slice(1)], { env: { ...env(cache), ...extraEnv } });
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^culprit: /);
  expect(lines[0]).toMatch(pattern);
  expect(JSON.parse(result.stdout).status).toBe('error');
  expect(existsSync(path.join(cache, 'culprit'))).toBe(false);
}

describe('culprit run on Mercurial', () => {
  it('finds the first bad changeset of a linear history and prints the JSON contract', async () => {
    const repo = await linearHgRepo(40, 23);
    const result = await culprit(['run', '--narrow', 'none', '--repo', repo.dir, '--good', '0', '--bad', 'main', '--test', 'grep -q ok state.txt', '--json'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.status).toBe('found');
    expect(document.firstBad).toEqual({ commit: repo.culprit, subject: 'commit 23 (the culprit)', author: 'Test Author <test@example.org>', date: '2023-11-14T22:36:20+00:00' });
    expect(document.hunt).toEqual(expect.any(Number));
    expect(document.candidates).toEqual([repo.culprit]);
    expect(document.changedFiles).toEqual(['file-23.txt', 'state.txt']);
    expect(document.probes[0]).toMatchObject({ commit: repo.commits[0], verdict: 'good', exitCode: 0, signal: null });
    expect(document.probes[1]).toMatchObject({ commit: repo.head, verdict: 'bad', exitCode: 1 });
    for (const probe of document.probes) {
      // One document for run --json and report --format json: the probe fields scripts rely on, among the rest.
      expect(Object.keys(probe)).toEqual(expect.arrayContaining(['commit', 'exitCode', 'seconds', 'signal', 'source', 'verdict', 'step', 'phase', 'log']));
      expect(repo.commits).toContain(probe.commit);
    }
    const stepLines = result.stderr.split('\n').filter((line) => line.startsWith('step '));
    expect(stepLines).toHaveLength(document.probes.length);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('takes revsets as endpoints and prints a reproduce command that works', async () => {
    const repo = await linearHgRepo(12, 5);
    const cache = env();
    const result = await culprit(['run', '--narrow', 'none', '--repo', repo.dir, '--good', 'min(file("file-1.txt"))', '--bad', 'max(all())', '--', 'grep', '-q', 'ok', 'state.txt'], { env: cache });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${repo.culprit} is the first bad commit`);
    expect(result.stdout).toContain('file-5.txt');
    const reproduce = /Reproduce: npx culprit (.*)/.exec(result.stdout)?.[1];
    expect(reproduce).toBeDefined();
    const args = reproduce!.match(/'[^']*'|\S+/g)!.map((word) => word.replace(/^'(.*)'$/, '$1'));
    const again = await culprit(args, { env: cache });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`${repo.culprit}: bad`);
  });

  it('gives the test HG_NODE and CULPRIT_COMMIT, and never runs it in the user checkout', async () => {
    const repo = await linearHgRepo(6, 3);
    const record = path.join(tempDir(), 'seen.txt');
    const result = await culprit(
      ['run', '--narrow', 'none', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', `echo "$HG_NODE $CULPRIT_COMMIT $CULPRIT_WORKSPACE $PWD" >> ${record}; grep -q ok state.txt`],
      { env: env() },
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = readFileSync(record, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      const [node, commit, workspace, cwd] = line.split(' ');
      expect(repo.commits).toContain(node);
      expect(commit).toBe(node);
      expect(workspace).toBe(cwd);
      expect(workspace!.startsWith(repo.dir)).toBe(false);
    }
  });

  it('descends into the merged branch by default and stops at the merge with --first-parent', async () => {
    const repo = await branchyHgRepo(6, 3);
    const common = ['run', '--narrow', 'none', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--json'];
    expect(json(await culprit(common, { env: env() })).firstBad?.commit).toBe(repo.culprit);
    expect(json(await culprit([...common, '--first-parent'], { env: env() })).firstBad?.commit).toBe(repo.merge);
  });

  it('reports the changesets that may be first bad when skipped ones hide it (exit 1)', async () => {
    const repo = await linearHgRepo(16, 8, 'bug', { skip: [6, 7, 8] });
    const result = await culprit(
      ['run', '--narrow', 'none', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q skip skip.txt && exit 125; grep -q ok state.txt', '--json'],
      { env: env() },
    );
    expect(result.code, result.stderr).toBe(1);
    const document = json(result);
    expect(document.status).toBe('ambiguous');
    expect(document.firstBad).toBeNull();
    expect(document.candidates).toContain(repo.culprit);
    expect(document.candidates.every((node) => [6, 7, 8, 9].map((i) => repo.commits[i]).includes(node))).toBe(true);
    expect(document.probes.some((probe) => probe.verdict === 'skip')).toBe(true);
  });

  it('reads a hang as `hang` and leaves none of the test processes alive', async () => {
    const repo = await linearHgRepo(12, 7);
    const pidFile = path.join(tempDir(), 'pids');
    const test = [
      'grep -q ok state.txt && exit 0',
      `(trap '' TERM; sleep 300) & echo $! >> ${pidFile}`,
      `(trap '' TERM; sh -c 'trap "" TERM; sleep 300' & echo $! >> ${pidFile}; wait) & echo $! >> ${pidFile}`,
      'wait',
    ].join('\n');
    const result = await culprit(['run', '--narrow', 'none', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--timeout', '1', '--grace', '0.5', '--test', test, '--json'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const document = json(result);
    expect(document.firstBad?.commit).toBe(repo.culprit);
    const hangs = document.probes.filter((probe) => probe.verdict === 'hang');
    expect(hangs.length).toBeGreaterThan(0);
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(hangs.length * 3);
    expect(pids.filter(processAlive)).toEqual([]);
  });

  it('gives the same culprit as on the git repository it was converted from; --vcs picks when both are present', async () => {
    const repo = await branchyHgRepo(6, 3);
    const args = (dir: string, good: string, bad: string): string[] => ['run', '--narrow', 'none', '--repo', dir, '--good', good, '--bad', bad, '--test', 'grep -q ok state.txt', '--json'];
    for (const extra of [[], ['--first-parent']]) {
      const onGit = json(await culprit([...args(repo.git.dir, repo.git.commits[0]!, 'main'), ...extra], { env: env() }));
      const onHg = json(await culprit([...args(repo.dir, repo.commits[0]!, 'main'), ...extra], { env: env() }));
      expect(onHg.firstBad?.commit).toBe(repo.nodeOf(onGit.firstBad!.commit));
      expect(onHg.firstBad?.commit).toBe(extra.length ? repo.merge : repo.culprit);
    }
    // One directory, two histories (as hg-git users have): detection finds .git, --vcs hg asks for .hg.
    renameSync(path.join(repo.dir, '.hg'), path.join(repo.git.dir, '.hg'));
    const both = ['run', '--narrow', 'none', '--repo', repo.git.dir, '--good', 'min(all())', '--bad', 'main', '--test', 'grep -q ok state.txt', '--json'];
    expect(json(await culprit([...both, '--vcs', 'hg'], { env: env() })).firstBad?.commit).toBe(repo.culprit);
    await expectUsageError(both, /unknown revision for --good: 'min\(all\(\)\)'/);
  }, 180_000);
});

describe("the Mercurial user's repository is sacred", () => {
  it("leaves files, dirstate, status, bookmarks, phases and bisect state identical after a hunt, and runs none of the user's hooks", async () => {
    const repo = await linearHgRepo(20, 11);
    dirtyUpHg(repo);
    const marker = path.join(tempDir(), 'hook-ran');
    const hooks = ['preoutgoing', 'outgoing', 'pre-log', 'pre-clone', 'pre-pull', 'preupdate', 'update'].map((hook) => `${hook} = touch ${marker}`);
    appendFileSync(path.join(repo.dir, '.hg', 'hgrc'), `[hooks]\n${hooks.join('\n')}\n`);
    const before = hgSnapshot(repo.dir);
    expect(before.bisectState).toMatch(/good/);
    const result = await culprit(['run', '--narrow', 'none', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(hgSnapshot(repo.dir)).toEqual(before);
    expect(existsSync(marker)).toBe(false);
  }, 120_000);

  it('leaves the repository identical when culprit is SIGKILLed mid-hunt, and the next hunt recovers', async () => {
    const repo = await linearHgRepo(20, 11);
    dirtyUpHg(repo);
    const before = hgSnapshot(repo.dir);
    const cache = tempDir();
    const marker = path.join(tempDir(), 'started');
    const hunt = ['run', '--narrow', 'none', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', 'main', '--test'];
    for (const delay of [300, 1200, 2500, -1]) {
      rmSync(marker, { force: true });
      const child = startCulprit([...hunt, `touch ${marker}; sleep 0.2; grep -q ok state.txt`], { env: env(cache) });
      const done = finished(child);
      if (delay >= 0) await sleep(delay);
      else expect(await whenRunning(child, done, () => existsSync(marker))).toBeUndefined();
      child.kill('SIGKILL');
      await done;
      await orphansGone(cache);
      expect(hgSnapshot(repo.dir)).toEqual(before);
    }
    expect(existsSync(marker)).toBe(true);
    const result = await culprit([...hunt, 'grep -q ok state.txt', '--json'], { env: env(cache) });
    expect(result.code, result.stderr).toBe(0);
    expect(json(result).firstBad?.commit).toBe(repo.culprit);
    expect(hgSnapshot(repo.dir)).toEqual(before);
  }, 180_000);
});

describe('bad input on Mercurial', () => {
  it('says how to install Mercurial when hg is missing', async () => {
    const repo = await linearHgRepo(3, 1);
    // A PATH with git and node but no hg.
    const bin = path.join(tempDir(), 'bin');
    mkdirSync(bin);
    symlinkSync('/usr/bin/git', path.join(bin, 'git'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    await expectUsageError(
      ['run', '--narrow', 'none', '--repo', repo.dir, '--good', '0', '--bad', 'main', '--test', 'true'],
      /Mercurial \(hg\) is not installed.*apt-get install mercurial.*pip install mercurial/,
      { PATH: bin },
    );
  });

  it('rejects revsets that name no changeset, or several', async () => {
    const repo = await linearHgRepo(5, 3);
    const before = hgSnapshot(repo.dir);
    const run = (good: string, bad = 'main'): string[] => ['run', '--narrow', 'none', '--repo', repo.dir, '--good', good, '--bad', bad, '--test', 'true'];
    await expectUsageError(run('tag(v2.7.1)'), /unknown revision for --good: 'tag\(v2\.7\.1\)'/);
    await expectUsageError(run('0', 'deadbeef'), /unknown revision for --bad: 'deadbeef'/);
    await expectUsageError(run('--config=hooks.pre-log=touch pwned'), /unknown revision for --good/);
    await expectUsageError(run('0:2'), /--good '0:2' names 3 changesets.*--good 'max\(0:2\)'/);
    await expectUsageError(run('main', repo.head), /are the same commit/);
    await expectUsageError(run('main', '0'), /is an ancestor of good .*swap --good and --bad/);
    expect(hgSnapshot(repo.dir)).toEqual(before);
  });
});
