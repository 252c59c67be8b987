// The Mercurial adapter against real repositories: revisions and revsets, the candidate region with the goods,
// merge bases, descriptions, and reads that neither change the repository nor run its hooks or extensions.
import { appendFileSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { HgHistory } from '../../src/history/hg-history.js';
import { openHistory } from '../../src/history/open-history.js';
import { branchyHgRepo, dirtyUpHg, hgRun, hgRunAll, hgSnapshot, linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

const revOf = (dir: string, node: string): number => Number(hgRun(dir, ['log', '--rev', node, '--template', '{rev}']));

describe('HgHistory', () => {
  it('refuses directories that are not Mercurial repositories', async () => {
    await expect(HgHistory.open(tempDir())).rejects.toThrow(/not a Mercurial repository/);
    await expect(HgHistory.open((await linearRepo(2, 1)).dir)).rejects.toThrow(/not a Mercurial repository/);
    await expect(HgHistory.open('/no/such/dir')).rejects.toBeInstanceOf(UsageError);
  });

  it('is what openHistory picks for a Mercurial repository, also from a subdirectory and when forced', async () => {
    const repo = await linearHgRepo(3, 1);
    const history = await openHistory(repo.dir);
    expect(history).toBeInstanceOf(HgHistory);
    expect(history.kind).toBe('hg');
    mkdirSync(path.join(repo.dir, 'sub'));
    const fromSub = await openHistory(path.join(repo.dir, 'sub'), 'hg');
    expect(fromSub).toBeInstanceOf(HgHistory);
    expect(fromSub.root).toBe(realpathSync(repo.dir));
    // The git original and its conversion side by side: --vcs decides, detection finds .git first.
    await expect(openHistory(repo.git.dir, 'hg')).rejects.toThrow(/not a Mercurial repository/);
  });

  it('resolves numbers, hashes, tags, bookmarks, branches and revsets to full nodes', async () => {
    const repo = await linearHgRepo(6, 3);
    // `hg tag` commits .hgtags on top of the active bookmark `main`, which moves there.
    const [, tagged, , , , stable] = hgRunAll([
      [repo.dir, ['tag', '--rev', repo.commits[2]!, 'v2.7.1']],
      [repo.dir, ['log', '--rev', 'main', '--template', '{node}']],
      [repo.dir, ['update', '--quiet', repo.commits[4]!]],
      [repo.dir, ['branch', '--quiet', 'stable']],
      [repo.dir, ['commit', '--quiet', '--message', 'open stable']],
      [repo.dir, ['log', '--rev', '.', '--template', '{node}']],
    ]) as [string, string, string, string, string, string];
    const history = await HgHistory.open(repo.dir);
    expect(await history.resolve('0', '--good')).toBe(repo.commits[0]);
    expect(await history.resolve(repo.commits[3]!, '--good')).toBe(repo.commits[3]);
    expect(await history.resolve(repo.commits[3]!.slice(0, 10), '--good')).toBe(repo.commits[3]);
    expect(await history.resolve('v2.7.1', '--good')).toBe(repo.commits[2]);
    expect(await history.resolve('tag(v2.7.1)', '--good')).toBe(repo.commits[2]);
    expect(await history.resolve('main', '--bad')).toBe(tagged);
    expect(await history.resolve('stable', '--bad')).toBe(stable);
    expect(await history.resolve('max(branch(default) and ancestors(main))', '--bad')).toBe(tagged);
    expect(await history.resolve('p1(main)', '--good')).toBe(repo.head);
    expect(history.shortName(repo.head)).toBe(repo.head.slice(0, 12));
  });

  it('rejects revisions that name no changeset, and revsets that name several', async () => {
    const repo = await linearHgRepo(6, 3);
    const history = await HgHistory.open(repo.dir);
    for (const revision of ['nope', 'tag(v9.9)', 'none()', 'tag(', '--config=hooks.pre-log=touch x', 'wdir()', 'null', '99']) {
      await expect(history.resolve(revision, '--good'), revision).rejects.toThrow(`unknown revision for --good: '${revision}'`);
    }
    await expect(history.resolve('  ', '--bad')).rejects.toThrow(/empty revision for --bad/);
    const several = await history.resolve('0:3', '--good').catch((error: unknown) => error);
    expect(several).toBeInstanceOf(UsageError);
    expect((several as UsageError).line).toMatch(/^--good '0:3' names 4 changesets, not one; pick one, e.g. --good 'max\(0:3\)'/);
  });

  it('loads the candidate region plus the goods, with revision numbers as times and no null parents', async () => {
    const repo = await branchyHgRepo(6, 3);
    const history = await HgHistory.open(repo.dir);
    const good = repo.commits[1]!;
    const graph = await history.loadGraph(repo.head, [good]);
    // Everything after main 1 (main 2, six side commits, main 3, the merge, main 4, main 5) and main 1 itself.
    expect(graph.size).toBe(12);
    const merge = graph.idOf(repo.merge)!;
    expect(graph.parentCount(merge)).toBe(2);
    for (const node of [repo.merge, repo.head, good]) expect(graph.timeOf(graph.idOf(node)!)).toBe(revOf(repo.dir, node));
    // The good's parent lies outside the graph; the root has no parents at all.
    expect(graph.parentCount(graph.idOf(good)!)).toBe(1);
    expect([...graph.parentsOf(graph.idOf(good)!)]).toEqual([-1]);
    expect(graph.idOf(repo.commits[0]!)).toBeUndefined();
    const whole = await history.loadGraph(repo.head, []);
    expect(whole.parentCount(whole.idOf(repo.commits[0]!)!)).toBe(0);
  });

  it('finds merge bases and ancestry, and describes changesets', async () => {
    const repo = await linearHgRepo(10, 5, 'bug', { topicFrom: 3 });
    const history = await HgHistory.open(repo.dir);
    expect(await history.isAncestor(repo.commits[2]!, repo.head)).toBe(true);
    expect(await history.isAncestor(repo.head, repo.head)).toBe(true);
    expect(await history.isAncestor(repo.topic!, repo.head)).toBe(false);
    expect(await history.mergeBases(repo.head, [repo.topic!])).toEqual([repo.commits[3]]);
    expect(await history.mergeBases(repo.head, [repo.topic!, repo.commits[5]!])).toEqual([repo.commits[5]]);
    const infos = await history.describe([repo.culprit, repo.head]);
    expect(infos.get(repo.culprit)).toEqual({ commit: repo.culprit, subject: 'commit 5 (the culprit)', author: 'Test Author <test@example.org>', date: '2023-11-14T22:18:20+00:00' });
    expect(infos.get(repo.head)?.subject).toBe('commit 9');
    expect(await history.changedFiles(repo.culprit)).toEqual(['file-5.txt', 'state.txt']);
  });

  it('lists the files of a merge against its first parent', async () => {
    const repo = await branchyHgRepo(3, 1);
    const history = await HgHistory.open(repo.dir);
    expect(await history.changedFiles(repo.merge)).toEqual(['side-0.txt', 'side-1.txt', 'side-2.txt', 'state.txt']);
  });

  it("reads without changing the repository or running the user's hooks and extensions", async () => {
    const repo = await linearHgRepo(8, 4, 'bug', { topicFrom: 2 });
    const marker = path.join(tempDir(), 'hook-ran');
    dirtyUpHg(repo);
    appendFileSync(
      path.join(repo.dir, '.hg', 'hgrc'),
      `[hooks]\npre-log = touch ${marker}\npre-status = touch ${marker}\n[extensions]\nbroken = ${path.join(tempDir(), 'missing.py')}\n`,
    );
    const before = hgSnapshot(repo.dir);
    const history = await HgHistory.open(repo.dir);
    const head = await history.resolve('main', '--bad');
    await history.loadGraph(head, [repo.commits[1]!, repo.topic!]);
    await history.mergeBases(head, [repo.topic!]);
    await history.isAncestor(repo.topic!, head);
    await history.describe(repo.commits);
    await history.changedFiles(repo.culprit);
    expect(existsSync(marker)).toBe(false);
    expect(hgSnapshot(repo.dir)).toEqual(before);
  });
});
