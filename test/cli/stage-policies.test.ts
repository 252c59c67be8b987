// What the stages do with a verdict that says "stop" and with hg's candidate rules, through the built CLI:
// a policy abort keeps its hunt (exit 3, resumable once the build is fixed), abort is never read as skip at merge
// bases or in merge descent, and parallel hg hunts search hg bisect's candidates only.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, type CliResult } from '../fixtures/cli.js';
import { branchyHgRepo, hgRun } from '../fixtures/scripted-hg-repo.js';
import { branchyRepo, linearRepo, tempDir } from '../fixtures/scripted-repo.js';

function document(result: CliResult): { hunt: number | null; status: string; firstBad: { commit: string } | null; probes: Array<{ commit: string; phase: string }>; error: string | null } {
  expect(result.stdout.trim().split('\n'), result.stderr).toHaveLength(1);
  return JSON.parse(result.stdout);
}

describe('stages and their policies', () => {
  it('keeps a hunt stopped by --on-build-failure abort, lists it as aborted, and resumes it once the build is fixed', async () => {
    const repo = await linearRepo(16, 9);
    const scratch = tempDir();
    const store = path.join(scratch, 'hunts.sqlite');
    const broken = path.join(scratch, 'build-is-broken');
    writeFileSync(broken, '');
    // Commits 4-10 (5 to 11 files) fail to build while the flag file exists.
    const build = `test -f ${broken} || exit 0; n=$(ls file-*.txt | wc -l); [ "$n" -lt 5 ] || [ "$n" -gt 11 ]`;
    const args = ['--repo', repo.dir, '--store', store, '--workdir', scratch, '--json'];
    const hunt = ['run', '--good', repo.commits[0]!, '--bad', repo.head, '--build', build, '--on-build-failure', 'abort', '--test', 'grep -q ok state.txt', '--narrow', 'none', ...args];
    const aborted = await culprit(hunt);
    expect(aborted.code, aborted.stderr).toBe(3);
    const id = document(aborted).hunt;
    expect(id).toEqual(expect.any(Number));
    // One line: what stopped it, what to do, and how to continue.
    expect(aborted.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(`^culprit: the build failed with exit 1 at [0-9a-f]{12} and --on-build-failure is abort; fix the build \\(log: \\S+\\); once fixed, continue with: culprit resume ${id}$`),
    );
    expect(existsSync(store)).toBe(true);
    const listed = JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout);
    expect(listed).toEqual([expect.objectContaining({ hunt: id, status: 'aborted', error: expect.stringMatching(/--on-build-failure is abort/) })]);

    rmSync(broken);
    const resumed = await culprit(['resume', String(id), '--store', store, '--workdir', scratch, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(document(resumed).firstBad?.commit).toBe(repo.culprit);
    expect(JSON.parse((await culprit(['hunts', '--store', store, '--json'])).stdout)).toEqual([expect.objectContaining({ hunt: id, status: 'found' })]);
  }, 120_000);

  it('prints one document for a hunt: run --json is what report --format json and show --json print later', async () => {
    const repo = await linearRepo(12, 7);
    const scratch = tempDir();
    const store = path.join(scratch, 'hunts.sqlite');
    const run = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--store', store, '--workdir', scratch, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const live = document(run) as unknown as Record<string, unknown> & { hunt: number; stages: Array<{ stage: string }>; narrowingProbes: unknown[] };
    expect(live.stages.map((stage) => stage.stage)).toEqual(['endpoints', 'bisection', 'narrowing']);
    expect(live.narrowingProbes.length).toBeGreaterThan(0);
    const report = JSON.parse((await culprit(['report', String(live.hunt), '--store', store, '--format', 'json'])).stdout);
    const shown = JSON.parse((await culprit(['show', String(live.hunt), '--store', store, '--json'])).stdout);
    expect(report).toEqual(live);
    expect(shown).toEqual(live);
  }, 60_000);

  it('stops with exit 3 when the build aborts at a merge base, instead of skipping it', async () => {
    const repo = await linearRepo(16, 9, 'bug', { topicFrom: 4 });
    const base = repo.commits[4]!;
    const result = await culprit(
      ['run', '--repo', repo.dir, '--good', repo.topic!, '--bad', repo.head, '--build', `test "$CULPRIT_COMMIT" != ${base}`, '--on-build-failure', 'abort', '--test', 'grep -q ok state.txt', '--narrow', 'none', '--json'],
      { env: { XDG_CACHE_HOME: tempDir() } },
    );
    expect(result.code, result.stderr).toBe(3);
    expect(document(result).error).toMatch(new RegExp(`build failed with exit 1 at ${base.slice(0, 12)} and --on-build-failure is abort`));
    expect(result.stderr).not.toMatch(/could not be tested/);
  }, 60_000);

  it('stops with exit 3 when the build aborts at the merged branch in merge descent, instead of not descending', async () => {
    const repo = await branchyRepo(6, 3);
    const tip = execFileSync('git', ['rev-parse', `${repo.merge}^2`], { cwd: repo.dir, encoding: 'utf8' }).trim();
    const result = await culprit(
      ['run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--first-parent', '--build', `test "$CULPRIT_COMMIT" != ${tip}`, '--on-build-failure', 'abort', '--test', 'grep -q ok state.txt', '--json'],
      { env: { XDG_CACHE_HOME: tempDir() } },
    );
    expect(result.code, result.stderr).toBe(3);
    expect(document(result).error).toMatch(new RegExp(`at ${tip.slice(0, 12)} and --on-build-failure is abort`));
    expect(result.stderr).not.toMatch(/not descending/);
  }, 60_000);

  it('with --jobs 3 on Mercurial, probes only candidates of hg bisect and names its answer', async () => {
    // The side branch forks before the good: git's `bad ^good` holds it, hg bisect's `good::bad` does not.
    const repo = await branchyHgRepo(6, 3);
    const good = hgRun(repo.dir, ['log', '-r', 'desc("main 3")', '-T', '{node}']);
    const hgSet = new Set(hgRun(repo.dir, ['log', '-r', `(${good}::${repo.head}) - ::${good}`, '-T', '{node}\\n']).trim().split('\n'));
    const run = (jobs: string): Promise<CliResult> =>
      culprit(['run', '--repo', repo.dir, '--good', good, '--bad', repo.head, '--test', 'grep -q ok state.txt', '--narrow', 'none', '--jobs', jobs, '--no-cache', '--json'], {
        env: { XDG_CACHE_HOME: tempDir() },
      });
    const [one, three] = [document(await run('1')), document(await run('3'))];
    const searched = three.probes.map((probe) => probe.commit).filter((commit) => commit !== good && commit !== repo.head);
    expect(searched.length).toBeGreaterThan(0);
    for (const commit of searched) expect(hgSet).toContain(commit);
    expect(three.firstBad?.commit).toBe(one.firstBad?.commit);
    expect(one.firstBad?.commit).toBe(repo.merge);
  }, 180_000);
});
