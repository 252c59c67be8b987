// Every way of getting `culprit run` wrong that we know of: one line on stderr that says what is wrong
// and what to do, exit 2, and nothing left behind (no cache created, no process alive, the repo untouched).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, repoSnapshot } from '../fixtures/cli.js';
import { branchyRepo, linearRepo, tempDir } from '../fixtures/scripted-repo.js';
import { submoduleRepo } from '../fixtures/submodule-repo.js';

async function expectUsageError(args: string[], pattern: RegExp, options: { leavesNothing?: boolean } = {}): Promise<void> {
  const cache = tempDir();
  const result = await culprit([args[0]!, '--json', ...args.slice(1)], { env: { XDG_CACHE_HOME: cache } });
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^culprit: /);
  expect(lines[0]).toMatch(pattern);
  expect(JSON.parse(result.stdout).status).toBe('error');
  if (options.leavesNothing ?? true) expect(existsSync(path.join(cache, 'culprit'))).toBe(false);
  else {
    // The only thing left is the log the error line names, so the user can read why the endpoint failed: no
    // workspace, no lock, no other log, no empty directory.
    const root = path.join(cache, 'culprit');
    const named = /log: (\S+\.log)/.exec(lines[0]!)?.[1];
    const left = existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).map((entry) => path.join(entry.parentPath ?? entry.path, entry.name)) : [];
    for (const entry of left) expect(named !== undefined && (named === entry || named.startsWith(`${entry}${path.sep}`)), `${entry} is left behind`).toBe(true);
    if (named) expect(existsSync(named)).toBe(true);
  }
}

describe('bad input', () => {
  it('rejects a directory that is not a repository', async () => {
    await expectUsageError(['run', '--repo', tempDir(), '--good', 'a', '--bad', 'b', '--test', 'true'], /not a git or Mercurial repository/);
  });

  it('rejects a directory that does not exist', async () => {
    await expectUsageError(['run', '--repo', '/nonexistent/culprit', '--good', 'a', '--bad', 'b', '--test', 'true'], /no such directory/);
  });

  it('rejects unknown revisions, naming the option', async () => {
    const repo = await linearRepo(5, 3);
    const before = repoSnapshot(repo.dir);
    await expectUsageError(['run', '--repo', repo.dir, '--good', 'no-such-tag', '--bad', repo.head, '--test', 'true'], /unknown revision for --good: 'no-such-tag'/);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', 'deadbeef', '--test', 'true'], /unknown revision for --bad: 'deadbeef'/);
    await expectUsageError(['run', '--repo', repo.dir, '--good', '--upload-pack=evil', '--bad', repo.head, '--test', 'true'], /unknown revision for --good/);
    expect(repoSnapshot(repo.dir)).toEqual(before);
  });

  it('rejects bad --jobs, --artifacts and --cache-size values before anything runs', async () => {
    const repo = await linearRepo(5, 3);
    const base = ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'true'];
    for (const jobs of ['0', 'two', '65', '1.5']) await expectUsageError([...base, '--jobs', jobs], new RegExp(`--jobs must be a whole number from 1 to 64, got '${jobs}'`));
    await expectUsageError([...base, '--artifacts', 'out/**'], /--artifacts names build outputs, but there is no --build/);
    await expectUsageError([...base, '--build', 'true', '--artifacts', '../outside'], /--artifacts/);
    await expectUsageError([...base, '--build', 'true', '--artifacts', '/abs/path'], /--artifacts/);
    await expectUsageError([...base, '--build', 'true', '--artifacts', 'out', '--cache-size', 'lots'], /--cache-size must be a size such as 500M or 2G, got 'lots'/);
    await expectUsageError([...base, '--cache-size', '1G'], /--cache-size limits the build cache, which only --artifacts fills/);
    await expectUsageError([...base, '--cache-size', 'abc'], /--cache-size must be a size such as 500M or 2G, got 'abc'/);
  });

  it('stops a parallel hunt on a wrong good endpoint with one line, its cuts cancelled', async () => {
    const repo = await linearRepo(30, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[10]!, '--bad', repo.head, '--test', 'sleep 0.2; grep -q ok state.txt', '--jobs', '4'], /good [0-9a-f]{12} does not pass the test/, {
      leavesNothing: false,
    });
  });

  it('rejects good equal to bad, also through different names', async () => {
    const repo = await linearRepo(5, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--good', 'main', '--bad', repo.head, '--test', 'true'], /same commit/);
  });

  it('explains a bad that is an ancestor of the good (swapped endpoints)', async () => {
    const repo = await linearRepo(5, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.head, '--bad', repo.commits[1]!, '--test', 'true'], /is an ancestor of good .*swap --good and --bad/);
  });

  it('handles a good that is not an ancestor of bad through the merge base, as git does', async () => {
    // The good is on an unmerged topic branch: its merge base with bad is tested first, then bisection goes on.
    const repo = await linearRepo(16, 9, 'bug', { topicFrom: 4 });
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.topic!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--json'], {
      env: { XDG_CACHE_HOME: tempDir() },
    });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    expect(document.probes[2]).toMatchObject({ commit: repo.commits[4], verdict: 'good' });
    expect(result.stderr).toMatch(/testing merge base/);
    // A bad merge base means the change went the other way (a fix on the good's line): exit 2 and the explanation.
    const branchy = await branchyRepo(6, 3);
    await expectUsageError(
      ['run', '--repo', branchy.dir, '--good', branchy.commits[6]!, '--bad', branchy.commits[9]!, '--test', '! grep -q ok state.txt'],
      // It names the merge base's log, which is the one thing kept.
      /merge base .* is bad: .*; log: \S+\.log$/,
      { leavesNothing: false },
    );
  });

  it('checks --workdir and --store before anything runs, creating nothing and never spinning on /proc', async () => {
    const repo = await linearRepo(4, 2);
    const scratch = tempDir();
    const file = path.join(scratch, 'a-file');
    writeFileSync(file, '');
    const store = path.join(scratch, 'hunts.sqlite');
    const base = ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--test', 'true'];
    await expectUsageError([...base, '--store', store, '--workdir', file], /--workdir .*a-file: .*a-file is a file, not a directory/);
    await expectUsageError([...base, '--store', store, '--workdir', path.join(file, 'below')], /is a file, not a directory/);
    await expectUsageError([...base, '--store', store, '--workdir', '/proc/culprit-x/y'], /--workdir \/proc\/culprit-x\/y: cannot create \/proc\/culprit-x/);
    await expectUsageError([...base, '--store', '/proc/culprit-x/h.sqlite'], /--store \/proc\/culprit-x\/h\.sqlite: the directory \/proc\/culprit-x does not exist/);
    await expectUsageError([...base, '--store', path.join(scratch, 'no', 'such', 'h.sqlite')], /the directory .*no\/such does not exist/);
    expect(existsSync(store)).toBe(false);
    expect(existsSync(path.join(scratch, 'no'))).toBe(false);
  });

  it('names the missing interpreter of a script that exists, and the error line of a failing Node test', async () => {
    const dir = path.join(tempDir(), 'repo');
    mkdirSync(dir, { recursive: true });
    const git = (...args: string[]): void => void execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args], { cwd: dir, stdio: 'ignore' });
    git('init', '--quiet');
    writeFileSync(path.join(dir, 'python9.sh'), '#!/usr/bin/python9\nprint(1)\n', { mode: 0o755 });
    writeFileSync(path.join(dir, 'crlf.sh'), '#!/bin/sh\r\nexit 0\r\n', { mode: 0o755 });
    writeFileSync(path.join(dir, 'fails.js'), 'throw new Error("the real reason");\n');
    for (const round of [1, 2]) {
      writeFileSync(path.join(dir, 'round.txt'), `${round}\n`);
      git('add', '-A');
      git('commit', '--quiet', '-m', `round ${round}`);
    }
    const base = ['run', '--repo', dir, '--good', 'HEAD~1', '--narrow', 'none'];
    await expectUsageError([...base, '--', './python9.sh'], /the test command was not found at good .*last output: "culprit: \.\/python9\.sh names the interpreter \/usr\/bin\/python9 in its #! line, which does not exist/, { leavesNothing: false });
    await expectUsageError([...base, '--test', './crlf.sh'], /culprit: \.\/crlf\.sh has CRLF line ends: its #! line names '\/bin\/sh\\r', which does not exist \(convert it with dos2unix\)/, { leavesNothing: false });
    await expectUsageError([...base, '--test', 'node fails.js'], /good .* does not pass the test: .*last output: "Error: the real reason"/, { leavesNothing: false });
  });

  it('says a failing good has submodules the user has not initialised, which workspaces leave empty too', async () => {
    const { uninitialised } = submoduleRepo();
    await expectUsageError(['run', '--repo', uninitialised, '--good', 'HEAD~1', '--narrow', 'none', '--test', 'test -f lib/file.txt'], /good .* does not pass the test: .*; submodules not initialised in your repository stay empty in culprit's workspaces too \(lib\): git submodule update --init there/, { leavesNothing: false });
  });

  it('says a shallow clone is shallow instead of "no history", and how to fetch the rest', async () => {
    const repo = await linearRepo(10, 7, 'bug', { topicFrom: 4 });
    const shallow = path.join(tempDir(), 'shallow');
    execFileSync('git', ['clone', '--quiet', '--depth', '1', '--no-single-branch', `file://${repo.dir}`, shallow]);
    await expectUsageError(['run', '--repo', shallow, '--good', 'origin/topic', '--bad', 'origin/main', '--test', 'grep -q ok state.txt'], /shares no history with the goods in this shallow clone.*git fetch --unshallow/, { leavesNothing: false });
  });

  it('requires a test command', async () => {
    const repo = await linearRepo(5, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head], /no test command/);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', '  '], /--test is empty/);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'true', '--', 'true'], /both --test and a command/);
  });

  it('requires a good revision', async () => {
    const repo = await linearRepo(5, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--bad', repo.head, '--test', 'true'], /no --good revision/);
  });

  it('stops when the test command is not found or not executable', async () => {
    const repo = await linearRepo(5, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'no-such-test-command --flag'], /test command was not found at good/, { leavesNothing: false });
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--', './no-such-script.sh'], /test command was not found at good/, { leavesNothing: false });
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--', './state.txt'], /not executable at good/, { leavesNothing: false });
  });

  it('rejects a timeout that is not a positive number', async () => {
    const repo = await linearRepo(5, 3);
    for (const value of ['abc', '0', '-5', '', 'Infinity', 'NaN']) {
      await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--timeout', value, '--test', 'true'], /--timeout must be a positive number of seconds/);
    }
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--grace', '-1', '--test', 'true'], /--grace must be a number/);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--on-hang', 'maybe', '--test', 'true'], /--on-hang must be one of bad, good, skip/);
  });

  it('takes decimal seconds only, and no more than a timer can wait', async () => {
    const repo = await linearRepo(5, 3);
    const base = ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'true'];
    for (const value of ['0x10', '1e3', ' ', '0b1']) await expectUsageError([...base, '--timeout', value], /--timeout must be a positive number of seconds/);
    await expectUsageError([...base, '--build-timeout', '0x10'], /--build-timeout must be a positive number of seconds/);
    // 1e12 s does not fit a timer, which then fires at once: SIGKILL 1 ms after SIGTERM.
    for (const value of ['1e12', '1000000000000', '0x10']) await expectUsageError([...base, '--grace', value], /--grace must be a number of seconds from 0 to at most 3600/);
  });

  it('says a revision with a newline in one line, escaped', async () => {
    const repo = await linearRepo(5, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--good', `${repo.commits[0]!}\nmain`, '--bad', repo.head, '--test', 'true'], /unknown revision for --good: '[0-9a-f]{40}\\nmain'/);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', 'main\r\u001b[2J', '--test', 'true'], /unknown revision for --bad: 'main\\r\\x1b\[2J'/);
  });

  it('says that a repository without commits has none yet, rather than that HEAD is unknown', async () => {
    const dir = path.join(tempDir(), 'empty');
    mkdirSync(dir);
    execFileSync('git', ['init', '--quiet'], { cwd: dir });
    await expectUsageError(['run', '--repo', dir, '--good', 'v1', '--test', 'true'], /^culprit: the repository \S+empty has no commits yet; commit the history to hunt in first/);
    const hgDir = path.join(tempDir(), 'hg-empty');
    execFileSync('hg', ['init', hgDir]);
    await expectUsageError(['run', '--repo', hgDir, '--good', '0', '--test', 'true'], /^culprit: the repository \S+hg-empty has no commits yet; commit the history to hunt in first/);
  });

  it('stops when the build fails on every endpoint', async () => {
    const repo = await linearRepo(5, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--build', 'exit 2', '--test', 'true'], /build command fails on every endpoint/, { leavesNothing: false });
  });

  it('stops when a good fails or the bad passes', async () => {
    const repo = await linearRepo(5, 3);
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[3]!, '--bad', repo.head, '--test', 'grep -q ok state.txt'], /good .* does not pass the test: it failed with exit 1/, { leavesNothing: false });
    await expectUsageError(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.commits[2]!, '--test', 'grep -q ok state.txt'], /bad .* passes the test/, { leavesNothing: false });
  });

  it('rejects unknown options and commands with exit 2', async () => {
    const unknownOption = await culprit(['run', '--frobnicate']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr.trim().split('\n')).toHaveLength(1);
    const withNewline = await culprit(['run', '--frob\nnicate']);
    expect(withNewline.code).toBe(2);
    expect(withNewline.stderr.trim().split('\n'), withNewline.stderr).toHaveLength(1);
    const unknownCommand = await culprit(['bisect-everything']);
    expect(unknownCommand.code).toBe(2);
  });
});
