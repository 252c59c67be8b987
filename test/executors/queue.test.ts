// Probes on a distributed queue, end to end: a real redis-server on 127.0.0.1 and real `culprit worker` processes.
// Four workers hunt 1,024 commits in at most 5 rounds; a worker killed mid-probe or a Redis restart costs no verdict
// and changes no answer; a forged, wrongly signed or replayed job never runs; a cancelled probe dies on its worker.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/executors/queue-signing.js';
import { culprit, finished, processAlive, repoSnapshot, startCulprit, whenRunning } from '../fixtures/cli.js';
import { startRedis, startWorker, type RedisServer, type StartedWorker } from '../fixtures/redis-server.js';
import { hgRun, linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

const KEY = 'k3y-for-the-queue-tests-0123456789';
const env = { CULPRIT_QUEUE_KEY: KEY };

let redis: RedisServer;
const workers: StartedWorker[] = [];

async function workersFor(repo: string, count: number, extra: string[] = []): Promise<StartedWorker[]> {
  const started = await Promise.all(Array.from({ length: count }, () => startWorker(redis.url, repo, env, extra)));
  workers.push(...started);
  return started;
}

async function stopWorkers(): Promise<void> {
  for (const worker of workers.splice(0)) {
    worker.child.kill('SIGTERM');
    await worker.done;
  }
}

/** A process's parent, grandparent and so on, from /proc. */
function ancestorsOf(pid: number): number[] {
  const chain: number[] = [];
  for (let at = pid; at > 1; ) {
    let status: string;
    try {
      status = readFileSync(`/proc/${at}/status`, 'utf8');
    } catch {
      break;
    }
    at = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    chain.push(at);
  }
  return chain;
}

interface Document {
  hunt: number;
  firstBad: { commit: string } | null;
  rounds: number;
  probes: Array<{ commit: string; verdict: string; log: string }>;
}

function hunt(repo: { dir: string; commits: string[] }, test: string, extra: string[] = []): ReturnType<typeof startCulprit> {
  return startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', 'HEAD', '--test', test, '--executor', redis.url, '--narrow', 'none', '--timeout', '60', '--store', path.join(tempDir(), 'hunts.sqlite'), '--workdir', tempDir(), '--json', ...extra], { env });
}

beforeAll(async () => {
  redis = await startRedis();
});

// Whatever a test did, its workers go: a worker left running would take the next test's jobs for another repository.
afterEach(async () => {
  await stopWorkers();
});

afterAll(async () => {
  await stopWorkers();
  await redis?.stop();
});

describe('culprit run --executor redis://…', () => {
  it('four workers hunt 1,024 commits in at most 5 rounds, with the answer git bisect gives, the checkout untouched', async () => {
    const repo = await linearRepo(1025, 700);
    await workersFor(repo.dir, 4);
    const before = repoSnapshot(repo.dir);
    // The probes must not see the queue key: with it, a test could sign jobs of its own.
    const result = await finished(hunt(repo, 'test -z "$CULPRIT_QUEUE_KEY$CULPRIT_REDIS_PASSWORD" || exit 3; sleep 0.2; grep -q ok state.txt', ['--jobs', '4']));
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as Document;
    expect(document.firstBad?.commit).toBe(repo.culprit);
    expect(document.rounds).toBeLessThanOrEqual(5);
    expect(document.probes.length).toBeGreaterThan(8);
    // Every verdict came back with its log, copied beside the coordinator's other logs.
    for (const probe of document.probes) expect(readFileSync(probe.log, 'utf8')).toMatch(/^# run by /);
    expect(repoSnapshot(repo.dir)).toEqual(before);
    await stopWorkers();
  }, 120_000);

  it('loses no verdict and keeps its answer when a worker is killed mid-probe, or Redis restarts', async () => {
    const repo = await linearRepo(64, 37);
    await workersFor(repo.dir, 2);
    const marks = tempDir();
    const held = path.join(tempDir(), 'held');
    const go = path.join(tempDir(), 'go');
    // Each run leaves a mark; the third one writes its pid and is held until the test has killed its worker.
    const test = `n=$(ls '${marks}' | wc -l); touch '${marks}/run-'$$; if [ "$n" -eq 2 ]; then echo $$ > '${held}'; while [ ! -f '${go}' ]; do sleep 0.05; done; fi; sleep 0.2; grep -q ok state.txt`;
    const child = hunt(repo, test);
    const done = finished(child);
    try {
      expect(await whenRunning(child, done, () => existsSync(held) && readFileSync(held, 'utf8').trim() !== '')).toBeUndefined();
      // The worker running the held probe dies without a word; its job must go to the other one.
      const holder = workers.find((worker) => ancestorsOf(Number(readFileSync(held, 'utf8'))).includes(worker.child.pid ?? -1));
      expect(holder).toBeDefined();
      holder?.child.kill('SIGKILL');
      await holder?.done;
      // And Redis goes away and comes back while the hunt waits.
      await redis.stop();
      await redis.start();
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
      const document = JSON.parse(result.stdout) as Document;
      expect(document.firstBad?.commit).toBe(repo.culprit);
      expect(document.probes.every((probe) => probe.verdict === 'good' || probe.verdict === 'bad')).toBe(true);
      // More runs than verdicts: the killed worker's job ran again on the other worker.
      expect(readdirSync(marks).length).toBeGreaterThan(document.probes.length);
    } finally {
      // The killed worker's held run is released, and ends.
      writeFileSync(go, '');
      child.kill('SIGTERM');
      await done;
      await stopWorkers();
    }
  }, 120_000);

  it('never runs a job that is unsigned, signed with another key, or a replay of a signed one (a copy under its own id gets its recorded result)', async () => {
    const repo = await linearRepo(8, 4);
    const [worker] = await workersFor(repo.dir, 1);
    // A real hunt first: its signed jobs are what an attacker with access to Redis could copy.
    const real = await finished(hunt(repo, 'grep -q ok state.txt'));
    expect(real.code, real.stderr).toBe(0);
    const queue = new Queue('probes', { connection: { host: '127.0.0.1', port: redis.port }, prefix: 'culprit' });
    try {
      const [signedJob] = await queue.getCompleted(0, 0);
      expect(signedJob).toBeDefined();
      const marker = path.join(tempDir(), 'owned');
      const forgedBody: Record<string, unknown> = { ...(signedJob?.data.body as Record<string, unknown>), nonce: 'forged-1', issuedAt: Date.now() };
      const job = structuredClone(forgedBody.job) as { recipe: { test: unknown } };
      job.recipe.test = { shell: `touch '${marker}'` };
      forgedBody.job = job;
      await queue.add('probe', { body: forgedBody }, { jobId: 'forged-1' });
      const other = { ...forgedBody, nonce: 'forged-2' };
      await queue.add('probe', { body: other, signature: sign(Buffer.from('another-key-entirely-0123456789'), other) }, { jobId: 'forged-2' });
      await queue.add('probe', { body: { ...forgedBody, nonce: 'forged-3' }, signature: 'ab'.repeat(32) }, { jobId: 'forged-3' });
      // The signed job again, as it was, under a new id; and under its own id once it was removed.
      await queue.add('probe', signedJob?.data, { jobId: 'copied' });
      await signedJob?.remove();
      await queue.add('probe', signedJob?.data, { jobId: signedJob?.id });
      const probed = (worker?.output().match(/worker: probing/g) ?? []).length;
      for (let tries = 0; tries < 400 && !/already ran/.test(worker?.output() ?? ''); tries++) await new Promise((resolve) => setTimeout(resolve, 25));
      for (let tries = 0; tries < 400 && (worker?.output().match(/refused job/g) ?? []).length < 4; tries++) await new Promise((resolve) => setTimeout(resolve, 25));
      const refusals = worker?.output().match(/refused job .*/g) ?? [];
      expect(refusals).toHaveLength(4);
      expect(refusals.filter((line) => line.includes('not signed with the queue key'))).toHaveLength(3);
      expect(refusals.filter((line) => line.includes('its signature is for another job'))).toHaveLength(1);
      expect(existsSync(marker)).toBe(false);
      for (const id of ['forged-1', 'forged-2', 'forged-3', 'copied']) expect(await (await queue.getJob(id))?.getState()).toBe('failed');
      // Its own id again: it does not run a second time; what it found the first time is sent back.
      expect(worker?.output()).toMatch(new RegExp(`job ${signedJob?.id ?? '?'} already ran: sending back its recorded result`));
      expect(await (await queue.getJob(signedJob?.id ?? ''))?.getState()).toBe('completed');
      expect((worker?.output().match(/worker: probing/g) ?? []).length).toBe(probed);
    } finally {
      await queue.close();
      await stopWorkers();
    }
  }, 120_000);

  it('kills a cancelled probe on its worker when the coordinator is stopped', async () => {
    const repo = await linearRepo(8, 4);
    const [worker] = await workersFor(repo.dir, 1);
    const pidFile = path.join(tempDir(), 'pid');
    // The first run writes its own pid and waits; stopping the hunt must end it on the worker.
    const child = hunt(repo, `if [ ! -f '${pidFile}' ]; then echo $$ > '${pidFile}'; exec sleep 120; fi; grep -q ok state.txt`, ['--no-verify']);
    const done = finished(child);
    try {
      expect(await whenRunning(child, done, () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '')).toBeUndefined();
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(processAlive(pid)).toBe(true);
      child.kill('SIGINT');
      const result = await done;
      expect(result.code).toBe(130);
      // The cancel reaches the worker by message, or by the key it looks at every second; then TERM (KILL after grace).
      for (let tries = 0; tries < 800 && processAlive(pid); tries++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(processAlive(pid)).toBe(false);
      expect(worker?.output()).toMatch(/cancelling job/);
    } finally {
      child.kill('SIGKILL');
      await done;
      await stopWorkers();
    }
  }, 60_000);
});

describe('culprit worker on Mercurial', () => {
  it('probes changesets committed after it started', async () => {
    const repo = await linearHgRepo(8, 5);
    await workersFor(repo.dir, 1);
    // Two more changesets, the bad one last: the worker's workspaces were cloned before them.
    writeFileSync(path.join(repo.dir, 'later.txt'), 'later\n');
    hgRun(repo.dir, ['commit', '--addremove', '--quiet', '--message', 'later work']);
    const result = await finished(startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', 'tip', '--test', 'grep -q ok state.txt', '--executor', redis.url, '--narrow', 'none', '--timeout', '60', '--store', path.join(tempDir(), 'hunts.sqlite'), '--workdir', tempDir(), '--json'], { env }));
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as Document).firstBad?.commit).toBe(repo.culprit);
    await stopWorkers();
  }, 60_000);
});

describe('a queue behind a Redis ACL user', () => {
  it('works with a user and password (in the URL or CULPRIT_REDIS_PASSWORD), and refuses a wrong one or a user without scripts in one line', async () => {
    const admin = new Redis({ host: '127.0.0.1', port: redis.port });
    try {
      await admin.call('ACL', 'SETUSER', 'hunter', 'on', '>hunter-password-1', '~*', '&*', '+@all');
      await admin.call('ACL', 'SETUSER', 'limited', 'on', '>limited-password-1', '~*', '&*', '+@all', '-eval', '-evalsha', '-script');
    } finally {
      admin.disconnect();
    }
    const repo = await linearRepo(8, 4);
    const url = `redis://hunter@127.0.0.1:${redis.port}/0`;
    const withPassword = { ...env, CULPRIT_REDIS_PASSWORD: 'hunter-password-1' };
    const worker = await startWorker(url, repo.dir, withPassword);
    workers.push(worker);
    try {
      const result = await finished(startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', 'HEAD', '--test', 'grep -q ok state.txt', '--executor', `redis://hunter:hunter-password-1@127.0.0.1:${redis.port}/0`, '--narrow', 'none', '--store', path.join(tempDir(), 'hunts.sqlite'), '--workdir', tempDir(), '--json'], { env }));
      expect(result.code, result.stderr).toBe(0);
      expect((JSON.parse(result.stdout) as Document).firstBad?.commit).toBe(repo.culprit);
    } finally {
      await stopWorkers();
    }
    const base = ['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--test', 'true', '--store', path.join(tempDir(), 'hunts.sqlite'), '--workdir', tempDir()];
    for (const [target, message] of [
      [`redis://hunter:wrong-password@127.0.0.1:${redis.port}/0`, /refused culprit: WRONGPASS/],
      [`redis://limited:limited-password-1@127.0.0.1:${redis.port}/0`, /the queue at redis:\/\/limited@127\.0\.0\.1:\d+\/0 refused culprit: NOPERM/],
    ] as const) {
      const refused = await culprit([...base, '--executor', target], { env });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(message);
      // The password never shows.
      expect(refused.stderr).not.toMatch(/password-1|wrong-password/);
    }
  }, 60_000);
});

describe('bad input for a distributed hunt', () => {
  it('says what is wrong in one line and exits 2, with nothing left behind', async () => {
    const repo = await linearRepo(4, 2);
    // A store per case: they run at once, and none may be left behind.
    const stores: string[] = [];
    const store = (): string => {
      stores.push(path.join(tempDir(), 'hunts.sqlite'));
      return stores.at(-1) ?? '';
    };
    const base = ['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--test', 'true'];
    const looseKey = path.join(tempDir(), 'key');
    writeFileSync(looseKey, `${KEY}\n`, { mode: 0o644 });
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [[...base, '--store', store(), '--executor', redis.url], {}, /no queue key: .* set CULPRIT_QUEUE_KEY/],
      [[...base, '--store', store(), '--executor', redis.url], { CULPRIT_QUEUE_KEY: 'short' }, /the queue key in CULPRIT_QUEUE_KEY is 5 bytes; it needs at least 16/],
      [[...base, '--store', store(), '--executor', redis.url, '--key-file', looseKey], {}, /can be read by others \(mode 644\)/],
      [[...base, '--store', store(), '--executor', 'http://127.0.0.1:6379'], env, /--executor must be a redis:\/\/ or rediss:\/\/ URL/],
      [[...base, '--store', store(), '--executor', 'redis://127.0.0.1:1/0'], env, /cannot reach the queue at redis:\/\/127\.0\.0\.1:1\/0/],
      [[...base, '--store', store(), '--queue', 'x'], env, /--queue goes with --executor/],
      [[...base, '--store', store(), '--executor', redis.url, '--queue', 'a b'], env, /--queue must be 1 to 64 letters/],
      [[...base, '--store', store(), '--executor', redis.url.replace(/\/0$/, '/99')], env, /database 99 cannot be used/],
      [['worker', '--executor', redis.url, '--workdir', tempDir()], env, /culprit worker needs --repo/],
      [['worker', '--repo', repo.dir, '--workdir', tempDir()], env, /culprit worker needs --executor/],
      [['worker', '--executor', redis.url, '--repo', repo.dir, '--concurrency', '0', '--workdir', tempDir()], env, /--concurrency must be a whole number from 1 to 64/],
      [['worker', '--executor', redis.url, '--repo', path.join(tempDir(), 'nothing'), '--workdir', tempDir()], env, /--repo .* is neither a git nor a Mercurial repository|cannot clone/],
      [['worker', '--executor', 'redis://127.0.0.1:1/0', '--repo', repo.dir, '--workdir', tempDir()], env, /cannot reach the queue at redis:\/\/127\.0\.0\.1:1\/0/],
    ];
    // Independent of each other: all at once.
    const results = await Promise.all(cases.map(([args, extraEnv]) => culprit(args, { env: { CULPRIT_QUEUE_KEY: '', ...extraEnv } })));
    cases.forEach(([args, , message], index) => {
      const result = results[index];
      expect(result?.code, `${args.join(' ')}: ${result?.stderr}`).toBe(2);
      expect(result?.stderr).toMatch(message);
      expect(result?.stderr.trim().split('\n')).toHaveLength(1);
    });
    for (const each of stores) expect(existsSync(each)).toBe(false);
  }, 60_000);
});
