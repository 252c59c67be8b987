// `culprit versions` end to end on a generated library with release tags: the first bad version in few installs,
// failed installs skipped with their log kept, installs cached, --jobs, the hand-off to the source, and bad input.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, finished, startCulprit, whenRunning } from '../fixtures/cli.js';
import { dependentTest, releasedLibrary, type ReleasedLibrary } from '../fixtures/released-library.js';
import { convertToHg } from '../fixtures/scripted-hg-repo.js';
import { tempDir } from '../fixtures/scripted-repo.js';

interface Setup {
  lib: ReleasedLibrary;
  installs: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Installs a release as its tag's files (git archive), logging each install; some versions' builds are missing. */
function installScript(lib: ReleasedLibrary, missing: readonly string[]): { script: string; installs: string } {
  const dir = tempDir('culprit-install-');
  const installs = path.join(dir, 'installs.log');
  const script = path.join(dir, 'install.sh');
  writeFileSync(script, [
    '#!/bin/sh',
    `echo "$1" >> ${installs}`,
    `case "$1" in ${missing.length ? `${missing.join('|')}) echo "no build published for $1" >&2; exit 1;;` : ''} esac`,
    `git -C ${lib.dir} archive "v$1" | tar -x -C "$2"`,
    '',
  ].join('\n'));
  chmodSync(script, 0o755);
  return { script, installs };
}

async function setup(releases: number, firstBad: number, missing: readonly string[] = []): Promise<Setup> {
  const lib = await releasedLibrary({ releases, firstBad });
  const { script, installs } = installScript(lib, missing);
  const check = path.join(tempDir('culprit-check-'), 'check.js');
  // The check runs in the workspace: the library it loads is the installed index.js there.
  writeFileSync(check, dependentTest('./index.js').replace('require("./index.js")', 'require(require("node:path").resolve("index.js"))'));
  const args = ['versions', '--list', lib.versions.join(' '), '--install', `${script} {version} "$CULPRIT_WORKSPACE"`, '--test', `node ${check}`, '--timeout', '20'];
  return { lib, installs, args, env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } };
}

function installed(setup: Setup): string[] {
  return existsSync(setup.installs) ? readFileSync(setup.installs, 'utf8').trim().split('\n').filter(Boolean) : [];
}

describe('culprit versions', () => {
  it('finds the first bad version in at most ceil(log2(n))+2 installs wherever it is, and a rerun installs nothing', async () => {
    for (const firstBad of [1, 6, 11]) {
      const run = await setup(12, firstBad);
      const result = await culprit([...run.args, '--json'], { env: run.env });
      expect(result.code, result.stderr).toBe(0);
      const document = JSON.parse(result.stdout);
      expect(document.firstBad.commit).toBe(run.lib.firstBad);
      const versions = document.stages.find((stage: { stage: string }) => stage.stage === 'versions');
      expect(versions).toMatchObject({ firstBad: run.lib.firstBad, lastGood: run.lib.versions[firstBad - 1], status: 'found', skipped: [] });
      expect(installed(run).length).toBeLessThanOrEqual(Math.ceil(Math.log2(12)) + 2);
      expect(versions.installs).toBe(installed(run).length);
      expect(result.stderr).toContain(`${run.lib.firstBad} is the first bad version (${run.lib.versions[firstBad - 1]} is the last good one)`);
      // The same hunt again reuses the verdicts; with --no-cache it tests again, from the cached installs.
      const before = installed(run);
      const again = await culprit([...run.args, '--json'], { env: run.env });
      expect(JSON.parse(again.stdout).firstBad.commit).toBe(run.lib.firstBad);
      const retest = await culprit([...run.args, '--no-cache'], { env: run.env });
      expect(retest.code, retest.stderr).toBe(0);
      expect(retest.stderr).toMatch(/install restored/);
      expect(retest.stdout).toContain(`${run.lib.firstBad} is the first bad version`);
      expect(installed(run)).toEqual(before);
    }
  });

  it('skips versions whose install fails, keeps their logs, and still names the first bad version', async () => {
    const run = await setup(12, 8, ['1.5.0', '1.9.0']);
    const result = await culprit([...run.args, '--json'], { env: run.env });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe('1.8.0');
    const skipped = document.probes.filter((probe: { verdict: string }) => probe.verdict === 'skip');
    expect(skipped.length).toBeGreaterThan(0);
    for (const probe of skipped) {
      expect(probe.outcome).toBe('build-failed');
      expect(readFileSync(probe.log, 'utf8')).toContain(`no build published for ${probe.commit}`);
    }
    expect(result.stderr).toMatch(/skip \(install failed\)/);
    // A skipped neighbour hides the answer only when it sits right before the first bad version.
    const hidden = await setup(12, 6, ['1.5.0']);
    const ambiguous = await culprit([...hidden.args, '--json'], { env: hidden.env });
    expect(ambiguous.code, ambiguous.stderr).toBe(1);
    expect(JSON.parse(ambiguous.stdout).candidates).toEqual(['1.5.0', '1.6.0']);
    expect(ambiguous.stderr).toContain('Skipped versions hide the first bad version; it is one of: 1.5.0, 1.6.0');
  });

  it('reads the list from a file or a command, and probes several versions at once with --jobs', async () => {
    const run = await setup(16, 9);
    const listFile = path.join(tempDir(), 'versions.txt');
    writeFileSync(listFile, `# releases, oldest first\n${run.lib.versions.join('\n')}\n`);
    const base = run.args.filter((_, index) => index > 2);
    const fromFile = await culprit(['versions', '--list-file', listFile, ...base, '--jobs', '3', '--json'], { env: run.env });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout).firstBad.commit).toBe('1.9.0');
    expect(fromFile.stderr).toMatch(/\[w[23]\]/);
    const fromCommand = await culprit(['versions', '--list-cmd', `git -C ${run.lib.dir} tag --sort=version:refname | sed 's/^v//'`, ...base, '--no-cache', '--json'], { env: run.env });
    expect(fromCommand.code, fromCommand.stderr).toBe(0);
    expect(JSON.parse(fromCommand.stdout).firstBad.commit).toBe('1.9.0');
    // The reproduce line tests the last good and the first bad version again, from scratch.
    const reproduce = JSON.parse(fromCommand.stdout).reproduce as string;
    expect(reproduce).toContain("--list '1.8.0 1.9.0'");
    const words = reproduce.replace(/^npx culprit /, '').match(/'(?:[^']|'\\'')*'|\S+/g)!.map((word) => (word.startsWith("'") ? word.slice(1, -1).replaceAll("'\\''", "'") : word));
    const again = await culprit(words, { env: run.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1.9.0 is the first bad version (1.8.0 is the last good one)');
    expect(again.stderr).toMatch(/verify +1\.8\.0 +good .* 0\.\d+s/);
  });

  it('resumes a killed hunt from the directory it started in, repeating no finished probe', async () => {
    const run = await setup(12, 6);
    const here = tempDir('culprit-here-');
    const child = startCulprit(run.args, { cwd: here, env: run.env });
    const done = finished(child);
    // Killed while the third version installs: two probes are stored, the third is in flight.
    const early = await whenRunning(child, done, () => installed(run).length >= 3);
    expect(early, early?.stderr).toBeUndefined();
    child.kill('SIGKILL');
    await done;
    const resumed = await culprit(['resume', '--json'], { cwd: here, env: run.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const document = JSON.parse(resumed.stdout);
    expect(document.firstBad.commit).toBe('1.6.0');
    const probed = document.probes.map((probe: { phase: string; commit: string }) => `${probe.phase} ${probe.commit}`);
    expect(new Set(probed).size).toBe(probed.length);
    expect(document.probes.filter((probe: { source: string }) => probe.source === 'resumed').length).toBeGreaterThanOrEqual(2);
    // Each version is installed once per probe: only the one in flight when culprit was killed twice.
    const counts = new Map<string, number>();
    for (const version of installed(run)) counts.set(version, (counts.get(version) ?? 0) + 1);
    expect([...counts.values()].filter((count) => count > 1).length).toBeLessThanOrEqual(1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
    expect(document.reproduce).not.toContain('--build');
    const again = await culprit(['resume'], { cwd: here, env: run.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1.6.0 is the first bad version');
  });

  it('hands the last good and the first bad version to the source: the commit, then the token, in one hunt', async () => {
    const run = await setup(8, 5);
    const store = path.join(tempDir(), 'hunts.sqlite');
    const test = run.args[run.args.indexOf('--test') + 1]!;
    const result = await culprit([...run.args, '--source', run.lib.dir, '--tag', 'v{version}', '--source-test', test, '--store', store, '--json'], { env: run.env });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.stages.map((stage: { stage: string }) => stage.stage)).toEqual(['endpoints', 'versions', 'source', 'endpoints', 'bisection', 'narrowing']);
    expect(document.firstBad.commit).toBe(run.lib.culprit);
    const source = document.stages.find((stage: { stage: string }) => stage.stage === 'source');
    expect(source).toMatchObject({ good: { version: '1.4.0', revision: run.lib.tagged.get('1.4.0'), via: 'v1.4.0' }, bad: { version: '1.5.0', via: 'v1.5.0' } });
    expect(document.narrowed.diff).toMatch(/^\+.*'EBADF'/m);
    expect(document.narrowed.verified).toBe(true);
    const hunts = JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout);
    expect(hunts).toHaveLength(1);
    const report = (await culprit(['report', String(document.hunt), '--store', store])).stdout;
    expect(report).toContain('### Released versions');
    expect(report).toContain('1.5.0 is the first bad version');
    expect(report).toContain('### Commits between the two versions');
    expect(report).toContain(`first bad commit \`${run.lib.culprit.slice(0, 12)}\``);
    expect(report).toMatch(/EBADF/);
    // The terminal shows the stages one after another: versions, the hand-off, the commits, the narrowed change.
    const order = ['verify  1.0.0', 'v1.4.0', 'narrow ', 'parent + change'].map((text) => result.stderr.indexOf(text));
    expect(order.every((at, index) => at >= 0 && (index === 0 || at > order[index - 1]!))).toBe(true);
  });
});

describe('culprit versions --project', () => {
  it('installs into a copy of the project: links into it stay in the copy, a build is cached with it, odd files are left out', async () => {
    const run = await setup(6, 3);
    const project = path.join(tempDir('culprit-proj-'), 'proj');
    mkdirSync(path.join(project, 'data'), { recursive: true });
    writeFileSync(path.join(project, 'data', 'seen.txt'), 'original\n');
    // An absolute link into the project: a write through the copy's link must not reach the original.
    symlinkSync(path.join(project, 'data'), path.join(project, 'out'));
    execFileSync('mkfifo', [path.join(project, 'pipe')]);
    const before = readFileSync(path.join(project, 'data', 'seen.txt'), 'utf8');
    const install = run.args[run.args.indexOf('--install') + 1]!;
    const args = ['versions', '--list', run.lib.versions.join(' '), '--project', project, '--install', install, '--build', 'echo built {version} > out/seen.txt && cp index.js built.js', '--test', `test -f built.js && node ${run.args[run.args.indexOf('--test') + 1]!.split(' ')[1]}`, '--timeout', '20'];
    const result = await culprit([...args, '--json'], { env: run.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).firstBad.commit).toBe('1.3.0');
    expect(readFileSync(path.join(project, 'data', 'seen.txt'), 'utf8')).toBe(before);
    // Retested from the install cache: the build's outputs come back with the install, not just node_modules.
    const retest = await culprit([...args, '--no-cache'], { env: run.env });
    expect(retest.code, retest.stderr).toBe(0);
    expect(retest.stderr).toMatch(/install restored/);
    expect(retest.stdout).toContain('1.3.0 is the first bad version');
  });

  it('runs a plain npm install in the workspace, never in a directory above it that holds a package.json', async () => {
    const home = tempDir('culprit-home-');
    writeFileSync(path.join(home, 'package.json'), '{"name":"home","private":true}\n');
    const result = await culprit(['versions', '--list', '1 2 3', '--install', 'npm prefix > "$CULPRIT_WORKSPACE/prefix.txt" && echo {version} > "$CULPRIT_WORKSPACE/v"', '--test', 'test "$(cat prefix.txt)" = "$PWD" && test "$(cat v)" -lt 3', '--workdir', path.join(home, 'cache'), '--timeout', '60'], { env: { XDG_CACHE_HOME: tempDir() } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('3 is the first bad version (2 is the last good one)');
  });
});

describe('culprit versions: a Mercurial source', () => {
  it('hands off to an hg clone by its tags and names the changeset', async () => {
    const run = await setup(6, 3);
    const tags = [...run.lib.tagged.values()];
    const hg = convertToHg({ dir: run.lib.dir, commits: [...tags, run.lib.culprit], culprit: run.lib.culprit, head: tags.at(-1)! });
    const test = run.args[run.args.indexOf('--test') + 1]!;
    const result = await culprit([...run.args, '--source', hg.dir, '--source-test', test, '--narrow', 'line', '--json'], { env: run.env });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.stages.find((stage: { stage: string }) => stage.stage === 'source')).toMatchObject({ vcs: 'hg', good: { version: '1.2.0', via: 'v1.2.0' }, bad: { version: '1.3.0', via: 'v1.3.0' } });
    expect(document.firstBad.commit).toBe(hg.culprit);
    expect(document.narrowed.diff).toMatch(/^\+.*'EBADF'/m);
  });
});

describe('culprit versions: untagged releases', () => {
  it('widens the hand-off to the nearest tagged versions when the last good one has no tag, and still finds the commit', async () => {
    const run = await setup(6, 3);
    // Release tags rel-X for every version but 1.2.0 (the installs read the v-tags, which all exist).
    for (const [version, commit] of run.lib.tagged) if (version !== '1.2.0') execFileSync('git', ['-C', run.lib.dir, 'tag', `rel-${version}`, commit]);
    const test = run.args[run.args.indexOf('--test') + 1]!;
    const source = ['--source', run.lib.dir, '--tag', 'rel-{version}', '--source-test', test, '--narrow', 'none'];
    const result = await culprit([...run.args, ...source, '--json'], { env: run.env });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.stages.find((stage: { stage: string }) => stage.stage === 'versions')).toMatchObject({ lastGood: '1.2.0', firstBad: '1.3.0' });
    expect(document.stages.find((stage: { stage: string }) => stage.stage === 'source')).toMatchObject({ good: { version: '1.1.0', via: 'rel-1.1.0' }, bad: { version: '1.3.0' }, untagged: ['1.2.0'] });
    expect(document.firstBad.commit).toBe(run.lib.culprit);
    expect(result.stderr).toContain('1.2.0 has no tag in');
    // The hunt's own endpoints must have tags: that is bad input, found before anything runs.
    execFileSync('git', ['-C', run.lib.dir, 'tag', '-d', 'rel-1.0.0']);
    const untaggedGood = await culprit([...run.args, ...source], { env: run.env });
    expect(untaggedGood.code).toBe(2);
    expect(untaggedGood.stderr.trim()).toMatch(/^culprit: version 1\.0\.0 has no tag in .* \(tried rel-1\.0\.0\); tag it there, or give the tag pattern with --tag/);
  });
});

describe('culprit versions: a hand-off that cannot start', () => {
  it('says the source test fails at the good revision, after the hand-off, and keeps the versions found so far', async () => {
    const run = await setup(6, 3);
    const store = path.join(tempDir(), 'hunts.sqlite');
    const result = await culprit([...run.args, '--source', run.lib.dir, '--source-test', 'exit 1', '--store', store], { env: run.env });
    expect(result.code, result.stderr).toBe(2);
    const last = result.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^culprit: after the hand-off to .* \(1\.2\.0 is v1\.2\.0, 1\.3\.0 is v1\.3\.0\): good [0-9a-f]{12} does not pass the test: .*; check --source-test .*log: \S+\.log$/);
    // The versions' verdicts stay: a new hunt with a fixed --source-test gets them from the cache.
    const hunts = JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout);
    expect(hunts).toHaveLength(1);
    const before = installed(run).length;
    const test = run.args[run.args.indexOf('--test') + 1]!;
    const fixed = await culprit([...run.args, '--source', run.lib.dir, '--source-test', test, '--store', store, '--narrow', 'none'], { env: run.env });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain(`${run.lib.culprit} is the first bad commit`);
    expect(installed(run).length).toBe(before);
  });
});

describe('culprit versions: bad input', () => {
  async function expectUsageError(args: string[], pattern: RegExp): Promise<void> {
    const cache = tempDir();
    const store = path.join(tempDir(), 'hunts.sqlite');
    const result = await culprit([...args, '--store', store], { env: { XDG_CACHE_HOME: cache } });
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(existsSync(path.join(cache, 'culprit')), 'nothing left in the cache').toBe(false);
    expect(existsSync(store), 'no hunt recorded').toBe(false);
  }

  it('says what is wrong with the list, the endpoints, the install and the source in one line each', async () => {
    const lib = await releasedLibrary({ releases: 4, firstBad: 2 });
    const install = `git -C ${lib.dir} archive v{version} | tar -x -C "$CULPRIT_WORKSPACE"`;
    const list = lib.versions.join(' ');
    const ok = ['--install', install, '--test', 'true'];
    await expectUsageError(['versions', '--list', list, '--test', 'true'], /no --install command/);
    await expectUsageError(['versions', '--list', ' ', ...ok], /the list of versions \(versions\) is empty/);
    await expectUsageError(['versions', '--list', '1.0.0', ...ok], /holds only 1\.0\.0/);
    await expectUsageError(['versions', '--list', '1.0.0 1.1.0 1.0.0', ...ok], /version 1\.0\.0 appears twice/);
    await expectUsageError(['versions', '--list', "1.0.0 1.1'0", ...ok], /is not a plain name/);
    await expectUsageError(['versions', '--list', list, '--good', '0.9.0', ...ok], /--good 0\.9\.0 is not one of the 4 versions/);
    await expectUsageError(['versions', '--list', list, '--good', '1.2.0', '--bad', '1.1.0', ...ok], /--good 1\.2\.0 is not older than --bad 1\.1\.0/);
    await expectUsageError(['versions', '--list', list, '--good', '1.1.0', '--bad', '1.1.0', ...ok], /--good 1\.1\.0 is not older than --bad 1\.1\.0/);
    await expectUsageError(['versions', '--list', list, '--install', 'cp -r /builds/latest "$CULPRIT_WORKSPACE"', '--test', 'true'], /does not mention which version/);
    await expectUsageError(['versions', '--list', list, '--install', 'pip install app=={version}', '--test', 'true'], /does not mention where to install/);
    await expectUsageError(['versions', '--list', list, '--list-file', '/x', ...ok], /only one of --list, --list-file and --list-cmd/);
    await expectUsageError(['versions', '--list-file', '/nonexistent/versions.txt', ...ok], /cannot read --list-file .*ENOENT/);
    await expectUsageError(['versions', '--list-cmd', 'echo nope >&2; exit 3', ...ok], /--list-cmd failed \(exit code 3\): nope/);
    await expectUsageError(['versions', ...ok], /no versions to search/);
    await expectUsageError(['versions', '--list', list, ...ok, '--tag', 'v{version}'], /--tag is for the hand-off to the source, but there is no --source/);
    await expectUsageError(['versions', '--list', list, ...ok, '--source', tempDir()], /not a git or Mercurial repository/);
    await expectUsageError(['versions', '--list', list, ...ok, '--source', lib.dir, '--tag', 'release-{version}'], /version 1\.0\.0 has no tag in .* \(tried release-1\.0\.0\)/);
    await expectUsageError(['versions', '--list', list, ...ok, '--source', lib.dir, '--tag', 'release'], /--tag release does not say where the version goes/);
    // A tag pattern names tags only: a version that reads like an abbreviated hash is not taken for a commit.
    const hashes = [...lib.tagged.values()].map((commit) => commit.slice(0, 8));
    await expectUsageError(['versions', '--list', hashes.join(' '), ...ok, '--source', lib.dir, '--tag', '{version}'], new RegExp(`version ${hashes[0]!} has no tag in .* \\(tried ${hashes[0]!}\\)`));
    const file = path.join(tempDir(), 'file');
    writeFileSync(file, '');
    await expectUsageError(['versions', '--list', list, ...ok, '--project', file], /--project .* is not a directory/);
    await expectUsageError(['versions', '--list', list, ...ok, '--project', '/nonexistent/project'], /--project \/nonexistent\/project does not exist/);
    const project = tempDir();
    await expectUsageError(['versions', '--list', list, ...ok, '--project', project, '--workdir', path.join(project, '.cache')], /culprit's cache directory .* is inside the project/);
  });
});

