// A workspace that vanishes under a probe is the machine's failure, not the test's verdict: the probe is tried again
// in a fresh workspace, and a second loss stops the hunt in one line (exit 4), kept for `culprit resume`.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

/**
 * A test that, while `armed` exists, deletes its own workspace and fails at the first good commit past the good
 * endpoint, writing that commit into `victim`; `once` disarms it there.
 */
function deletingTest(goodEndpoint: string, armed: string, victim: string, once: boolean): string {
  return [
    `if [ -e '${armed}' ] && [ "$CULPRIT_COMMIT" != ${goodEndpoint} ] && grep -q ok state.txt; then`,
    `  echo "$CULPRIT_COMMIT" > '${victim}'`,
    ...(once ? [`  rm -f '${armed}'`] : []),
    '  rm -rf "$CULPRIT_WORKSPACE"',
    '  exit 1',
    'fi',
    'grep -q ok state.txt',
  ].join('\n');
}

interface Probe { commit: string; verdict: string }

describe('a workspace deleted while its test runs', () => {
  it('is probed again in a fresh workspace: the answer is right and no `bad` is recorded for that commit', async () => {
    const repo = await linearRepo(20, 11);
    const scratch = tempDir();
    const armed = path.join(scratch, 'armed');
    const victim = path.join(scratch, 'victim');
    writeFileSync(armed, '');
    const store = path.join(scratch, 'hunts.sqlite');
    const args = ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--store', store, '--workdir', path.join(scratch, 'work'), '--json'];
    const result = await culprit([...args, '--test', deletingTest(repo.commits[0]!, armed, victim, true)]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(victim)).toBe(true);
    const deleted = readFileSync(victim, 'utf8').trim();
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    const ofVictim = (document.probes as Probe[]).filter((probe) => probe.commit === deleted);
    // The store's every probe of the hunt: the lost run left no verdict behind, to be cached or replayed.
    expect(ofVictim.map((probe) => probe.verdict)).toEqual(['good']);
  });

  it('stops the hunt in one line (exit 4) when the retry loses its workspace too, and resume finishes it', async () => {
    const repo = await linearRepo(20, 11);
    const scratch = tempDir();
    const armed = path.join(scratch, 'armed');
    const victim = path.join(scratch, 'victim');
    writeFileSync(armed, '');
    const store = path.join(scratch, 'hunts.sqlite');
    const test = deletingTest(repo.commits[0]!, armed, victim, false);
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--store', store, '--workdir', path.join(scratch, 'work'), '--test', test]);
    expect(result.code, result.stderr).toBe(4);
    const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('culprit: '));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(lines.at(-1)).toMatch(/^culprit: the workspace .* (vanished|changed) .*; .*continue with: culprit resume \d+$/);
    const hunt = /culprit resume (\d+)/.exec(lines.at(-1) ?? '')?.[1];
    rmSync(armed);
    const resumed = await culprit(['resume', hunt ?? '', '--store', store, '--workdir', path.join(scratch, 'work'), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).firstBad.commit).toBe(repo.culprit);
  });

  it('counts the verdict of a test that commits on top of its checkout: the checkout was the candidate', async () => {
    const repo = await linearRepo(12, 7);
    const scratch = tempDir();
    const test = 'git -c user.name=t -c user.email=t@example.org commit --quiet --allow-empty -m mine && grep -q ok state.txt';
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--store', path.join(scratch, 'hunts.sqlite'), '--workdir', path.join(scratch, 'work'), '--json', '--test', test]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).firstBad.commit).toBe(repo.culprit);
    expect(result.stderr).not.toMatch(/vanished or changed/);
  });

  it('probes again a checkout the test moved to a later commit of the repository: its verdict is not the candidate\'s', async () => {
    const repo = await linearRepo(20, 11);
    const scratch = tempDir();
    const armed = path.join(scratch, 'armed');
    const victim = path.join(scratch, 'victim');
    writeFileSync(armed, '');
    const test = [
      `if [ -e '${armed}' ] && [ "$CULPRIT_COMMIT" != ${repo.commits[0]!} ] && grep -q ok state.txt; then`,
      `  echo "$CULPRIT_COMMIT" > '${victim}'; rm -f '${armed}'`,
      `  git checkout --quiet ${repo.head}`,
      'fi',
      'grep -q ok state.txt',
    ].join('\n');
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--store', path.join(scratch, 'hunts.sqlite'), '--workdir', path.join(scratch, 'work'), '--json', '--test', test]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.firstBad.commit).toBe(repo.culprit);
    const moved = readFileSync(victim, 'utf8').trim();
    expect((document.probes as Probe[]).filter((probe) => probe.commit === moved).map((probe) => probe.verdict)).toEqual(['good']);
  });
});

describe('a Mercurial workspace left at another changeset', () => {
  it('stops the hunt in one line (exit 4) when the test keeps updating to a later changeset of the repository, naming no commit', async () => {
    const repo = await linearHgRepo(12, 7);
    const scratch = tempDir();
    const test = `if [ "$CULPRIT_COMMIT" != ${repo.commits[0]!} ] && grep -q ok state.txt; then hg update --quiet --rev ${repo.head}; fi; grep -q ok state.txt`;
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--store', path.join(scratch, 'hunts.sqlite'), '--workdir', path.join(scratch, 'work'), '--test', test]);
    expect(result.code, result.stdout + result.stderr).toBe(4);
    expect(result.stdout).not.toMatch(/first bad commit/);
    expect(result.stderr.trim().split('\n').filter((line) => line.startsWith('culprit: ')).at(-1)).toMatch(/^culprit: the workspace .* vanished or changed .*continue with: culprit resume \d+$/);
  });

  it('counts the verdict of a test that commits on top of its checkout', async () => {
    const repo = await linearHgRepo(12, 7);
    const scratch = tempDir();
    const test = 'echo mine > mine.txt && hg add --quiet mine.txt && hg commit --quiet --user t --message mine && grep -q ok state.txt';
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--narrow', 'none', '--store', path.join(scratch, 'hunts.sqlite'), '--workdir', path.join(scratch, 'work'), '--json', '--test', test]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).firstBad.commit).toBe(repo.culprit);
    expect(result.stderr).not.toMatch(/vanished or changed/);
  });
});
