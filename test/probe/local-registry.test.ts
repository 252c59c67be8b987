// Checks the local Verdaccio fixture end to end: publish versions, read them back with npm, install one, stop it,
// and make sure it was configured never to reach the public registry and leaves no process or port behind.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPackage, runNpm, startRegistry, type LocalRegistry } from '../fixtures/local-registry.js';

const NAME = 'culprit-fixture-lib';
const VERSIONS = ['1.0.0', '1.1.0', '1.2.0-beta.1', '1.2.0'];
const GIT_HEAD = '0123456789abcdef0123456789abcdef01234567';

let registry: LocalRegistry;
let project = '';

function files(version: string): Record<string, string> {
  return { 'index.js': `module.exports = ${JSON.stringify(version)};\n`, 'lib/data.txt': `data of ${version}\n` };
}

beforeAll(async () => {
  registry = await startRegistry();
  project = mkdtempSync(path.join(tmpdir(), 'culprit-registry-project-'));
  for (const version of VERSIONS) {
    await publishPackage(registry, { name: NAME, version, files: files(version), ...(version === '1.1.0' ? { gitHead: GIT_HEAD } : {}) });
  }
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (project !== '') rmSync(project, { recursive: true, force: true });
}, 60_000);

async function npmOk(args: string[], cwd = project): Promise<string> {
  const result = await runNpm(registry, args, cwd);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('local registry', () => {
  it('is configured with no uplinks, so nothing is proxied to the public registry', () => {
    const config = JSON.parse(readFileSync(registry.config, 'utf8')) as { uplinks?: object; packages: Record<string, { proxy?: string }> };
    expect(config.uplinks ?? {}).toEqual({});
    for (const rules of Object.values(config.packages)) expect(rules.proxy).toBeUndefined();
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(registry.userconfig, 'utf8')).toContain(`registry=${registry.url}/`);
  });

  it('lists the published versions in order, prereleases off "latest"', async () => {
    expect(JSON.parse(await npmOk(['view', NAME, 'versions', '--json']))).toEqual(VERSIONS);
    expect(JSON.parse(await npmOk(['view', NAME, 'dist-tags', '--json']))).toEqual({ latest: '1.2.0', next: '1.2.0-beta.1' });
  });

  it('keeps the given gitHead on the version that had one', async () => {
    expect(JSON.parse(await npmOk(['view', `${NAME}@1.1.0`, 'gitHead', '--json']))).toBe(GIT_HEAD);
    expect((await npmOk(['view', `${NAME}@1.1.0`, 'gitHead'])).trim()).toBe(GIT_HEAD);
    // The package directories are not git checkouts, so npm invents no gitHead for the others.
    expect((await npmOk(['view', `${NAME}@1.0.0`, 'gitHead'])).trim()).toBe('');
  });

  it('installs a version with its files', async () => {
    writeFileSync(path.join(project, 'package.json'), '{ "name": "consumer", "version": "0.0.0", "private": true }\n');
    await npmOk(['install', `${NAME}@1.1.0`, '--no-save']);
    const installed = path.join(project, 'node_modules', NAME);
    expect(JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')).version).toBe('1.1.0');
    for (const [file, content] of Object.entries(files('1.1.0'))) expect(readFileSync(path.join(installed, file), 'utf8')).toBe(content);
    const lock = JSON.parse(readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    expect(lock.packages[`node_modules/${NAME}`]?.resolved).toBe(`${registry.url}/${NAME}/-/${NAME}-1.1.0.tgz`);
  });

  it('stops: the pid is gone and the port no longer answers', async () => {
    const { pid, url } = registry;
    await registry.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(`${url}/-/ping`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    await registry.stop(); // idempotent, so afterAll may call it again
  });
});
