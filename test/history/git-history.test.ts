// The git adapter against real repositories: revision syntax, the candidate region, merge bases, descriptions.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { GitHistory } from '../../src/history/git-history.js';
import { branchyRepo, linearRepo, tempDir } from '../fixtures/scripted-repo.js';

describe('GitHistory', () => {
  it('refuses directories that are not repositories', async () => {
    await expect(GitHistory.open(tempDir())).rejects.toThrow(/not a git repository/);
    await expect(GitHistory.open('/no/such/dir')).rejects.toBeInstanceOf(UsageError);
  });

  it('resolves hashes, abbreviations, branches and relative revisions; rejects the rest', async () => {
    const repo = await linearRepo(6, 3);
    const history = await GitHistory.open(repo.dir);
    expect(await history.resolve('main', '--bad')).toBe(repo.head);
    expect(await history.resolve(repo.commits[2]!.slice(0, 9), '--good')).toBe(repo.commits[2]);
    expect(await history.resolve('main~5', '--good')).toBe(repo.commits[0]);
    await expect(history.resolve('nope', '--good')).rejects.toThrow(/unknown revision for --good: 'nope'/);
    await expect(history.resolve('main:state.txt', '--good')).rejects.toThrow(/unknown revision/);
    await expect(history.resolve('-n', '--good')).rejects.toThrow(/unknown revision/);
  });

  it('loads exactly the candidate region, with parents and times', async () => {
    const repo = await branchyRepo(6, 3);
    const history = await GitHistory.open(repo.dir);
    const graph = await history.loadGraph(repo.head, [repo.commits[1]!]);
    // Everything after main 1: main 2, six side commits, main 3, the merge, main 4, main 5.
    expect(graph.size).toBe(11);
    const merge = graph.idOf(repo.merge)!;
    expect(graph.parentCount(merge)).toBe(2);
    expect(graph.timeOf(merge)).toBeGreaterThan(1_700_000_000);
    expect(graph.idOf(repo.commits[1]!)).toBeUndefined();
  });

  it('finds merge bases and ancestry, and describes commits', async () => {
    const repo = await linearRepo(10, 5, 'bug', { topicFrom: 3 });
    const history = await GitHistory.open(repo.dir);
    expect(await history.isAncestor(repo.commits[2]!, repo.head)).toBe(true);
    expect(await history.isAncestor(repo.topic!, repo.head)).toBe(false);
    expect(await history.mergeBases(repo.head, [repo.topic!])).toEqual([repo.commits[3]]);
    const info = (await history.describe([repo.culprit])).get(repo.culprit)!;
    expect(info).toMatchObject({ subject: 'commit 5 (the culprit)', author: 'Test Author <test@example.org>' });
    expect(await history.changedFiles(repo.culprit)).toEqual(['file-5.txt', 'state.txt']);
  });
});
