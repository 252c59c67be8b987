// The main job, as a newcomer runs it: `culprit demo` builds its repository and finds the planted culprit.
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/scripted-repo.js';

describe('culprit demo', () => {
  it('finds the planted culprit inside the merge of seven fixes and narrows it to the decisive token', async () => {
    const cache = tempDir();
    const result = await culprit(['demo'], { env: { XDG_CACHE_HOME: cache } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('The demo found the planted culprit');
    expect(result.stdout).toContain('Retry reads that fail with EPIPE or EBADF on reused sockets');
    expect(result.stdout).toMatch(/Rerun it by hand[^\n]*:\n {2}npx culprit run --repo /);
    expect(result.stderr).toMatch(/hang/);
    // …and narrows the culprit's change to the one decisive token: EBADF, not EPIPE.
    const diff = result.stdout.slice(result.stdout.indexOf('Minimal failure-inducing change (token level'));
    expect(diff).toContain("+export const RETRYABLE = ['EAGAIN', 'EINTR', 'EBADF'];");
    expect(diff).not.toMatch(/^\+.*EPIPE/m);
    expect(diff).toMatch(/ok +parent \+ this change: fails/);
    expect(diff).toMatch(/ok +first bad commit − this change: passes/);
    expect(diff).toMatch(/ok +your bad revision − this change: passes — reverting these lines on your bad revision fixes it/);
    // The rerun it suggests is answered from the store, as it says (its recipe once differed in --grace).
    const rerun = /Rerun it by hand[^\n]*:\n {2}npx culprit (.*)/.exec(result.stdout)?.[1];
    const again = await culprit(rerun!.match(/'[^']*'|\S+/g)!.map((word) => word.replace(/^'(.*)'$/, '$1')), { env: { XDG_CACHE_HOME: cache } });
    expect(again.code, again.stderr).toBe(0);
    const probeLines = again.stderr.split('\n').filter((line) => /^(step|narrow) +\d/.test(line));
    expect(probeLines.length).toBeGreaterThan(5);
    for (const line of probeLines) expect(line).toMatch(/ cached /);
  }, 120_000);
});

describe('culprit demo --versions', () => {
  it('finds the first bad release, hands off to its repository, finds the commit and narrows it to the token', async () => {
    const cache = tempDir();
    const result = await culprit(['demo', '--versions'], { env: { XDG_CACHE_HOME: cache } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('The demo found the first bad release, then the planted commit');
    expect(result.stdout).toMatch(/^Versions of demo-client: 1\.\d is the first bad version, 1\.\d the last good one/m);
    expect(result.stdout).toMatch(/^Handed off to .*demo-client: 1\.\d is release-1\.\d/m);
    // The story in order: releases, the hand-off, the commit, the token.
    const order = ['Versions of demo-client', 'Handed off to', 'is the first bad commit', "+export const RETRYABLE = ['EAGAIN', 'EINTR', 'EBADF'];"].map((text) => result.stdout.indexOf(text));
    expect(order.every((at, index) => at >= 0 && (index === 0 || at > order[index - 1]!)), result.stdout).toBe(true);
    expect(result.stdout).toMatch(/ok +your bad revision − this change: passes/);
    expect(result.stderr).toMatch(/step +\d verify +1\.0 +good/);
    expect(result.stderr).toMatch(/commits to search there/);
    // The rerun line it prints works as printed, answered from the store.
    const rerun = /Rerun it by hand[^\n]*:\n {2}npx culprit (.*)/.exec(result.stdout)?.[1];
    expect(rerun).toBeDefined();
    const args = rerun!.match(/'[^']*'|\S+/g)!.map((word) => word.replace(/^'(.*)'$/, '$1'));
    const again = await culprit(args, { env: { XDG_CACHE_HOME: cache } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Retry reads that fail with EPIPE or EBADF on reused sockets');
    // Every verdict comes from the store, as the demo promises: no probe runs again.
    const probeLines = again.stderr.split('\n').filter((line) => /^(step|narrow) +\d/.test(line));
    expect(probeLines.length).toBeGreaterThan(5);
    for (const line of probeLines) expect(line).toMatch(/ cached /);
  }, 120_000);
});
