// hg commands through a command server: the same answers as one hg process per command, in order when many are
// in flight, a repository replaced or removed under it, and no server left once culprit ends, even by SIGKILL.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hg } from '../../src/history/hg-command.js';
import { stopCommandServers } from '../../src/history/hg-command-server.js';
import { culprit, finished, processAlive, startCulprit } from '../fixtures/cli.js';
import { linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { tempDir } from '../fixtures/scripted-repo.js';

/** Live command servers whose argv names `directory`. */
function serversOf(directory: string): number[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return argv.includes('--cmdserver') && argv.includes(directory) && processAlive(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(condition(), what).toBe(true);
}

async function oneShot<T>(run: () => Promise<T>): Promise<T> {
  process.env.CULPRIT_HG_SERVER = '0';
  try {
    return await run();
  } finally {
    delete process.env.CULPRIT_HG_SERVER;
  }
}

const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

afterEach(() => stopCommandServers());

describe('the hg command server', () => {
  it('answers as one hg process per command does, for output, errors and many commands at once', async () => {
    const repo = await linearHgRepo(12, 5);
    const commands = [
      ['log', '--template', '{node} {desc|firstline}\\n'],
      ['log', '--rev', 'no-such-revision'],
      ['status', '--change', repo.culprit],
      ['files', '--rev', repo.head],
    ];
    for (const args of commands) {
      const served = await hg(repo.dir, args, { repo: repo.dir });
      const spawned = await oneShot(() => hg(repo.dir, args, { repo: repo.dir }));
      expect({ code: served.code, stdout: served.stdout, stderr: served.stderr }).toEqual({ code: spawned.code, stdout: spawned.stdout, stderr: spawned.stderr });
    }
    expect(serversOf(repo.dir)).toHaveLength(1);
    // Queued, answered in order: each answer belongs to its own question.
    const nodes = await Promise.all(repo.commits.map((node) => hg(repo.dir, ['log', '--rev', node, '--template', '{node}'], { repo: repo.dir })));
    expect(nodes.map((result) => result.stdout)).toEqual(repo.commits);
    expect(serversOf(repo.dir)).toHaveLength(1);
  });

  it('follows a repository replaced or removed under it', async () => {
    const first = await linearHgRepo(3, 1);
    const second = await linearHgRepo(5, 2);
    const tip = (): Promise<string> => hg(first.dir, ['log', '--rev', 'tip', '--template', '{node}'], { repo: first.dir }).then((result) => result.stdout);
    expect(await tip()).toBe(first.head);
    rmSync(first.dir, { recursive: true });
    const missing = await hg(first.dir, ['log', '--rev', 'tip'], { repo: first.dir });
    expect(missing.code).not.toBe(0);
    renameSync(second.dir, first.dir);
    expect(await tip()).toBe(second.head);
  });

  it('leaves no server behind when culprit ends, or is SIGKILLed mid-hunt', async () => {
    const repo = await linearHgRepo(30, 20);
    const cache = tempDir('culprit-cache-');
    const hunt = ['run', '--narrow', 'none', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head];
    const result = await culprit([...hunt, '--test', 'grep -q ok state.txt'], { env: { XDG_CACHE_HOME: cache } });
    expect(result.code, result.stderr).toBe(0);
    await until(() => serversOf(repo.dir).length === 0 && serversOf(cache).length === 0, 'servers gone after the hunt');
    const marker = `${tempDir()}/started`;
    const child = startCulprit([...hunt, '--test', `touch ${marker}; sleep 0.3; grep -q ok state.txt`], { env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } });
    const done = finished(child);
    await until(() => serversOf(repo.dir).length > 0 && existsSync(marker), 'a server running mid-hunt');
    child.kill('SIGKILL');
    await done;
    await until(() => serversOf(repo.dir).length === 0, 'servers gone after SIGKILL');
  });

  it('settles a command whose server dies under it, in a process nothing else keeps alive (no exit 13)', async () => {
    const repo = await linearHgRepo(3, 1);
    const script = path.join(tempDir(), 'killed-server.mjs');
    // Run as its own process: vitest's own handles would hide a culprit that leaves its event loop with a command
    // unanswered. The hook makes the command slow enough to kill the server under it.
    writeFileSync(script, [
      `import { readdirSync, readFileSync } from 'node:fs';`,
      `import { hg } from ${JSON.stringify(path.join(PROJECT, 'dist', 'history', 'hg-command.js'))};`,
      `const repo = ${JSON.stringify(repo.dir)};`,
      `await hg(repo, ['log', '--rev', 'tip', '--template', '{node}'], { repo });`,
      `const server = readdirSync('/proc').filter((pid) => /^\\d+$/.test(pid)).find((pid) => { try { const argv = readFileSync('/proc/' + pid + '/cmdline', 'utf8'); return argv.includes('--cmdserver') && argv.includes(repo); } catch { return false; } });`,
      `setTimeout(() => { for (const target of [-Number(server), Number(server)]) { try { process.kill(target, 'SIGKILL'); } catch {} } }, 700).unref();`,
      `const result = await hg(repo, ['--config', 'hooks.pre-log=sleep 2', 'log', '--rev', 'tip', '--template', '{node}'], { repo });`,
      `console.log(result.code, result.stdout);`,
    ].join('\n'));
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`0 ${repo.head}`);
  });
});

