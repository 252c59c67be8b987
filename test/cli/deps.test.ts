// `culprit deps` against a real local registry (Verdaccio on 127.0.0.1): a lockfile refresh that changed a dozen
// packages, one (or a pair together) breaking the test, named within 2·k·log2(12)+4 installs; the project untouched.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { culprit, finished, startCulprit, whenRunning } from '../fixtures/cli.js';
import { LockfileChanges } from '../../src/changes/lockfile-changes.js';
import { readLockfile } from '../../src/changes/lockfile.js';
import { npmEnv, runNpm, startRegistry, type LocalRegistry } from '../fixtures/local-registry.js';
import { GUILTY, HELPER, lockfileProject, PAIR, publishLockfilePackages, SHARED, type LockfileProject } from '../fixtures/lockfile-project.js';
import { tempDir } from '../fixtures/scripted-repo.js';
import { treeSnapshot } from '../fixtures/tree-snapshot.js';

let registry: LocalRegistry;
let project: LockfileProject;


const cacheHome = tempDir('culprit-cache-');
const env = (): { baseEnv: NodeJS.ProcessEnv; env: NodeJS.ProcessEnv } => ({ baseEnv: npmEnv(registry), env: { XDG_CACHE_HOME: cacheHome } });

interface Answer {
  name: string;
  change?: { kind: string; from: string | null; to: string | null };
}

interface Document {
  hunt: number;
  status: string;
  factors: { total: number; needed: Answer[]; alongside: Answer[]; verified: boolean; installs: number; tests: number; unresolved: number; between?: string[] };
  stages: Array<{ stage: string; firstBad?: string; lastGood?: string }>;
}

async function deps(test: string, extra: string[] = []): Promise<{ code: number | null; document: Document; stderr: string; stdout: string }> {
  const store = path.join(tempDir(), 'hunts.sqlite');
  const result = await culprit(['deps', '--good-lock', project.goodLock, '--project', project.dir, '--test', test, '--timeout', '60', '--store', store, '--json', ...extra], env());
  return { code: result.code, document: JSON.parse(result.stdout || '{}') as Document, stderr: result.stderr, stdout: result.stdout };
}

beforeAll(async () => {
  registry = await startRegistry();
  await publishLockfilePackages(registry);
  project = await lockfileProject(registry);
}, 240_000);

afterAll(async () => {
  await registry?.stop();
});

describe('culprit deps', () => {
  it('names the one package upgrade that breaks the test, with the releases between, in at most 2·log2(12)+4 installs', async () => {
    const before = treeSnapshot(project.dir);
    const { code, document, stderr } = await deps('node one.js');
    expect(code, stderr).toBe(0);
    expect(document.status).toBe('found');
    expect(document.factors.total).toBe(12);
    expect(document.factors.needed).toEqual([{ name: GUILTY, change: { kind: 'changed', from: '1.0.0', to: '1.1.0', under: null } }]);
    expect(document.factors.alongside).toEqual([]);
    expect(document.factors.verified).toBe(true);
    expect(document.factors.installs).toBeLessThanOrEqual(Math.floor(2 * Math.log2(12) + 4));
    expect(document.factors.between).toEqual(['1.0.1', '1.0.2']);
    expect(stderr).toContain(`${GUILTY} 1.0.0 → 1.1.0`);
    expect(stderr).toMatch(/--bisect-versions finds the first bad one/);
    expect(treeSnapshot(project.dir)).toBe(before);
    // The same question again is answered from the verdict cache: nothing installed, nothing run.
    const again = await deps('node one.js');
    expect(again.document.factors.needed.map((answer) => answer.name)).toEqual([GUILTY]);
    expect(again.document.factors.installs).toBe(0);
    // Without the verdict cache every configuration is tested again, but none installed: installs are kept per configuration.
    const retested = await deps('node one.js', ['--no-cache']);
    expect(retested.document.factors.needed.map((answer) => answer.name)).toEqual([GUILTY]);
    expect(retested.document.factors.tests).toBe(document.factors.tests);
    expect(retested.document.factors.installs).toBe(0);
    expect(retested.stderr).toMatch(/\(install restored\)/);
  });

  it('resumes a killed hunt without repeating a probe, and refuses to resume once a lockfile changed', async () => {
    const before = treeSnapshot(project.dir);
    const goodLock = path.join(tempDir('culprit-resume-lock-'), 'good-lock.json');
    copyFileSync(project.goodLock, goodLock);
    const store = path.join(tempDir(), 'hunts.sqlite');
    const cache = { ...env(), env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } };
    const child = startCulprit(['deps', '--good-lock', goodLock, '--project', project.dir, '--test', 'node one.js', '--store', store], cache);
    const done = finished(child);
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const early = await whenRunning(child, done, () => /factor +3 /.test(output));
    expect(early, early?.stderr).toBeUndefined();
    child.kill('SIGKILL');
    await done;
    expect(treeSnapshot(project.dir)).toBe(before);
    const original = readFileSync(goodLock);
    writeFileSync(goodLock, original.toString().replace('"lockfileVersion": 3', '"lockfileVersion": 3, "x": 1'));
    const refused = await culprit(['resume', '1', '--store', store], cache);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the lockfiles of hunt 1 changed since it started/);
    writeFileSync(goodLock, original);
    const resumed = await culprit(['resume', '1', '--store', store, '--json'], cache);
    expect(resumed.code, resumed.stderr).toBe(0);
    const document = JSON.parse(resumed.stdout) as Document & { narrowingProbes: Array<{ subject: string; source: string }> };
    expect(document.factors.needed.map((answer) => answer.name)).toEqual([GUILTY]);
    const asked = document.narrowingProbes.map((probe) => probe.subject);
    expect(new Set(asked).size).toBe(asked.length);
    expect(document.narrowingProbes.filter((probe) => probe.source === 'resumed').length).toBeGreaterThanOrEqual(2);
    expect(treeSnapshot(project.dir)).toBe(before);
  });

  it('names a pair of upgrades that only together break the test, in at most 2·2·log2(12)+4 installs', async () => {
    const { code, document, stderr } = await deps('node pair.js');
    expect(code, stderr).toBe(0);
    expect(document.factors.needed.map((answer) => answer.name).sort()).toEqual([...PAIR].sort());
    expect(document.factors.verified).toBe(true);
    expect(document.factors.installs).toBeLessThanOrEqual(Math.floor(4 * Math.log2(12) + 4));
  });

  it('installs an upgrade with the upgrade it needs, keeps old versions nested for old dependents, and names the smaller cause', async () => {
    // cdep-b 1.1.0 needs cdep-helper 2: its configuration brings the helper along; the helper alone (with 1.0.0 nested
    // under the old cdep-b) fails helper.js too, so it is the answer, not cdep-b.
    const helper = await deps('node helper.js');
    expect(helper.code, helper.stderr).toBe(0);
    expect(helper.document.factors.needed.map((answer) => answer.name)).toEqual([HELPER]);
    expect(helper.document.factors.alongside).toEqual([]);
    expect(helper.document.factors.unresolved).toBe(0);
    // A test that needs cdep-b's new version itself: cdep-b is the answer, installed with the helper it needs.
    const b = await deps(`node -e "if (require('cdep-b').version === '1.1.0') process.exit(1)"`);
    expect(b.code, b.stderr).toBe(0);
    expect(b.document.factors.needed.map((answer) => answer.name)).toEqual(['cdep-b']);
    expect(b.document.factors.alongside.map((answer) => answer.name)).toEqual([HELPER]);
    expect(b.document.factors.unresolved).toBe(0);
    expect(b.stderr).toMatch(/because it needs them: cdep-helper 1\.0\.0 → 2\.0\.0/);
  });

  it('with --bisect-versions goes on to the releases of the one package to blame, in the same hunt', async () => {
    const { code, document, stderr } = await deps('node one.js', ['--bisect-versions']);
    expect(code, stderr).toBe(0);
    expect(document.factors.needed.map((answer) => answer.name)).toEqual([GUILTY]);
    const versions = document.stages.find((stage) => stage.stage === 'versions');
    expect(versions).toMatchObject({ firstBad: '1.0.2', lastGood: '1.0.1' });
    expect(stderr).toMatch(/1\.0\.2 is the first bad version/);
  });

  it('writes every configuration of one change as a lockfile npm itself finds consistent', async () => {
    const changes = new LockfileChanges(readLockfile(project.goodLock, 'good'), readLockfile(path.join(project.dir, 'package-lock.json'), 'bad'));
    // cdep-k 1.1.0 brings cdep-shared 2.0.0 nested under it (not a change of its own): twelve changes.
    expect(changes.changes).toHaveLength(12);
    expect(changes.changes.find((change) => change.name === 'cdep-k')?.keys).toEqual(['node_modules/cdep-k', `node_modules/cdep-k/node_modules/${SHARED}`]);
    const manifest = JSON.parse(readFileSync(path.join(project.dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    const subsets = [...changes.changes.map((_, index) => [index]), changes.changes.map((_, index) => index).filter((index) => index % 2 === 0), []];
    for (const subset of subsets) {
      const dir = tempDir('culprit-configuration-');
      for (const file of changes.files(changes.closure(subset), (folder) => (folder === '' ? manifest : undefined))) if (file.content) writeFileSync(path.join(dir, file.path), file.content);
      // npm's own check of a lockfile against its ranges, offline: every edge valid, nothing missing.
      const listed = await runNpm(registry, ['ls', '--package-lock-only', '--all'], dir);
      expect(listed.code, `${subset.join(',')}: ${listed.stdout}${listed.stderr}`).toBe(0);
    }
  });

  it('says in one line what is wrong with the lockfiles and the project, and keeps no hunt', async () => {
    const dir = tempDir('culprit-bad-locks-');
    const write = (name: string, content: string): string => {
      writeFileSync(path.join(dir, name), content);
      return path.join(dir, name);
    };
    const same = path.join(dir, 'same.json');
    copyFileSync(path.join(project.dir, 'package-lock.json'), same);
    const noManifest = path.join(dir, 'bare');
    mkdirSync(noManifest);
    const cases: Array<[string[], RegExp]> = [
      [['--good-lock', path.join(dir, 'missing.json')], /--good-lock .*missing.json does not exist/],
      [['--good-lock', write('yarn.lock', '# yarn lockfile v1\n')], /is not JSON, so not an npm package-lock.json/],
      [['--good-lock', write('other.json', '{"name":"app"}')], /has no lockfileVersion/],
      [['--good-lock', write('v1.json', '{"lockfileVersion":1,"dependencies":{}}')], /has lockfileVersion 1, which culprit cannot split/],
      [['--good-lock', write('v9.json', '{"lockfileVersion":9,"packages":{"":{}}}')], /lockfileVersion 9/],
      [['--good-lock', same], /install the same packages/],
      [['--good-lock', path.join(project.dir, 'package-lock.json')], /are the same file/],
      [['--good-lock', project.goodLock, '--project', noManifest], /has no package\.json|no --bad-lock/],
      [['--good-lock', project.goodLock, '--bad-lock', project.goodLock.replace('good-lock', 'nope')], /--bad-lock .* does not exist/],
      [[], /no --good-lock/],
      [['--good-lock', project.goodLock, '--project', path.join(dir, 'nowhere')], /--project .*nowhere does not exist/],
      [['--good-lock', project.goodLock, '--project', same], /--project .*same.json is not a directory/],
    ];
    for (const [args, pattern] of cases) {
      const store = path.join(tempDir(), 'hunts.sqlite');
      const result = await culprit(['deps', ...(args.includes('--project') ? [] : ['--project', project.dir]), '--test', 'node one.js', '--store', store, ...args], env());
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
      expect(existsSync(store) ? JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout) : []).toEqual([]);
    }
  });

  it('refuses a good lockfile whose setup fails the test, naming the log', async () => {
    const store = path.join(tempDir(), 'hunts.sqlite');
    const result = await culprit(['deps', '--good-lock', project.goodLock, '--project', project.dir, '--test', 'node -e "process.exit(3)"', '--store', store], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the test does not pass with the good lockfile: it failed with exit 3; .*log: /);
  });
});
