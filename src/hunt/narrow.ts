// After the first bad commit: the minimal part of its change that still produces the failure, checked three ways
// (parent + part fails, commit − part passes, bad revision − part passes); an answer that fails them falls back
// to the deepest level whose answer holds, and a spent budget ends with the smallest failing change so far.
import { createHash } from 'node:crypto';
import { roughDuration } from '../text/format.js';
import { UsageError } from '../errors.js';
import { buildChangeTree, type ChangeLevel, type ChangeTree } from '../changes/change-tree.js';
import { everything, everythingExcept, materialize, type FileState } from '../changes/materialize.js';
import { unbalancedLine } from '../changes/token-balance.js';
import { unifiedDiff } from '../changes/unified-diff.js';
import { describeNarrowBudget, type NarrowBudget } from '../model/narrow-budget.js';
import type { LevelTests, Narrowing, NarrowedUnit, NarrowingOutcome, RejectedAnswer } from '../model/stage-results.js';
import { describeSignature, narrowingOutcome, type FailureSignature } from '../probe/failure-signature.js';
import type { LevelAnswer, NarrowingConfiguration } from '../search/hierarchical-narrowing.js';
import type { NarrowingDone } from '../search/narrowing-strategy.js';
import { changedUnits, changeNarrowing, levelName, nodesOf } from './change-narrowing.js';
import type { HuntContext, ProbeRequest } from './hunt-context.js';
import type { HuntProbe } from './hunt-types.js';
import { narrowingChecks } from './narrowing-checks.js';
import { NarrowingRun } from './narrowing-run.js';
import { failedChecks, verifies, verifyChange, type Verification } from './narrowing-verification.js';

export type { Narrowing, NarrowedUnit, VerificationCheck } from '../model/stage-results.js';

export interface NarrowRequest {
  context: HuntContext;
  parent: string;
  commit: string;
  /** The hunt's bad revision, when it is not the narrowed commit: the change is also taken out of it. */
  originalBad: string | null;
  deepest: ChangeLevel;
  signature: FailureSignature;
  /** --narrow-check's command, false for no checks at all, undefined for the default checks. */
  check?: string | false;
  /** When to stop with the best answer so far; none when absent. */
  budget?: NarrowBudget;
}

/** How many times a search starts again without an answer that failed by itself while the commit failed without it: a
 * refactor can hold many such traps (every rewritten loop whose old step alone can be taken out); the budget bounds it. */
const EXCLUSION_ROUNDS = 8;

export function statesDigest(states: readonly FileState[]): string {
  const hash = createHash('sha256');
  for (const state of [...states].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(`${state.path}\0${state.mode ?? '-'}\0${state.content === null ? '-' : createHash('sha256').update(state.content).digest('hex')}\0`);
  }
  return hash.digest('hex');
}

/** The change's renamed files (new path → old path), so its diffs show them as git does. */
function renamesOf(tree: ChangeTree): Map<string, string> {
  return new Map(tree.files.flatMap((file) => (file.status === 'renamed' && file.oldPath ? [[file.path, file.oldPath] as [string, string]] : [])));
}

/** The found units as lines and tokens users read: a block as its lines, a replaced line as its removal and addition. */
function describeUnits(tree: ChangeTree, ids: readonly number[]): NarrowedUnit[] {
  const fileOf = (id: number): string => {
    let node = tree.nodes[id];
    while (node && node.parent !== null) node = tree.nodes[node.parent];
    return node?.kind === 'file' ? (tree.files[node.file]?.path ?? '') : '';
  };
  const units: NarrowedUnit[] = [];
  const describe = (id: number, level: ChangeLevel): void => {
    const node = tree.nodes[id];
    if (!node) return;
    const file = fileOf(id);
    if (node.kind === 'file' || node.kind === 'hunk') {
      if (node.kind === 'file' || node.children.length === 0) units.push({ file, level, kind: 'file', text: '' });
      else for (const child of node.children) describe(child, level);
    } else if (node.kind === 'block') for (const child of node.children) describe(child, level);
    else if (node.kind === 'token') units.push({ file, level, kind: node.op, text: node.text.replace(/\n$/, '') });
    else {
      if (node.removed !== null) units.push({ file, level, kind: 'remove', text: node.removed.replace(/\n$/, '') });
      if (node.added !== null) units.push({ file, level, kind: 'add', text: node.added.replace(/\n$/, '') });
    }
  };
  for (const id of [...ids].sort((a, b) => a - b)) describe(id, tree.nodes[id]?.kind ?? 'file');
  return units;
}

export async function narrowCommit(request: NarrowRequest): Promise<Narrowing> {
  const { context, parent, commit } = request;
  const { history } = context;
  const deltas = await history.fileDeltas(parent, commit);
  if (deltas.length === 0) throw new UsageError(`${history.shortName(commit)} changes no files: there is nothing to narrow`, 'pass --narrow none, or narrow another commit');
  const tree = buildChangeTree(deltas);
  const signature = describeSignature(request.signature);
  let deepest = request.deepest;
  if (tree.files.every((file) => file.atomic) && deepest !== 'file') {
    context.note(`${history.shortName(commit)} changes only binary, added, deleted or renamed files: narrowing stops at the file level`);
    deepest = 'file';
  }
  const parentStates = materialize(tree, new Set());
  const commitStates = materialize(tree, everything(tree));
  const checks = narrowingChecks(request.check, commitStates);
  const base = { parent, commit, signature, level: deepest, levels: [] as LevelTests[], tests: 0, ...(checks.descriptions.length > 0 ? { checks: checks.descriptions } : {}) };
  const judge = (probe: HuntProbe, what: string): NarrowingOutcome => {
    const outcome = narrowingOutcome(probe, request.signature);
    context.observer.narrowingProbe?.(probe, outcome, what);
    return outcome;
  };
  let check = checks.command;
  /** A probe of `states` written on top of `on`, through the cheap check first unless it is a verification (the truth). */
  const probeStates = (on: string, states: readonly FileState[], options: Omit<ProbeRequest, 'commit' | 'configuration'>): Promise<HuntProbe> =>
    context.probe({ ...options, commit: on, configuration: { digest: statesDigest(states), states }, ...(check && options.phase === 'narrow' ? { check } : {}) });

  // The whole change on the parent is the commit's own tree: a second run of the failing commit, and so the
  // cheapest test of whether the failure is reliable enough to narrow. It also tries the check on the commit.
  let wholeProbe = await probeStates(parent, commitStates, { phase: 'narrow' });
  if (wholeProbe.outcome.kind === 'check-failed') {
    context.note(
      checks.defaultCommand
        ? `the Python syntax check fails on ${history.shortName(commit)} itself (see ${wholeProbe.logPath}): narrowing without it`
        : `--narrow-check fails on ${history.shortName(commit)} itself (see ${wholeProbe.logPath}): narrowing without it`,
    );
    check = undefined;
    base.checks = checks.parsed;
    wholeProbe = await probeStates(parent, commitStates, { phase: 'narrow' });
  }
  const whole = judge(wholeProbe, 'the whole change again');
  if (whole !== 'fail') {
    const flaky = whole === 'pass';
    return {
      ...base,
      status: flaky ? 'flaky' : 'not-reproduced',
      diff: '',
      changes: [],
      verification: null,
      note: flaky
        ? `the test passed on a second run of ${history.shortName(commit)}: it looks flaky, and narrowing needs a failure that repeats; make the test deterministic (or run it in a loop inside the test command) and narrow again with culprit narrow`
        : `a second run of ${history.shortName(commit)} failed differently (not ${signature}); pass --signature REGEX to say which failure counts`,
    };
  }

  const tally = new Map<number, { tests: number; unresolved: number; predicted: number }>();
  const countAt = (depth: number): { tests: number; unresolved: number; predicted: number } => {
    let found = tally.get(depth);
    if (!found) tally.set(depth, (found = { tests: 0, unresolved: 0, predicted: 0 }));
    return found;
  };
  const budget = request.budget ?? {};
  const startedAt = performance.now();
  let freshTests = 0;
  let spent: string | undefined;
  /** Nodes left out of every configuration: answers that failed by themselves while the commit failed without them. */
  const excluded = new Set<number>();
  const nodesFor = (configuration: NarrowingConfiguration | LevelAnswer): Set<number> => {
    const nodes = nodesOf(tree, configuration);
    const drop = (id: number): void => {
      nodes.delete(id);
      for (const child of tree.nodes[id]?.children ?? []) drop(child);
    };
    for (const id of excluded) drop(id);
    return nodes;
  };

  /** One search over the change (without the excluded nodes), through the driver. */
  const searchChange = async (): Promise<{ done: NarrowingDone; stoppedEarly: boolean }> => {
    const search = changeNarrowing(tree, deepest);
    const describeLevel = (configuration: NarrowingConfiguration): string => {
      const progress = search.progress();
      const name = levelName(tree, search.levelUnits(configuration.depth));
      if (!progress || progress.depth !== configuration.depth) return `${name} level`;
      // ddmin needs about two tests per halving of what is left at this level.
      const left = 2 * Math.ceil(Math.log2(Math.max(progress.unitsLeft, 1)));
      const mean = context.clock.meanSeconds;
      const eta = mean === undefined ? undefined : left * mean;
      return `${name} level, ${progress.unitsLeft} of ${progress.units} units left${left > 0 ? `, ~${left} tests${eta === undefined ? '' : ` (~${roughDuration(eta)})`} to go at this level` : ''}`;
    };
    const run = new NarrowingRun({
      search,
      predict: (configuration) => {
        const nodes = nodesFor(configuration);
        // A token cut that unbalances a line's brackets or quotes breaks it in any programming language.
        const unbalanced = request.check !== false ? unbalancedLine(tree, nodes) : undefined;
        if (unbalanced !== undefined) return `unbalanced brackets or quotes in: ${unbalanced}`;
        const problem = checks.syntax?.problemOf(materialize(tree, nodes));
        return problem && `${problem.path} does not parse: ${problem.message}`;
      },
      predicted: (configuration, reason) => {
        countAt(configuration.depth).predicted += 1;
        context.observer.narrowingPredicted?.(`${describeLevel(configuration)}: ${reason}`);
      },
      exhausted: () => {
        if (budget.tests !== undefined && freshTests >= budget.tests) spent = `${budget.tests} tests`;
        else if (budget.seconds !== undefined && (performance.now() - startedAt) / 1000 >= budget.seconds) spent = describeNarrowBudget({ seconds: budget.seconds });
        return spent !== undefined;
      },
    });
    const { result } = await context.drive(
      {
        strategy: run,
        probe: (configuration, slot, signal) => probeStates(parent, materialize(tree, nodesFor(configuration)), { phase: 'narrow', slot, signal }),
        judge: (configuration, probe) => {
          if (probe.source === 'run') freshTests += 1;
          const outcome = judge(probe, describeLevel(configuration));
          const counts = countAt(configuration.depth);
          counts.tests += 1;
          if (outcome === 'unresolved') counts.unresolved += 1;
          return outcome;
        },
      },
      // Several workers test the next configurations of a round alongside: same answer, sooner.
      { counted: false },
    );
    return { done: result, stoppedEarly: run.stoppedEarly };
  };

  /** `whole`: the answer's nodes as they are, excluded ones too (an answer made of several causes). */
  const verify = (answer: LevelAnswer, whole = false): Promise<Verification> =>
    verifyChange({
      context,
      parent,
      commit,
      originalBad: request.originalBad,
      minimal: materialize(tree, whole ? nodesOf(tree, answer) : nodesFor(answer)),
      commitMinus: materialize(tree, everythingExcept(tree, [...answer.kept, ...answer.units].filter((id) => whole || !excluded.has(id)))),
      commitStates,
      // A verification runs again rather than reuse this hunt's own answer (`confirm`).
      probeStates: (on, states, slot, signal) => probeStates(on, states, { phase: 'narrow-verify', freshness: 'confirm', slot, signal }),
      judge,
    });
  const rejectedAs = (answer: LevelAnswer, level: ChangeLevel, verification: Verification): RejectedAnswer => {
    const found = [...answer.kept, ...answer.units].filter((id) => !excluded.has(id));
    return { level, changes: changedUnits(tree, found), failed: failedChecks(verification), diff: unifiedDiff(parentStates, materialize(tree, nodesFor(answer)), renamesOf(tree)) };
  };

  const rejected: RejectedAnswer[] = [];
  let reported: { answer: LevelAnswer; level: ChangeLevel; verification: Verification } | undefined;
  let firstTried: typeof reported;
  let last: { done: NarrowingDone; stoppedEarly: boolean };
  search: for (let round = 1; ; round++) {
    last = await searchChange();
    const { done } = last;
    const finalAnswer: LevelAnswer = { units: done.minimal, kept: done.kept, containers: done.containers };
    // The answer, then the levels above it from the deepest: the first whose checks hold is reported.
    const candidates = [
      { answer: finalAnswer, level: levelName(tree, done.levels.at(-1)?.unitIds ?? []) },
      ...[...done.levels].reverse().flatMap((level) => (level.answer && !sameAnswer(level.answer, finalAnswer) ? [{ answer: level.answer, level: levelName(tree, level.unitIds) }] : [])),
    ];
    for (const { answer, level } of candidates) {
      const verification = await verify(answer);
      firstTried ??= { answer, level, verification };
      if (verifies(verification)) {
        reported = { answer, level, verification };
        break search;
      }
      rejected.push(rejectedAs(answer, level, verification));
      // The change fails by itself, yet the commit still fails without it: either a configuration made a failure
      // of its own (a loop that lost its step) and the commit's cause is elsewhere, or the commit has several
      // causes, each enough. Search again without it; when the causes found so far verify together, they are it.
      const alone = verification.commitMinusChange.outcome === 'fail' && verification.parentPlusChange.ok;
      if (!alone) continue;
      if (excluded.size > 0) {
        const causes: LevelAnswer = { units: [...excluded, ...answer.units, ...answer.kept], kept: [], containers: [] };
        const together = await verify(causes, true);
        if (verifies(together)) {
          context.note(`${history.shortName(commit)} has ${round} separate causes of the failure, each enough by itself: reporting them together`);
          reported = { answer: causes, level, verification: together };
          excluded.clear();
          break search;
        }
      }
      if (round >= EXCLUSION_ROUNDS || last.stoppedEarly) continue;
      context.note(`the ${level}-level change fails by itself, but ${history.shortName(commit)} fails without it too: narrowing the rest of the change without it`);
      for (const id of [...answer.kept, ...answer.units]) excluded.add(id);
      continue search;
    }
    break;
  }
  const shown = reported ?? firstTried;
  if (!shown) throw new Error('internal: narrowing ended without an answer');
  if (reported && rejected.length > 0) {
    const deeper = rejected.at(-1);
    context.note(`the ${deeper?.level ?? deepest}-level change did not verify (${deeper?.failed.join('; ') ?? ''}): reporting the ${reported.level}-level change, which does`);
  }
  const levels: LevelTests[] = last.done.levels.map((level) => {
    const counts = countAt(level.depth);
    return { level: levelName(tree, level.unitIds), units: level.units, tests: counts.tests, unresolved: counts.unresolved, predicted: counts.predicted, ...(level.answer ? { kept: level.answer.units.length } : {}) };
  });
  const tests = 1 + [...tally.values()].reduce((sum, counts) => sum + counts.tests, 0);
  const stoppedEarly = last.stoppedEarly;
  return {
    ...base,
    level: deepest,
    status: 'narrowed',
    diff: unifiedDiff(parentStates, materialize(tree, nodesFor(shown.answer)), renamesOf(tree)),
    changes: describeUnits(tree, [...shown.answer.kept, ...shown.answer.units].filter((id) => !excluded.has(id))),
    levels,
    tests,
    verification: shown.verification,
    minimal: !stoppedEarly,
    ...(stoppedEarly && spent ? { stoppedAfter: spent } : {}),
    verified: reported !== undefined,
    ...(rejected.length > 0 ? { rejected } : {}),
  };
}

/** Two answers apply the same change: the same nodes found (as units or kept) within the same containers. */
function sameAnswer(a: LevelAnswer, b: LevelAnswer): boolean {
  const key = (answer: LevelAnswer): string => [[...answer.units, ...answer.kept].sort((x, y) => x - y), [...answer.containers].sort((x, y) => x - y)].map((ids) => ids.join(',')).join('|');
  return key(a) === key(b);
}

