// Two builds of culprit side by side in one run ("before" and "after" a change), interleaved, reported as ratios:
// per-probe overhead, a parallel hunt with a fixed-cost test, a narrowing, and the start-up on a large history.
// A refactoring must not change the probes: where the probes do not depend on timing, any difference is flagged.
//
//   node bench/compare.js --before-rev REV [--after DIR] [--repeat N] [--only a,b,c,d] [--big-commits N]
//   node bench/compare.js --before DIR     [--after DIR] ...
//   node bench/compare.js --prepare REV    (only build the "before" tree of REV and print its directory)
//
// --before-rev extracts REV with `git archive REV | tar -x` into $TMPDIR/culprit-compare/before-<rev> (no worktree
// entry in the repository), links this repository's node_modules into it and builds it with `tsc -p
// tsconfig.build.json`; a tree already built from the same commit is reused. The tree lives outside the repository
// on purpose: under bench/ its src/ and dist/ would be linted (`eslint bench`) and type-checked (tsconfig.json
// includes bench). --after defaults to this repository, whose dist/ must be built (`npm run bench:compare` builds it
// first). The table goes to stdout and to bench/COMPARE.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchRepository } from './history.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
const TEST = 'grep -q ok state.txt';
const defaultTrees = path.join(os.tmpdir(), 'culprit-compare');
const USAGE = `usage: node bench/compare.js (--before DIR | --before-rev REV) [--after DIR] [--repeat N] [--only a,b,c,d] [--big-commits N] [--trees DIR]
       node bench/compare.js --prepare REV [--trees DIR]
  --before DIR       a checkout of culprit with dist/ built and node_modules present (bin/culprit.js inside)
  --before-rev REV   build the "before" tree from a git revision of this repository into <trees>/before-<rev>
  --after DIR        the other build (default: this repository, ${root})
  --repeat N         runs per build and scenario, interleaved; medians are reported (default 3)
  --only LIST        scenarios to run, of a (overhead), b (parallel), c (narrowing), d (large history)
  --big-commits N    size of scenario d's history (default 50000)
  --prepare REV      only build the "before" tree of REV, print its directory and exit
  --trees DIR        where --before-rev and --prepare put the trees they build (default ${defaultTrees})
  --no-snapshot      run each build in place; by default bin/, dist/ and package.json of both builds are copied
                     into <trees> at the start, so a rebuild of a checkout during the compare cannot affect it`;

// ---------------------------------------------------------------------------------------------- arguments

function parseArguments(argv) {
  const options = { before: null, beforeRev: null, after: root, repeat: 3, only: ['a', 'b', 'c', 'd'], bigCommits: 50_000, prepare: null, trees: defaultTrees, snapshot: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) fail(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === '--before') options.before = path.resolve(value());
    else if (flag === '--before-rev') options.beforeRev = value();
    else if (flag === '--after') options.after = path.resolve(value());
    else if (flag === '--repeat') options.repeat = positive(flag, value());
    else if (flag === '--big-commits') options.bigCommits = positive(flag, value());
    else if (flag === '--only') options.only = value().split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    else if (flag === '--prepare') options.prepare = value();
    else if (flag === '--trees') options.trees = path.resolve(value());
    else if (flag === '--no-snapshot') options.snapshot = false;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${flag}\n${USAGE}`);
  }
  if (options.prepare === null && (options.before === null) === (options.beforeRev === null)) fail(`give exactly one of --before DIR and --before-rev REV\n${USAGE}`);
  const unknown = options.only.filter((id) => !['a', 'b', 'c', 'd'].includes(id));
  if (unknown.length || !options.only.length) fail(`--only takes a comma-separated list of a, b, c, d (got ${options.only.join(',') || 'nothing'})`);
  return options;
}

function positive(flag, text) {
  const number = Number(text);
  if (!Number.isInteger(number) || number < 1) fail(`${flag} must be a positive integer (got ${text})`);
  return number;
}

function fail(message) {
  console.error(`compare: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------- helpers

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
/** Wall-clock time in nanoseconds since the epoch, the unit of `date +%s%N` in a test. */
const epochNanoseconds = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
const git = (cwd, args) => execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
/** A directory as the report shows it: relative to this repository when inside it. */
const shown = (directory) => {
  const relative = path.relative(root, directory);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? directory : relative;
};
const note = (message) => process.stderr.write(`compare: ${message}\n`);

function newestMtime(directory, suffix) {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(suffix)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  if (existsSync(directory)) walk(directory);
  return newest;
}

/** Refuses a second compare at the same time: two of them on one machine would measure each other. */
function takeLock() {
  mkdirSync(out, { recursive: true });
  const lock = path.join(out, 'compare.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      const release = () => rmSync(lock, { force: true });
      process.on('exit', release);
      for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lock, 'utf8').trim());
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (alive) fail(`another compare (pid ${pid}) is running; wait for it (or remove ${lock} if that process is not a compare)`);
      rmSync(lock, { force: true });
    }
  }
  fail(`could not take ${lock}`);
}

// ---------------------------------------------------------------------------------------------- builds

/** Extracts `rev` of this repository into <trees>/before-<rev>, links node_modules and builds dist/ there. */
function prepareBefore(rev, trees) {
  let commit;
  try {
    commit = git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    fail(`${rev} is not a commit of ${root}`);
  }
  const directory = path.join(trees, `before-${commit.slice(0, 12)}`);
  const ready = path.join(directory, '.compare-ready');
  if (existsSync(ready) && readFileSync(ready, 'utf8').trim() === commit && existsSync(path.join(directory, 'dist', 'cli', 'main.js'))) {
    note(`reusing ${shown(directory)} (built from ${commit.slice(0, 12)})`);
    return directory;
  }
  note(`extracting ${commit.slice(0, 12)} into ${shown(directory)} (git archive)`);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', commit], { cwd: root, maxBuffer: 1 << 30 });
  if (archive.status !== 0) fail(`git archive ${commit} failed: ${archive.stderr.toString().trim()}`);
  const untar = spawnSync('tar', ['-x', '-C', directory], { input: archive.stdout, maxBuffer: 1 << 30 });
  if (untar.status !== 0) fail(`tar -x failed: ${untar.stderr.toString().trim()}`);
  const modules = path.join(root, 'node_modules');
  if (!existsSync(modules)) fail(`${modules} is missing: run npm ci first`);
  symlinkSync(modules, path.join(directory, 'node_modules'), 'dir');
  const dependencies = (file) => {
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    return JSON.stringify([manifest.dependencies ?? {}, manifest.devDependencies ?? {}]);
  };
  if (dependencies(path.join(directory, 'package.json')) !== dependencies(path.join(root, 'package.json'))) {
    note(`WARNING: the dependencies in ${commit.slice(0, 12)}'s package.json differ from this repository's; its build uses this repository's node_modules`);
  }
  note(`building ${shown(directory)} (tsc -p tsconfig.build.json)`);
  const tsc = spawnSync(process.execPath, [path.join(directory, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: directory, encoding: 'utf8' });
  if (tsc.status !== 0) fail(`the build of ${commit.slice(0, 12)} failed:\n${tsc.stdout}${tsc.stderr}`);
  writeFileSync(ready, `${commit}\n`);
  return directory;
}

/** What a build directory holds: its bin, and a label (the commit it was built from, and whether its sources were edited). */
function describeBuild(role, directory) {
  const bin = path.join(directory, 'bin', 'culprit.js');
  if (!existsSync(bin) || !existsSync(path.join(directory, 'dist', 'cli', 'main.js'))) {
    fail(`${role} ${directory} has no bin/culprit.js or no dist/ (build it: cd ${directory} && npx tsc -p tsconfig.build.json)`);
  }
  if (!existsSync(path.join(directory, 'node_modules'))) fail(`${role} ${directory} has no node_modules`);
  let label = shown(directory);
  const ready = path.join(directory, '.compare-ready');
  if (existsSync(ready)) {
    label = `${readFileSync(ready, 'utf8').trim().slice(0, 12)} (${label}, git archive)`;
  } else {
    try {
      const top = git(directory, ['rev-parse', '--show-toplevel']);
      if (realpathSync(top) === realpathSync(directory)) {
        const head = git(directory, ['rev-parse', '--short=12', 'HEAD']);
        const edited = git(directory, ['status', '--porcelain', '--untracked-files=all', '--', 'src', 'bin']) !== '';
        label = `${head}${edited ? ' + uncommitted changes in src/' : ''} (${label})`;
      }
    } catch {
      // Not a git checkout: the directory is the label.
    }
  }
  if (newestMtime(path.join(directory, 'src'), '.ts') > newestMtime(path.join(directory, 'dist'), '.js')) {
    note(`WARNING: ${role} ${directory}: a file in src/ is newer than everything in dist/; dist/ may be stale (npm run build)`);
  }
  return { role, directory, bin, label };
}

/**
 * A copy of a build's bin/, dist/ and package.json (node_modules linked) taken at the start, so that a rebuild of
 * that checkout during the compare (someone's `npm run build`, a test set-up that rebuilds dist/) cannot change or
 * break one build halfway through the runs. dist/ reads no file beside itself, so the copy runs the same code.
 */
function snapshot(build, trees) {
  const directory = mkdtempSync(path.join(trees, `snapshot-${build.role}-`));
  for (const entry of ['bin', 'dist', 'package.json']) cpSync(path.join(build.directory, entry), path.join(directory, entry), { recursive: true });
  symlinkSync(realpathSync(path.join(build.directory, 'node_modules')), path.join(directory, 'node_modules'), 'dir');
  process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
  return { ...build, bin: path.join(directory, 'bin', 'culprit.js'), snapshot: directory };
}

// ---------------------------------------------------------------------------------------------- running culprit

/**
 * One culprit command with a store, a workdir and XDG directories of its own and no verdict cache, as bench/run.js
 * runs it: every probe really runs. Returns the wall time, the JSON document and when `firstTest` was written.
 */
function culprit(build, command, args, { cwd, firstTestMarker = false } = {}) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'culprit-compare-'));
  const marker = path.join(scratch, 'first-test');
  const env = {
    ...process.env,
    XDG_CACHE_HOME: path.join(scratch, 'cache'),
    XDG_DATA_HOME: path.join(scratch, 'data'),
    XDG_CONFIG_HOME: path.join(scratch, 'config'),
    XDG_STATE_HOME: path.join(scratch, 'state'),
    CULPRIT_COMPARE_MARKER: marker,
  };
  const argv = [build.bin, command, ...args, '--json', '--no-cache', '--store', path.join(scratch, 'hunts.sqlite'), '--workdir', path.join(scratch, 'work')];
  const startEpoch = epochNanoseconds();
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, argv, { cwd, encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const wall = seconds(start);
  const firstTest = firstTestMarker && existsSync(marker) ? Number(BigInt(readFileSync(marker, 'utf8').trim()) - startEpoch) / 1e9 : null;
  rmSync(scratch, { recursive: true, force: true });
  let document = null;
  try {
    document = JSON.parse(run.stdout);
  } catch {
    document = null;
  }
  if (run.status !== 0 || document === null) {
    throw new Error(`${build.role} (${build.label}): culprit ${command} exited ${run.status ?? run.signal}${document === null ? ' without a JSON document' : ''}\n${run.stderr.slice(-3000)}`);
  }
  if (firstTestMarker && firstTest === null) throw new Error(`${build.role}: the test never wrote ${marker}`);
  return { wall, document, firstTest };
}

const probeList = (document) => (document.probes ?? []).map((probe) => `${probe.commit}:${probe.verdict}`);

// ---------------------------------------------------------------------------------------------- scenarios

/** 100 one-line hunks over 5 files, 8 unchanged lines apart so that each is a hunk of its own; hunk 61 adds a marker. */
function narrowingRepository(directory) {
  const done = path.join(directory, '.git', 'bench-ready');
  if (existsSync(done)) return directory;
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(path.join(directory, 'src'), { recursive: true });
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.org', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.org' };
  const run = (args, date) => execFileSync('git', args, { cwd: directory, env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }, stdio: 'ignore' });
  run(['init', '--quiet', '--initial-branch=main', '.'], '');
  const hunks = 100;
  const files = 5;
  for (const [phase, date] of [['before', '1600000000 +0000'], ['change', '1600000100 +0000']]) {
    let hunk = 0;
    for (let file = 0; file < files; file++) {
      const lines = [];
      const count = Math.ceil((hunks - hunk) / (files - file));
      for (let index = 0; index < count; index++, hunk++) {
        for (let context = 0; context < 8; context++) lines.push(`context ${index} ${context}`);
        if (phase === 'before') lines.push(`value_${hunk} = ${hunk}`);
        else lines.push(hunk === 61 ? `value_${hunk} = ${hunk} + MARKER_61` : `value_${hunk} = ${hunk + 1}`);
      }
      writeFileSync(path.join(directory, 'src', `file-${file}.py`), `${lines.join('\n')}\n`);
    }
    run(['add', '--all'], date);
    run(['commit', '--quiet', '--no-gpg-sign', '-m', phase], date);
  }
  writeFileSync(done, 'ok\n');
  return directory;
}

function expectFound(document, expected, build) {
  const found = document.firstBad?.commit;
  if (found !== expected) throw new Error(`${build.role} (${build.label}) found ${found ?? 'nothing'}, expected ${expected}`);
}

async function scenarios(options) {
  const list = [];
  const wanted = (id) => options.only.includes(id);
  if (wanted('a')) {
    const repo = await benchRepository(path.join(out, 'compare-1024-linear'), { total: 1024, culprit: 700, mergeEvery: 0 });
    const expected = git(repo, ['rev-parse', 'culprit']);
    list.push({
      id: 'a',
      name: '(a) 1,024 commits, linear, trivial test, --jobs 1 (per-probe overhead)',
      deterministic: true,
      rows: [{ metric: 'wall', label: '' }],
      run(build) {
        const { wall, document } = culprit(build, 'run', ['--repo', repo, '--good', 'root', '--bad', 'HEAD', '--narrow', 'none', '--jobs', '1', '--test', TEST], { cwd: repo });
        expectFound(document, expected, build);
        return { wall, probes: document.probes.length, signature: probeList(document) };
      },
    });
  }
  if (wanted('b')) {
    const repo = await benchRepository(path.join(out, 'compare-1024-merge-heavy'), { total: 1024, culprit: 699, mergeEvery: 6 });
    const expected = git(repo, ['rev-parse', 'culprit']);
    list.push({
      id: 'b',
      name: '(b) 1,024 commits, merge-heavy, `sleep 0.3` test, --jobs 4',
      deterministic: false,
      rows: [{ metric: 'wall', label: '' }],
      run(build) {
        const { wall, document } = culprit(build, 'run', ['--repo', repo, '--good', 'root', '--bad', 'HEAD', '--narrow', 'none', '--jobs', '4', '--test', `sleep 0.3; ${TEST}`], { cwd: repo });
        expectFound(document, expected, build);
        return { wall, probes: document.probes.length, rounds: document.rounds, signature: probeList(document) };
      },
    });
  }
  if (wanted('c')) {
    const repo = narrowingRepository(path.join(out, 'compare-narrow-100-hunks'));
    const expected = git(repo, ['rev-parse', 'HEAD']);
    list.push({
      id: 'c',
      name: '(c) `culprit narrow`, 100 hunks over 5 files, one decisive line, to token level',
      deterministic: true,
      rows: [{ metric: 'wall', label: '' }],
      run(build) {
        const { wall, document } = culprit(build, 'narrow', ['--repo', repo, '--good', 'HEAD~1', '--bad', 'HEAD', '--test', '! grep -q MARKER_61 src/*.py'], { cwd: repo });
        expectFound(document, expected, build);
        const narrowed = document.narrowed;
        if (!narrowed || narrowed.status !== 'narrowed') throw new Error(`${build.role} (${build.label}): the narrowing did not narrow (${narrowed?.status ?? 'no narrowed document'})`);
        const verification = Object.entries(narrowed.verification ?? {}).map(([check, value]) => `${check}=${value?.outcome ?? 'none'}`);
        return {
          wall,
          probes: narrowed.tests,
          unit: 'tests',
          signature: [...probeList(document), `tests ${narrowed.tests}`, `levels ${JSON.stringify(narrowed.levels)}`, `changes ${JSON.stringify(narrowed.changes)}`, `diff ${JSON.stringify(narrowed.diff)}`, `verification ${verification.join(' ')}`],
        };
      },
    });
  }
  if (wanted('d')) {
    const total = options.bigCommits;
    note(`history of ${total.toLocaleString('en')} commits (generated once, kept in bench/out)`);
    const repo = await benchRepository(path.join(out, `compare-${total}-merge-heavy`), { total, culprit: Math.floor(total * 0.61), mergeEvery: 10 });
    const expected = git(repo, ['rev-parse', 'culprit']);
    const test = `[ -e "$CULPRIT_COMPARE_MARKER" ] || date +%s%N > "$CULPRIT_COMPARE_MARKER"; ${TEST}`;
    list.push({
      id: 'd',
      name: `(d) ${total.toLocaleString('en')} commits, merge-heavy, trivial test, --no-verify`,
      deterministic: true,
      rows: [
        { metric: 'firstTest', label: ': start to the first test' },
        { metric: 'wall', label: ': whole hunt' },
      ],
      run(build) {
        const { wall, document, firstTest } = culprit(build, 'run', ['--repo', repo, '--good', 'root', '--bad', 'HEAD', '--narrow', 'none', '--no-verify', '--test', test], { cwd: repo, firstTestMarker: true });
        expectFound(document, expected, build);
        return { wall, firstTest, probes: document.probes.length, signature: probeList(document) };
      },
    });
  }
  return list;
}

// ---------------------------------------------------------------------------------------------- report

function summarize(list, metric) {
  const values = list.map((run) => run[metric]);
  const counts = list.map((run) => run.probes);
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  const unit = list[0].unit ?? 'probes';
  const probes = low === high ? `${low} ${unit}` : `${low}-${high} ${unit}`;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), probes, rounds: list[0].rounds === undefined ? null : median(list.map((run) => run.rounds)) };
}

/** Whether the probes agree: within each build (they must, where they do not depend on timing) and between the builds. */
function probeAgreement(scenario, before, after) {
  if (!scenario.deterministic) {
    const roundsBefore = median(before.map((run) => run.rounds));
    const roundsAfter = median(after.map((run) => run.rounds));
    const text = `timing-dependent; rounds ${roundsBefore} / ${roundsAfter}`;
    return roundsBefore === roundsAfter ? { ok: true, text } : { ok: false, text: `**ROUNDS DIFFER**: ${text}` };
  }
  const signatures = new Set([...before, ...after].map((run) => run.signature.join('\n')));
  if (signatures.size === 1) return { ok: true, text: 'identical' };
  const within = (runs) => new Set(runs.map((run) => run.signature.join('\n'))).size;
  const where = within(before) > 1 || within(after) > 1 ? ' (they also vary between runs of one build)' : '';
  return { ok: false, text: `**PROBES DIFFER**${where}` };
}

/** Where two runs' signatures (probes as commit:verdict, then for a narrowing its summary) first differ. */
function firstDifference(reference, other) {
  const [left, right] = [reference.run.signature, other.run.signature];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `item ${i + 1}: ${reference.name} has ${left[i] ?? '(nothing)'}, ${other.name} has ${right[i] ?? '(nothing)'}`;
  }
  return 'none';
}

function formatTable(results, repeat) {
  const cell = (summary) => `${summary.probes} · ${summary.median.toFixed(2)} s (${summary.min.toFixed(2)}-${summary.max.toFixed(2)})`;
  const lines = [
    `| scenario | before (probes · median s, min-max of ${repeat}) | after (probes · median s, min-max of ${repeat}) | after/before | probes |`,
    '|---|---|---|---:|---|',
  ];
  for (const { scenario, before, after, agreement } of results) {
    for (const row of scenario.rows) {
      const b = summarize(before, row.metric);
      const a = summarize(after, row.metric);
      const ratio = a.median / b.median;
      const flag = ratio > 1.1 ? ' (slower?)' : '';
      lines.push(`| ${scenario.name}${row.label} | ${cell(b)} | ${cell(a)} | ${ratio.toFixed(2)}x${flag} | ${agreement.text} |`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- main

const options = parseArguments(process.argv.slice(2));
if (options.prepare !== null) {
  takeLock();
  console.log(prepareBefore(options.prepare, options.trees));
  process.exit(0);
}
takeLock();
const began = process.hrtime.bigint();
const loadAtStart = os.loadavg();
const beforeDirectory = options.before ?? prepareBefore(options.beforeRev, options.trees);
let builds = [describeBuild('before', beforeDirectory), describeBuild('after', options.after)];
if (realpathSync(builds[0].directory) === realpathSync(builds[1].directory)) note('before and after are the same directory: an A/A run (ratios show the noise)');
for (const build of builds) note(`${build.role}: ${build.label}`);
if (options.snapshot) {
  mkdirSync(options.trees, { recursive: true });
  builds = builds.map((build) => snapshot(build, options.trees));
  note(`running copies of both builds taken now (${builds.map((build) => build.snapshot).join(', ')}); --no-snapshot runs them in place`);
}

const list = await scenarios(options);
// One untimed run of the first scenario per build: a build that does not work stops the compare here, and
// neither build is timed while the page cache is still cold.
for (const build of builds) {
  note(`warm-up: ${list[0].name}, ${build.role}`);
  list[0].run(build);
}
const runs = new Map(list.map((scenario) => [scenario.id, { before: [], after: [] }]));
for (let i = 0; i < options.repeat; i++) {
  for (const scenario of list) {
    // Interleaved, with the order alternating (before, after, then after, before), so that neither build
    // always runs first and a slow spell of the shared machine hits both alike.
    const order = i % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      const result = scenario.run(build);
      runs.get(scenario.id)[build.role].push(result);
      note(`${i + 1}/${options.repeat} ${scenario.id} ${build.role.padEnd(6)} ${result.wall.toFixed(2)} s${result.firstTest != null ? ` (first test at ${result.firstTest.toFixed(2)} s)` : ''}, ${result.probes} ${result.unit ?? 'probes'}${result.rounds !== undefined ? `, ${result.rounds} rounds` : ''}`);
    }
  }
}

const results = list.map((scenario) => {
  const { before, after } = runs.get(scenario.id);
  return { scenario, before, after, agreement: probeAgreement(scenario, before, after) };
});
const problems = [];
for (const { scenario, before, after, agreement } of results) {
  if (agreement.ok) continue;
  const named = [...before.map((run, i) => ({ run, name: `before run ${i + 1}` })), ...after.map((run, i) => ({ run, name: `after run ${i + 1}` }))];
  const other = named.find(({ run }) => run.signature.join('\n') !== named[0].run.signature.join('\n'));
  const detail = scenario.deterministic && other ? firstDifference(named[0], other) : '';
  problems.push(`${scenario.name}: ${agreement.text.replaceAll('*', '')}${detail ? `; first difference: ${detail}` : ''}`);
  console.error(`\n!!! ${scenario.name}: ${agreement.text.replaceAll('*', '')}${detail ? `\n!!! first difference: ${detail}` : ''}\n!!! a change that keeps the behaviour must not change the probes\n`);
}
const failed = problems.length > 0;
const verdict = failed
  ? `**THE PROBES DIFFER** (a change that keeps the behaviour must not change them):\n\n${problems.map((problem) => `- ${problem}`).join('\n')}`
  : 'Probes: the same in every run of both builds wherever they do not depend on timing; the same rounds with --jobs 4.';

const elapsed = seconds(began);
const cpus = os.cpus();
const machine = `${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
const load = (values) => values.map((value) => value.toFixed(2)).join(' ');
const table = formatTable(results, options.repeat);
const report = `# Before / after comparison

${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC on ${machine}; Node ${process.version}; ${git(root, ['--version'])}.
Produced by \`${['node bench/compare.js', ...process.argv.slice(2)].join(' ')}\` in ${(elapsed / 60).toFixed(1)} min; load average ${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end.

- before: ${builds[0].label}
- after: ${builds[1].label}

Each scenario ran ${options.repeat} times per build, interleaved (before, after; then after, before; ...), after one
untimed warm-up run per build${options.snapshot ? `; both builds ran from copies of their bin/, dist/ and package.json taken at the start (in ${options.trees})` : ', each in place'}. Every culprit command runs with \`--no-cache\`, \`--json\` and a store, a workdir and
XDG directories of its own, so every probe really runs. Wall times are from spawning \`node bin/culprit.js\` to its
exit. *Probes* counts every probe of the hunt, endpoint checks included; for the narrowing, the tests narrowing
used (\`narrowed.tests\`). *identical*: every run of both builds probed the same commits with the same verdicts in
the same order (for the narrowing also the same levels, minimal change and verification). With --jobs 4 the
probes depend on which verdict comes first, so only the rounds are compared there. A ratio above 1.10 is marked;
a ratio is only as good as the spread beside it.

${table}

${verdict}

Scenarios: (a) the bench/run.js overhead case (\`${TEST}\`, culprit at commit 700); (b) the parallel case with a 0.3 s
test (culprit at commit 699, a merge every 6 commits); (c) \`culprit narrow --good HEAD~1 --bad HEAD\` on a commit that
changes 100 one-line hunks, test \`! grep -q MARKER_61 src/*.py\`; (d) a ${options.bigCommits.toLocaleString('en')}-commit history (a merge every
10 commits, culprit at 61%) with \`--no-verify\`: *start to the first test* is from spawning culprit until the
first test starts (process start, store, one graph walk, workspace and first checkout), read from a timestamp the
test writes.
`;
writeFileSync(path.join(here, 'COMPARE.md'), report);
process.stdout.write(`\n${table}\n\nbefore: ${builds[0].label}\nafter:  ${builds[1].label}\n${(elapsed / 60).toFixed(1)} min; wrote ${path.relative(root, path.join(here, 'COMPARE.md'))}\n`);
if (failed) process.exitCode = 1;
