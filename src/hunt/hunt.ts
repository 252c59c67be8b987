// A hunt's lifecycle: check the input, attach it to the store, verify the endpoints, settle merge bases, bisect,
// describe the culprit. Strategies decide, probes act; every verdict is stored before the next decision.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CulpritError, InterruptedError, UsageError } from '../errors.js';
import { openHistory } from '../history/open-history.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { createLogDirectory, removeLogsExcept } from '../probe/log-directory.js';
import { subdirectoryOf } from '../probe/subdirectory.js';
import { acquireWorkspaces } from '../probe/acquire-workspace.js';
import type { Workspace } from '../probe/workspace.js';
import { sweepOrphans } from '../probe/process-sweep.js';
import { writeConfiguration } from '../probe/configuration-writer.js';
import { probe } from '../probe/prober.js';
import { recipeKey } from '../probe/recipe-key.js';
import { checkArtifactGlobs } from '../probe/artifact-cache.js';
import { CommitSubjects } from './commit-subjects.js';
import { buildReuseFor } from './build-reuse.js';
import { allAncestors, resolveEndpoints } from './hunt-endpoints.js';
import type { FileState } from '../changes/materialize.js';
import type { Bisection, BisectionStep } from '../search/bisection-step.js';
import { Store } from '../store/store.js';
import type { HuntArguments, StoredResult } from '../store/store-types.js';
import { abortIfCrashed, EndpointVerification } from './endpoint-checks.js';
import { attachHunt } from './hunt-attachment.js';
import type { FirstBad, HuntOptions, HuntProbe, HuntResult, Phase, SearchProgress } from './hunt-types.js';
import type { Narrowing } from './narrow.js';
import { descendIntoMerge, type MergeDescent } from './merge-descent.js';
import { ProbeJournal, type Freshness } from './probe-journal.js';
import { settleMergeBases } from './merge-bases.js';
import { reproduceCommand } from './reproduce.js';
import { chooseBisection } from './strategy-choice.js';
import { estimateRounds, ParallelBisection } from '../search/parallel-bisection.js';
import { parallelSearch } from './parallel-search.js';
import { ProbeClock } from './probe-clock.js';
import { TimeoutPolicy } from './timeout-policy.js';

/** What makes two runs the same hunt: a rerun of the same command line resumes rather than starts over. */
export function huntKey(identity: string, args: HuntArguments, recipe: string): string {
  const material = {
    identity,
    subdirectory: args.subdirectory,
    goods: [...args.goods].sort(),
    bad: args.bad,
    recipe,
    firstParent: args.firstParent,
    verify: args.verify,
    narrow: args.narrow ?? 'none',
    signature: args.signature ?? null,
    narrowOnly: args.narrowOnly ?? false,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

function storedResult(result: HuntResult): StoredResult {
  return {
    status: result.status,
    firstBad: result.firstBad,
    candidates: result.candidates,
    reproduce: result.reproduce,
    rounds: result.rounds,
    ...(result.narrowing ? { narrowing: result.narrowing } : {}),
    ...(result.descent ? { descent: result.descent } : {}),
  };
}

export async function runHunt(options: HuntOptions): Promise<HuntResult> {
  const history = await openHistory(options.repo, options.vcs);
  const subdirectory = subdirectoryOf(history.root, options.repo);
  const { bad, goods } = await resolveEndpoints(history, options);
  const recipe = options.recipe;
  const args: HuntArguments = {
    repo: history.root,
    subdirectory,
    vcs: history.kind,
    goods: [...goods],
    bad,
    goodNames: [...options.goods],
    badName: options.bad,
    recipe,
    firstParent: options.firstParent ?? false,
    verify: options.verify ?? true,
    cache: options.cache ?? true,
    ...(options.workdir === undefined ? {} : { workdir: path.resolve(options.workdir) }),
    narrow: options.narrow ?? 'none',
    ...(options.signature === undefined ? {} : { signature: options.signature }),
    ...(options.narrowOnly ? { narrowOnly: true } : {}),
    ...(options.jobs !== undefined && options.jobs > 1 ? { jobs: options.jobs } : {}),
    ...(options.artifacts && options.artifacts.length > 0 ? { artifacts: [...options.artifacts] } : {}),
    ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
    ...(options.cleanBuild ? { cleanBuild: true } : {}),
  };
  if (args.artifacts && !recipe.build) throw new UsageError('--artifacts names build outputs, but there is no --build', "add the build command, e.g. --build 'make' --artifacts 'build/**'");
  if (args.artifacts) checkArtifactGlobs(args.artifacts);
  let graph = await history.loadGraph(bad, goods);
  const prepare = (): Bisection => {
    const badId = graph.idOf(bad);
    if (badId === undefined) throw new Error(`internal: bad ${bad} missing from its own history`);
    const goodIds = goods.map((good) => graph.idOf(good)).filter((id): id is number => id !== undefined);
    return chooseBisection(history.kind, graph, badId, goodIds, args.firstParent);
  };
  // hg's strategy cannot start while a good is off bad's line; the merge bases settle that first.
  let search: Bisection | undefined;
  try {
    search = prepare();
  } catch {
    search = undefined;
  }

  const observer = options.observer ?? {};
  const note = (message: string): void => observer.note?.(message);
  const key = recipeKey(recipe, args.subdirectory);
  const ownsStore = !(options.store instanceof Store);
  const store = options.store instanceof Store ? options.store : Store.open(options.store);
  let attachment;
  try {
    attachment = attachHunt(
      store,
      { key: huntKey(history.identity, args, key), identity: history.identity, arguments: args, recipeKey: key, candidates: search?.candidateCount() ?? graph.size, ...(options.resume === undefined ? {} : { resume: options.resume }) },
      note,
    );
  } catch (error) {
    if (ownsStore) store.closeDiscardingIfEmpty();
    throw error;
  }
  const huntId = attachment.id;
  const journal = new ProbeJournal({ store, huntId, identity: history.identity, recipeKey: key, useCache: args.cache, treeOf: (commit) => history.treeOf(commit) });
  observer.attached?.({ hunt: huntId, resumed: !attachment.created, probesDone: journal.resumedCount });

  sweepOrphans();
  const cacheRoot = cacheDirectory(options.workdir);
  const jobs = args.jobs ?? 1;
  let workspaces: Workspace[];
  try {
    workspaces = await acquireWorkspaces(cacheRoot, history, jobs);
  } catch (error) {
    if (attachment.created) store.hunts.delete(huntId);
    if (ownsStore) store.closeDiscardingIfEmpty();
    throw error;
  }
  const workspace = workspaces[0] as Workspace;
  const logDirectory = createLogDirectory(cacheRoot);
  const clock = new ProbeClock();
  const buildReuse = buildReuseFor(args, history, cacheRoot, note);
  const timeout = new TimeoutPolicy(recipe.timeoutSeconds);
  const probes: HuntProbe[] = [];
  const subjects = new CommitSubjects(history);
  const progress = (): SearchProgress | undefined =>
    search ? { candidatesLeft: search.candidateCount(), stepsLeft: search.estimatedSteps(), ...clock.eta(search.estimatedSteps()) } : undefined;

  /** A probe on the hunt's first workspace, or on the worker a parallel search gives it. */
  interface Worker {
    workspace: Workspace;
    signal: AbortSignal;
  }
  const run = async (
    commit: string,
    phase: Phase,
    freshness: Freshness = 'reuse',
    configuration?: { states: readonly FileState[]; digest: string },
    worker?: Worker,
  ): Promise<HuntProbe> => {
    const signal = worker?.signal ?? options.signal;
    const huntProbe = await journal.obtain(
      configuration ? { commit, configuration: configuration.digest } : commit,
      phase,
      () => subjects.of(commit),
      (step, tree) => {
        observer.probeStarted?.({ phase, step, commit, timeoutSeconds: timeout.seconds });
        return probe({
          commit,
          workspace: worker?.workspace ?? workspace,
          recipe,
          testTimeoutMs: timeout.seconds * 1000,
          testTimeoutUpdates: (listener) => timeout.subscribe((seconds) => listener(seconds * 1000)),
          logStem: path.join(logDirectory, `${String(step).padStart(3, '0')}-${commit.slice(0, 12)}`),
          subdirectory,
          ...(configuration ? { prepare: (directory: string) => writeConfiguration(directory, configuration.states) } : {}),
          ...(signal ? { signal } : {}),
          ...(buildReuse ? { buildReuse: buildReuse(tree) } : {}),
          ...(args.cleanBuild ? { cleanBuild: true } : {}),
        });
      },
      freshness,
    );
    if (huntProbe.source === 'run') clock.observe(huntProbe.seconds);
    // Narrowing probes are stored with the hunt but kept out of the bisection's probe list (a contract of --json).
    if (!configuration) probes.push(huntProbe);
    return huntProbe;
  };
  /** An endpoint's cached verdict that contradicts the user is tested again: the environment may have changed since. */
  const runEndpoint = async (commit: string, expected: 'good' | 'bad', worker?: Worker): Promise<HuntProbe> => {
    const record = await run(commit, 'verify', 'reuse', undefined, worker);
    if (record.source !== 'cached' || record.searchVerdict === expected) return record;
    note(`the cached verdict for ${history.shortName(commit)} (${record.verdict}) contradicts --${expected}; testing it again`);
    return run(commit, 'verify', 'retest', undefined, worker);
  };
  /** Whether the endpoint checks run alongside the first cuts (several workers, goods on bad's line). */
  let overlapped = false;
  const verification = new EndpointVerification(args.goods, bad, (commit) => history.shortName(commit), () => timeout.seconds);
  const endpointDone = (commit: string, record: HuntProbe): void => {
    if (commit === bad) verification.badProbe(record);
    else {
      verification.good(commit, record);
      timeout.observeGood(record.testSeconds);
    }
    if (verification.complete) {
      verification.finish();
      if (overlapped) observer.searching?.();
      if (timeout.derived) note(`test timeout set to ${timeout.seconds} s from the good endpoints' run time (override with --timeout)`);
    }
  };
  /** What a bisection probe says to the search; crashes and aborting build failures stop the hunt. */
  const bisectVerdict = (record: HuntProbe): 'good' | 'bad' | 'skip' => {
    abortIfCrashed(record, history.shortName(record.commit));
    if (record.searchVerdict === 'abort') {
      throw new UsageError(`the build fails at ${history.shortName(record.commit)} and --on-build-failure is abort`, `see ${record.logPath}`);
    }
    if (record.searchVerdict === 'good') timeout.observeGood(record.testSeconds);
    return record.searchVerdict;
  };

  observer.started?.({
    repo: history.root,
    bad,
    goods,
    candidates: search?.candidateCount() ?? graph.size,
    // With several workers, rounds: each leaves about 1/(jobs+1) of the candidates.
    steps: jobs > 1 ? estimateRounds(graph.size + 1, jobs) : (search?.estimatedSteps() ?? Math.ceil(Math.log2(graph.size + 1))),
    workers: jobs,
    workspace: workspace.directory,
    timeoutSeconds: recipe.timeoutSeconds,
  });

  let usageError = false;
  try {
    // With several workers and goods on bad's line, the endpoints are probed alongside the first cuts.
    overlapped = jobs > 1 && args.verify && !args.narrowOnly && search !== undefined && (await allAncestors(history, goods, bad));
    if (args.verify && !overlapped) {
      for (const good of args.goods) {
        const record = await runEndpoint(good, 'good');
        observer.probeFinished?.(record, progress());
        endpointDone(good, record);
      }
      const record = await runEndpoint(bad, 'bad');
      observer.probeFinished?.(record, progress());
      endpointDone(bad, record);
    }

    const goodsBefore = goods.length;
    // Overlapping the endpoint checks required every good on bad's line: no merge base to settle.
    if (!args.narrowOnly && !overlapped) await settleMergeBases(history, bad, goods, async (commit) => {
      const record = await run(commit, 'merge-base');
      observer.probeFinished?.(record, progress());
      abortIfCrashed(record, history.shortName(commit));
      if (record.searchVerdict === 'good') timeout.observeGood(record.testSeconds);
      return record.searchVerdict === 'abort' ? 'skip' : record.searchVerdict;
    }, note);

    if (goods.length !== goodsBefore || !search) {
      // Merge bases that proved good join the goods; the region between them and bad is loaded anew.
      if (goods.length !== goodsBefore) graph = await history.loadGraph(bad, goods);
      try {
        search = prepare();
      } catch (error) {
        throw new UsageError(`cannot bisect between these revisions: ${error instanceof Error ? error.message : String(error)}`, 'pick --good revisions that are ancestors of --bad');
      }
    }
    const bisection = search;
    if (!overlapped && !args.narrowOnly) observer.searching?.();
    const badId = graph.idOf(bad);

    // `culprit narrow` names the commit itself: the bisection has nothing to find.
    let step: BisectionStep;
    let rounds: number | undefined;
    if (args.narrowOnly && badId !== undefined) step = { kind: 'found', commit: badId };
    else if (jobs > 1 && badId !== undefined) {
      const goodIds = goods.map((good) => graph.idOf(good)).filter((id): id is number => id !== undefined);
      const parallel = new ParallelBisection(graph, badId, goodIds, { firstParent: args.firstParent });
      const answerable = await journal.answerable(parallel.candidates().map((id) => graph.keyOf(id)));
      parallel.preferKnown(new Set(parallel.candidates().filter((id) => answerable.has(graph.keyOf(id)))));
      const outcome = await parallelSearch({
        search: parallel,
        workspaces,
        endpoints: overlapped ? [...args.goods, bad] : [],
        keyOf: (id) => graph.keyOf(id),
        idOf: (commit) => graph.idOf(commit) ?? -1,
        probe: (commit, phase, worker, signal) =>
          phase === 'verify' ? runEndpoint(commit, commit === bad ? 'bad' : 'good', { workspace: worker, signal }) : run(commit, phase, 'reuse', undefined, { workspace: worker, signal }),
        endpointDone,
        verdictOf: bisectVerdict,
        freshMs: () => clock.freshMs(),
        ...(options.signal ? { signal: options.signal } : {}),
        events: {
          started: (index, commit, phase) => observer.workerStarted?.({ worker: index + 1, commit, phase }),
          cancelled: (index, commit) => observer.workerCancelled?.({ worker: index + 1, commit }),
          finished: (index, record) => {
            const roundsLeft = parallel.estimatedRounds(jobs);
            observer.probeFinished?.(record, { candidatesLeft: parallel.candidateCount(), stepsLeft: roundsLeft, ...clock.eta(roundsLeft), worker: index + 1 });
          },
        },
      });
      step = outcome.final;
      // Endpoint checks and merge bases that ran before the parallel search were rounds of their own.
      rounds = outcome.rounds + (overlapped ? 0 : probes.filter((record) => record.source === 'run' && record.phase !== 'bisect').length);
    } else {
      step = bisection.next();
      while (step.kind === 'probe') {
        const commit = graph.keyOf(step.commit);
        const record = await run(commit, 'bisect');
        bisection.record(step.commit, bisectVerdict(record));
        observer.probeFinished?.(record, progress());
        step = bisection.next();
      }
    }

    const candidates = step.kind === 'found' ? [graph.keyOf(step.commit)] : step.commits.map((id) => graph.keyOf(id));
    let firstBad: FirstBad | null = null;
    if (step.kind === 'found') {
      const commit = graph.keyOf(step.commit);
      const info = (await history.describe([commit])).get(commit);
      firstBad = { commit, subject: info?.subject ?? '', author: info?.author ?? '', date: info?.date ?? '', files: await history.changedFiles(commit) };
    }
    let narrowing: Narrowing | undefined;
    let descent: MergeDescent | undefined;
    if (firstBad && args.narrow !== undefined && args.narrow !== 'none') {
      const level = args.narrow;
      let target = firstBad.commit;
      if (args.firstParent && !args.narrowOnly && (await history.parents(target)).length > 1) {
        descent = await descendIntoMerge({
          history,
          merge: target,
          probe: async (commit) => {
            const record = await run(commit, 'descend');
            abortIfCrashed(record, history.shortName(commit));
            observer.probeFinished?.(record, undefined);
            return record;
          },
          note,
        });
        if (descent?.commit) target = descent.commit;
      }
      // Loaded when needed: the change tree and jsdiff are not part of a plain bisection's start-up.
      const { narrowFirstBad } = await import('./narrowing-stage.js');
      narrowing = await narrowFirstBad({
        history,
        commit: target,
        merged: descent !== undefined,
        bad,
        level,
        ...(args.signature === undefined ? {} : { signaturePattern: args.signature }),
        ...(args.narrowOnly ? { parent: args.goods[0] } : {}),
        strict: args.narrowOnly ?? false,
        firstParent: args.firstParent,
        probes,
        probeCommit: (commit) => run(commit, 'narrow'),
        probeConfiguration: (commit, states, digest, phase, confirm) => run(commit, phase, confirm ? 'confirm' : 'reuse', { states, digest }),
        judged: (record, outcome, what) => observer.narrowingProbe?.(record, outcome, what),
        note,
      });
    }
    const result: HuntResult = {
      hunt: huntId,
      status: step.kind === 'found' ? 'found' : 'ambiguous',
      firstBad,
      candidates,
      probes,
      rounds: rounds ?? probes.filter((record) => record.source === 'run').length,
      reproduce: firstBad ? reproduceCommand(history.root, firstBad.commit, recipe, timeout.seconds) : null,
      repo: history.root,
      workspace: workspace.directory,
      ...(jobs > 1 ? { workspaces: workspaces.map((each) => each.directory) } : {}),
      ...(narrowing ? { narrowing } : {}),
      ...(descent ? { descent } : {}),
    };
    store.hunts.finish(huntId, result.status, storedResult(result), null);
    return result;
  } catch (caught) {
    // Ctrl-C reaches the git and hg helpers too (one process group): whatever failed after it, the hunt was interrupted.
    // The reason is the hunt's signal's: a probe that was being cancelled may report its own cancel instead.
    const error = options.signal?.aborted ? new InterruptedError(String(options.signal.reason ?? 'SIGINT')) : caught;
    const line = error instanceof CulpritError ? error.line : error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      // Input errors leave nothing behind: no record of a hunt that never really started, and no logs but the one
      // the error names (the test's output at a wrong endpoint is what the user needs to read).
      usageError = true;
      removeLogsExcept(logDirectory, line);
      if (attachment.created) store.hunts.delete(huntId);
      else store.hunts.finish(huntId, 'aborted', null, line);
    } else {
      store.hunts.finish(huntId, error instanceof InterruptedError ? 'interrupted' : 'aborted', null, line);
    }
    throw error;
  } finally {
    for (const each of workspaces) each.release();
    if (ownsStore) {
      if (usageError) store.closeDiscardingIfEmpty();
      else store.close();
    }
  }
}
