// After the first bad commit: the minimal part of its change that still produces the failure, and the three
// checks that make it believable (parent + part fails, commit − part passes, bad revision − part passes).
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { buildChangeTree, type ChangeLevel, type ChangeTree } from '../changes/change-tree.js';
import { everything, everythingExcept, materialize, type FileState } from '../changes/materialize.js';
import { revertChange } from '../changes/revert.js';
import { unifiedDiff } from '../changes/unified-diff.js';
import type { LevelTests, Narrowing, NarrowedUnit, NarrowingOutcome, VerificationCheck } from '../model/stage-results.js';
import { describeSignature, narrowingOutcome, type FailureSignature } from '../probe/failure-signature.js';
import { ProbeList } from '../search/probe-list.js';
import { configurationOf, levelOf, narrowChangeTree, nodesOf } from './change-narrowing.js';
import type { HuntContext, ProbeRequest } from './hunt-context.js';
import type { HuntProbe } from './hunt-types.js';

export type { Narrowing, NarrowedUnit, VerificationCheck } from '../model/stage-results.js';

export interface NarrowRequest {
  context: HuntContext;
  parent: string;
  commit: string;
  /** The hunt's bad revision, when it is not the narrowed commit: the change is also taken out of it. */
  originalBad: string | null;
  deepest: ChangeLevel;
  signature: FailureSignature;
}

export function statesDigest(states: readonly FileState[]): string {
  const hash = createHash('sha256');
  for (const state of [...states].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(`${state.path}\0${state.mode ?? '-'}\0${state.content === null ? '-' : createHash('sha256').update(state.content).digest('hex')}\0`);
  }
  return hash.digest('hex');
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
  const base = { parent, commit, signature, level: request.deepest, levels: [] as LevelTests[], tests: 0 };
  let deepest = request.deepest;
  if (tree.files.every((file) => file.atomic) && deepest !== 'file') {
    context.note(`${history.shortName(commit)} changes only binary, added, deleted or renamed files: narrowing stops at the file level`);
    deepest = 'file';
  }
  const parentStates = materialize(tree, new Set());
  const judge = (probe: HuntProbe, what: string): NarrowingOutcome => {
    const outcome = narrowingOutcome(probe, request.signature);
    context.observer.narrowingProbe?.(probe, outcome, what);
    return outcome;
  };
  /** A probe of `states` written on top of `on`. */
  const probeStates = (on: string, states: readonly FileState[], request: Omit<ProbeRequest, 'commit' | 'configuration'>): Promise<HuntProbe> =>
    context.probe({ ...request, commit: on, configuration: { digest: statesDigest(states), states } });

  // The whole change on the parent is the commit's own tree: a second run of the failing commit, and so the
  // cheapest test of whether the failure is reliable enough to narrow.
  const whole = judge(await probeStates(parent, materialize(tree, everything(tree)), { phase: 'narrow' }), 'the whole change again');
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

  const narrowed = await narrowChangeTree(tree, deepest, async (strategy) => {
    const { result } = await context.drive(
      {
        strategy,
        probe: (configuration, slot, signal) => probeStates(parent, materialize(tree, nodesOf(tree, configuration)), { phase: 'narrow', slot, signal }),
        judge: (configuration, probe) => judge(probe, `${levelOf(configuration)} level`),
      },
      // Several workers test the next configurations of a round alongside: same answer, sooner.
      { counted: false },
    );
    return result;
  });
  const minimalStates = materialize(tree, configurationOf(tree, narrowed.containers, [...narrowed.kept, ...narrowed.minimal]));
  // The commit without the change: every found unit taken out (a replaced line narrowed to tokens loses just those).
  const commitMinusStates = materialize(tree, everythingExcept(tree, [...narrowed.minimal, ...narrowed.kept]));
  const diff = unifiedDiff(parentStates, minimalStates);
  const tests = 1 + narrowed.levels.reduce((sum, level) => sum + level.tests, 0);

  const commitStates = materialize(tree, everything(tree));
  // The three checks are independent: with several workers they run side by side.
  const checks: Array<{ name: 'parentPlusChange' | 'commitMinusChange' | 'badMinusChange'; expected: 'fail' | 'pass'; on: string; states: readonly FileState[]; what: string }> = [
    { name: 'parentPlusChange', expected: 'fail', on: parent, states: minimalStates, what: 'parent + change' },
    { name: 'commitMinusChange', expected: 'pass', on: commit, states: commitMinusStates, what: 'commit − change' },
  ];
  let notApplicable: VerificationCheck | null = null;
  if (request.originalBad && request.originalBad !== commit) {
    // On the bad revision the same edit is replayed as a patch: from the commit's files to the commit minus the change.
    const contents = await history.readFiles(request.originalBad, commitStates.map((state) => state.path));
    const reverted = revertChange(commitMinusStates, commitStates, contents);
    if (reverted.applies) checks.push({ name: 'badMinusChange', expected: 'pass', on: request.originalBad, states: reverted.states, what: 'bad − change' });
    else notApplicable = { expected: 'pass', outcome: 'not-applicable', ok: false, reason: `the change no longer applies to ${reverted.path} there` };
  }
  const found = new Map<string, VerificationCheck>();
  await context.drive(
    {
      strategy: new ProbeList<number, HuntProbe>(checks.map((_, index) => index)),
      // A verification runs again rather than reuse this hunt's own answer (`confirm`).
      probe: (index, slot, signal) => {
        const { on, states } = checks[index] as (typeof checks)[number];
        return probeStates(on, states, { phase: 'narrow-verify', freshness: 'confirm', slot, signal });
      },
      judge: (index, probe) => {
        const { name, expected, what } = checks[index] as (typeof checks)[number];
        const outcome = judge(probe, what);
        found.set(name, { expected, outcome, ok: outcome === expected, step: probe.step });
        return probe;
      },
    },
    { counted: false },
  );
  const verified = (name: string): VerificationCheck => {
    const check = found.get(name);
    if (!check) throw new Error(`internal: no verification result for ${name}`);
    return check;
  };
  const parentPlusChange = verified('parentPlusChange');
  const commitMinusChange = verified('commitMinusChange');
  const badMinusChange = checks.some((check) => check.name === 'badMinusChange') ? verified('badMinusChange') : notApplicable;
  return {
    ...base,
    level: deepest,
    status: 'narrowed',
    diff,
    changes: describeUnits(tree, [...narrowed.kept, ...narrowed.minimal]),
    levels: narrowed.levels,
    tests,
    verification: { parentPlusChange, commitMinusChange, badMinusChange },
  };
}
