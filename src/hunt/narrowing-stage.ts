// The hunt's last stage: picks the parent to narrow against (the first parent; a merge is narrowed as a change
// of its own), takes the failure signature from the first bad commit's probe, and runs the narrowing.
import type { ChangeLevel } from '../changes/change-tree.js';
import type { FileState } from '../changes/materialize.js';
import { UsageError } from '../errors.js';
import type { History } from '../history/history.js';
import { compileSignaturePattern, signatureOf } from '../probe/failure-signature.js';
import type { HuntProbe } from './hunt-types.js';
import { narrowCommit, type Narrowing } from './narrow.js';

export interface NarrowingStage {
  history: History;
  commit: string;
  /** The hunt's bad revision. */
  bad: string;
  /** Narrow against this revision instead of the commit's first parent (`culprit narrow --good P`). */
  parent?: string;
  /** `culprit narrow`: narrowing is the whole job, so what stops it is an error; after a hunt it is a note. */
  strict: boolean;
  level: ChangeLevel;
  signaturePattern?: string;
  firstParent: boolean;
  /** The merge was already descended into (or found to be the cause itself): no note about first-parent needed. */
  merged?: boolean;
  /** The probes so far: the first bad commit's own probe defines the failure. */
  probes: readonly HuntProbe[];
  probeCommit(commit: string): Promise<HuntProbe>;
  probeConfiguration(commit: string, states: readonly FileState[], digest: string, phase: 'narrow' | 'narrow-verify', confirm: boolean): Promise<HuntProbe>;
  judged?(probe: HuntProbe, outcome: string, what: string): void;
  note(message: string): void;
}

export async function narrowFirstBad(stage: NarrowingStage): Promise<Narrowing | undefined> {
  const { history, commit } = stage;
  const name = history.shortName(commit);
  if (stage.signaturePattern !== undefined) compileSignaturePattern(stage.signaturePattern);
  const parents = stage.parent === undefined ? await history.parents(commit) : [stage.parent];
  const parent = parents[0];
  if (parent === undefined) {
    stage.note(`${name} is a root commit: there is no parent to narrow its change against`);
    return undefined;
  }
  if (parents.length > 1) {
    stage.note(
      stage.firstParent && !stage.merged
        ? `${name} is a merge found with --first-parent: narrowing what it changed relative to its first parent`
        : `${name} is a merge whose parents both pass: the failure was introduced by the merge itself; narrowing its change against the first parent`,
    );
  }
  const own = [...stage.probes].reverse().find((probe) => probe.commit === commit && probe.searchVerdict === 'bad');
  const badProbe = own ?? (await stage.probeCommit(commit));
  const signature = signatureOf(badProbe, stage.signaturePattern);
  if (!signature) {
    stage.note(`${name} did not fail the test itself (it ${badProbe.outcome.kind === 'build-failed' ? 'failed to build' : `was ${badProbe.verdict}`}): nothing to narrow`);
    return undefined;
  }
  try {
    return await narrowCommit({
      history,
      parent,
      commit,
      originalBad: stage.bad === commit ? null : stage.bad,
      deepest: stage.level,
      signature,
      probe: stage.probeConfiguration,
      ...(stage.judged ? { judged: stage.judged } : {}),
      note: stage.note,
    });
  } catch (error) {
    // After a hunt the first bad commit stands on its own; a change that cannot be narrowed is worth a note only.
    if (stage.strict || !(error instanceof UsageError)) throw error;
    stage.note(`not narrowed: ${error.message}`);
    return undefined;
  }
}
