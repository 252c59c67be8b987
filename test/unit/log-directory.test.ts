// Probe logs: one directory per hunt, pruned oldest first by count and by total size, never a running hunt's; a
// flooding test's log keeps its first and last MiB.
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_HEAD_BYTES, LOG_TAIL_BYTES } from '../../src/probe/log-cap.js';
import { createLogDirectory, pruneLogs } from '../../src/probe/log-directory.js';
import { runCommand } from '../../src/probe/process-runner.js';
import { tempDir } from '../fixtures/scripted-repo.js';

/** A process id no process can have: above Linux's largest (2^22). */
const DEAD = 2 ** 22 + 12_345;

function hunt(cache: string, name: string, age: number, bytes = 10): string {
  const directory = path.join(cache, 'logs', name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, '001.test.log'), 'x'.repeat(bytes));
  const when = new Date(Date.UTC(2026, 0, 1) + age * 1000);
  utimesSync(directory, when, when);
  return directory;
}

describe('createLogDirectory', () => {
  it('keeps the 50 most recently written hunts, counting the new one, whatever their names', () => {
    const cache = tempDir();
    // Names that sort the other way from their age: probe- directories sort after dated ones.
    for (let i = 0; i < 60; i++) hunt(cache, `${i % 2 ? 'probe-' : ''}2020-01-01T00-00-${String(59 - i).padStart(2, '0')}-000Z-${DEAD}`, i);
    const directory = createLogDirectory(cache);
    const left = readdirSync(path.join(cache, 'logs'));
    expect(left).toHaveLength(50);
    expect(left).toContain(path.basename(directory));
    expect(left).toContain(`probe-2020-01-01T00-00-00-000Z-${DEAD}`);
    expect(left).not.toContain(`2020-01-01T00-00-59-000Z-${DEAD}`);
  });

  it('never prunes the logs of a hunt whose process still runs', () => {
    const cache = tempDir();
    const live = hunt(cache, `2020-01-01T00-00-00-000Z-${process.pid}`, 0);
    for (let i = 1; i <= 60; i++) hunt(cache, `2021-01-01T00-00-${String(i).padStart(2, '0')}-000Z-${DEAD}`, i);
    createLogDirectory(cache);
    expect(readdirSync(path.join(cache, 'logs'))).toContain(path.basename(live));
  });

  it('prunes by total size too, oldest first, and clears all but the running ones when asked', () => {
    const cache = tempDir();
    for (let i = 0; i < 5; i++) hunt(cache, `2020-01-01T00-00-0${i}-000Z-${DEAD}`, i, 1000);
    expect(pruneLogs(cache, 50, 2500)).toEqual({ removed: 3, bytes: 3000 });
    expect(readdirSync(path.join(cache, 'logs')).sort()).toEqual([`2020-01-01T00-00-03-000Z-${DEAD}`, `2020-01-01T00-00-04-000Z-${DEAD}`]);
    hunt(cache, `2020-01-01T00-00-09-000Z-${process.pid}`, 9, 1000);
    expect(pruneLogs(cache, 0, 0).removed).toBe(2);
    expect(readdirSync(path.join(cache, 'logs'))).toEqual([`2020-01-01T00-00-09-000Z-${process.pid}`]);
  });
});

describe('a flooding test', () => {
  it('leaves a log of its first and last MiB, saying how much was cut', async () => {
    const dir = tempDir();
    const logPath = path.join(dir, 'flood.log');
    // About 30 MiB of output, then a last line to find in the tail.
    const result = await runCommand({ command: { shell: 'head -c 31457280 /dev/zero | tr "\\0" "y"; echo; echo the-last-line' }, cwd: dir, env: process.env, timeoutMs: 60_000, graceMs: 1000, logPath });
    expect(result.exitCode).toBe(0);
    expect(statSync(logPath).size).toBeLessThan(LOG_HEAD_BYTES + LOG_TAIL_BYTES + 64 * 1024);
    const text = readFileSync(logPath, 'utf8');
    expect(text).toMatch(/\[culprit\] … output cut here: \d+ bytes dropped so far/);
    // Its last output line, not only the command's header (which names it too).
    expect(text).toMatch(/^the-last-line$/m);
    expect(result.outputTail).toContain('the-last-line');
  });
});
