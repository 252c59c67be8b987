// A full disk under culprit's own files (workspace locks, probe logs, the hunt store): one line that names the file
// that could not be written and says to free some space, exit 4, no stack trace. Each case fills a small tmpfs.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmdirSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { culprit, type CliResult } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

const mounted: string[] = [];

/** A fresh 1 MiB tmpfs, or undefined when this machine does not let us mount one (not root, or a container). */
function smallDisk(): string | undefined {
  const mountPoint = tempDir('culprit-full-');
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'ignore' }).status !== 0) {
    rmdirSync(mountPoint);
    return undefined;
  }
  mounted.push(mountPoint);
  return mountPoint;
}

/** Writes zeros into `directory` until its file system has no block left. */
function fill(directory: string): void {
  const fd = openSync(path.join(directory, 'fill.bin'), 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

const probeMount = smallDisk();
const canMount = probeMount !== undefined;
const SKIP = 'cannot mount a tmpfs here (needs root outside a restricted container): the full-disk cases do not run';
if (!canMount) console.warn(SKIP);

afterAll(() => {
  for (const mountPoint of mounted) {
    spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
    try {
      rmdirSync(mountPoint);
    } catch {
      // still busy: the lazy unmount detaches it anyway
    }
  }
});

/** The last `culprit:` line, after checking that nothing else looks like a crash. */
function errorLine(result: CliResult): string {
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  return result.stderr.trim().split('\n').filter((line) => line.startsWith('culprit: ')).at(-1) ?? '';
}

describe.skipIf(!canMount)(`a full disk (${canMount ? 'tmpfs mounted' : SKIP})`, () => {
  it('names the workspace lock that could not be written, for run and probe', async () => {
    const repo = await linearRepo(6, 3);
    const disk = probeMount as string;
    const workdir = path.join(disk, 'work');
    mkdirSync(workdir);
    fill(disk);
    const store = path.join(tempDir(), 'hunts.sqlite');
    const run = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--workdir', workdir, '--store', store]);
    expect(run.code, run.stderr).toBe(4);
    const escaped = workdir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(errorLine(run)).toMatch(new RegExp(`^culprit: no space left on the device writing ${escaped}/workspaces/\\S+/ws-0\\.lock; free some disk space$`));

    const probe = await culprit(['probe', '--repo', repo.dir, '--commit', repo.head, '--test', 'true', '--workdir', workdir]);
    expect(probe.code, probe.stderr).toBe(4);
    expect(errorLine(probe)).toMatch(new RegExp(`^culprit: no space left on the device writing ${escaped}/\\S+\\.lock; free some disk space$`));
  }, 60_000);

  it('names the probe log that could not be written when the build filled the disk, and keeps the hunt', async () => {
    const repo = await linearRepo(6, 3);
    const disk = smallDisk() as string;
    const workdir = path.join(disk, 'work');
    const store = path.join(tempDir(), 'hunts.sqlite');
    // The build runs in the workspace, on the small disk: its output leaves no room for the logs that follow.
    const build = 'dd if=/dev/zero of=filler.bin bs=4096 2>/dev/null; exit 0';
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--build', build, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--workdir', workdir, '--store', store, '--json']);
    expect(result.code, result.stderr).toBe(4);
    const id = JSON.parse(result.stdout).hunt as number;
    expect(id).toEqual(expect.any(Number));
    const escaped = workdir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(errorLine(result)).toMatch(
      new RegExp(`^culprit: no space left on the device writing ${escaped}/logs/\\S+\\.(build|test)\\.log; free some disk space; once fixed, continue with: culprit resume ${id}$`),
    );
    const listed = JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout);
    expect(listed).toEqual([expect.objectContaining({ hunt: id, status: 'aborted' })]);
  }, 60_000);

  it('says that the disk of the hunt store is full, not that the store path is wrong (exit 4, not 2)', async () => {
    const repo = await linearRepo(6, 3);
    const disk = smallDisk() as string;
    fill(disk);
    const store = path.join(disk, 'hunts.sqlite');
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--workdir', tempDir(), '--store', store]);
    expect(result.code, result.stderr).toBe(4);
    const escaped = store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(errorLine(result)).toMatch(new RegExp(`^culprit: cannot (open|use) the hunt store ${escaped}: .*\\((SQLITE_FULL|ENOSPC)\\); free some disk space$`));
  }, 60_000);
});
