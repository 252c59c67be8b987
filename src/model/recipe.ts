// The recipe as plain data: how a candidate is built and tested and what its outcome means. Shared by the
// probe that runs it, the store that keeps it and the reports that show it, so it depends on nothing.

/** A command: a shell line (`sh -c`) or an argv run as is. */
export type CommandSpec = { shell: string } | { argv: readonly string[] };

export type HangMeaning = 'bad' | 'good' | 'skip';
export type BuildFailureMeaning = 'skip' | 'bad' | 'abort';

export interface Recipe {
  build?: CommandSpec;
  test: CommandSpec;
  /** Explicit --timeout; when absent the hunt derives one from the good endpoints' run time. */
  timeoutSeconds?: number;
  buildTimeoutSeconds: number;
  graceSeconds: number;
  onHang: HangMeaning;
  onBuildFailure: BuildFailureMeaning;
}
