// Fault-injection trial: SIGKILLs at random points of a hunt (one probe at a time and --jobs 4), then the faults
// of issue 18, each judged against a reference hunt: the user's repository byte-identical, the same answer and
// narrowed change, no finished probe run twice, the store's integrity.
//
//   node bench/faults.js [--culprit DIR] [--kills N] [--seed S] [--only kill,stop,worktree,workdir,daemon,recipe,vanish]
//
// --culprit names a checkout with dist/ built (default: this repository), so an older build can be judged in the
// same way (`node bench/compare.js --prepare REV` builds one). The table goes to stdout and, for this repository's
// own build, to bench/FAULTS.md.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SCENARIOS = ['kill', 'stop', 'worktree', 'workdir', 'daemon', 'recipe', 'vanish'];

function parseArguments(argv) {
  const options = { culprit: root, kills: 21, seed: 18, only: SCENARIOS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === '--culprit') options.culprit = path.resolve(value());
    else if (flag === '--kills') options.kills = Number(value());
    else if (flag === '--seed') options.seed = Number(value());
    else if (flag === '--only') options.only = value().split(',');
    else fail(`unknown argument ${flag}`);
  }
  if (!Number.isInteger(options.kills) || options.kills < 0) fail('--kills takes a whole number');
  const unknown = options.only.filter((name) => !SCENARIOS.includes(name));
  if (unknown.length) fail(`--only takes ${SCENARIOS.join(', ')} (got ${unknown.join(', ')})`);
  if (!existsSync(path.join(options.culprit, 'dist', 'cli', 'main.js'))) fail(`${options.culprit} has no dist/: build it first`);
  return options;
}

function fail(message) {
  console.error(`faults: ${message}`);
  process.exit(2);
}

/** A small deterministic generator, so a trial's kill times can be repeated. */
function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

// ------------------------------------------------------------------------------------------------ the repository

const COMMITS = 40;
const CULPRIT = 27;

function gitIn(directory, ...args) {
  return execFileSync('git', args, { cwd: directory, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.org', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.org' } }).trim();
}

/** A library whose commit CULPRIT edits six functions, one of them wrongly; the user then has work in progress. */
function makeRepository(directory) {
  mkdirSync(path.join(directory, 'src'), { recursive: true });
  gitIn(directory, 'init', '--quiet', '--initial-branch=main');
  const functions = Array.from({ length: 24 }, (_, i) => ({ name: `f${i}`, body: `return a * ${i + 1} + b;` }));
  functions[5].body = 'return a + b;';
  const write = () => writeFileSync(path.join(directory, 'src', 'calc.js'), functions.map((f) => `export function ${f.name}(a, b) {\n  ${f.body}\n}\n`).join('\n'));
  const commits = [];
  for (let n = 1; n <= COMMITS; n++) {
    if (n === CULPRIT) {
      for (const i of [2, 5, 9, 13, 17, 21]) functions[i].body = i === 5 ? 'return a - b;' : `return (a * ${i + 1}) + b;`;
    } else if (n > 1) {
      writeFileSync(path.join(directory, `notes-${n % 7}.md`), `note ${n}\n`);
    }
    write();
    gitIn(directory, 'add', '-A');
    gitIn(directory, 'commit', '--quiet', '-m', `change ${n}`);
    commits.push(gitIn(directory, 'rev-parse', 'HEAD'));
  }
  // Work in progress that no hunt may touch: a stash, a staged edit, an unstaged edit, an untracked file.
  writeFileSync(path.join(directory, 'notes-1.md'), 'stashed\n');
  gitIn(directory, 'stash', '--quiet');
  writeFileSync(path.join(directory, 'notes-2.md'), 'staged\n');
  gitIn(directory, 'add', 'notes-2.md');
  writeFileSync(path.join(directory, 'notes-3.md'), 'unstaged\n');
  writeFileSync(path.join(directory, 'untracked.txt'), 'mine\n');
  return { directory, commits, culprit: commits[CULPRIT - 1] };
}

/** Everything of the user's repository a hunt must leave alone, as one digest per part. */
function snapshot(directory) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(`${path.relative(directory, full)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
    }
  };
  walk(directory);
  return files.sort().join('\n');
}

// ------------------------------------------------------------------------------------------------ running culprit

function culpritRun(culpritDir, args, { env = {}, onStart } = {}) {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(culpritDir, 'bin', 'culprit.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  onStart?.(child);
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 })));
}

function parsed(result) {
  try {
    return JSON.parse(result.stdout);
  } catch {
    return undefined;
  }
}

/** The answer as a user reads it: the first bad commit and the narrowed change. */
function answerOf(document) {
  return document ? `${document.firstBad?.commit ?? 'none'}\n${document.narrowed?.diff ?? ''}` : 'no document';
}

/** How many times each finished probe ran (phase, commit, configuration), from the store's JSON report. */
function runCounts(document) {
  const counts = new Map();
  for (const probe of [...(document?.probes ?? []), ...(document?.narrowingProbes ?? [])]) {
    if (probe.source !== 'run' || probe.endedAt === null) continue;
    const key = `${probe.phase} ${probe.commit} ${probe.configuration ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function repeatsBeyond(reference, trial) {
  let repeats = 0;
  for (const [key, count] of trial) repeats += Math.max(0, count - Math.max(1, reference.get(key) ?? 1));
  return repeats;
}

function integrity(store) {
  if (!existsSync(store)) return 'no store';
  const db = new Database(store, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

function scratch() {
  return mkdtempSync(path.join(os.tmpdir(), 'culprit-faults-'));
}

const TEST = 'sleep 0.05; mkdir -p out && cp src/calc.js out/ && grep -q "return a + b" out/calc.js';

function huntArgs(repo, place, extra = []) {
  return ['run', '--repo', repo.directory, '--good', repo.commits[0], '--bad', repo.commits.at(-1), '--test', TEST, '--store', path.join(place, 'hunts.sqlite'), '--workdir', path.join(place, 'cache'), '--no-cache', '--json', ...extra];
}

// ------------------------------------------------------------------------------------------------ scenarios

/** SIGKILL at a random moment of the reference hunt's length, then rerun until it finishes. */
async function killTrials(options, repo, next) {
  const rows = [];
  for (const jobs of [1, 4]) {
    const extra = jobs > 1 ? ['--jobs', String(jobs)] : [];
    const place = scratch();
    const reference = await culpritRun(options.culprit, huntArgs(repo, place, extra));
    const referenceDocument = parsed(reference);
    const referenceCounts = runCounts(referenceDocument);
    let identical = 0;
    let sameAnswer = 0;
    let answered = 0;
    let repeats = 0;
    let intact = 0;
    const before = snapshot(repo.directory);
    for (let trial = 0; trial < options.kills; trial++) {
      const at = next() * reference.seconds;
      const trialPlace = scratch();
      const args = huntArgs(repo, trialPlace, extra);
      await culpritRun(options.culprit, args, { onStart: (child) => setTimeout(() => child.kill('SIGKILL'), at * 1000) });
      let result;
      for (let attempt = 0; attempt < 3; attempt++) {
        result = await culpritRun(options.culprit, args);
        if (result.code === 0) break;
      }
      const document = parsed(result);
      if (snapshot(repo.directory) === before) identical++;
      if (result.code === 0) {
        answered++;
        if (answerOf(document) === answerOf(referenceDocument)) sameAnswer++;
      }
      repeats += repeatsBeyond(referenceCounts, runCounts(document));
      if (integrity(path.join(trialPlace, 'hunts.sqlite')) === 'ok') intact++;
      rmSync(trialPlace, { recursive: true, force: true });
    }
    rmSync(place, { recursive: true, force: true });
    const n = options.kills;
    rows.push([`SIGKILL at a random point, --jobs ${jobs}`, `${n}`, `repository identical ${identical}/${n}; same answer and narrowed change ${sameAnswer}/${answered} finished; finished probes run again ${repeats}; integrity ok ${intact}/${n}`, identical === n && sameAnswer === answered && answered === n && repeats === 0 && intact === n]);
  }
  return rows;
}

/** Stops culprit with SIGSTOP while a 1-second test runs under --timeout 3, and continues it 6 s later. */
async function stopTrial(options, repo) {
  const place = scratch();
  const marks = path.join(place, 'marks');
  mkdirSync(marks);
  const test = `touch "${marks}/$CULPRIT_COMMIT"; sleep 1; grep -q "return a + b" src/calc.js`;
  const args = ['run', '--repo', repo.directory, '--good', repo.commits[0], '--bad', repo.commits.at(-1), '--test', test, '--timeout', '3', '--narrow', 'none', '--store', path.join(place, 'hunts.sqlite'), '--workdir', path.join(place, 'cache'), '--json'];
  const result = await culpritRun(options.culprit, args, {
    onStart: async (child) => {
      // The endpoints make two marks; the third is the first bisection probe, under way.
      while (existsSync(marks) && readdirSync(marks).length < 3) await delay(20);
      child.kill('SIGSTOP');
      await delay(6000);
      child.kill('SIGCONT');
    },
  });
  const document = parsed(result);
  const hangs = (document?.probes ?? []).filter((probe) => probe.verdict === 'hang').length;
  rmSync(place, { recursive: true, force: true });
  const right = document?.firstBad?.commit === repo.culprit;
  return [['SIGSTOP for 6 s under --timeout 3 (1 s test)', '1', `answer ${right ? 'right' : `wrong (${document?.firstBad?.commit?.slice(0, 12) ?? result.stderr.trim().split('\n').at(-1)})`}; probes stored as hang ${hangs}`, right && hangs === 0]];
}

/** A test that points its workspace's git at the user's repository (core.worktree, or a .git file). */
async function worktreeTrial(options, repo) {
  const rows = [];
  // Each redirect runs before the test looks at its files; `wrongUnlessStopped`: the test then looks at another commit,
  // so the only right outcomes are the right answer or a stop in one line (exit 4), never a wrong answer.
  const variants = {
    'core.worktree set to the user repository': `git config core.worktree "${repo.directory}"`,
    '.git replaced by a gitdir file to the user repository': `rm -rf .git && echo "gitdir: ${repo.directory}/.git" > .git`,
    'the index linked to the user repository': `rm -f .git/index && ln -s "${repo.directory}/.git/index" .git/index`,
    'the reflogs linked to the user repository': `rm -rf .git/logs && ln -s "${repo.directory}/.git/logs" .git/logs`,
    'a sparse checkout configured': 'git config core.sparseCheckout true && mkdir -p .git/info && echo /nothing > .git/info/sparse-checkout',
    'a checkout of the newest commit': { redirect: `git checkout -q ${repo.commits.at(-1)}`, wrongUnlessStopped: true },
  };
  for (const [name, variant] of Object.entries(variants)) {
    const redirect = typeof variant === 'string' ? variant : variant.redirect;
    const before = snapshot(repo.directory);
    const place = scratch();
    const test = `${redirect}; grep -q "return a + b" src/calc.js`;
    const result = await culpritRun(options.culprit, ['run', '--repo', repo.directory, '--good', repo.commits[0], '--bad', repo.commits.at(-1), '--test', test, '--narrow', 'none', '--store', path.join(place, 'hunts.sqlite'), '--workdir', path.join(place, 'cache'), '--json']);
    const identical = snapshot(repo.directory) === before;
    const right = parsed(result)?.firstBad?.commit === repo.culprit;
    const stopped = result.code === 4 && /vanished or changed under the probe/.test(result.stderr);
    rmSync(place, { recursive: true, force: true });
    const answer = right ? 'right' : stopped ? 'none: stopped in one line (exit 4)' : `wrong or none (exit ${result.code})`;
    rows.push([`test: ${name}`, '1', `repository ${identical ? 'identical' : 'CHANGED'}; answer ${answer}`, identical && (right || (typeof variant !== 'string' && variant.wrongUnlessStopped && stopped))]);
    if (!identical) restore(repo);
  }
  return rows;
}

/** Puts the user's repository back as makeRepository left it, after a build that damaged it. */
function restore(repo) {
  rmSync(repo.directory, { recursive: true, force: true });
  Object.assign(repo, makeRepository(repo.directory));
}

/** --workdir inside the user's repository, with a test that removes its workspace's .git. */
async function workdirTrial(options, repo) {
  const before = snapshot(repo.directory);
  const place = scratch();
  const workdir = path.join(repo.directory, 'cache-in-repo');
  const result = await culpritRun(options.culprit, ['run', '--repo', repo.directory, '--good', repo.commits[0], '--bad', repo.commits.at(-1), '--test', 'rm -rf .git; grep -q "return a + b" src/calc.js', '--narrow', 'none', '--store', path.join(place, 'hunts.sqlite'), '--workdir', workdir]);
  const refused = result.code === 2 && !existsSync(workdir);
  rmSync(workdir, { recursive: true, force: true });
  const identical = snapshot(repo.directory) === before;
  rmSync(place, { recursive: true, force: true });
  if (!identical) restore(repo);
  const line = result.stderr.trim().split('\n').at(-1) ?? '';
  return [['--workdir inside the repository, test removes .git', '1', `${refused ? `refused (exit 2): ${line.slice(0, 90)}` : `accepted (exit ${result.code})`}; repository ${identical ? 'identical' : 'CHANGED'}`, refused && identical]];
}

/** Daemons that clear their environment and leave the probe's session: none may outlive the hunt. */
async function daemonTrial(options, repo) {
  const place = scratch();
  const pids = path.join(place, 'pids');
  const test = [
    `env -i setsid sh -c 'echo $$ >> "${pids}"; exec sleep 600' &`,
    `sh -c '(env -i setsid sh -c "sleep 600 & echo \\$! >> ${pids}; exit") &' &`,
    'sleep 0.2; grep -q "return a + b" src/calc.js',
  ].join(' ');
  const result = await culpritRun(options.culprit, ['run', '--repo', repo.directory, '--good', repo.commits[0], '--bad', repo.commits.at(-1), '--test', test, '--narrow', 'none', '--store', path.join(place, 'hunts.sqlite'), '--workdir', path.join(place, 'cache'), '--json']);
  await delay(500);
  const started = existsSync(pids) ? readFileSync(pids, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
  const alive = started.filter((pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '));
  for (const pid of alive) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(place, { recursive: true, force: true });
  const right = parsed(result)?.firstBad?.commit === repo.culprit;
  return [['daemons: setsid with env -i, double fork', `${started.length} daemons`, `survived the hunt ${alive.length}/${started.length}; answer ${right ? 'right' : 'wrong or none'}`, alive.length === 0 && started.length > 0 && right]];
}

/** A hunt started with CFLAGS=A, SIGKILLed, then resumed with CFLAGS=B: refused, or a right answer for B. */
async function recipeTrial(options, repo) {
  const place = scratch();
  const marks = path.join(place, 'marks');
  mkdirSync(marks);
  // Under CFLAGS=A every commit is good: mixing A's verdicts with B's gives a wrong answer.
  const test = `touch "${marks}/$CULPRIT_COMMIT"; sleep 0.1; [ "$CFLAGS" = A ] || grep -q "return a + b" src/calc.js`;
  const args = ['run', '--repo', repo.directory, '--good', repo.commits[0], '--bad', repo.commits.at(-1), '--test', test, '--narrow', 'none', '--no-verify', '--store', path.join(place, 'hunts.sqlite'), '--workdir', path.join(place, 'cache'), '--json'];
  await culpritRun(options.culprit, args, {
    env: { CFLAGS: 'A' },
    onStart: async (child) => {
      while (readdirSync(marks).length < 3) await delay(10);
      child.kill('SIGKILL');
    },
  });
  const resumed = await culpritRun(options.culprit, ['resume', '1', '--store', path.join(place, 'hunts.sqlite'), '--workdir', path.join(place, 'cache'), '--json'], { env: { CFLAGS: 'B' } });
  const rerun = await culpritRun(options.culprit, args, { env: { CFLAGS: 'B' } });
  rmSync(place, { recursive: true, force: true });
  const refused = resumed.code === 2;
  const resumeRight = parsed(resumed)?.firstBad?.commit === repo.culprit;
  const rerunRight = parsed(rerun)?.firstBad?.commit === repo.culprit;
  const line = resumed.stderr.trim().split('\n').at(-1) ?? '';
  return [['resume under CFLAGS=B of a hunt started with CFLAGS=A', '1', `resume: ${refused ? `refused: ${line.slice(0, 100)}` : resumeRight ? 'right answer' : 'WRONG answer'}; same run again: ${rerunRight ? 'right answer' : 'WRONG answer'}`, (refused || resumeRight) && rerunRight]];
}

/** A test that deletes its own workspace once, on the culprit, and fails. */
async function vanishTrial(options, repo) {
  const place = scratch();
  const once = path.join(place, 'deleted-once');
  const test = `if grep -q "return a - b" src/calc.js && [ ! -e "${once}" ]; then touch "${once}"; rm -rf "$CULPRIT_WORKSPACE"; exit 1; fi; grep -q "return a + b" src/calc.js`;
  const store = path.join(place, 'hunts.sqlite');
  const args = ['run', '--repo', repo.directory, '--good', repo.commits[0], '--bad', repo.commits.at(-3), '--test', test, '--narrow', 'none', '--no-verify', '--store', store, '--workdir', path.join(place, 'cache'), '--json'];
  const result = await culpritRun(options.culprit, args);
  const right = parsed(result)?.firstBad?.commit === repo.culprit;
  const line = result.code === 0 ? '' : `: ${result.stderr.trim().split('\n').at(-1)?.slice(0, 90)}`;
  rmSync(place, { recursive: true, force: true });
  return [['test deletes its workspace once and fails', '1', `exit ${result.code}${line}; answer ${right ? 'right' : 'wrong or none'}`, right]];
}

// ------------------------------------------------------------------------------------------------ main

const options = parseArguments(process.argv.slice(2));
const repoParent = scratch();
const repo = makeRepository(path.join(repoParent, 'project'));
const next = random(options.seed);
const rows = [];
const scenarios = { kill: () => killTrials(options, repo, next), stop: () => stopTrial(options, repo), worktree: () => worktreeTrial(options, repo), workdir: () => workdirTrial(options, repo), daemon: () => daemonTrial(options, repo), recipe: () => recipeTrial(options, repo), vanish: () => vanishTrial(options, repo) };
const began = performance.now();
for (const name of options.only) {
  const found = await scenarios[name]();
  for (const row of found) {
    rows.push(row);
    console.error(`${row[3] ? 'held' : 'FAILED'}  ${row[0]}: ${row[2]}`);
  }
}
rmSync(repoParent, { recursive: true, force: true });
const version = execFileSync('git', ['-C', options.culprit, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim().slice(0, 80);
const table = [
  `# Fault-injection trial`,
  '',
  `\`node bench/faults.js --kills ${options.kills} --seed ${options.seed}\` on ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}, culprit at \`${version}\`, ${Math.round((performance.now() - began) / 1000)} s in all.`,
  `A ${COMMITS}-commit repository whose commit ${CULPRIT} edits six functions, one wrongly; the user has a stash, a staged and an unstaged edit and an untracked file.`,
  '',
  '| fault | trials | what happened | held |',
  '|---|---:|---|---|',
  ...rows.map(([name, trials, what, held]) => `| ${name} | ${trials} | ${what.replace(/\|/g, '\\|')} | ${held ? 'yes' : '**no**'} |`),
  '',
].join('\n');
console.log(table);
if (options.culprit === root && options.only.length === SCENARIOS.length) writeFileSync(path.join(here, 'FAULTS.md'), table);
process.exitCode = rows.every((row) => row[3]) ? 0 : 1;
