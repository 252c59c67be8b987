// Narrowing on commits that look like real work: refactors in Python and JavaScript, failures that a syntax error
// or another assertion must not pass for, a change with two sufficient causes, a budget, and a user's check.
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { narrowingRepo } from '../fixtures/narrowing-repo.js';
import { javascriptRegexRepo, pythonHangRepo } from '../fixtures/refactor-repo.js';
import { tempDir } from '../fixtures/scripted-repo.js';

function workdir(): string[] {
  return ['--workdir', tempDir()];
}

describe('narrowing on real code', () => {
  it('a Python refactor that hangs: the default hunt names the commit and narrows to the line, compiling configurations first', async () => {
    const repo = await pythonHangRepo();
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.good, '--bad', repo.head, '--test', repo.test, '--timeout', '3', '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.refactor);
    const narrowed = document.narrowed;
    expect(narrowed.signature).toBe('a hang');
    expect(narrowed.diff).toContain('+    step = chunk');
    expect(narrowed.diff).not.toContain('sum_values');
    expect(narrowed).toMatchObject({ verified: true, minimal: true });
    expect(narrowed.checks.join('\n')).toMatch(/compiled by python3? in the workspace: app\/core\.py, app\/report\.py/);
    // The rename of total() moves with its caller: no configuration has one without the other.
    expect(result.stderr).not.toMatch(/ImportError|NameError/);
  }, 180_000);

  it('a JavaScript table refactor with wrong output: the regex edit is found and verified, broken syntax never runs', async () => {
    const repo = await javascriptRegexRepo();
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.good, '--bad', repo.refactor, '--test', repo.test, '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const narrowed = JSON.parse(result.stdout).narrowed;
    expect(narrowed.signature).toBe('exit code 1 with the error "AssertionError: checkAll: expected no rejects, got […]"');
    expect(narrowed.diff).toContain('(?:-[0-9A-Za-z]+)?$');
    expect(narrowed.verified).toBe(true);
    expect(narrowed.verification.parentPlusChange.ok && narrowed.verification.commitMinusChange.ok).toBe(true);
    // Configurations that cannot parse are answered without a test.
    expect(narrowed.levels.some((level: { predicted?: number }) => (level.predicted ?? 0) > 0)).toBe(true);
    expect(result.stderr).toMatch(/narrow -- +\(no test\) +unresolved .*does not parse/);
  }, 180_000);

  it('another error with the same exit code is not the failure: the default signature is the bad run\'s error line', async () => {
    const repo = await narrowingRepo();
    // EPIPE without the fix in a.js breaks the module: exit 1 too, with another error.
    const test = 'if grep -q EBADF src/errors.js; then echo "AssertionError: retried: expected 2, got 4"; exit 1; fi; if grep -q EPIPE src/errors.js && ! grep -q "a_3 = 3 + 1" src/a.js; then echo "SyntaxError: unexpected token"; exit 1; fi; exit 0';
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', test, '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const narrowed = JSON.parse(result.stdout).narrowed;
    expect(narrowed.signature).toBe('exit code 1 with the error "AssertionError: retried: expected #, got #"');
    expect(narrowed.diff).toContain("'EBADF'");
    expect(narrowed.diff).not.toContain('EPIPE');
  }, 120_000);

  it('two sufficient causes: each token answer leaves the other behind, so both are searched for and reported together', async () => {
    const repo = await narrowingRepo();
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', '! grep -qE "EPIPE|EBADF" src/errors.js', '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const narrowed = JSON.parse(result.stdout).narrowed;
    expect(narrowed).toMatchObject({ verified: true, minimal: true });
    expect(narrowed.rejected[0]).toMatchObject({ level: 'token', failed: ['commit − change: fail'] });
    expect(narrowed.diff).toContain("+export const RETRIED = ['ECONNRESET', 'EAGAIN', 'EPIPE', 'EBADF'];");
    expect(narrowed.diff).not.toContain('a.js');
    expect(result.stderr).toMatch(/fails by itself, but \w+ fails without it too: narrowing the rest of the change without it/);
    expect(result.stderr).toMatch(/has 2 separate causes of the failure, each enough by itself: reporting them together/);
    const text = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', '! grep -qE "EPIPE|EBADF" src/errors.js', ...workdir()]);
    expect(text.stdout).toContain('rejected: the token-level change');
  }, 120_000);

  it('a budget ends with a verified, failing, not-minimal change, and resume continues it to the minimal one', async () => {
    const repo = await narrowingRepo();
    const store = `${tempDir()}/hunts.sqlite`;
    const args = ['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', '! grep -q EBADF src/errors.js', '--store', store, ...workdir()];
    const stopped = await culprit([...args, '--narrow-budget', '3', '--json']);
    expect(stopped.code, stopped.stderr).toBe(0);
    const partial = JSON.parse(stopped.stdout);
    expect(partial.narrowed).toMatchObject({ minimal: false, stoppedAfter: '3 tests', verified: true });
    expect(partial.narrowed.verification.parentPlusChange.ok).toBe(true);
    const text = await culprit(['report', String(partial.hunt), '--store', store]);
    expect(text.stdout).toMatch(/### Stopped after 3 tests: this change \(\d+ changed lines? or tokens?\) still fails; it may not be minimal \(continue with culprit resume\)/);
    const resumed = await culprit(['resume', String(partial.hunt), '--repo', repo.dir, '--store', store, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const done = JSON.parse(resumed.stdout);
    expect(done.narrowed).toMatchObject({ minimal: true, verified: true });
    expect(done.narrowed.diff).toContain("+export const RETRIED = ['ECONNRESET', 'EAGAIN', 'EBADF'];");
    // Nothing the stopped run tested is tested again.
    const before = partial.narrowingProbes.filter((probe: { phase: string }) => probe.phase === 'narrow').map((probe: { step: number }) => probe.step);
    const again = done.narrowingProbes.filter((probe: { step: number; source: string }) => before.includes(probe.step));
    expect(again.every((probe: { source: string }) => probe.source !== 'run')).toBe(true);
    expect(done.narrowingProbes.filter((probe: { phase: string; source: string }) => probe.phase === 'narrow' && probe.source === 'run').length).toBeGreaterThan(0);
  }, 180_000);

  it('--narrow-check: a configuration that fails the check is unresolved without a test, and shown as such', async () => {
    const repo = await narrowingRepo();
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', '! grep -q EBADF src/errors.js', '--narrow-check', '! { grep -q EBADF src/errors.js && test ! -e src/new-helper.js; }', '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.narrowed.diff).toContain("'EBADF'");
    expect(document.narrowed.checks).toContain('--narrow-check ! { grep -q EBADF src/errors.js && test ! -e src/new-helper.js; }');
    expect(document.narrowed.verified).toBe(true);
    expect(result.stderr).toMatch(/narrow +\d+ .* unresolved \(check failed\) /);
    const bad = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', 'true', '--narrow-check', ' ', ...workdir()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--narrow-check needs a command/);
    const budget = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', 'true', '--narrow-budget', 'soon', ...workdir()]);
    expect(budget.code).toBe(2);
    expect(budget.stderr).toMatch(/--narrow-budget takes a number of tests, a time or both, got 'soon'/);
  }, 120_000);
});
