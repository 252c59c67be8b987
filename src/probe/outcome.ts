// What a run did (outcome) and what that means for the search (verdict), following git bisect run's contract:
// 0 good, 125 skip, 1–127 bad, 128 and above or a foreign signal aborts; a timeout is a hang, mapped by --on-hang.
import type { RunResult } from './process-runner.js';
import type { Outcome, ReportedVerdict, SearchVerdict } from '../model/probe-record.js';
import type { Recipe } from '../model/recipe.js';

export type { Outcome, ReportedVerdict, SearchVerdict } from '../model/probe-record.js';

export function classifyTest(run: RunResult): Outcome {
  if (run.timedOut) return { kind: 'hung' };
  if (run.exitCode === null) return { kind: 'crashed', exitCode: null, signal: run.signal };
  if (run.exitCode === 0) return { kind: 'passed' };
  if (run.exitCode === 125) return { kind: 'untestable' };
  if (run.exitCode === 126 || run.exitCode === 127) return { kind: 'not-found', exitCode: run.exitCode };
  if (run.exitCode >= 128) return { kind: 'crashed', exitCode: run.exitCode, signal: null };
  return { kind: 'failed', exitCode: run.exitCode };
}

export function classifyBuild(run: RunResult): Outcome | undefined {
  if (run.exitCode === 0 && !run.timedOut) return undefined;
  return { kind: 'build-failed', exitCode: run.exitCode, signal: run.signal, timedOut: run.timedOut };
}

/** Maps an outcome to the search verdict, or 'abort' when the hunt must stop. */
export function searchVerdict(outcome: Outcome, recipe: Recipe): SearchVerdict | 'abort' {
  switch (outcome.kind) {
    case 'passed':
      return 'good';
    case 'failed':
    case 'not-found':
      return 'bad';
    case 'untestable':
      return 'skip';
    case 'hung':
      return recipe.onHang;
    case 'build-failed':
      return recipe.onBuildFailure;
    case 'check-failed':
      return 'skip';
    case 'crashed':
      return 'abort';
  }
}

export function reportedVerdict(outcome: Outcome, verdict: SearchVerdict | 'abort'): ReportedVerdict {
  if (outcome.kind === 'hung') return 'hang';
  return verdict === 'abort' ? 'bad' : verdict;
}

export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'passed':
      return 'passed';
    case 'failed':
      return `failed with exit ${outcome.exitCode}`;
    case 'untestable':
      return 'exited 125 (untestable)';
    case 'hung':
      return 'hung (timed out)';
    case 'not-found':
      return outcome.exitCode === 127 ? 'exited 127 (command not found)' : 'exited 126 (command not executable)';
    case 'crashed':
      return outcome.signal ? `was killed by ${outcome.signal}` : `exited ${outcome.exitCode}`;
    case 'check-failed':
      return outcome.timedOut ? 'check timed out' : `check failed${outcome.exitCode === null ? '' : ` with exit ${outcome.exitCode}`}`;
    case 'build-failed':
      return outcome.timedOut ? 'build timed out' : outcome.signal ? `build killed by ${outcome.signal}` : `build failed with exit ${outcome.exitCode}`;
  }
}
