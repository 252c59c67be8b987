// `culprit factors`: named differences between a working and a broken environment (setup commands, variables),
// the one that matters named in at most four tests wherever it is listed; hangs, failing setups, resume, bad files.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, finished, startCulprit, whenRunning } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/scripted-repo.js';

interface Document {
  hunt: number;
  status: string;
  factors: { total: number; needed: Array<{ name: string }>; verified: boolean; tests: number; unresolved: number };
  narrowingProbes: Array<{ step: number; phase: string; subject: string; source: string }>;
}

/** The story's three factors: a runtime chosen by a setup, a tool version in a file, a locale variable. */
const THREE = `factors:
  - name: python
    good: echo "PYTHON=2.6.7" >> "$CULPRIT_ENV"
    bad: echo "PYTHON=2.7.2" >> "$CULPRIT_ENV"
  - name: virtualenv
    good: echo 1.7 > virtualenv-version
    bad: echo 1.8 > virtualenv-version
  - name: LANG
    good: { env: { LANG: C } }
    bad: { env: { LANG: en_US.UTF-8 } }
`;

/** A test that fails when one factor is at its bad side, each factor's in turn. */
const FAILS_ON: Record<string, string> = {
  python: 'test "$PYTHON" = 2.6.7',
  virtualenv: 'grep -qx 1.7 virtualenv-version',
  LANG: 'test "$LANG" = C',
};

function factorsFile(content: string, name = 'factors.yaml'): string {
  const file = path.join(tempDir('culprit-factors-'), name);
  writeFileSync(file, content);
  return file;
}

async function hunt(file: string, test: string, extra: string[] = [], store = path.join(tempDir(), 'hunts.sqlite')): Promise<{ code: number | null; document: Document; stderr: string }> {
  const result = await culprit(['factors', '--factors', file, '--test', test, '--store', store, '--json', ...extra], { env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } });
  return { code: result.code, document: JSON.parse(result.stdout || '{}') as Document, stderr: result.stderr };
}

describe('culprit factors', () => {
  it('names the one factor that matters among three in at most 4 tests, wherever it is listed', async () => {
    const file = factorsFile(THREE);
    for (const [name, test] of Object.entries(FAILS_ON)) {
      const { code, document, stderr } = await hunt(file, test);
      expect(code, stderr).toBe(0);
      expect(document.factors.needed.map((factor) => factor.name)).toEqual([name]);
      expect(document.factors.verified).toBe(true);
      expect(document.factors.tests).toBeLessThanOrEqual(4);
      expect(document.narrowingProbes.length).toBeLessThanOrEqual(4);
      // Each probe says which factors were at their bad side.
      expect(document.narrowingProbes.at(-1)?.subject ?? '').not.toBe('');
      expect(stderr).toContain(`The failure needs 1 factor of 3:\n    ${name}\n`);
    }
  });

  it('names two factors that only fail together, from a JSON file in the map form', async () => {
    const file = factorsFile(JSON.stringify({ A: { good: { env: { A: '0' } }, bad: { env: { A: '1' } } }, B: { good: 'true', bad: 'touch b' }, C: { good: { env: { C: '0' } }, bad: { env: { C: '1' } } }, D: { good: { env: { D: '0' } }, bad: { env: { D: '1' } } } }), 'factors.json');
    const { code, document, stderr } = await hunt(file, '! { test "$A" = 1 && test -e b; }');
    expect(code, stderr).toBe(0);
    expect(document.factors.needed.map((factor) => factor.name)).toEqual(['A', 'B']);
  });

  it('reads values as the text they are and runs setups that end in a comment', async () => {
    const file = factorsFile(`commented:\n  good: true  # nothing to do\n  bad: "echo STEP=2 >> \\"$CULPRIT_ENV\\"  # the new step"\nversion:\n  good: { env: { PYVER: 3.1 } }\n  bad: { env: { PYVER: 3.10 } }\n`);
    const { code, document, stderr } = await hunt(file, 'test "$PYVER" = 3.1');
    expect(code, stderr).toBe(0);
    expect(document.factors.needed.map((factor) => factor.name)).toEqual(['version']);
    expect(document.factors.unresolved).toBe(0);
  });

  it('copies the project into each workspace and never writes to it; a hang is the failure; a failing setup is unresolved', async () => {
    const project = tempDir('culprit-factor-project-');
    writeFileSync(path.join(project, 'check.sh'), 'if [ "$MODE" = slow ]; then sleep 600; fi\nexit 0\n');
    const before = readFileSync(path.join(project, 'check.sh'), 'utf8');
    const file = factorsFile(`factors:
  - name: broken-setup
    good: "true"
    bad: "exit 3"
  - name: harmless
    good: { env: { X: "1" } }
    bad: { env: { X: "2" } }
  - name: mode
    good: { env: { MODE: fast } }
    bad: { env: { MODE: slow } }
`);
    const { code, document, stderr } = await hunt(file, 'sh check.sh', ['--project', project, '--timeout', '2', '--grace', '1']);
    expect(code, stderr).toBe(0);
    // The hang with MODE=slow is the failure; configurations whose setup fails count as not failing.
    expect(document.factors.needed.map((factor) => factor.name)).toEqual(['mode']);
    expect(document.factors.unresolved).toBe(2);
    expect(stderr).toMatch(/factor +\d+ +hang → fail +2\.\d+s +mode/);
    expect(stderr).toMatch(/unresolved \(setup failed\)/);
    expect(stderr).toMatch(/2 could not be set up or tested/);
    expect(readdirSync(project)).toEqual(['check.sh']);
    expect(readFileSync(path.join(project, 'check.sh'), 'utf8')).toBe(before);
  });

  it('resumes a killed hunt without repeating a finished probe', async () => {
    const marks = tempDir('culprit-factor-marks-');
    const factors = Array.from({ length: 8 }, (_, index) => `  - name: f${index}\n    good: { env: { F${index}: good } }\n    bad: { env: { F${index}: bad } }\n`).join('');
    const file = factorsFile(`factors:\n${factors}`);
    // Each run leaves a mark and takes a moment, so the hunt can be killed between probes.
    const test = `touch ${marks}/run-$$; sleep 0.3; test "$F5" = good`;
    const store = path.join(tempDir(), 'hunts.sqlite');
    const cache = { env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } };
    const child = startCulprit(['factors', '--factors', file, '--test', test, '--store', store], cache);
    const done = finished(child);
    const early = await whenRunning(child, done, () => existsSync(marks) && readdirSync(marks).length >= 3);
    expect(early, early?.stderr).toBeUndefined();
    child.kill('SIGKILL');
    await done;
    const runsBefore = readdirSync(marks).length;
    const resumed = await culprit(['resume', '1', '--store', store, '--json'], cache);
    expect(resumed.code, resumed.stderr).toBe(0);
    const document = JSON.parse(resumed.stdout) as Document;
    expect(document.factors.needed.map((factor) => factor.name)).toEqual(['f5']);
    const asked = document.narrowingProbes.map((probe) => probe.subject);
    expect(new Set(asked).size).toBe(asked.length);
    // Only the probe in flight when it was killed (at most) ran again.
    expect(readdirSync(marks).length - runsBefore).toBeLessThanOrEqual(asked.length - (runsBefore - 1));
    expect(document.narrowingProbes.filter((probe) => probe.source === 'resumed').length).toBeGreaterThanOrEqual(runsBefore - 1);
  });

  it('says in one line what is wrong with a factors file, and keeps no hunt', async () => {
    const dir = tempDir('culprit-bad-factors-');
    mkdirSync(path.join(dir, 'folder'));
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'missing.yaml'), /--factors .*missing.yaml does not exist/],
      [path.join(dir, 'folder'), /is a directory/],
      [factorsFile('factors: [ {'), /is neither JSON nor YAML/],
      [factorsFile(''), /lists no factors/],
      [factorsFile('factors: []'), /lists no factors/],
      [factorsFile('python:\n  good: use 2.6\n'), /factor python's bad side is missing/],
      [factorsFile('factors:\n  - good: a\n    bad: b\n'), /factor 1 has no name/],
      [factorsFile('python: { good: same, bad: same }\n'), /factor python is the same on both sides/],
      [factorsFile('python: { good: a, bad: b, ugly: c }\n'), /factor python has "ugly"/],
      [factorsFile('python: { good: a, bad: { env: [1] } }\n'), /bad side.env is not a map/],
      [factorsFile('python: { good: a, bad: { env: { "1X": y } } }\n'), /is not a variable name/],
      [factorsFile('python: { good: a, bad: "  " }\n'), /bad side is an empty command/],
      [factorsFile('factors:\n  - { name: a, good: x, bad: y }\n  - { name: a, good: x, bad: z }\n'), /factor a is listed twice/],
    ];
    for (const [file, pattern] of cases) {
      const store = path.join(tempDir(), 'hunts.sqlite');
      const result = await culprit(['factors', '--factors', file, '--test', 'true', '--store', store]);
      expect(result.code, `${file}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
      expect(existsSync(store)).toBe(false);
    }
    const missing = await culprit(['factors', '--test', 'true']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no --factors file/);
  });

  it('refuses a setup where the test fails with every factor good, or passes with every factor bad', async () => {
    const file = factorsFile(THREE);
    const good = await hunt(file, 'false');
    expect(good.code).toBe(2);
    expect(good.stderr).toMatch(/the test does not pass with every factor at its good side/);
    const bad = await hunt(file, 'true');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the test passes with every factor at its bad side too/);
  });
});
