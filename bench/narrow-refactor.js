// `culprit narrow` on realistic refactor commits (bench/refactor-commits.js), the old narrowing against the
// current one side by side in one run: for Python and JavaScript, 50/300/1000 changed lines, one decisive line
// and a pair that only fails together (hangs and wrong outputs), each case run by both builds, interleaved.
//
//   node bench/narrow-refactor.js [--sizes 50,300,1000] [--languages python,javascript] [--cap-minutes 20]
//                                 [--old-rev 4121457 | --old DIR] [--new DIR] [--jobs 1] [--verify-samples 100]
//
// Environment (for `npm run bench:narrow`): BENCH_NARROW_SIZES=50,300 runs a subset, BENCH_NARROW_CAP_MINUTES
// changes the cap, BENCH_NARROW_LANGUAGES=python one language.
//
// The old build is the tree bench/compare.js prepares (`node bench/compare.js --prepare REV`: git archive into
// $TMPDIR/culprit-compare/before-<rev>, this repository's node_modules linked, tsc); an already prepared tree is
// reused. --new defaults to this repository, whose dist/ must be built (`npm run bench:narrow` builds it). Both
// builds run from copies of their bin/, dist/ and package.json taken at the start, so that a rebuild of the
// checkout during the run cannot change one build halfway. Each narrowing has a hard wall-time cap (the process
// group is killed: "did not finish"). The table goes to stdout and to bench/NARROW-REFACTOR.md.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCases, makeRefactorRepo, verifyRefactorRepo } from './refactor-commits.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const trees = path.join(os.tmpdir(), 'culprit-compare');
const USAGE = `usage: node bench/narrow-refactor.js [--sizes 50,300,1000] [--languages python,javascript] [--cap-minutes 20]
                                   [--old-rev REV | --old DIR] [--new DIR] [--jobs N] [--verify-samples N]
  --sizes LIST        changed lines per commit (default $BENCH_NARROW_SIZES or 50,300,1000)
  --languages LIST    python, javascript (default $BENCH_NARROW_LANGUAGES or both)
  --cap-minutes N     hard wall-time cap per narrowing (default $BENCH_NARROW_CAP_MINUTES or 20)
  --old-rev REV       the old build: REV of this repository, prepared by bench/compare.js --prepare (default 4121457)
  --old DIR           the old build: a checkout with dist/ built and node_modules
  --new DIR           the new build (default this repository, ${root})
  --jobs N            narrowings run at the same time (default 1; more shortens the run and skews the wall times)
  --verify-samples N  random line subsets per commit checked for compiling (default 100; 0 skips the commit checks)
  --output FILE       where the report goes (default bench/NARROW-REFACTOR.md)
  --test-timeout S    culprit's --timeout: a test run longer than this is a hang (default 2)`;

function parseArguments(argv) {
  const env = process.env;
  const options = {
    sizes: (env.BENCH_NARROW_SIZES ?? '50,300,1000').split(',').map(Number),
    languages: (env.BENCH_NARROW_LANGUAGES ?? 'python,javascript').split(','),
    capMinutes: Number(env.BENCH_NARROW_CAP_MINUTES ?? 20),
    oldRev: '4121457',
    old: null,
    new: root,
    jobs: 1,
    verifySamples: 100,
    output: path.join(here, 'NARROW-REFACTOR.md'),
    testTimeout: 2,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) fail(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === '--sizes') options.sizes = value().split(',').map(Number);
    else if (flag === '--languages') options.languages = value().split(',');
    else if (flag === '--cap-minutes') options.capMinutes = Number(value());
    else if (flag === '--old-rev') options.oldRev = value();
    else if (flag === '--old') options.old = path.resolve(value());
    else if (flag === '--new') options.new = path.resolve(value());
    else if (flag === '--jobs') options.jobs = Number(value());
    else if (flag === '--verify-samples') options.verifySamples = Number(value());
    else if (flag === '--output') options.output = path.resolve(value());
    else if (flag === '--test-timeout') options.testTimeout = Number(value());
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${flag}\n${USAGE}`);
  }
  if (options.sizes.some((size) => !Number.isInteger(size) || size < 10)) fail(`--sizes takes changed-line counts like 50,300 (got ${options.sizes.join(',')})`);
  if (options.languages.some((language) => !['python', 'javascript'].includes(language))) fail('--languages takes python and/or javascript');
  if (!(options.capMinutes > 0)) fail('--cap-minutes must be positive');
  if (!Number.isInteger(options.jobs) || options.jobs < 1) fail('--jobs must be a positive integer');
  return options;
}

function fail(message) {
  console.error(`narrow-refactor: ${message}`);
  process.exit(2);
}

const note = (message) => process.stderr.write(`narrow-refactor: ${message}\n`);

// ---------------------------------------------------------------------------------------------- builds

/** The old build: a tree bench/compare.js already prepared from `rev`, or one it prepares now. */
function oldBuild(rev) {
  const commit = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: root, encoding: 'utf8' }).stdout.trim();
  if (!commit) fail(`${rev} is not a commit of ${root}`);
  const directory = path.join(trees, `before-${commit.slice(0, 12)}`);
  const ready = path.join(directory, '.compare-ready');
  if (existsSync(ready) && readFileSync(ready, 'utf8').trim() === commit && existsSync(path.join(directory, 'dist', 'cli', 'main.js'))) return { directory, label: `${commit.slice(0, 12)} (${directory})` };
  note(`preparing the old build of ${commit.slice(0, 12)} with bench/compare.js --prepare`);
  const run = spawnSync(process.execPath, [path.join(here, 'compare.js'), '--prepare', commit, '--trees', trees], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) fail(`bench/compare.js --prepare ${commit} failed`);
  return { directory: run.stdout.trim().split('\n').pop(), label: `${commit.slice(0, 12)} (${directory})` };
}

function newBuild(directory) {
  if (!existsSync(path.join(directory, 'dist', 'cli', 'main.js'))) fail(`${directory} has no dist/: build it (npm run build)`);
  let label = directory;
  const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: directory, encoding: 'utf8' });
  if (head.status === 0) {
    const edited = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: directory, encoding: 'utf8' }).stdout.trim() !== '';
    label = `${head.stdout.trim()}${edited ? ' + uncommitted changes in src/' : ''} (${directory}, dist/ as built at the start)`;
  }
  return { directory, label };
}

/** A copy of a build's bin/, dist/ and package.json with its node_modules linked, as bench/compare.js takes it. */
function snapshot(role, build, scratch) {
  const directory = path.join(scratch, `build-${role}`);
  mkdirSync(directory, { recursive: true });
  for (const entry of ['bin', 'dist', 'package.json']) cpSync(path.join(build.directory, entry), path.join(directory, entry), { recursive: true });
  symlinkSync(realpathSync(path.join(build.directory, 'node_modules')), path.join(directory, 'node_modules'), 'dir');
  return { ...build, role, bin: path.join(directory, 'bin', 'culprit.js') };
}

// ---------------------------------------------------------------------------------------------- one narrowing

/** `culprit narrow ... --json` with a store, workdir and XDG directories of its own; killed at the cap. */
function narrow(build, made, capSeconds, scratch, testTimeout) {
  const own = mkdtempSync(path.join(scratch, `run-${build.role}-`));
  const env = {
    ...process.env,
    XDG_CACHE_HOME: path.join(own, 'cache'),
    XDG_DATA_HOME: path.join(own, 'data'),
    XDG_CONFIG_HOME: path.join(own, 'config'),
    XDG_STATE_HOME: path.join(own, 'state'),
  };
  const args = [build.bin, 'narrow', '--repo', made.repo, '--good', made.good, '--bad', made.bad, '--test', made.test, '--timeout', String(testTimeout), '--json', '--no-cache', '--store', path.join(own, 'hunts.sqlite'), '--workdir', path.join(own, 'work')];
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    // Its own process group, so that the cap takes culprit and the tests it runs down together.
    const child = spawn(process.execPath, args, { cwd: made.repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20_000)));
    let capped = false;
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      capped = true;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 10_000).unref();
    }, capSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      kill('SIGKILL');
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      rmSync(own, { recursive: true, force: true });
      let document = null;
      try {
        document = JSON.parse(stdout);
      } catch {
        document = null;
      }
      resolve({ wall, capped, code, signal, document, stderr });
    });
  });
}

/** What a narrowing found, for the table. */
function summarize(run, made) {
  if (run.capped) return { finished: false, wall: run.wall, text: 'did not finish' };
  const document = run.document;
  const narrowed = document?.narrowed ?? document?.stages?.find((stage) => stage.stage === 'narrowing') ?? null;
  if (!document || document.status === 'error' || !narrowed) {
    const reason = document?.error ?? (run.stderr.trim().split('\n').pop() || `exit ${run.code ?? run.signal}`);
    return { finished: false, wall: run.wall, text: `error: ${String(reason).slice(0, 160)}` };
  }
  // Narrowing's own probes (not the verification's); the outcome as culprit judges it against the signature.
  const probes = (document.narrowingProbes ?? []).filter((probe) => probe.phase === 'narrow');
  const hang = /hang/.test(narrowed.signature ?? '');
  const exitCode = Number((narrowed.signature ?? '').match(/exit code (\d+)/)?.[1] ?? NaN);
  const outcome = (probe) => (probe.verdict === 'good' ? 'pass' : hang ? (probe.verdict === 'hang' ? 'fail' : 'unresolved') : probe.verdict !== 'hang' && probe.exitCode === exitCode ? 'fail' : 'unresolved');
  const unresolved = probes.filter((probe) => outcome(probe) === 'unresolved').length;
  const added = (narrowed.diff ?? '')
    .split('\n')
    .filter((line) => line.startsWith('+') && !line.startsWith('+++'))
    .map((line) => line.slice(1).trim());
  const containsDecisive = made.decisive.every((line) => added.includes(line));
  const checks = narrowed.verification ? Object.values(narrowed.verification).filter((check) => check !== null) : [];
  const verified = checks.length > 0 && checks.every((check) => check.ok) && narrowed.verified !== false;
  // Configurations the new narrowing's syntax check turned down without a test (absent in the old one).
  const predicted = (narrowed.levels ?? []).reduce((sum, level) => sum + (level.predicted ?? 0), 0);
  const changedInDiff = (narrowed.diff ?? '').split('\n').filter((line) => /^[+-]/.test(line) && !/^(\+\+\+|---) /.test(line)).length;
  return {
    finished: true,
    status: narrowed.status,
    wall: run.wall,
    tests: narrowed.tests,
    probes: probes.length,
    unresolved,
    unresolvedShare: probes.length ? unresolved / probes.length : 0,
    containsDecisive,
    changedInDiff,
    verified,
    verification: narrowed.verification,
    predicted,
    minimal: narrowed.minimal !== false,
    stoppedAfter: narrowed.stoppedAfter ?? null,
    rejected: narrowed.rejected ?? [],
    levels: (narrowed.levels ?? []).map((level) => `${level.level} ${level.tests}/${level.units}`).join(', '),
    diff: narrowed.diff ?? '',
  };
}

// ---------------------------------------------------------------------------------------------- report

const percent = (share) => `${Math.round(share * 100)} %`;
const minutes = (seconds) => (seconds >= 90 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(0)} s`);

function cellPair(old, current, render) {
  return `${render(old)} / ${render(current)}`;
}

function formatTable(rows, capMinutes) {
  const value = (render) => (result) => (result.finished ? render(result) : result.text === 'did not finish' ? `did not finish (${capMinutes} min)` : result.text);
  const lines = [
    '| case | changed lines | tests old / new (goal) | unresolved old / new | wall old / new | decisive line(s) in the narrowed diff old / new | 3 checks passed old / new | new meets the goals |',
    '|---|---:|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const { made, old, current, goal } = row;
    const tests = `${cellPair(old, current, value((r) => `${r.tests}${r.predicted ? ` +${r.predicted} checked` : ''}${r.minimal ? '' : ` (not minimal: ${r.stoppedAfter})`}`))}${goal.tests === null ? '' : ` (≤ ${goal.tests})`}`;
    const unresolved = cellPair(old, current, value((r) => `${percent(r.unresolvedShare)} of ${r.probes}`));
    const wall = cellPair(old, current, (r) => (r.finished ? minutes(r.wall) : r.text === 'did not finish' ? `> ${capMinutes} min` : minutes(r.wall)));
    const found = cellPair(old, current, value((r) => `${r.containsDecisive ? 'yes' : 'NO'} (${r.changedInDiff} ±lines)`));
    const verified = cellPair(old, current, value((r) => (r.verified ? 'yes' : `NO (${r.status})`)));
    lines.push(`| ${row.name} | ${made.changed} | ${tests} | ${unresolved} | ${wall} | ${found} | ${verified} | ${row.goalText} |`);
  }
  return lines.join('\n');
}

function goalsOf(made, result) {
  const testsGoal = made.decisive.length === 1 ? Math.floor(4 * Math.log2(made.changed) + 20) : null;
  if (!result.finished) return { tests: testsGoal, text: 'no (did not finish)' };
  const misses = [];
  if (result.unresolvedShare >= 0.3) misses.push('unresolved ≥ 30 %');
  if (testsGoal !== null && result.tests > testsGoal) misses.push(`tests > ${testsGoal}`);
  if (made.changed >= 250 && made.changed <= 400 && result.wall >= 180) misses.push('≥ 3 min');
  if (!result.containsDecisive) misses.push('decisive line missed');
  if (!result.verified) misses.push('verification failed');
  return { tests: testsGoal, text: misses.length ? `no: ${misses.join(', ')}` : 'yes' };
}

// ---------------------------------------------------------------------------------------------- main

const options = parseArguments(process.argv.slice(2));
const began = process.hrtime.bigint();
const scratch = mkdtempSync(path.join(os.tmpdir(), 'culprit-narrow-refactor-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
const oldSource = options.old ? newBuild(options.old) : oldBuild(options.oldRev);
const builds = { old: snapshot('old', oldSource, scratch), new: snapshot('new', newBuild(options.new), scratch) };
note(`old: ${builds.old.label}`);
note(`new: ${builds.new.label}`);

const cases = benchCases(options.sizes, options.languages);
const prepared = [];
for (const item of cases) {
  const made = makeRefactorRepo({ ...item, directory: path.join(scratch, 'repos', item.name.replace(/[^a-z0-9]+/gi, '-')) });
  let check = null;
  if (options.verifySamples > 0) {
    check = verifyRefactorRepo(made, { samples: options.verifySamples });
    if (!check.ok) note(`WARNING: ${item.name}: the generated commit is not as intended: ${check.problems.join('; ')}`);
  }
  note(`${item.name}: ${made.changed} changed lines in ${made.files} files, decisive ${made.decisive.map((line) => JSON.stringify(line)).join(' + ')}${check ? `; ${percent(check.compileShare)} of ${options.verifySamples} line subsets do not compile` : ''}`);
  prepared.push({ ...item, made, check });
}

// The runs, interleaved: case by case, the two builds alternating which goes first.
const queue = prepared.flatMap((item, index) => (index % 2 === 0 ? ['old', 'new'] : ['new', 'old']).map((role) => ({ item, role })));
const results = new Map(prepared.map((item) => [item.name, {}]));
let next = 0;
async function worker() {
  while (next < queue.length) {
    const { item, role } = queue[next++];
    note(`${item.name}: ${role} build narrowing (cap ${options.capMinutes} min)`);
    const run = await narrow(builds[role], item.made, options.capMinutes * 60, scratch, options.testTimeout);
    const summary = summarize(run, item.made);
    results.get(item.name)[role] = summary;
    note(`${item.name}: ${role} ${summary.finished ? `${summary.tests} tests, ${percent(summary.unresolvedShare)} unresolved, ${minutes(summary.wall)}, decisive ${summary.containsDecisive ? 'found' : 'MISSED'}, checks ${summary.verified ? 'passed' : 'FAILED'}` : `${summary.text} after ${minutes(summary.wall)}`}`);
  }
}
await Promise.all(Array.from({ length: options.jobs }, worker));

const rows = prepared.map((item) => {
  const { old, new: current } = results.get(item.name);
  const goal = goalsOf(item.made, current);
  return { name: item.name, made: item.made, check: item.check, old, current, goal, goalText: goal.text };
});
const table = formatTable(rows, options.capMinutes);
const elapsed = Number(process.hrtime.bigint() - began) / 1e9;
const cpus = os.cpus();
const commits = rows
  .map((row) => `| ${row.name} | ${row.made.variant} | \`${row.made.decisive.join('` + `')}\` | ${row.made.changed} in ${row.made.files} files | ${row.check ? `${percent(row.check.compileShare)} of ${options.verifySamples}` : 'not checked'} | ${row.check ? (row.check.ok ? 'yes' : `NO: ${row.check.problems.join('; ')}`) : 'not checked'} |`)
  .join('\n');
const details = rows
  .flatMap((row) =>
    [['old', row.old], ['new', row.current]].map(([role, result]) => {
      if (!result.finished) return `- ${row.name}, ${role}: ${result.text} (${minutes(result.wall)})`;
      const checks = Object.entries(result.verification ?? {})
        .filter(([, check]) => check !== null)
        .map(([name, check]) => `${name} ${check.outcome}${check.ok ? '' : ' (not ok)'}`)
        .join(', ');
      const rejected = result.rejected.length ? `; rejected deeper answers: ${result.rejected.map((answer) => `${answer.level} (${answer.changes} changes: ${answer.failed.join(', ')})`).join('; ')}` : '';
      const diff = result.diff.trim().split('\n');
      const shownDiff = `\n\n  \`\`\`diff\n${[...diff.slice(0, 40), ...(diff.length > 40 ? [`... (${diff.length - 40} more lines)`] : [])].map((line) => `  ${line}`).join('\n')}\n  \`\`\``;
      return `- ${row.name}, ${role}: ${result.status}${result.minimal ? '' : `, not minimal (stopped after ${result.stoppedAfter})`}; levels ${result.levels || '-'}; ${result.unresolved} of ${result.probes} narrowing probes unresolved${result.predicted ? `, ${result.predicted} configurations turned down by the syntax check untested` : ''}; checks: ${checks || 'none'}${rejected}${result.diff.trim() ? shownDiff : ''}`;
    }),
  )
  .join('\n');
const report = `# Narrowing realistic refactor commits, old and new side by side

${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC on ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores; Node ${process.version}.
Produced by \`${['node bench/narrow-refactor.js', ...process.argv.slice(2)].join(' ')}\` in ${(elapsed / 60).toFixed(1)} min${options.jobs > 1 ? `, ${options.jobs} narrowings at a time (wall times are skewed by sharing the machine)` : ''}.

- old: ${builds.old.label}
- new: ${builds.new.label}

Each case is a commit made by bench/refactor-commits.js: a refactor of a small Python package or CommonJS library
(renamed functions and methods with every call site and import, bodies wrapped in try/if, helpers extracted,
loops rewritten, functions moved, config keys renamed, docstrings, messages and comments) with 1 decisive line,
or 2 that only fail together, making the test hang or print a wrong result (exit 1). The test takes about 0.2 s
and exits 2 when the code does not load or raises. Both builds ran \`culprit narrow --good G --bad C --test CMD
--timeout ${options.testTimeout} --json --no-cache\` with a store and workdir of their own, one after the other (alternating which goes
first), each capped at ${options.capMinutes} min. *Tests*: \`narrowed.tests\` (+N checked: configurations the new build's syntax check turned down without running the test). *Unresolved*: narrowing probes (phase \`narrow\`,
verification not counted) whose run was neither a pass nor the failure's signature (a hang, or exit 1), over all
of them. *Decisive line(s) in the narrowed diff*: every decisive line is an added line of \`narrowed.diff\`
(±lines: the diff's changed lines). *3 checks passed*: every verification check that ran is ok.
Goals (for the new build): unresolved < 30 %, tests ≤ 4·log2(changed lines)+20 for one decisive line, the
300-line cases under 3 minutes, the decisive line(s) found and verified.

${table}

## The commits

| case | decisive change | decisive line(s) | changed lines | random line subsets that do not compile | good passes, commit fails, commit without the decisive line(s) passes |
|---|---|---|---|---|---|
${commits}

## Per run

${details}
`;
writeFileSync(options.output, report);
process.stdout.write(`\n${table}\n\n${(elapsed / 60).toFixed(1)} min; wrote ${path.relative(root, options.output)}\n`);
