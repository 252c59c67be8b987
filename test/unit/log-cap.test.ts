// The log cap's trims run on a timer while the command writes: a trim that fails there must come out as the run's
// error when it ends (named, one line, by the runner), never as an exception thrown from the timer.
import { closeSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { capLog } from '../../src/probe/log-cap.js';
import { tempDir } from '../fixtures/scripted-repo.js';

it('keeps a trim that fails while the command runs for the end of the run', async () => {
  const log = path.join(tempDir(), 'probe.test.log');
  // Over the cap and its slack, on a descriptor that cannot be truncated or written: every trim fails.
  writeFileSync(log, Buffer.alloc(40 * 1024 * 1024, 0x61));
  const fd = openSync(log, 'r');
  try {
    const stop = capLog(fd, 0);
    // Several looks of the timer: an exception thrown there would fail this test as an unhandled error.
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(() => stop()).toThrow();
  } finally {
    closeSync(fd);
  }
});
