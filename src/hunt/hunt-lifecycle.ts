// A hunt's life around its stages: attached to its record in the store, given an executor and a context, and
// ended as found, interrupted or aborted (kept, resumable) or, when its input was wrong, discarded without trace.
import { asEnvironmentError } from '../environment-failure.js';
import { CulpritError, InterruptedError, UsageError } from '../errors.js';
import type { Executor } from '../executors/executor.js';
import { LocalExecutor } from '../executors/local.js';
import { vcsVersion } from '../history/vcs-version.js';
import { CULPRIT_VERSION } from '../tool-version.js';
import { descentOf, factorsOf, narrowingOf, versionsOf, type HuntOutcome } from '../model/stage-results.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { Store } from '../store/store.js';
import { attachHunt } from './hunt-attachment.js';
import { HuntContext, type StageSession } from './hunt-context.js';
import type { PreparedHunt } from './hunt-preparation.js';
import type { HuntObserver, HuntOptions, HuntProbe, HuntResult } from './hunt-types.js';
import { ProbeJournal } from './probe-journal.js';

async function openExecutor(prepared: PreparedHunt, options: HuntOptions, note: (message: string) => void): Promise<Executor> {
  const queue = options.executor;
  if (queue) {
    const kind = prepared.history.kind;
    // A version's install and a factor's setup need the user's project, which lives on this machine only.
    if (kind !== 'git' && kind !== 'hg') throw new UsageError(`--executor runs commit hunts on workers; a hunt over ${kind} probes on this machine`, 'drop --executor');
    // Loaded only when asked for: a local hunt does not pay for BullMQ.
    const { QueueExecutor } = await import('../executors/queue-executor.js');
    return QueueExecutor.open({ address: queue.address, queue: queue.queue, key: queue.key, slots: prepared.args.jobs ?? 1, cacheRoot: cacheDirectory(options.workdir), note });
  }
  return LocalExecutor.open({
    history: prepared.history,
    cacheRoot: cacheDirectory(options.workdir),
    slots: prepared.args.jobs ?? 1,
    ...(prepared.args.cacheSize === undefined ? {} : { cacheSize: prepared.args.cacheSize }),
    note,
  });
}

function lineOf(error: unknown): string {
  return error instanceof CulpritError ? error.line : error instanceof Error ? error.message : String(error);
}

/** Runs `body` as the hunt `prepared` describes, with everything it needs, and files its outcome in the store. */
export async function withHunt(prepared: PreparedHunt, options: HuntOptions, body: (context: HuntContext) => Promise<HuntOutcome>): Promise<HuntResult> {
  const { history, args } = prepared;
  const told = options.observer ?? {};
  const note = (message: string): void => told.note?.(message);
  const ownsStore = !(options.store instanceof Store);
  const store = options.store instanceof Store ? options.store : Store.open(options.store);
  let attachment;
  try {
    attachment = attachHunt(
      store,
      {
        key: prepared.huntKey, identity: history.identity, arguments: args, recipeKey: prepared.recipeKey, recipeEnvironment: prepared.recipeEnvironment, candidates: prepared.candidates,
        ...(options.resume === undefined ? {} : { resume: options.resume }),
        ...(options.forceRecipe ? { forceRecipe: true } : {}),
      },
      note,
    );
  } catch (error) {
    if (ownsStore) store.closeDiscardingIfEmpty();
    throw error;
  }
  const huntId = attachment.id;
  // Each probe's place in the search is kept with it, for the report's picture of the range shrinking.
  const observer: HuntObserver = {
    ...told,
    probeFinished(probe, progress) {
      // A replayed verdict keeps where it stood when it was first given: this run's search order is not history.
      const replayed = probe.source === 'resumed' && probe.progress !== undefined;
      if (progress?.search && !replayed) store.probes.noteProgress(probe.id, { candidatesLeft: progress.candidatesLeft, search: progress.search, verdict: probe.verdict, ...(progress.leader ? { leader: progress.leader } : {}) });
      told.probeFinished?.(probe, progress);
    },
    narrowingProbe(probe, outcome, what) {
      // What the configuration was and did, for `show` and the reports: its commit is only the parent it sits on.
      store.probes.noteProgress(probe.id, { narrowing: { outcome, what } });
      told.narrowingProbe?.(probe, outcome, what);
    },
  };
  // A hunt over versions may go on into their source: each space's journal replays its own probes only.
  // The journal asks the context's timeout only once probes run, after the context below exists.
  const journal: ProbeJournal = new ProbeJournal({ store, huntId, identity: history.identity, recipeKey: prepared.recipeKey, useCache: args.cache, treeOf: (commit) => history.treeOf(commit), timeoutSeconds: (): number => context.timeout.seconds, reuseLimits: () => context.timeout.reuseLimits, ownRecipeOnly: history.kind === 'versions' || history.kind === 'factors' });
  observer.attached?.({ hunt: huntId, resumed: !attachment.created, probesDone: journal.resumedCount });

  let executor: Executor;
  try {
    executor = await openExecutor(prepared, options, note);
  } catch (error) {
    // Nothing was probed: a hunt that could not start leaves nothing behind.
    if (attachment.created) {
      store.hunts.delete(huntId);
      observer.discarded?.();
    }
    if (ownsStore) store.closeDiscardingIfEmpty();
    throw error;
  }
  const parts = { huntId, observer, ...(options.signal ? { signal: options.signal } : {}) };
  /** The start line of a space's search: the hunt's own, and a later stage's in another space. */
  const announce = (started: PreparedHunt, on: Executor): void =>
    observer.started?.({
      repo: started.history.root,
      space: started.history.kind === 'git' || started.history.kind === 'hg' ? 'commits' : started.history.kind,
      ...(started.args.factors ? { unit: started.args.factors.kind === 'deps' ? 'package change' : 'factor' } : {}),
      // A hunt over factors names its setups as the user did (the lockfiles); the others, their resolved revisions.
      bad: started.args.factors ? started.args.badName : started.args.bad,
      goods: started.args.factors ? started.args.goodNames : started.args.goods,
      candidates: started.candidates,
      steps: started.pace,
      workers: on.slots,
      workspace: on.workspaces[0] ?? '',
      timeoutSeconds: started.args.recipe.timeoutSeconds,
      ...(started.args.narrowOnly ? { narrowOnly: true } : {}),
    });
  /** A later stage's hunt in another space (the source of released versions): same record, own journal and workspaces. */
  const continueIn = async (next: PreparedHunt): Promise<StageSession> => {
    const nextJournal: ProbeJournal = new ProbeJournal({ store, huntId, identity: next.history.identity, recipeKey: next.recipeKey, useCache: next.args.cache, treeOf: (commit) => next.history.treeOf(commit), timeoutSeconds: (): number => nextContext.timeout.seconds, reuseLimits: () => nextContext.timeout.reuseLimits, ownRecipeOnly: true });
    const nextExecutor = await openExecutor(next, options, note);
    announce(next, nextExecutor);
    const nextContext: HuntContext = new HuntContext({ ...parts, history: next.history, args: next.args, journal: nextJournal, executor: nextExecutor, buildKey: next.buildKey });
    return { context: nextContext, close: () => nextExecutor.close() };
  };
  const context: HuntContext = new HuntContext({ ...parts, history, args, journal, executor, buildKey: prepared.buildKey, ...(prepared.subdirectoryTracked === undefined ? {} : { subdirectoryTracked: prepared.subdirectoryTracked }), continueIn });
  announce(prepared, executor);

  let discarded = false;
  try {
    const found = await body(context);
    // The source a versions hunt went on into is the repository whose tool matters; else the hunt's own.
    const vcs = await vcsVersion(found.stages.find((stage) => stage.stage === 'source')?.vcs ?? history.kind);
    const outcome: HuntOutcome = { ...found, timeoutSeconds: context.timeout.seconds, tools: { culprit: CULPRIT_VERSION, node: process.version, ...(vcs ? { vcs } : {}) } };
    store.hunts.finish(huntId, outcome.status, outcome, null);
    const record = store.hunts.get(huntId);
    if (!record) throw new Error(`internal: hunt ${huntId} vanished from the store`);
    // The probes as the store lists them, in step order, as `report --format json` shows them; this run's replays of
    // the hunt's earlier answers say so.
    const replayed = new Set(context.probes.filter((probe) => probe.source === 'resumed').map((probe) => probe.id));
    const probes: HuntProbe[] = store.probes.list(huntId).filter((row) => row.endedAt !== null).map((row) => (replayed.has(row.id) ? { ...row, source: 'resumed' } : row));
    const narrowing = narrowingOf(outcome.stages);
    const descent = descentOf(outcome.stages);
    const versions = versionsOf(outcome.stages);
    const factors = factorsOf(outcome.stages);
    return {
      hunt: huntId,
      record,
      ...outcome,
      probes: probes.filter((probe) => probe.configuration === null),
      narrowingProbes: probes.filter((probe) => probe.configuration !== null),
      repo: history.root,
      workspace: executor.workspaces[0] ?? '',
      ...(executor.slots > 1 ? { workspaces: [...executor.workspaces] } : {}),
      ...(narrowing ? { narrowing } : {}),
      ...(descent ? { descent } : {}),
      ...(versions ? { versions } : {}),
      ...(factors ? { factors } : {}),
    };
  } catch (caught) {
    // Ctrl-C reaches the git and hg helpers too (one process group): whatever failed after it, the hunt was interrupted.
    // The reason is the hunt's signal's: a probe that was being cancelled may report its own cancel instead.
    const error = options.signal?.aborted ? new InterruptedError(String(options.signal.reason ?? 'SIGINT')) : (asEnvironmentError(caught) ?? caught);
    const line = lineOf(error);
    if (caught === context.rejection && !options.signal?.aborted) {
      // Wrong input (a good that fails, a bad merge base) found by the checks: no record of a hunt that never really
      // started, and no logs but the one the error names (the test's output at a wrong endpoint).
      discarded = true;
      executor.discard(line);
      if (attachment.created) {
        store.hunts.delete(huntId);
        observer.discarded?.();
      } else store.hunts.finish(huntId, 'aborted', null, line);
    } else {
      try {
        store.hunts.finish(huntId, error instanceof InterruptedError ? 'interrupted' : 'aborted', null, line);
      } catch {
        // The store itself may be what failed (a full disk): the hunt stays `running` with a dead owner, which
        // reads as interrupted and resumes all the same; the error the user needs is the first one.
      }
    }
    throw error;
  } finally {
    await executor.close();
    if (ownsStore) {
      if (discarded) store.closeDiscardingIfEmpty();
      else store.close();
    }
  }
}
