// What one probe found, as plain data: the outcome of its run, the verdicts it maps to, and where its log is.
// The executor returns it, the store keeps it (with the hunt's bookkeeping around it), reports read it.

/** What a run did. */
export type Outcome =
  | { kind: 'passed' }
  | { kind: 'failed'; exitCode: number }
  | { kind: 'untestable' }
  | { kind: 'hung' }
  | { kind: 'crashed'; exitCode: number | null; signal: string | null }
  | { kind: 'build-failed'; exitCode: number | null; signal: string | null; timedOut: boolean }
  | { kind: 'not-found'; exitCode: 126 | 127 }
  /** Narrowing's cheap check (`--narrow-check`, or the syntax check) failed: the configuration was never built or tested. */
  | { kind: 'check-failed'; exitCode: number | null; timedOut: boolean };

/** The verdict as reports show it: a hang reads as `hang` whatever --on-hang makes of it. */
export type ReportedVerdict = 'good' | 'bad' | 'skip' | 'hang';
/** The verdict the search acts on. */
export type SearchVerdict = 'good' | 'bad' | 'skip';

export interface ProbeRecord {
  commit: string;
  outcome: Outcome;
  verdict: ReportedVerdict;
  /** `abort` when the recipe says the hunt must stop (a crash, --on-build-failure abort). */
  searchVerdict: SearchVerdict | 'abort';
  exitCode: number | null;
  signal: string | null;
  /** Wall time of the whole probe: checkout, build and test. */
  seconds: number;
  /** Wall time of the test run alone (absent when the build failed). */
  testSeconds?: number;
  /** Whether a build command ran or its outputs were restored from the build cache (absent without --build). */
  build?: 'ran' | 'restored';
  logPath: string;
  outputTail: string;
}

/** Which part of a hunt a probe served. */
export type Phase = 'verify' | 'merge-base' | 'bisect' | 'descend' | 'narrow' | 'narrow-verify' | 'factor';
