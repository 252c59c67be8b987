// The one contract every search strategy keeps, so that one driver runs any of them on any number of workers:
// `plan` says which candidates to start and which probes to cancel, `record` takes a verdict. Pure: no I/O.

/** A probe the driver holds for a strategy: running, or planned and waiting for a free worker. */
export interface InFlightProbe<C> {
  candidate: C;
  /** It started so recently (or has not started) that a new plan may move it without wasting much. */
  movable: boolean;
  /** It was cancelled and is still dying: its candidate is not available to a plan until it has ended. */
  cancelling: boolean;
}

export interface Plan<C, R> {
  /** Candidates to probe, the most useful first; the driver starts them as workers become free. */
  start: C[];
  /** Probes (running or waiting) whose answer no longer matters. */
  cancel: C[];
  /** Set once the search is over: its answer. The driver then cancels every probe of the strategy still in flight. */
  done?: R;
}

export interface Strategy<C, V, R> {
  /**
   * What to do with at most `capacity` workers in all (those in flight included). `inFlight` lists the probes the
   * driver holds for this strategy, cancelled ones still dying among them.
   */
  plan(capacity: number, inFlight: readonly InFlightProbe<C>[]): Plan<C, R>;
  /** Whether a verdict for this candidate would still be used (a late answer for a settled candidate is not judged). */
  wants(candidate: C): boolean;
  /** A probe's verdict; true when it taught the search something that may move the probes in flight. */
  record(candidate: C, verdict: V): boolean;
  /** The key a candidate is known by (equal keys are the same probe). */
  keyOf(candidate: C): string;
}
