// A hunt's lifecycle: check the input, verify the endpoints, settle merge bases, bisect, describe the culprit.
// Strategies decide, probes act; every verdict is known before the next decision.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { History } from '../history/history.js';
import { openHistory } from '../history/open-history.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { createLogDirectory } from '../probe/log-directory.js';
import { subdirectoryOf } from '../probe/subdirectory.js';
import { acquireWorkspace } from '../probe/acquire-workspace.js';
import { sweepOrphans } from '../probe/process-sweep.js';
import { probe } from '../probe/prober.js';
import type { Bisection, BisectionStep } from '../search/bisection-step.js';
import { checkBad, checkGood, abortIfCrashed } from './endpoint-checks.js';
import type { FirstBad, HuntOptions, HuntProbe, HuntResult, Phase, SearchProgress } from './hunt-types.js';
import { reproduceCommand } from './reproduce.js';
import { chooseBisection } from './strategy-choice.js';
import { TimeoutPolicy } from './timeout-policy.js';

export async function runHunt(options: HuntOptions): Promise<HuntResult> {
  const history = await openHistory(options.repo, options.vcs);
  const subdirectory = subdirectoryOf(history.root, options.repo);
  if (options.goods.length === 0) throw new UsageError('no --good revision given', 'name at least one revision where the test passes');
  const bad = await history.resolve(options.bad, '--bad');
  const goods: string[] = [];
  for (const revision of options.goods) {
    const good = await history.resolve(revision, '--good');
    if (good === bad) throw new UsageError(`--good ${revision} and --bad ${options.bad} are the same commit ${history.shortName(bad)}`, 'pick a good revision from before the regression');
    if (!goods.includes(good)) goods.push(good);
  }
  for (const good of goods) {
    if (await history.isAncestor(bad, good)) {
      throw new UsageError(
        `bad ${history.shortName(bad)} is an ancestor of good ${history.shortName(good)}, so the change cannot lie between them`,
        'swap --good and --bad if the test started passing, or pick an older --good',
      );
    }
  }
  let graph = await history.loadGraph(bad, goods);
  const prepare = (): Bisection => {
    const badId = graph.idOf(bad);
    if (badId === undefined) throw new Error(`internal: bad ${bad} missing from its own history`);
    const goodIds = goods.map((good) => graph.idOf(good)).filter((id): id is number => id !== undefined);
    return chooseBisection(history.kind, graph, badId, goodIds, options.firstParent ?? false);
  };
  // hg's strategy cannot start while a good is off bad's line; the merge bases settle that first.
  let search: Bisection | undefined;
  try {
    search = prepare();
  } catch {
    search = undefined;
  }

  sweepOrphans();
  const cacheRoot = cacheDirectory(options.workdir);
  const workspace = await acquireWorkspace(cacheRoot, history);
  const logDirectory = createLogDirectory(cacheRoot);
  const observer = options.observer ?? {};
  const recipe = options.recipe;
  const timeout = new TimeoutPolicy(recipe.timeoutSeconds);
  const probes: HuntProbe[] = [];
  const subjects = new Map<string, string>();
  const subjectOf = async (commit: string): Promise<string> => {
    if (!subjects.has(commit)) subjects.set(commit, (await history.describe([commit])).get(commit)?.subject ?? '');
    return subjects.get(commit) ?? '';
  };
  const progress = (): SearchProgress | undefined => (search ? { candidatesLeft: search.candidateCount(), stepsLeft: search.estimatedSteps() } : undefined);

  const run = async (commit: string, phase: Phase): Promise<HuntProbe> => {
    const step = probes.length + 1;
    // The subject is looked up while the probe runs: one git process less on the critical path.
    const subject = subjectOf(commit).catch(() => '');
    observer.probeStarted?.({ phase, step, commit, timeoutSeconds: timeout.seconds });
    const record = await probe({
      commit,
      workspace,
      recipe,
      testTimeoutMs: timeout.seconds * 1000,
      logStem: path.join(logDirectory, `${String(step).padStart(3, '0')}-${commit.slice(0, 12)}`),
      subdirectory,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const huntProbe: HuntProbe = { ...record, phase, step, subject: await subject };
    probes.push(huntProbe);
    return huntProbe;
  };

  observer.started?.({
    repo: history.root,
    bad,
    goods,
    candidates: search?.candidateCount() ?? graph.size,
    steps: search?.estimatedSteps() ?? Math.ceil(Math.log2(graph.size + 1)),
    workspace: workspace.directory,
    timeoutSeconds: recipe.timeoutSeconds,
  });

  try {
    if (options.verify ?? true) {
      const buildFailures: string[] = [];
      for (const good of goods) {
        const record = await run(good, 'verify');
        observer.probeFinished?.(record, progress());
        checkGood(record, history.shortName(good), timeout.seconds);
        if (record.outcome.kind === 'build-failed') buildFailures.push(good);
        timeout.observeGood(record.testSeconds);
      }
      const record = await run(bad, 'verify');
      observer.probeFinished?.(record, progress());
      if (record.outcome.kind === 'build-failed') buildFailures.push(bad);
      if (buildFailures.length === goods.length + 1) {
        throw new UsageError('the build command fails on every endpoint (all goods and the bad)', `check --build; log: ${record.logPath}`);
      }
      const brokenGood = goods.find((good) => buildFailures.includes(good));
      if (brokenGood) {
        throw new UsageError(`the build fails at good ${history.shortName(brokenGood)}, so it cannot be verified`, 'fix --build or pick another --good');
      }
      checkBad(record, history.shortName(bad));
      if (record.outcome.kind === 'build-failed' && record.searchVerdict !== 'bad') {
        throw new UsageError(`the build fails at bad ${history.shortName(bad)}, so it cannot be verified`, 'fix --build, pick another --bad, or pass --on-build-failure bad if the breakage is a build failure');
      }
      if (timeout.derived) observer.note?.(`test timeout set to ${timeout.seconds} s from the good endpoints' run time (override with --timeout)`);
    }

    const goodsBefore = goods.length;
    await settleMergeBases(history, bad, goods, async (commit) => {
      const record = await run(commit, 'merge-base');
      observer.probeFinished?.(record, progress());
      abortIfCrashed(record, history.shortName(commit));
      if (record.searchVerdict === 'good') timeout.observeGood(record.testSeconds);
      return record.searchVerdict === 'abort' ? 'skip' : record.searchVerdict;
    }, observer.note);

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

    let step: BisectionStep = bisection.next();
    while (step.kind === 'probe') {
      const commit = graph.keyOf(step.commit);
      const record = await run(commit, 'bisect');
      abortIfCrashed(record, history.shortName(commit));
      if (record.searchVerdict === 'abort') {
        throw new UsageError(`the build fails at ${history.shortName(commit)} and --on-build-failure is abort`, `see ${record.logPath}`);
      }
      if (record.searchVerdict === 'good') timeout.observeGood(record.testSeconds);
      bisection.record(step.commit, record.searchVerdict);
      observer.probeFinished?.(record, progress());
      step = bisection.next();
    }

    const candidates = step.kind === 'found' ? [graph.keyOf(step.commit)] : step.commits.map((id) => graph.keyOf(id));
    let firstBad: FirstBad | null = null;
    if (step.kind === 'found') {
      const commit = graph.keyOf(step.commit);
      const info = (await history.describe([commit])).get(commit);
      firstBad = { commit, subject: info?.subject ?? '', author: info?.author ?? '', date: info?.date ?? '', files: await history.changedFiles(commit) };
    }
    return {
      status: step.kind === 'found' ? 'found' : 'ambiguous',
      firstBad,
      candidates,
      probes,
      reproduce: firstBad ? reproduceCommand(history.root, firstBad.commit, recipe, timeout.seconds) : null,
      repo: history.root,
      workspace: workspace.directory,
    };
  } catch (error) {
    // Input errors leave nothing behind: the logs of a hunt that never started are of no use.
    if (error instanceof UsageError) rmSync(logDirectory, { recursive: true, force: true });
    throw error;
  } finally {
    workspace.release();
  }
}

/**
 * When a good is not an ancestor of bad, git tests the merge bases first: a bad merge base means the
 * change went the other way (a fix), which bisection cannot explain.
 */
async function settleMergeBases(
  history: History,
  bad: string,
  goods: string[],
  test: (commit: string) => Promise<'good' | 'bad' | 'skip'>,
  note?: (message: string) => void,
): Promise<void> {
  const skipped = new Set<string>();
  for (;;) {
    let allAncestors = true;
    for (const good of goods) if (!(await history.isAncestor(good, bad))) allAncestors = false;
    if (allAncestors) return;
    const bases = await history.mergeBases(bad, goods);
    if (bases.length === 0) {
      throw new UsageError(`bad ${history.shortName(bad)} shares no history with the goods`, 'pick --good and --bad on the same line of history');
    }
    const untested = bases.find((base) => !goods.includes(base));
    if (untested === undefined) return;
    if (skipped.has(untested)) return;
    note?.(`good and bad are on diverging lines: testing merge base ${history.shortName(untested)} first, as git bisect does`);
    const verdict = await test(untested);
    if (verdict === 'good') goods.push(untested);
    else if (verdict === 'skip') {
      note?.(`merge base ${history.shortName(untested)} could not be tested; the first bad commit may lie outside the searched range`);
      skipped.add(untested);
      return;
    } else {
      throw new UsageError(
        `merge base ${history.shortName(untested)} of good and bad is bad: the change was fixed between it and the good, not introduced before bad`,
        'pick a --good that is an ancestor of --bad',
      );
    }
  }
}
