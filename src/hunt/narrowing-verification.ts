// The three checks that make a narrowed change believable: parent + change fails, commit − change passes, and
// bad revision − change passes (the change taken out there by a three-way merge). They run side by side.
import type { FileState } from '../changes/materialize.js';
import { revertChange } from '../changes/revert.js';
import type { NarrowingOutcome, VerificationCheck } from '../model/stage-results.js';
import { ProbeList } from '../search/probe-list.js';
import type { HuntContext } from './hunt-context.js';
import type { HuntProbe } from './hunt-types.js';

export interface Verification {
  parentPlusChange: VerificationCheck;
  commitMinusChange: VerificationCheck;
  badMinusChange: VerificationCheck | null;
}

export interface VerificationRequest {
  context: HuntContext;
  parent: string;
  commit: string;
  /** The hunt's bad revision when it is not the narrowed commit. */
  originalBad: string | null;
  /** The parent's states, the parent plus the change, the commit minus the change and the commit's own. */
  minimal: readonly FileState[];
  commitMinus: readonly FileState[];
  commitStates: readonly FileState[];
  probeStates(on: string, states: readonly FileState[], slot: number, signal: AbortSignal): Promise<HuntProbe>;
  judge(probe: HuntProbe, what: string): NarrowingOutcome;
}

type CheckName = keyof Verification;

const LABELS: Record<CheckName, string> = { parentPlusChange: 'parent + change', commitMinusChange: 'commit − change', badMinusChange: 'bad − change' };

export async function verifyChange(request: VerificationRequest): Promise<Verification> {
  const { context, parent, commit, originalBad } = request;
  const checks: Array<{ name: CheckName; expected: 'fail' | 'pass'; on: string; states: readonly FileState[] }> = [
    { name: 'parentPlusChange', expected: 'fail', on: parent, states: request.minimal },
    { name: 'commitMinusChange', expected: 'pass', on: commit, states: request.commitMinus },
  ];
  let notApplicable: VerificationCheck | null = null;
  if (originalBad && originalBad !== commit) {
    // On the bad revision the same edit is replayed: from the commit's files to the commit minus the change.
    const contents = await context.history.readFiles(originalBad, request.commitStates.map((state) => state.path));
    const reverted = revertChange(request.commitMinus, request.commitStates, contents);
    if (reverted.applies) checks.push({ name: 'badMinusChange', expected: 'pass', on: originalBad, states: reverted.states });
    else notApplicable = { expected: 'pass', outcome: 'not-applicable', ok: false, reason: `the change conflicts with later edits of ${reverted.path} there` };
  }
  const found = new Map<CheckName, VerificationCheck>();
  await context.drive(
    {
      strategy: new ProbeList<number, HuntProbe>(checks.map((_, index) => index)),
      probe: (index, slot, signal) => {
        const check = checks[index] as (typeof checks)[number];
        return request.probeStates(check.on, check.states, slot, signal);
      },
      judge: (index, probe) => {
        const check = checks[index] as (typeof checks)[number];
        const outcome = request.judge(probe, LABELS[check.name]);
        found.set(check.name, { expected: check.expected, outcome, ok: outcome === check.expected, step: probe.step });
        return probe;
      },
    },
    { counted: false },
  );
  const result = (name: CheckName): VerificationCheck => {
    const check = found.get(name);
    if (!check) throw new Error(`internal: no verification result for ${name}`);
    return check;
  };
  return {
    parentPlusChange: result('parentPlusChange'),
    commitMinusChange: result('commitMinusChange'),
    badMinusChange: checks.some((check) => check.name === 'badMinusChange') ? result('badMinusChange') : notApplicable,
  };
}

/** Whether the change verifies: the checks that could run came out as expected (a change that no longer applies on
 * the bad revision is reported, not held against it). */
export function verifies(verification: Verification): boolean {
  const bad = verification.badMinusChange;
  return verification.parentPlusChange.ok && verification.commitMinusChange.ok && (bad === null || bad.ok || bad.outcome === 'not-applicable');
}

/** The checks that failed, as `commit − change: fail`. */
export function failedChecks(verification: Verification): string[] {
  return (Object.keys(LABELS) as CheckName[]).flatMap((name) => {
    const check = verification[name];
    return check && !check.ok && check.outcome !== 'not-applicable' ? [`${LABELS[name]}: ${check.outcome}`] : [];
  });
}
