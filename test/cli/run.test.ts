// End-to-end hunts through the built binary: culprit found, JSON contract, progress lines, first-parent,
// skips, and the test environment, on repositories generated per test.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importHistory } from '../../src/demo/fast-import.js';
import { culprit, repoSnapshot } from '../fixtures/cli.js';
import { submoduleRepo } from '../fixtures/submodule-repo.js';
import { branchyRepo, linearRepo, tempDir } from '../fixtures/scripted-repo.js';

const env = (): NodeJS.ProcessEnv => ({ XDG_CACHE_HOME: tempDir('culprit-cache-') });

describe('culprit run', () => {
  it('finds the first bad commit of a linear history and prints the JSON contract', async () => {
    const repo = await linearRepo(40, 23);
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--json'], { env: env() });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(Object.keys(document)).toEqual(expect.arrayContaining(['status', 'firstBad', 'candidates', 'probes']));
    expect(document.status).toBe('found');
    expect(document.firstBad).toEqual({ commit: repo.culprit, subject: 'commit 23 (the culprit)', author: 'Test Author <test@example.org>', date: expect.any(String) });
    expect(document.hunt).toEqual(expect.any(Number));
    expect(document.candidates).toEqual([repo.culprit]);
    // Endpoints first (good, then bad), then the bisection: log2(39) rounds up to 6.
    expect(document.probes[0]).toMatchObject({ commit: repo.commits[0], verdict: 'good', exitCode: 0, signal: null });
    expect(document.probes[1]).toMatchObject({ commit: repo.head, verdict: 'bad', exitCode: 1 });
    expect(document.probes.length).toBeLessThanOrEqual(2 + 6);
    for (const probe of document.probes) {
      // One document for run --json and report --format json: the probe fields scripts rely on, among the rest.
      expect(Object.keys(probe)).toEqual(expect.arrayContaining(['commit', 'exitCode', 'seconds', 'signal', 'source', 'verdict', 'step', 'phase', 'log']));
      expect(['good', 'bad']).toContain(probe.verdict);
    }
    // One progress line per probe on stderr, naming the candidates left.
    const stepLines = result.stderr.split('\n').filter((line) => line.startsWith('step '));
    expect(stepLines).toHaveLength(document.probes.length);
    expect(stepLines.at(-1)).toMatch(/candidates? left \(~\d+ steps?\)/);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('prints the first bad commit, its files and a reproduce command that works', async () => {
    const repo = await linearRepo(12, 5);
    const cache = env();
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[1]!, '--bad', repo.head, '--', 'grep', '-q', 'ok', 'state.txt'], { env: cache });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${repo.culprit} is the first bad commit`);
    // The date as `git log` shows it.
    const gitDate = execFileSync('git', ['log', '-1', '--format=%ad', repo.culprit], { cwd: repo.dir, encoding: 'utf8' }).trim();
    expect(result.stdout).toContain(`Date:   ${gitDate}\n`);
    expect(result.stdout).toContain('file-5.txt');
    expect(result.stdout).toContain('state.txt');
    const reproduce = /Reproduce: npx culprit (.*)/.exec(result.stdout)?.[1];
    expect(reproduce).toBeDefined();
    const args = reproduce!.match(/'[^']*'|\S+/g)!.map((word) => word.replace(/^'(.*)'$/, '$1'));
    const again = await culprit(args, { env: cache });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`${repo.culprit}: bad`);
  });

  it('gives the test CULPRIT_COMMIT and CULPRIT_WORKSPACE, and never runs in the user checkout', async () => {
    const repo = await linearRepo(6, 3);
    const record = path.join(tempDir(), 'seen.txt');
    const result = await culprit(
      ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', `echo "$CULPRIT_COMMIT $CULPRIT_WORKSPACE $PWD" >> ${record}; grep -q ok state.txt`],
      { env: env() },
    );
    expect(result.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(record, 'utf8').trim().split('\n');
    for (const line of lines) {
      const [commit, workspace, cwd] = line.split(' ');
      expect(repo.commits).toContain(commit);
      expect(workspace).toBe(cwd);
      expect(workspace!.startsWith(repo.dir)).toBe(false);
    }
  });

  it('runs the test in the subdirectory culprit was started from, as git bisect run does', async () => {
    const dir = path.join(tempDir(), 'repo');
    mkdirSync(dir, { recursive: true });
    const commits = Array.from({ length: 8 }, (_, i) => ({
      mark: i + 1, branch: 'main', parents: i === 0 ? [] : [i], message: `commit ${i}`, author: 'T <t@example.org>', time: 1_700_000_000 + i,
      files: { 'tools/check.sh': 'grep -q ok ../state.txt\n', 'state.txt': i >= 5 ? 'bug\n' : 'ok\n' },
    }));
    const marks = await importHistory(dir, commits);
    const result = await culprit(['run', '--repo', path.join(dir, 'tools'), '--good', marks.get(1)!, '--bad', marks.get(8)!, '--json', '--', 'sh', 'check.sh'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).firstBad.commit).toBe(marks.get(6));
  });

  it('skips a commit that lacks the subdirectory culprit was started from, instead of testing it elsewhere', async () => {
    const dir = path.join(tempDir(), 'repo');
    mkdirSync(dir, { recursive: true });
    // tools/ is gone at commits 3 to 5; the culprit is commit 4. Run from the checkout's top, the test fails there.
    const commits = Array.from({ length: 10 }, (_, i) => ({
      mark: i + 1, branch: 'main', parents: i === 0 ? [] : [i], message: `commit ${i}`, author: 'T <t@example.org>', time: 1_700_000_000 + i,
      files: { 'tools/check.sh': i >= 3 && i <= 5 ? null : 'grep -q ok ../state.txt\n', 'state.txt': i >= 4 ? 'bug\n' : 'ok\n' },
    }));
    const marks = await importHistory(dir, commits);
    const result = await culprit(['run', '--repo', path.join(dir, 'tools'), '--good', marks.get(1)!, '--bad', marks.get(10)!, '--json', '--', 'sh', 'check.sh'], { env: env() });
    expect(result.code, result.stderr).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad).toBeNull();
    expect([...document.candidates].sort()).toEqual([marks.get(4), marks.get(5), marks.get(6), marks.get(7)].sort());
    const skipped = document.probes.filter((probe: { verdict: string }) => probe.verdict === 'skip');
    expect(skipped.length).toBeGreaterThan(0);
    for (const probe of skipped) expect(readFileSync(probe.log, 'utf8')).toMatch(/tools\/ does not exist at [0-9a-f]{12}: the test cannot run where you started it/);
  });

  it('runs from a start directory the repository does not track (a build directory), made in each workspace', async () => {
    const dir = path.join(tempDir(), 'repo');
    mkdirSync(dir, { recursive: true });
    const commits = Array.from({ length: 8 }, (_, i) => ({
      mark: i + 1, branch: 'main', parents: i === 0 ? [] : [i], message: `commit ${i}`, author: 'T <t@example.org>', time: 1_700_000_000 + i,
      files: { '.gitignore': 'build/\n', 'check.sh': 'grep -q ok state.txt\n', 'state.txt': i >= 5 ? 'bug\n' : 'ok\n' },
    }));
    const marks = await importHistory(dir, commits);
    mkdirSync(path.join(dir, 'build'));
    const result = await culprit(['run', '--repo', path.join(dir, 'build'), '--good', marks.get(1)!, '--bad', marks.get(8)!, '--json', '--', 'sh', '-c', 'cd .. && sh check.sh'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).firstBad.commit).toBe(marks.get(6));
  });

  it('warns, naming the probe, when the test changes the user\'s repository', async () => {
    const repo = await linearRepo(8, 5);
    const test = `n=$(git -C '${repo.dir}' tag | wc -l); if [ "$n" -eq 0 ]; then git -C '${repo.dir}' tag touched-by-the-test; fi; grep -q ok state.txt`;
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', test, '--narrow', 'none', '--workdir', tempDir()], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`warning: your repository ${repo.dir} changed while the probe of `);
    expect(result.stderr).toMatch(/ran \(refs\): if a test did that, it reaches outside its workspace/);
    expect(result.stderr.match(/warning: your repository/g)).toHaveLength(1);
  });

  it('hunts a bare repository, and from inside .git, as git bisect can', async () => {
    const repo = await linearRepo(12, 7);
    const bare = path.join(tempDir(), 'bare.git');
    execFileSync('git', ['clone', '--quiet', '--bare', repo.dir, bare]);
    for (const [where, cwd] of [[bare, undefined], [undefined, path.join(repo.dir, '.git')]] as const) {
      const result = await culprit(['run', ...(where ? ['--repo', where] : []), '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--json'], { env: env(), ...(cwd ? { cwd } : {}) });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).firstBad.commit).toBe(repo.culprit);
    }
  });

  it('checks out the submodules the user has initialised, borrowing their objects', async () => {
    const { dir } = submoduleRepo();
    const before = repoSnapshot(dir);
    const result = await culprit(['run', '--repo', dir, '--good', 'HEAD~1', '--test', 'test -f lib/file.txt && grep -q ok state.txt', '--narrow', 'none', '--json'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).firstBad.subject).toBe('round 2');
    expect(repoSnapshot(dir)).toEqual(before);
  });

  it('names changed files as they are, non-ASCII and spaces included', async () => {
    const dir = path.join(tempDir(), 'repo');
    mkdirSync(dir, { recursive: true });
    const git = (...args: string[]): void => void execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args], { cwd: dir, stdio: 'ignore' });
    git('init', '--quiet');
    for (const [index, state] of ['ok', 'ok', 'bug'].entries()) {
      writeFileSync(path.join(dir, 'state.txt'), `${state}\n`);
      writeFileSync(path.join(dir, 'naïve file.txt'), `${index}\n`);
      git('add', '-A');
      git('commit', '--quiet', '-m', `commit ${index}`);
    }
    const result = await culprit(['run', '--repo', dir, '--good', 'HEAD~2', '--test', 'grep -q ok state.txt', '--narrow', 'none'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('    naïve file.txt\n');
  });

  it('descends into the merged branch by default and stops at the merge with --first-parent', async () => {
    const repo = await branchyRepo(6, 3);
    const common = ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--json'];
    const plain = JSON.parse((await culprit(common, { env: env() })).stdout);
    expect(plain.firstBad.commit).toBe(repo.culprit);
    const firstParent = JSON.parse((await culprit([...common, '--first-parent'], { env: env() })).stdout);
    expect(firstParent.firstBad.commit).toBe(repo.merge);
  });

  it('reports the set of commits that may be first bad when skipped commits hide it (exit 1)', async () => {
    const repo = await linearRepo(16, 8, 'bug', { skip: [6, 7, 8] });
    const result = await culprit(
      ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q skip skip.txt && exit 125; grep -q ok state.txt', '--json'],
      { env: env() },
    );
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.status).toBe('ambiguous');
    expect(document.firstBad).toBeNull();
    expect(document.candidates).toContain(repo.culprit);
    expect(document.candidates.every((commit: string) => [repo.commits[6], repo.commits[7], repo.commits[8], repo.commits[9]].includes(commit))).toBe(true);
    expect(document.probes.some((probe: { verdict: string }) => probe.verdict === 'skip')).toBe(true);
  });

  it('aborts with exit 3 when the test exits 128 or above, as git bisect run does', async () => {
    const repo = await linearRepo(10, 5);
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt || exit 130', '--json'], { env: env() });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).status).toBe('error');
    expect(result.stderr).toMatch(/culprit: the test exited 130/);
    // Its progress line says what it was: no verdict, the reason the hunt stops.
    expect(result.stderr).toMatch(/verify +[0-9a-f]{12} +abort /);
  });

  it('treats a failing build as skip by default and as bad with --on-build-failure bad', async () => {
    const repo = await linearRepo(10, 5);
    const cache = env();
    const build = 'test "$(ls file-*.txt | wc -l)" != 4';
    const skipped = JSON.parse((await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--build', build, '--test', 'grep -q ok state.txt', '--json'], { env: cache })).stdout);
    expect(skipped.firstBad.commit).toBe(repo.culprit);
    const workspaces = readdirSync(path.join(cache.XDG_CACHE_HOME!, 'culprit', 'workspaces'));
    expect(workspaces).toHaveLength(1);
  });
});
