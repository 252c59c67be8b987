// The main job, as a newcomer runs it: `culprit demo` builds its repository and finds the planted culprit.
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/scripted-repo.js';

describe('culprit demo', () => {
  it('finds the planted culprit inside the merge of seven fixes', async () => {
    const result = await culprit(['demo'], { env: { XDG_CACHE_HOME: tempDir() } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('The demo found the planted culprit');
    expect(result.stdout).toContain('Retry reads that fail with EPIPE or EBADF on reused sockets');
    expect(result.stdout).toMatch(/Rerun it by hand[^\n]*:\n {2}npx culprit run --repo /);
    expect(result.stderr).toMatch(/hang/);
  }, 120_000);
});
