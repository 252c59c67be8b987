// A Ctrl-C at the terminal reaches every process in culprit's group, the git or hg command under way included: what
// fails next is the interrupt's doing, and culprit says it was interrupted (exit 130), not that the input is wrong.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, finished } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

describe('Ctrl-C while the hunt is being prepared', () => {
  it('is an interrupt (exit 130), not a failure of the git command it cut short', async () => {
    const repo = await linearRepo(8, 4);
    const scratch = tempDir();
    const started = path.join(scratch, 'git-started');
    // A git that takes its time, so the interrupt lands while culprit waits for it; the terminal's SIGINT ends it.
    const bin = path.join(scratch, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'git'), `#!/bin/sh\ntouch '${started}'\nsleep 30\nexec /usr/bin/git "$@"\n`);
    chmodSync(path.join(bin, 'git'), 0o755);
    // Its own process group, as a shell gives a foreground job: the SIGINT goes to the whole group.
    const child = spawn(process.execPath, [BIN, 'run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'true', '--store', path.join(scratch, 'hunts.sqlite'), '--workdir', path.join(scratch, 'cache')], {
      detached: true,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = finished(child);
    for (let i = 0; i < 300 && !existsSync(started); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(started)).toBe(true);
    process.kill(-child.pid!, 'SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr.trim().split('\n').at(-1)).toBe('culprit: interrupted by SIGINT');
  });
});
