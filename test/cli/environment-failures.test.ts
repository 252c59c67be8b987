// When git, hg or the disk fails under a hunt: one line that says what failed and what to do, exit 4, no stack
// trace, and the hunt kept for `culprit resume` once it was attached. Repositories are damaged on purpose here.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { culprit, type CliResult } from '../fixtures/cli.js';
import { linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

function oneErrorLine(result: CliResult): string {
  const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('culprit: '));
  const last = lines.at(-1) ?? '';
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(last.length).toBeGreaterThan(0);
  return last;
}

/** Turns the repository's pack into loose objects, so single objects can be removed. */
function unpack(dir: string): void {
  const packs = path.join(dir, '.git', 'objects', 'pack');
  const aside = tempDir();
  for (const file of readdirSync(packs)) renameSync(path.join(packs, file), path.join(aside, file));
  for (const file of readdirSync(aside).filter((name) => name.endsWith('.pack'))) {
    execFileSync('git', ['unpack-objects', '-q'], { cwd: dir, input: execFileSync('cat', [path.join(aside, file)]) });
  }
}

/** A small tmpfs, when this machine lets us mount one (root, outside most containers). */
function smallDisk(megabytes: number): string | undefined {
  const mountPoint = tempDir('culprit-full-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', mountPoint], { stdio: 'ignore' });
  return mounted.status === 0 ? mountPoint : undefined;
}
const mounts: string[] = [];
const disk = smallDisk(2);
if (disk) mounts.push(disk);
afterAll(() => {
  for (const mountPoint of mounts) spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
});

describe('environment failures', () => {
  it('says in one line that git failed on a damaged repository mid-hunt, and keeps the hunt', async () => {
    const repo = await linearRepo(16, 9);
    unpack(repo.dir);
    // The trees of every commit between the endpoints are gone: the first probe of the bisection cannot check out.
    for (const commit of repo.commits.slice(1, 15)) {
      const tree = execFileSync('git', ['rev-parse', `${commit}^{tree}`], { cwd: repo.dir, encoding: 'utf8' }).trim();
      rmSync(path.join(repo.dir, '.git', 'objects', tree.slice(0, 2), tree.slice(2)));
    }
    const scratch = tempDir();
    const store = path.join(scratch, 'hunts.sqlite');
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--store', store, '--workdir', scratch, '--json']);
    expect(result.code, result.stderr).toBe(4);
    const line = oneErrorLine(result);
    // git 2.39 exits 0 from a checkout whose tree it cannot read: culprit must not test what it left behind.
    expect(line).toMatch(/^culprit: git checkout failed in \S+: .*(unable to read tree|could not read|bad tree|missing).*; the repository looks damaged: check it with git fsck; once fixed, continue with: culprit resume \d+$/i);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ status: 'error', hunt: expect.any(Number) });
    const listed = JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout);
    expect(listed).toEqual([expect.objectContaining({ hunt: document.hunt, status: 'aborted' })]);
  }, 60_000);

  it('says the repository no longer has a commit pruned mid-hunt, keeps the hunt, and resumes once it is back', async () => {
    const repo = await linearRepo(16, 9);
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo.dir, encoding: 'utf8' });
    const scratch = tempDir();
    const bundle = path.join(scratch, 'main.bundle');
    git('bundle', 'create', '--quiet', bundle, 'main');
    // The user moves to another branch; the hunt's bad is main's head, by hash.
    git('branch', 'keep', repo.commits[0]!);
    git('symbolic-ref', 'HEAD', 'refs/heads/keep');
    const counter = path.join(scratch, 'count');
    // The first probe after the endpoints deletes main and prunes everything only it held, as `git gc` after a rebase would.
    const test = `n=$(( $(cat ${counter} 2>/dev/null || echo 0) + 1 )); echo $n > ${counter}; if [ $n -eq 3 ]; then git -C ${repo.dir} update-ref -d refs/heads/main && git -C ${repo.dir} reflog expire --expire=now --all && git -C ${repo.dir} gc --quiet --prune=now; fi; grep -q ok state.txt`;
    const store = path.join(scratch, 'hunts.sqlite');
    const workdir = path.join(scratch, 'work');
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', test, '--narrow', 'none', '--store', store, '--workdir', workdir, '--json']);
    expect(result.code, result.stderr).toBe(4);
    const id = JSON.parse(result.stdout).hunt as number;
    expect(oneErrorLine(result)).toMatch(new RegExp(`^culprit: the repository ${repo.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} no longer has commit [0-9a-f]{12} \\(pruned or rewritten\\?\\); restore it \\(git fetch it again, or recreate the branch or tag that held it\\); once fixed, continue with: culprit resume ${id}$`));

    // Still pruned: resuming says the same, not "unknown revision for --bad".
    const early = await culprit(['resume', String(id), '--store', store]);
    expect(early.code, early.stderr).toBe(4);
    expect(oneErrorLine(early)).toMatch(new RegExp(`^culprit: the repository \\S+ no longer has commit ${repo.head.slice(0, 12)} \\(pruned or rewritten\\?\\); restore it .*, then run culprit resume ${id} again$`));

    git('fetch', '--quiet', bundle, 'main:main');
    const resumed = await culprit(['resume', String(id), '--store', store, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).firstBad.commit).toBe(repo.culprit);
  }, 120_000);

  it('says in one line that the graph walk failed on a missing commit object, before anything is created', async () => {
    const repo = await linearRepo(16, 9);
    unpack(repo.dir);
    const middle = repo.commits[7]!;
    rmSync(path.join(repo.dir, '.git', 'objects', middle.slice(0, 2), middle.slice(2)));
    const scratch = tempDir();
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'true', '--workdir', scratch, '--store', path.join(scratch, 'hunts.sqlite')]);
    expect(result.code, result.stderr).toBe(4);
    expect(oneErrorLine(result)).toMatch(/^culprit: git \S+ failed in \S+: .+; the repository looks damaged: check it with git fsck$/);
    expect(readdirSync(scratch)).toEqual([]);
  }, 60_000);

  it('says in one line that a damaged Mercurial revlog failed an update, with hg verify', async () => {
    const repo = await linearHgRepo(12, 6);
    // file-3.txt is in every changeset from 3 on, the bad endpoint included: its revlog cut short breaks them all.
    const revlog = path.join(repo.dir, '.hg', 'store', 'data', 'file-3.txt.i');
    truncateSync(revlog, Math.max(1, Math.floor(statSync(revlog).size / 2)));
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none'], { env: { XDG_CACHE_HOME: tempDir() } });
    expect(result.code, result.stderr).toBe(4);
    expect(oneErrorLine(result)).toMatch(/^culprit: hg \S+.* failed in \S+: .+; (the repository looks damaged: check it with hg verify|check the repository with hg verify.*)/);
  }, 120_000);

  it.skipIf(!disk)('says in one line that the disk is full when a checkout cannot be written, and keeps the hunt', async () => {
    const repo = await linearRepo(6, 3);
    // A tree bigger than the whole disk culprit's workspaces are on.
    writeFileSync(path.join(repo.dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
    execFileSync('git', ['add', 'big.bin'], { cwd: repo.dir });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-qm', 'big file'], { cwd: repo.dir });
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).trim();
    const workdir = path.join(disk as string, 'work');
    mkdirSync(workdir);
    const store = path.join(tempDir(), 'hunts.sqlite');
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--workdir', workdir, '--store', store]);
    expect(result.code, result.stderr).toBe(4);
    expect(oneErrorLine(result)).toMatch(/^culprit: .*(No space left on device|no space left).*; free some disk space; once fixed, continue with: culprit resume \d+$/);
    const listed = JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout);
    expect(listed).toEqual([expect.objectContaining({ status: 'aborted' })]);
  }, 60_000);
});
