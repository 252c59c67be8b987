// The verdict of a probe whose test ran several times (`--repeat N`): bad when any run failed (`any-fail`, for a
// failure that only sometimes shows), or when most testable runs failed (`majority`). Untestable runs do not vote.

export type RepeatPolicy = 'any-fail' | 'majority';
export type RunVerdict = 'good' | 'bad' | 'skip';

export function verdictOfRuns(runs: readonly RunVerdict[], policy: RepeatPolicy): RunVerdict {
  const bad = runs.filter((verdict) => verdict === 'bad').length;
  const good = runs.filter((verdict) => verdict === 'good').length;
  if (bad + good === 0) return 'skip';
  if (policy === 'any-fail') return bad > 0 ? 'bad' : 'good';
  if (bad === good) return 'skip';
  return bad > good ? 'bad' : 'good';
}

/** Whether the remaining runs can still change the verdict: `any-fail` stops at the first failure. */
export function decidedEarly(runs: readonly RunVerdict[], policy: RepeatPolicy, total: number): boolean {
  if (policy === 'any-fail') return runs.includes('bad');
  const bad = runs.filter((verdict) => verdict === 'bad').length;
  const good = runs.filter((verdict) => verdict === 'good').length;
  const left = total - runs.length;
  return bad > good + left || good > bad + left;
}
