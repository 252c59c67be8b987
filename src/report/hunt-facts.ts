// What every report says about a stored hunt: its status as a user should read it, the searched range,
// the commands, and its probes in step order. Pure functions over store rows.
import { answersWithVersion, factorsOf } from '../model/stage-results.js';
import { factorText } from './factors-text.js';
import { describeCommand, short } from '../text/format.js';
import { ownerAlive } from '../store/hunt-table.js';
import type { HuntRow, ProbeRow } from '../store/store-types.js';

/** `running` whose process is gone reads as interrupted: it was killed before it could say so. */
export function statusOf(hunt: HuntRow): string {
  if (hunt.status === 'running' && !ownerAlive(hunt)) return 'interrupted';
  return hunt.status;
}

export { short } from '../text/format.js';

/** `v1.0 (1a2b3c4d5e6f) .. main (abcdef012345)`: names as the user typed them, with the hashes they meant. */
export function rangeText(hunt: HuntRow): string {
  const args = hunt.arguments;
  // A version is its own name; a revision is named as typed, with the commit it resolved to.
  const named = (name: string, hash: string): string => (name === hash || (name.startsWith(hash.slice(0, Math.min(name.length, 40))) && /^[0-9a-f]+$/.test(name)) ? short(hash) : `${name} (${short(hash)})`);
  const goods = args.goods.map((good, index) => named(args.goodNames[index] ?? good, good)).join(', ');
  return `${goods} .. ${named(args.badName, args.bad)}`;
}

export function testText(hunt: HuntRow): string {
  return describeCommand(hunt.arguments.recipe.test);
}

export function buildText(hunt: HuntRow): string | null {
  return hunt.arguments.recipe.build ? describeCommand(hunt.arguments.recipe.build) : null;
}

export function finishedProbes(probes: readonly ProbeRow[]): ProbeRow[] {
  return probes.filter((probe) => probe.endedAt !== null);
}

/** The one-line answer: the first bad commit, the candidates, or why there is none yet. */
export function resultText(hunt: HuntRow): string {
  const result = hunt.result;
  const factors = result ? factorsOf(result.stages) : undefined;
  if (factors) return `${factors.verified ? 'needs' : 'fails with'} ${factors.needed.map(factorText).join(', ')}`;
  if (result?.firstBad?.since) return `the change from ${short(result.firstBad.since)} to ${short(result.firstBad.commit)}`;
  if (result?.firstBad) return answersWithVersion(hunt.vcs, result.stages) ? result.firstBad.subject : `${short(result.firstBad.commit)} ${result.firstBad.subject}`;
  if (result) return `one of ${result.candidates.length} commits (skipped commits hide it)`;
  if (hunt.error) return `stopped: ${hunt.error}`;
  return statusOf(hunt) === 'running' ? 'running' : `unfinished: continue with culprit resume ${hunt.id}`;
}

export function totalSeconds(probes: readonly ProbeRow[]): number {
  return probes.filter((probe) => probe.source === 'run').reduce((sum, probe) => sum + probe.seconds, 0);
}
