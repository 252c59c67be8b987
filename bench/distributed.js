// Distributed benchmark: one coordinator and 1, 2 or 4 `culprit worker`s on this machine, against the local pool
// with as many jobs and against `git bisect run`, on 1,024 commits with a sleep-bound test (the probe's cost is its
// sleep, as with a long build). Reports rounds, probes and wall time side by side, as ratios; writes DISTRIBUTED.md.
//
//   npm run bench:distributed        (BENCH_SLEEP=0.5 BENCH_WORKERS=1,2,4 by default)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchRepository } from './history.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'culprit.js');
const SLEEP = Number(process.env.BENCH_SLEEP ?? 0.5);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const TOTAL = 1025;
const CULPRIT = 700;
const TEST = `sleep ${SLEEP}; grep -q ok state.txt`;
const KEY = 'bench-queue-key-0123456789abcdef';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'culprit-bench-distributed-'));

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(args, env = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, CULPRIT_QUEUE_KEY: KEY, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

async function startWorker(url, repo, index) {
  const child = spawn(process.execPath, [bin, 'worker', '--executor', url, '--repo', repo, '--workdir', path.join(scratch, `worker-${index}`)], { env: { ...process.env, CULPRIT_QUEUE_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr.on('data', (chunk) => (said += chunk));
  while (!said.includes('takes probes')) {
    if (child.exitCode !== null) throw new Error(`worker did not start: ${said}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function hunt(repo, jobs, executor) {
  const id = `${executor ? 'queue' : 'local'}-${jobs}`;
  const result = await run(['run', '--repo', repo, '--good', 'root', '--bad', 'HEAD', '--test', TEST, '--timeout', '60', '--jobs', String(jobs), '--narrow', 'none', '--store', path.join(scratch, `${id}.sqlite`), '--workdir', path.join(scratch, `coordinator-${id}`), '--json', ...(executor ? ['--executor', executor] : [])]);
  if (result.code !== 0) throw new Error(`${id} failed: ${result.stderr}`);
  const document = JSON.parse(result.stdout);
  return { rounds: document.rounds, probes: document.probes.length, seconds: result.seconds, found: document.firstBad.commit };
}

function gitBisect(repo) {
  const clone = path.join(scratch, 'git-bisect');
  execFileSync('git', ['clone', '--quiet', repo, clone]);
  const started = performance.now();
  execFileSync('git', ['bisect', 'start', 'HEAD', 'root'], { cwd: clone, stdio: 'ignore' });
  const output = execFileSync('git', ['bisect', 'run', 'sh', '-c', TEST], { cwd: clone, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  const steps = (output.match(/^running /gm) ?? []).length;
  return { rounds: steps, probes: steps, seconds };
}

const repo = await benchRepository(path.join(scratch, 'repo'), { total: TOTAL, culprit: CULPRIT });
const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', scratch], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 300));
const url = `redis://127.0.0.1:${port}/0`;
const rows = [];
try {
  const anchor = gitBisect(repo);
  rows.push(['git bisect run', 1, anchor]);
  for (const count of WORKERS) {
    const local = await hunt(repo, count, undefined);
    rows.push([`local pool, --jobs ${count}`, count, local]);
    const workers = [];
    for (let index = 0; index < count; index++) workers.push(await startWorker(url, repo, index));
    try {
      const queued = await hunt(repo, count, url);
      if (queued.found !== local.found) throw new Error(`the queue found ${queued.found}, the local pool ${local.found}`);
      rows.push([`${count} worker${count === 1 ? '' : 's'} on the queue, --jobs ${count}`, count, queued]);
    } finally {
      for (const worker of workers) await stop(worker);
    }
  }
} finally {
  redis.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}

const anchorSeconds = rows[0][2].seconds;
const lines = [
  '# Distributed probes: local pool, BullMQ workers and git bisect run',
  '',
  `${TOTAL - 1} candidate commits (first bad at ${CULPRIT}), test \`${TEST}\`; one machine (${os.cpus().length} cores), one redis-server on 127.0.0.1.`,
  'Rounds are probes one after another (the hunt\'s own count; git bisect: its steps). Wall time includes the endpoint checks.',
  '',
  '| executor | rounds | probes | wall s | wall vs git bisect | wall vs local pool, same jobs |',
  '|---|---:|---:|---:|---:|---:|',
];
for (const [name, count, row] of rows) {
  const local = rows.find(([other, jobs]) => other.startsWith('local') && jobs === count)?.[2];
  const vsLocal = name.includes('queue') && local ? `${(row.seconds / local.seconds).toFixed(2)}×` : '';
  lines.push(`| ${name} | ${row.rounds} | ${row.probes} | ${row.seconds.toFixed(1)} | ${(row.seconds / anchorSeconds).toFixed(2)}× | ${vsLocal} |`);
}
lines.push('', `Command: \`npm run bench:distributed\` (BENCH_SLEEP=${SLEEP}, BENCH_WORKERS=${WORKERS.join(',')}), ${new Date().toISOString().slice(0, 10)}.`, '');
writeFileSync(path.join(here, 'DISTRIBUTED.md'), lines.join('\n'));
console.log(lines.join('\n'));
