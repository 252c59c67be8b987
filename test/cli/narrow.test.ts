// Narrowing end to end through the built CLI: a commit with many unrelated edits is narrowed to the one decisive
// token, with the three verification checks; signatures, pairs, hangs, flaky tests and bad input; git and hg.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { narrowingRepo } from '../fixtures/narrowing-repo.js';
import { convertToHg } from '../fixtures/scripted-hg-repo.js';
import { branchyRepo, linearRepo, tempDir } from '../fixtures/scripted-repo.js';

// Like a real module, errors.js breaks differently (exit 3) when RETRIED is declared twice.
const WELL_FORMED = 'test "$(grep -c "const RETRIED" src/errors.js)" -eq 1 || exit 3';
const DECISIVE = `${WELL_FORMED}; ! grep -q EBADF src/errors.js`;

function workdir(): string[] {
  return ['--workdir', tempDir()];
}

describe('culprit narrow', () => {
  it('narrows a commit of many edits to the one decisive token, and verifies it three ways', async () => {
    const repo = await narrowingRepo();
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', DECISIVE, '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const narrowed = JSON.parse(result.stdout).narrowed;
    expect(narrowed.status).toBe('narrowed');
    expect(narrowed.level).toBe('token');
    expect(narrowed.diff).toContain("+export const RETRIED = ['ECONNRESET', 'EAGAIN', 'EBADF'];");
    expect(narrowed.diff).not.toContain('EPIPE');
    expect(narrowed.diff).not.toContain('a.js');
    expect(narrowed.changes).toContainEqual({ file: 'src/errors.js', level: 'token', kind: 'add', text: ", 'EBADF'" });
    expect(narrowed.verification.parentPlusChange).toMatchObject({ expected: 'fail', outcome: 'fail', ok: true });
    expect(narrowed.verification.commitMinusChange).toMatchObject({ expected: 'pass', outcome: 'pass', ok: true });
    expect(narrowed.verification.badMinusChange).toBeNull();
    // 5 files with ~12 hunks: well under the 4·log2(H)+10 goal.
    expect(narrowed.tests).toBeLessThanOrEqual(4 * Math.log2(12) + 10);
    expect(result.stderr).toMatch(/narrow +\d+ .* fail .*token level/);
  }, 120_000);

  it('runs after a hunt by default, and the revert also fixes the bad revision', async () => {
    const repo = await narrowingRepo();
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', DECISIVE, '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    expect(document.narrowed.diff).toContain("'EBADF'");
    expect(document.narrowed.verification.badMinusChange).toMatchObject({ outcome: 'pass', ok: true });
    // Narrowing probes are stored with the hunt but not listed among the bisection's probes.
    expect(document.probes.every((probe: { commit: string }) => repo.commits.includes(probe.commit))).toBe(true);
    const text = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', DECISIVE, '--no-cache', '--narrow', 'line', ...workdir()]);
    expect(text.stdout).toContain('Minimal failure-inducing change (line level');
    expect(text.stdout).toContain("-export const RETRIED = ['ECONNRESET', 'EAGAIN'];");
    expect(text.stdout).toContain('reverting these lines on your bad revision fixes it');
  }, 120_000);

  it('counts a different failure as unresolved, never as the failure', async () => {
    const repo = await narrowingRepo();
    // EPIPE alone makes the test fail with exit 2, a different failure from EBADF's exit 1.
    const test = `${WELL_FORMED}; if grep -q EBADF src/errors.js; then exit 1; fi; if grep -q EPIPE src/errors.js; then exit 2; fi; exit 0`;
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', test, '--json', ...workdir()]);
    const narrowed = JSON.parse(result.stdout).narrowed;
    expect(narrowed.signature).toBe('exit code 1, and no sign of code that fails to load');
    expect(narrowed.diff).toContain("'EBADF'");
    // EBADF alone is the failure, but the commit without it still fails (EPIPE's exit 2): that answer does not
    // verify, so the line holding both is reported, with the reason.
    expect(narrowed.rejected[0]).toMatchObject({ level: 'token', failed: ['commit − change: unresolved'] });
    expect(narrowed.verified).toBe(true);
    const bySignature = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', `${WELL_FORMED}; if grep -q EPIPE src/errors.js; then echo broken pipe; exit 1; fi; if grep -q EBADF src/errors.js; then echo bad descriptor; exit 1; fi`, '--signature', 'broken pipe', '--json', ...workdir()]);
    const signed = JSON.parse(bySignature.stdout).narrowed;
    expect(signed.signature).toBe('output matching /broken pipe/');
    expect(signed.diff).toContain("'EPIPE'");
    expect(signed.rejected[0]).toMatchObject({ level: 'token', failed: ['commit − change: unresolved'] });
  }, 120_000);

  it('keeps changes that only fail together, and narrows a hang', async () => {
    const repo = await narrowingRepo();
    const pair = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', '! (grep -q "a_3 = 3 + 1" src/a.js && grep -q Retries docs/notes.md)', '--json', ...workdir()]);
    const narrowed = JSON.parse(pair.stdout).narrowed;
    expect(narrowed.diff).toContain('a_3 = 3 + 1');
    expect(narrowed.diff).toContain('Retries');
    expect(narrowed.diff).not.toContain('EBADF');
    expect(narrowed.verification.parentPlusChange.ok).toBe(true);
    const hang = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--timeout', '1', '--grace', '0.2', '--test', `${WELL_FORMED}; if grep -q EBADF src/errors.js; then sleep 30; fi; exit 0`, '--json', ...workdir()]);
    const hung = JSON.parse(hang.stdout).narrowed;
    expect(hung.signature).toBe('a hang');
    expect(hung.diff).toContain("'EBADF'");
  }, 180_000);

  it('warns when the test looks flaky, and refuses an empty commit or a bad --signature', async () => {
    const repo = await narrowingRepo();
    const counter = path.join(tempDir(), 'runs');
    writeFileSync(counter, '');
    // Fails on its first run only: the verify probe of the bad commit fails, the second run passes.
    const flaky = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--no-cache', '--test', `echo run >> ${counter}; test $(wc -l < ${counter}) -ne 2`, '--json', ...workdir()]);
    const narrowed = JSON.parse(flaky.stdout).narrowed;
    expect(narrowed.status).toBe('flaky');
    expect(narrowed.note).toMatch(/looks flaky/);
    expect(flaky.stdout).not.toContain('"diff":"diff');

    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'empty'], { cwd: repo.dir });
    const empty = await culprit(['narrow', '--repo', repo.dir, '--good', 'HEAD~1', '--bad', 'HEAD', '--test', 'exit 1', '--no-verify', ...workdir()]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/changes no files: there is nothing to narrow/);
    const badPattern = await culprit(['narrow', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', DECISIVE, '--signature', '(unclosed', ...workdir()]);
    expect(badPattern.code).toBe(2);
    expect(badPattern.stderr.trim().split('\n')).toHaveLength(1);
    const badLevel = await culprit(['run', '--repo', repo.dir, '--good', repo.parent, '--bad', repo.culprit, '--test', DECISIVE, '--narrow', 'word', ...workdir()]);
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr).toMatch(/--narrow must be one of none, file, hunk, block, line, token/);
  }, 120_000);

  it('with --first-parent, descends into the merged branch before narrowing', async () => {
    const repo = await branchyRepo(6, 3);
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--first-parent', '--test', 'grep -q ok state.txt', '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.merge);
    expect(document.descent).toMatchObject({ merge: repo.merge, commit: repo.culprit });
    expect(document.narrowed.commit).toBe(repo.culprit);
    expect(document.narrowed.diff).toContain('-ok');
    expect(result.stderr).toMatch(/descending into the merged branch/);
  }, 120_000);

  it('narrows on Mercurial to the same token', async () => {
    const git = await narrowingRepo();
    const repo = convertToHg(git);
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.nodeOf(git.parent), '--bad', repo.culprit, '--test', DECISIVE, '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const narrowed = JSON.parse(result.stdout).narrowed;
    expect(narrowed.diff).toContain("+export const RETRIED = ['ECONNRESET', 'EAGAIN', 'EBADF'];");
    expect(narrowed.verification.parentPlusChange.ok && narrowed.verification.commitMinusChange.ok).toBe(true);
  }, 180_000);
});

describe('narrowing on several workers', () => {
  it('with --jobs 3 ends on the same change as with one worker, with the same verification', async () => {
    const repo = await narrowingRepo();
    type Check = { expected: string; outcome: string; ok: boolean } | null;
    const narrow = async (jobs: string): Promise<{ narrowed: { diff: string; changes: unknown[]; verification: Record<string, Check> } }> => {
      const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', DECISIVE, '--jobs', jobs, '--no-cache', '--json', ...workdir()]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    };
    const [one, three] = [await narrow('1'), await narrow('3')];
    expect(three.narrowed.diff).toBe(one.narrowed.diff);
    expect(three.narrowed.changes).toEqual(one.narrowed.changes);
    // Step numbers differ (speculative configurations take steps too); what each check found does not.
    const found = (checks: Record<string, Check>): Record<string, unknown> => Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check && { expected: check.expected, outcome: check.outcome, ok: check.ok }]));
    expect(found(three.narrowed.verification)).toEqual(found(one.narrowed.verification));
  }, 180_000);

  it('calls a change across several commits what it is, not a first bad commit', async () => {
    const repo = await linearRepo(25, 15);
    const store = path.join(tempDir(), 'hunts.sqlite');
    const result = await culprit(['narrow', '--repo', repo.dir, '--good', repo.commits[10]!, '--bad', repo.commits[20]!, '--test', 'grep -q ok state.txt', '--store', store, ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`narrowing the change from ${repo.commits[10]!.slice(0, 12)} (good) to ${repo.commits[20]!.slice(0, 12)} (bad), which spans 10 commits`);
    expect(result.stderr).not.toMatch(/candidates between/);
    expect(result.stdout).not.toContain('is the first bad commit');
    expect(result.stdout).toContain(`The change from ${repo.commits[10]} (good) to ${repo.commits[20]} (bad) spans several commits`);
    // Its changed files are the whole change's: file-11.txt … file-20.txt and state.txt.
    expect(result.stdout).toContain('Changed files (11):');
    const markdown = await culprit(['report', '1', '--store', store]);
    expect(markdown.stdout).toContain(`## Regression: the change from \`${repo.commits[10]!.slice(0, 12)}\``);
    expect(markdown.stdout).not.toMatch(/candidate commits|First bad commit/);
  }, 60_000);

  it('applies a replaced token together with what it replaces: no line that neither side had', async () => {
    const dir = path.join(tempDir(), 'repo');
    mkdirSync(dir, { recursive: true });
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '--quiet');
    writeFileSync(path.join(dir, 'f'), 'alpha\nbeta\ngamma\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'one');
    writeFileSync(path.join(dir, 'f'), 'alpha\nBETA\ngamma\n');
    git('commit', '--quiet', '-am', 'two');
    const seen = path.join(tempDir(), 'configurations');
    const result = await culprit(['narrow', '--repo', dir, '--good', 'HEAD~1', '--bad', 'HEAD', '--test', `echo "$CULPRIT_CONFIGURATION" >> '${seen}'; ! grep -q BETA f`, '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    // Each configuration told the test which one it was; the endpoints, none.
    const lines = readFileSync(seen, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{12}: f$/);
    const narrowed = JSON.parse(result.stdout).narrowed as { diff: string; changes: Array<{ kind: string; text: string }> };
    expect(narrowed.diff).toContain('-beta\n+BETA\n');
    expect(narrowed.diff).not.toContain('betaBETA');
    expect(narrowed.changes.map((change) => `${change.kind} ${change.text.trim()}`).sort()).toEqual(['add BETA', 'remove beta']);
    // `show` names each narrowing probe as the configuration it was, with what it did to the failure.
    const shown = await culprit(['show', String(JSON.parse(result.stdout).hunt)]);
    const rows = shown.stdout.split('\n').filter((line) => /^\s+\d+\s+narrow/.test(line));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatch(/[0-9a-f]{12}\+[0-9a-f]{8}\s+(fail|pass|unresolved)\s/);
      expect(row).not.toMatch(/\sone$/);
    }
  }, 60_000);

  it('shows a renamed file as a rename, as git does, not as a deletion and an addition', async () => {
    const dir = path.join(tempDir(), 'repo');
    mkdirSync(dir, { recursive: true });
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '--quiet');
    writeFileSync(path.join(dir, 'old-name.txt'), 'the same content, line one\nline two\nline three\n');
    writeFileSync(path.join(dir, 'other.txt'), 'unrelated\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'one');
    git('mv', 'old-name.txt', 'new-name.txt');
    writeFileSync(path.join(dir, 'other.txt'), 'unrelated, edited\n');
    git('commit', '--quiet', '-am', 'two');
    const result = await culprit(['narrow', '--repo', dir, '--good', 'HEAD~1', '--bad', 'HEAD', '--test', '! test -f new-name.txt', '--json', ...workdir()]);
    expect(result.code, result.stderr).toBe(0);
    const diff = (JSON.parse(result.stdout) as { narrowed: { diff: string } }).narrowed.diff;
    expect(diff).toBe('diff --git a/old-name.txt b/new-name.txt\nsimilarity index 100%\nrename from old-name.txt\nrename to new-name.txt\n');
  }, 60_000);
});

