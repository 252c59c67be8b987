// `culprit npm` against a real local registry (Verdaccio on 127.0.0.1): a library's releases published from its
// tags, a dependent project broken by 1.4.0, the hand-off to the library's repository, and the project left intact.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { culprit, finished, processAlive, startCulprit, whenRunning } from '../fixtures/cli.js';
import { npmEnv, publishPackage, runNpm, startRegistry, type LocalRegistry } from '../fixtures/local-registry.js';
import { dependentTest, releasedLibrary, type ReleasedLibrary } from '../fixtures/released-library.js';
import { tempDir } from '../fixtures/scripted-repo.js';
import { treeSnapshot } from '../fixtures/tree-snapshot.js';

let registry: LocalRegistry;
let lib: ReleasedLibrary;

/** A tag's files, as `git archive` gives them. */
function filesAt(dir: string, tag: string): Record<string, string> {
  const names = execFileSync('git', ['-C', dir, 'ls-tree', '-r', '--name-only', tag], { encoding: 'utf8' }).trim().split('\n');
  return Object.fromEntries(names.map((name) => [name, execFileSync('git', ['-C', dir, 'show', `${tag}:${name}`], { encoding: 'utf8' })]));
}


/** Pids whose command line mentions `text`, read from /proc (no procps needed on a fresh machine). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid).filter((name) => {
    try {
      return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  }).map(Number);
}

/** The dependent project, installed at the good version like a user's checkout: package.json, lockfile, node_modules. */
async function dependentProject(): Promise<string> {
  const dir = path.join(tempDir('culprit-app-'), 'app');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'app', version: '0.0.0', private: true, dependencies: { [lib.name]: '1.0.0' } }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'test.js'), dependentTest(lib.name));
  const install = await runNpm(registry, ['install', '--no-audit', '--no-fund'], dir);
  if (install.code !== 0) throw new Error(`npm install of the project failed: ${install.stderr}`);
  return dir;
}

const env = (): { baseEnv: NodeJS.ProcessEnv; env: NodeJS.ProcessEnv } => ({ baseEnv: npmEnv(registry), env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } });

beforeAll(async () => {
  registry = await startRegistry();
  lib = await releasedLibrary({ releases: 8, firstBad: 4, name: 'culprit-errlib' });
  for (const version of lib.versions) await publishPackage(registry, { name: lib.name, version, files: filesAt(lib.dir, `v${version}`), gitHead: lib.tagged.get(version) ?? '' });
  await publishPackage(registry, { name: lib.name, version: '1.8.0-beta.1', files: filesAt(lib.dir, 'v1.7.0'), tag: 'next' });
}, 120_000);

afterAll(async () => {
  await registry?.stop();
});

describe('culprit npm', () => {
  it('names 1.4.0, hands off to the library by its gitHead, names the commit and narrows it; the project is untouched', async () => {
    const project = await dependentProject();
    const before = treeSnapshot(project);
    const store = path.join(tempDir(), 'hunts.sqlite');
    // No tag pattern matches (the tags are v1.x.0 but the pattern is release-…): the published gitHead maps them.
    const args = ['npm', lib.name, '--good', '1.0.0', '--bad', '1.7.0', '--test', 'node test.js', '--project', project, '--source', lib.dir, '--tag', 'release-{version}', '--store', store, '--timeout', '30', '--json'];
    const result = await culprit(args, env());
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    const versions = document.stages.find((stage: { stage: string }) => stage.stage === 'versions');
    expect(versions).toMatchObject({ origin: lib.name, firstBad: '1.4.0', lastGood: '1.3.0', status: 'found', candidatesAtStart: 7 });
    expect(versions.installs).toBeLessThanOrEqual(Math.ceil(Math.log2(8)) + 2);
    const source = document.stages.find((stage: { stage: string }) => stage.stage === 'source');
    expect(source).toMatchObject({ good: { version: '1.3.0', revision: lib.tagged.get('1.3.0') }, bad: { version: '1.4.0', revision: lib.tagged.get('1.4.0') } });
    expect(source.bad.via).toMatch(/^gitHead /);
    expect(document.firstBad.commit).toBe(lib.culprit);
    expect(document.narrowed.diff).toMatch(/^\+.*'EBADF'/m);
    expect(document.narrowed.verified).toBe(true);
    expect(JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout)).toHaveLength(1);
    const report = (await culprit(['report', String(document.hunt), '--store', store])).stdout;
    for (const part of ['### Released versions', `Versions of ${lib.name}: 1.4.0 is the first bad version`, '### Commits between the two versions', 'EBADF']) expect(report).toContain(part);
    expect(treeSnapshot(project)).toBe(before);
  });

  it('searches pre-releases only when asked, and reads versions in semver order', async () => {
    const project = await dependentProject();
    const base = ['npm', lib.name, '--good', '1.3.0', '--test', 'node test.js', '--project', project, '--json'];
    const plain = await culprit([...base, '--bad', '1.7.0'], env());
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).stages.find((stage: { stage: string }) => stage.stage === 'versions').candidatesAtStart).toBe(4);
    const beta = await culprit([...base, '--bad', '1.8.0-beta.1', '--prereleases'], env());
    expect(beta.code, beta.stderr).toBe(0);
    expect(JSON.parse(beta.stdout).stages.find((stage: { stage: string }) => stage.stage === 'versions').candidatesAtStart).toBe(5);
    expect(JSON.parse(beta.stdout).firstBad.commit).toBe('1.4.0');
  });

  it('keeps the project byte-identical when killed mid-install, and resumes without repeating a probe', async () => {
    const project = await dependentProject();
    const before = treeSnapshot(project);
    const cache = env();
    const store = path.join(tempDir(), 'hunts.sqlite');
    const args = ['npm', lib.name, '--good', '1.0.0', '--bad', '1.7.0', '--test', 'node test.js', '--project', project, '--store', store, '--timeout', '30'];
    const child = startCulprit(args, cache);
    const done = finished(child);
    const logs = path.join(cache.env.XDG_CACHE_HOME ?? '', 'culprit', 'logs');
    // The third install is under way: two probes finished, a third one's install log exists.
    const early = await whenRunning(child, done, () => existsSync(logs) && readdirSync(logs, { recursive: true }).some((name) => String(name).startsWith('003-') || String(name).includes('/003-')));
    expect(early, early?.stderr).toBeUndefined();
    child.kill('SIGKILL');
    await done;
    expect(treeSnapshot(project)).toBe(before);
    const resumed = await culprit(['resume', '1', '--store', store, '--json'], cache);
    expect(resumed.code, resumed.stderr).toBe(0);
    const document = JSON.parse(resumed.stdout);
    expect(document.firstBad.commit).toBe('1.4.0');
    const probed = document.probes.map((probe: { commit: string; phase: string }) => `${probe.phase} ${probe.commit}`);
    expect(new Set(probed).size).toBe(probed.length);
    expect(treeSnapshot(project)).toBe(before);
    // The killed install's npm was swept by the resumed hunt: nothing of it runs.
    expect(processesMentioning(`${lib.name}@`).filter((pid) => processAlive(pid))).toEqual([]);
  });

  it('says in one line what is wrong: unknown package or version, the order, the registry, the project', async () => {
    const project = await dependentProject();
    const expectUsage = async (args: string[], pattern: RegExp, extra: NodeJS.ProcessEnv = {}): Promise<void> => {
      const store = path.join(tempDir(), 'hunts.sqlite');
      const options = env();
      const result = await culprit([...args, '--store', store], { ...options, env: { ...options.env, ...extra } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
      expect(existsSync(store)).toBe(false);
      expect(existsSync(path.join(options.env.XDG_CACHE_HOME ?? '', 'culprit'))).toBe(false);
    };
    const test = ['--test', 'node test.js', '--project', project];
    await expectUsage(['npm', 'culprit-no-such-package', '--good', '1.0.0', '--bad', '1.1.0', ...test], /package culprit-no-such-package is not in the npm registry http:\/\/127\.0\.0\.1:\d+/);
    await expectUsage(['npm', lib.name, '--good', '1.0.0', '--bad', '9.9.9', ...test], /--bad 9\.9\.9 is not a published version of culprit-errlib/);
    await expectUsage(['npm', lib.name, '--good', '1.5.0', '--bad', '1.2.0', ...test], /--good 1\.5\.0 is not older than --bad 1\.2\.0/);
    await expectUsage(['npm', lib.name, '--bad', '1.2.0', ...test], /needs --good and --bad versions/);
    await expectUsage(['npm', 'Not A Name!', '--good', '1.0.0', '--bad', '1.2.0', ...test], /is not an npm package name/);
    await expectUsage(['npm', lib.name, '--good', '1.0.0', '--bad', '1.2.0', '--test', 'true', '--project', tempDir()], /has no package\.json/);
    await expectUsage(['npm', lib.name, '--good', '1.0.0', '--bad', '1.2.0', ...test], /no npm registry reachable at http:\/\/127\.0\.0\.1:9\//, { npm_config_registry: 'http://127.0.0.1:9/' });
    // A source whose top is another package cannot be packed as this one by the default source test.
    const other = await releasedLibrary({ releases: 3, firstBad: 1, name: 'other-lib' });
    await expectUsage(['npm', lib.name, '--good', '1.0.0', '--bad', '1.2.0', ...test, '--source', other.dir], /the top of .*other-lib at 1\.2\.0 names the package other-lib, so its checkouts cannot be installed as culprit-errlib; give --source-test/);
  });
});
