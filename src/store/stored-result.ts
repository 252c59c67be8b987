// Hunts stored before stage results existed kept the narrowing and the merge descent as loose fields; they are
// read as the typed list of stage results a hunt stores now, so every report handles one shape.
import type { HuntOutcome, MergeDescent, Narrowing, StageResult } from '../model/stage-results.js';

interface LegacyFields {
  stages?: StageResult[];
  rounds?: number;
  narrowing?: Narrowing;
  descent?: MergeDescent;
}

/** `stored` is the result column as parsed: the current shape, or one written before stage results existed. */
export function upgradeStoredResult(stored: HuntOutcome | (Omit<HuntOutcome, 'stages' | 'rounds'> & LegacyFields)): HuntOutcome {
  const legacy = stored as Omit<HuntOutcome, 'stages' | 'rounds'> & LegacyFields;
  if (Array.isArray(legacy.stages)) return stored as HuntOutcome;
  const { narrowing, descent, ...rest } = legacy;
  const stages: StageResult[] = [];
  if (descent) stages.push({ stage: 'merge-descent', ...descent });
  if (narrowing) stages.push({ stage: 'narrowing', ...narrowing });
  return { ...rest, rounds: legacy.rounds ?? 0, stages };
}
