// A repository too damaged to resolve the endpoints: the one line says the repository looks damaged (exit 4), not
// that the user named an unknown revision (exit 2). Unknown revisions in a sound repository stay bad input.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, type CliResult } from '../fixtures/cli.js';
import { linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

function cutShort(file: string, bytes: number): void {
  truncateSync(file, Math.max(1, statSync(file).size - bytes));
}

function errorLine(result: CliResult): string {
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('endpoints of a damaged repository', () => {
  it('git: a truncated packfile is damage, with git fsck; an unknown revision is still bad input', async () => {
    const repo = await linearRepo(8, 4);
    const scratch = tempDir();
    const run = (good: string): Promise<CliResult> =>
      culprit(['run', '--repo', repo.dir, '--good', good, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--workdir', scratch, '--store', path.join(scratch, 'hunts.sqlite')]);
    const unknown = await run('no-such-branch');
    expect(unknown.code).toBe(2);
    expect(errorLine(unknown)).toMatch(/^culprit: unknown revision for --good: 'no-such-branch'/);

    // A small import leaves loose objects: one pack holds them all, then loses its end.
    execFileSync('git', ['repack', '-a', '-d', '-q'], { cwd: repo.dir });
    const packs = path.join(repo.dir, '.git', 'objects', 'pack');
    const names = readdirSync(packs).filter((name) => name.endsWith('.pack'));
    expect(names).toHaveLength(1);
    cutShort(path.join(packs, names[0]!), 200);
    const damaged = await run(repo.commits[0]!);
    expect(damaged.code, damaged.stderr).toBe(4);
    expect(errorLine(damaged)).toMatch(/^culprit: git rev-parse failed in \S+: packfile \S+ does not match index; the repository looks damaged: check it with git fsck$/);
    expect(readdirSync(scratch)).toEqual([]);
  }, 60_000);

  it('hg: a truncated changelog is damage, with hg verify', async () => {
    const repo = await linearHgRepo(8, 4);
    cutShort(path.join(repo.dir, '.hg', 'store', '00changelog.i'), 30);
    const scratch = tempDir();
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--workdir', scratch, '--store', path.join(scratch, 'hunts.sqlite')]);
    expect(result.code, result.stderr).toBe(4);
    expect(errorLine(result)).toMatch(/^culprit: hg log failed in \S+: .*corrupt.*; the repository looks damaged: check it with hg verify$/);
  }, 60_000);
});
