// A probe's log has a cap: a test that floods its output (`yes`) keeps its first and last MiB, with a line saying how
// much was cut between them. The command writes to the file itself (no pipe to wait on), so the file is trimmed
// while it runs: it grows by at most what the command writes between two looks.
import { fstatSync, ftruncateSync, readSync, writeSync } from 'node:fs';

export const LOG_HEAD_BYTES = 1024 * 1024;
export const LOG_TAIL_BYTES = 1024 * 1024;
/**
 * While the command runs, the log is trimmed once it is this much over the cap. A trim races the command's own
 * writes (what it writes between reading the tail and truncating is lost, in the middle of a flood), so it happens
 * rarely: a log stays under the cap plus this much, plus what a flood writes between two looks.
 */
const SLACK_BYTES = 32 * 1024 * 1024;
const LOOK_MS = 100;

/** Starts trimming the output written after `outputStart` to `log`; the returned function trims once more and stops. */
export function capLog(log: number, outputStart: number): () => void {
  let cut = 0;
  const trim = (slack: number): void => {
    let size: number;
    try {
      size = fstatSync(log).size;
    } catch {
      return;
    }
    if (size - outputStart <= LOG_HEAD_BYTES + LOG_TAIL_BYTES + slack) return;
    const tail = Buffer.alloc(LOG_TAIL_BYTES);
    let read = readSync(log, tail, 0, LOG_TAIL_BYTES, size - LOG_TAIL_BYTES);
    // Read again while the file grew meanwhile: the window in which the command's writes can be lost stays tiny.
    for (let again = 0; again < 5; again++) {
      const now = fstatSync(log).size;
      if (now === size) break;
      size = now;
      read = readSync(log, tail, 0, LOG_TAIL_BYTES, size - LOG_TAIL_BYTES);
    }
    const marker = `\n[culprit] … output cut here: `;
    cut += size - outputStart - LOG_HEAD_BYTES - read;
    // The log is opened to append. What the command writes between the last look and the truncation is lost, and
    // what it writes between the truncation and the two writes below lands before the marker: both in the middle of
    // a flood, which is why trims while it runs are rare and the one after it ends is exact.
    ftruncateSync(log, outputStart + LOG_HEAD_BYTES);
    writeSync(log, `${marker}${cut} bytes dropped so far (the log keeps the first and the last MiB) …\n`);
    writeSync(log, tail.subarray(0, read));
  };
  // A failed trim (the disk filled up between the truncation and the write) must not escape from a timer, where it
  // would end culprit with a stack trace: it stops the trims and is reported, with the log's name, when the run ends.
  let failure: { error: unknown } | undefined;
  const timer = setInterval(() => {
    try {
      trim(SLACK_BYTES);
    } catch (error) {
      failure = { error };
      clearInterval(timer);
    }
  }, LOOK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (failure) throw failure.error;
    // The command has ended: the log is brought down to its cap exactly.
    trim(0);
  };
}
