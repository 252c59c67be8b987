// What a DAG bisection asks for (the next probe, or its answer) and the verdicts it accepts for a probe.
// Kept apart from the strategy so the modules that pick a step can build one without importing the class.

export type BisectVerdict = 'good' | 'bad' | 'skip';

export type BisectionStep =
  | { kind: 'probe'; commit: number }
  | { kind: 'found'; commit: number }
  /** May be the first bad commit: the skipped candidates and bad, sorted by id. */
  | { kind: 'ambiguous'; commits: number[] };

/** How a bisection ends: one first bad commit, or the candidates skipped commits leave. */
export type FinalStep = Extract<BisectionStep, { kind: 'found' | 'ambiguous' }>;

/** A copy the caller may keep or change without touching the strategy's cached step. */
export function cloneStep(step: BisectionStep): BisectionStep {
  return step.kind === 'ambiguous' ? { kind: 'ambiguous', commits: [...step.commits] } : { ...step };
}

/** What a hunt needs of a bisection strategy; DagBisection (git's choices) and HgBisection (hg's) both are one. */
export interface Bisection {
  readonly bad: number;
  next(): BisectionStep;
  record(commit: number, verdict: BisectVerdict): void;
  candidateCount(): number;
  estimatedSteps(): number;
}
