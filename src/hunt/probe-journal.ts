// A hunt's probes as the store sees them: answered from the hunt's own finished probes when resuming, from the
// verdict cache when another hunt already tested the same tree with the same recipe, or run and written down.
import { createHash } from 'node:crypto';
import type { Phase, ProbeRecord } from '../model/probe-record.js';
import type { ReuseLimits } from '../store/probe-table.js';
import type { Store } from '../store/store.js';
import type { ProbeRow } from '../store/store-types.js';
import type { HuntProbe } from './hunt-types.js';

export interface JournalOptions {
  store: Store;
  huntId: number;
  /** Repository identity, the first part of the cache key. */
  identity: string;
  recipeKey: string;
  useCache: boolean;
  treeOf(commit: string): Promise<string>;
  /**
   * The test timeout in force now (it is derived from the good runs without --timeout): kept with each verdict, and a
   * cached one is reused only if it would hold under it (see ProbeTable.cachedVerdict).
   */
  timeoutSeconds: () => number;
  /**
   * The timeouts a cached verdict must hold under, while the timeout may still change (derived, not measured yet);
   * without it, the timeout in force now.
   */
  reuseLimits?: () => ReuseLimits;
  /**
   * Replay only this recipe's probes: a hunt over versions and then their source holds two spaces (and recipes) in
   * one record, and a version named like a commit must never answer for it.
   */
  ownRecipeOnly?: boolean;
}

/** What a probe tests: a commit as it is, or a configuration of a change written on top of it (narrowing). */
export interface ProbeTarget {
  commit: string;
  /** Digest of the files the configuration writes; equal digests on one commit are the same candidate. */
  configuration?: string;
}

/**
 * What the verdict cache knows a candidate by: its content, not its name. A commit is its tree (two commits with
 * the same tree get the same verdict); a configuration is the commit's tree plus the digest of what it writes.
 */
export async function contentKeyOf(target: ProbeTarget, treeOf: (commit: string) => Promise<string>): Promise<string> {
  const tree = await treeOf(target.commit);
  return target.configuration === undefined ? tree : createHash('sha256').update(`${tree}\0${target.configuration}`).digest('hex');
}

function targetKey(target: ProbeTarget): string {
  return target.configuration === undefined ? target.commit : `${target.commit}#${target.configuration}`;
}

/**
 * How much a probe may reuse: `reuse` anything; `confirm` no answer of this hunt's own (a verification runs again,
 * but another hunt's confirmation counts); `retest` nothing from the cache (a cached endpoint that contradicts the user);
 * `sample` nothing from the cache, and nothing into it: one run of several (--flaky, --metric, --repeat) is not a
 * verdict on its own, and must not answer a later hunt as one.
 * A resumed hunt replays its own recorded probes whatever the mode: they are the same questions asked again.
 */
export type Freshness = 'reuse' | 'confirm' | 'retest' | 'sample';

export class ProbeJournal {
  /** Finished probes of this hunt by target, in step order: a resumed hunt asks the same questions in the same order. */
  private readonly done = new Map<string, ProbeRow[]>();
  private replayable = 0;

  constructor(private readonly options: JournalOptions) {
    options.store.probes.dropInFlight(options.huntId);
    for (const row of options.store.probes.list(options.huntId)) {
      // An aborting outcome is not an answer: resuming asks again (the user may have fixed what crashed).
      if (row.endedAt === null || row.searchVerdict === 'abort') continue;
      if (options.ownRecipeOnly && row.recipeKey !== options.recipeKey) continue;
      const key = targetKey({ commit: row.commit, ...(row.configuration === null ? {} : { configuration: row.configuration }) });
      this.done.set(key, [...(this.done.get(key) ?? []), row]);
      this.replayable += 1;
    }
  }

  private reuseLimits(): ReuseLimits {
    if (this.options.reuseLimits) return this.options.reuseLimits();
    const seconds = this.options.timeoutSeconds();
    return { finishedUnder: seconds, hungFrom: seconds };
  }

  /** The commits (as they are, no configuration) this hunt can answer without running: its own probes, or the cache. */
  async answerable(commits: readonly string[]): Promise<Set<string>> {
    const { store, identity, recipeKey, useCache } = this.options;
    const answerable = new Set<string>();
    const cached = useCache ? store.probes.cachedTrees(identity, recipeKey, this.reuseLimits()) : new Set<string>();
    for (const commit of commits) {
      if ((this.done.get(commit)?.length ?? 0) > 0) answerable.add(commit);
      else if (cached.size > 0 && cached.has(await this.options.treeOf(commit))) answerable.add(commit);
    }
    return answerable;
  }

  get resumedCount(): number {
    return this.replayable;
  }

  /**
   * The answer for a commit: the hunt's own (resuming), a cached one, or a fresh probe run by `run`.
   */
  async obtain(
    target: ProbeTarget | string,
    phase: Phase,
    subject: () => Promise<string>,
    run: (step: number, tree: string) => Promise<ProbeRecord>,
    freshness: Freshness = 'reuse',
  ): Promise<HuntProbe> {
    const { store, huntId } = this.options;
    const probeTarget = typeof target === 'string' ? { commit: target } : target;
    const commit = probeTarget.commit;
    const key = targetKey(probeTarget);
    const stored = this.done.get(key)?.shift();
    if (stored) return { ...stored, phase, source: stored.source === 'cached' ? 'cached' : 'resumed' };
    const tree = await contentKeyOf(probeTarget, this.options.treeOf);
    let cached = this.options.useCache && freshness !== 'retest' && freshness !== 'sample' ? store.probes.cachedVerdict(this.options.identity, tree, this.options.recipeKey, this.reuseLimits()) : undefined;
    if (cached && freshness === 'confirm' && cached.huntId === huntId) cached = undefined;
    // Steps are numbered right before the row is written, with no await in between: parallel probes get distinct steps.
    const startOf = (step: number, subject: string) => ({ huntId, step, phase, commit, configuration: probeTarget.configuration ?? null, tree, recipeKey: this.options.recipeKey, subject });
    if (cached) {
      const title = await subject();
      return store.probes.recordCached(startOf(store.probes.nextStep(huntId), title), cached);
    }
    const step = store.probes.nextStep(huntId);
    const probeId = store.probes.start(startOf(step, ''));
    // A derived timeout can change while the run is under way (runs are retimed): the shorter one is what a hang proves.
    const timeoutAtStart = this.options.timeoutSeconds();
    let record: ProbeRecord;
    let title: string;
    try {
      [record, title] = await Promise.all([run(step, tree), subject()]);
    } catch (error) {
      // No answer (cancelled, interrupted, failed to run): nothing to keep, and a resume asks again.
      store.probes.discard(probeId);
      throw error;
    }
    return store.probes.finish(probeId, record, title, freshness === 'sample' ? undefined : this.options.identity, Math.min(timeoutAtStart, this.options.timeoutSeconds()));
  }
}
