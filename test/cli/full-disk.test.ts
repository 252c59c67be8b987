// A full disk under culprit's own files (workspace locks, probe logs, the hunt store): one line that names the file
// that could not be written and says to free some space, exit 4, no stack trace. Each case fills a small tmpfs.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
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

/**
 * A 16 MiB ext4 on a loop device that a test can turn read-only on the spot, as ext4 does itself after a disk error
 * (errors=remount-ro): writing 1 to its trigger_fs_error. Undefined where loop devices or the trigger are missing.
 */
function ext4Disk(): { dir: string; image: string; trigger: string } | undefined {
  const scratch = tempDir('culprit-ext4-');
  const image = path.join(scratch, 'disk.img');
  const dir = path.join(scratch, 'mnt');
  mkdirSync(dir);
  const ok = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  if (!ok('truncate', ['-s', '16M', image]) || !ok('mkfs.ext4', ['-q', '-F', image]) || !ok('mount', ['-o', 'loop,errors=remount-ro', image, dir])) return undefined;
  mounted.push(dir);
  const device = spawnSync('findmnt', ['-n', '-o', 'SOURCE', dir], { encoding: 'utf8' }).stdout.trim();
  const trigger = `/sys/fs/ext4/${path.basename(device)}/trigger_fs_error`;
  return existsSync(trigger) ? { dir, image, trigger } : undefined;
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

describe.skipIf(!canMount)('the store\'s disk turning read-only or full mid-hunt', () => {
  for (const where of ['cache', 'store'] as const) {
    it(`says in one line that the ${where}'s disk filled up mid-hunt, and resumes once there is room`, async () => {
      const repo = await linearRepo(16, 9);
      const disk = smallDisk() as string;
      const workdir = where === 'cache' ? path.join(disk, 'work') : tempDir();
      const store = where === 'store' ? path.join(disk, 'hunts.sqlite') : path.join(tempDir(), 'hunts.sqlite');
      const filler = path.join(disk, 'filler.bin');
      const counter = path.join(tempDir(), 'count');
      const test = `n=$(( $(cat ${counter} 2>/dev/null || echo 0) + 1 )); echo $n > ${counter}; if [ $n -eq 3 ]; then dd if=/dev/zero of=${filler} bs=4096 2>/dev/null; fi; grep -q ok state.txt`;
      const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', test, '--narrow', 'none', '--workdir', workdir, '--store', store, '--json']);
      expect(result.code, result.stderr).toBe(4);
      const id = JSON.parse(result.stdout).hunt as number;
      expect(errorLine(result)).toMatch(new RegExp(`^culprit: [^\\n]*(no space left|cannot grow)[^\\n]*; free some disk space; once fixed, continue with: culprit resume ${id}$`, 'i'));
      rmSync(filler);
      const resumed = await culprit(['resume', String(id), '--store', store, '--json']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout).firstBad.commit).toBe(repo.culprit);
    }, 120_000);
  }

  it('says in one line that the store became read-only, keeps the hunt, and resumes once it is writable again', async (context) => {
    const disk = ext4Disk();
    if (!disk) return context.skip();
    const repo = await linearRepo(16, 9);
    const store = path.join(disk.dir, 'hunts.sqlite');
    const counter = path.join(tempDir(), 'count');
    // The first probe after the endpoints: the disk's pages reach it (sync), then the file system fails read-only.
    const test = `n=$(( $(cat ${counter} 2>/dev/null || echo 0) + 1 )); echo $n > ${counter}; if [ $n -eq 3 ]; then sync; echo 1 > ${disk.trigger}; fi; grep -q ok state.txt`;
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', test, '--narrow', 'none', '--workdir', tempDir(), '--store', store, '--json']);
    expect(result.code, result.stderr).toBe(4);
    const id = JSON.parse(result.stdout).hunt as number;
    expect(id).toEqual(expect.any(Number));
    const escaped = store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(errorLine(result)).toMatch(new RegExp(`^culprit: the hunt store ${escaped} is on a file system that is read-only now; make it writable again .*; once fixed, continue with: culprit resume ${id}$`));
    // Reading it while it is read-only lists it, or says the same line (exit 4); never "remove the broken one" (exit 2).
    const listed = await culprit(['hunts', '--store', store]);
    expect([0, 4], listed.stderr).toContain(listed.code);
    if (listed.code === 4) expect(errorLine(listed)).toMatch(/is on a file system that is read-only now/);

    // The disk is checked and mounted again: the hunt goes on from its stored probes.
    execFileSync('umount', [disk.dir]);
    spawnSync('e2fsck', ['-f', '-y', disk.image], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'loop', disk.image, disk.dir]);
    const resumed = await culprit(['resume', String(id), '--store', store, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).firstBad.commit).toBe(repo.culprit);
    rmSync(store, { force: true });
  }, 120_000);
});
