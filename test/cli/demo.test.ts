// The main job, as a newcomer runs it: `culprit demo` builds its repository and finds the planted culprit.
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/scripted-repo.js';

describe('culprit demo', () => {
  it('finds the planted culprit inside the merge of seven fixes and narrows it to the decisive token', async () => {
    const result = await culprit(['demo'], { env: { XDG_CACHE_HOME: tempDir() } });
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
  }, 120_000);
});
