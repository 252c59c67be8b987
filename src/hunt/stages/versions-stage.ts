// The released versions, bisected: the same bisection as commits (a version's parent is the one before it), each
// version installed into a scratch workspace by its probe; hands on the last good and the first bad version.
import type { VersionsResult } from '../../model/stage-results.js';
import type { HuntContext } from '../hunt-context.js';
import type { RangeHandoff, Stage, StageOutput, VersionsHandoff } from '../stage.js';
import { bisectionStage } from './bisection-stage.js';

export const versionsStage: Stage<'range'> = {
  name: 'versions',
  accepts: 'range',
  async run(context: HuntContext, input: RangeHandoff): Promise<StageOutput> {
    const { result, next } = await bisectionStage.run(context, input);
    if (result?.stage !== 'bisection' || next.kind !== 'suspect') throw new Error('internal: the bisection of versions handed on no suspect');
    const list = context.args.versions?.list ?? [];
    const positionOf = (version: string): number => list.indexOf(version);
    // Oldest candidate first: the version before it is the newest one known good.
    const candidates = [...next.candidates].sort((a, b) => positionOf(a) - positionOf(b));
    const oldest = candidates[0];
    const newest = candidates.at(-1);
    if (oldest === undefined || newest === undefined) throw new Error('internal: the bisection of versions named no candidate');
    const lastGood = list[positionOf(oldest) - 1] ?? null;
    const firstBad = next.status === 'found' ? oldest : null;
    const skipped = [...new Set(context.probes.filter((probe) => probe.searchVerdict === 'skip').map((probe) => probe.commit))];
    const stage: VersionsResult = {
      stage: 'versions',
      origin: context.args.versions?.origin ?? 'versions',
      status: next.status,
      lastGood,
      firstBad,
      candidates,
      skipped: skipped.sort((a, b) => positionOf(a) - positionOf(b)),
      candidatesAtStart: result.candidatesAtStart,
      installs: context.probes.filter((probe) => probe.source === 'run' && probe.build === 'ran').length,
      rounds: result.rounds,
    };
    // With skips hiding the answer, the hand-off still narrows to the commits between the last good and the newest candidate.
    const handoff: VersionsHandoff = { kind: 'versions', status: next.status, lastGood, firstBad: newest, candidates };
    return { result: stage, next: handoff };
  },
};
