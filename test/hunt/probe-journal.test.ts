// The verdict cache as two hunts on one repository and recipe see it through their journals: a hang is reused only
// by a hunt whose timeout is no longer than the one it was found under, a pass or fail only if it ran within it.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProbeJournal } from '../../src/hunt/probe-journal.js';
import { TimeoutPolicy } from '../../src/hunt/timeout-policy.js';
import type { ProbeRecord } from '../../src/model/probe-record.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../fixtures/scripted-repo.js';

const args = {
  repo: '/r', subdirectory: '', vcs: 'git' as const, goods: ['a'], bad: 'b', goodNames: ['a'], badName: 'b',
  recipe: { test: { shell: 'true' }, buildTimeoutSeconds: 1, graceSeconds: 1, onHang: 'bad' as const, onBuildFailure: 'skip' as const },
  firstParent: false, verify: true, cache: true,
};

const hang = (commit: string, seconds: number): ProbeRecord => ({
  commit, outcome: { kind: 'hung' }, verdict: 'hang', searchVerdict: 'bad', exitCode: null, signal: 'SIGTERM', seconds: seconds + 0.5, testSeconds: seconds, logPath: '/log', outputTail: '',
});
const pass = (commit: string, seconds: number): ProbeRecord => ({
  commit, outcome: { kind: 'passed' }, verdict: 'good', searchVerdict: 'good', exitCode: 0, signal: null, seconds: seconds + 0.5, testSeconds: seconds, logPath: '/log', outputTail: '',
});

describe('probe journal', () => {
  it('reuses a cached hang only under a timeout no longer than its own, a pass only when it ran within the timeout', async () => {
    const store = Store.open(path.join(tempDir(), 'hunts.sqlite'));
    let runs = 0;
    /** One hunt on the same repository and recipe (the derived timeout is keyed as "derived"), with its own timeout. */
    const hunt = (timeoutSeconds: number): ProbeJournal => {
      const huntId = store.hunts.create({ key: `k${timeoutSeconds}`, identity: 'repo', arguments: args, recipeKey: 'derived', candidates: 2 });
      return new ProbeJournal({ store, huntId, identity: 'repo', recipeKey: 'derived', useCache: true, treeOf: (commit) => Promise.resolve(`tree-${commit}`), timeoutSeconds: () => timeoutSeconds });
    };
    const probe = async (journal: ProbeJournal, commit: string, record: ProbeRecord): Promise<string> =>
      (await journal.obtain(commit, 'bisect', () => Promise.resolve(commit), () => (runs++, Promise.resolve(record)))).source;

    const first = hunt(30);
    expect(await probe(first, 'hangs', hang('hangs', 30))).toBe('run');
    expect(await probe(first, 'slow', pass('slow', 25))).toBe('run');
    expect(runs).toBe(2);

    // A longer timeout might have let the hanging run finish: it runs again; the 25 s pass is within 60 s too.
    const longer = hunt(60);
    expect(await longer.answerable(['hangs', 'slow'])).toEqual(new Set(['slow']));
    expect(await probe(longer, 'hangs', hang('hangs', 60))).toBe('run');
    expect(await probe(longer, 'slow', pass('slow', 25))).toBe('cached');
    expect(runs).toBe(3);

    // A shorter timeout would have hung too (the cache now holds the 60 s hang); the 25 s pass would hang at 20 s.
    const shorter = hunt(20);
    expect(await shorter.answerable(['hangs', 'slow'])).toEqual(new Set(['hangs']));
    expect(await probe(shorter, 'hangs', hang('hangs', 20))).toBe('cached');
    expect(await probe(shorter, 'slow', hang('slow', 20))).toBe('run');
    expect(runs).toBe(4);
    store.close();
  });

  it('before the derived timeout is measured, reuses only passes within its floor and no hang', async () => {
    const store = Store.open(path.join(tempDir(), 'hunts.sqlite'));
    let runs = 0;
    const journalOf = (policy: TimeoutPolicy): ProbeJournal => {
      const huntId = store.hunts.create({ key: `k${runs}-${Math.random()}`, identity: 'repo', arguments: args, recipeKey: 'derived', candidates: 2 });
      return new ProbeJournal({ store, huntId, identity: 'repo', recipeKey: 'derived', useCache: true, treeOf: (commit) => Promise.resolve(`tree-${commit}`), timeoutSeconds: () => policy.seconds, reuseLimits: () => policy.reuseLimits });
    };
    const probe = async (journal: ProbeJournal, commit: string, record: ProbeRecord): Promise<string> =>
      (await journal.obtain(commit, 'bisect', () => Promise.resolve(commit), () => (runs++, Promise.resolve(record)))).source;
    // A slow hunt found a 40 s pass, a 2 s pass and a hang under a long derived timeout.
    const slow = new TimeoutPolicy();
    slow.observeGood(60);
    const first = journalOf(slow);
    await probe(first, 'forty', pass('forty', 40));
    await probe(first, 'two', pass('two', 2));
    await probe(first, 'hangs', hang('hangs', 600));
    // The next hunt's --jobs probes start before its endpoints are measured (600 s placeholder): its timeout may yet
    // be 30 s, where the 40 s run would hang, and the hang proves nothing under a timeout not known yet.
    const unmeasured = new TimeoutPolicy();
    const next = journalOf(unmeasured);
    expect(await next.answerable(['forty', 'two', 'hangs'])).toEqual(new Set(['two']));
    expect(await probe(next, 'two', pass('two', 2))).toBe('cached');
    expect(await probe(next, 'forty', pass('forty', 40))).toBe('run');
    store.close();
  });
});

