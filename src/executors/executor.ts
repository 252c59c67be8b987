// Where probes run, behind one interface: the hunt hands over plain-data probe jobs (no closures), so a job can
// cross a queue to another machine as well as run in a local workspace.
import type { Materialization } from '../model/materialization.js';
import type { ProbeRecord } from '../model/probe-record.js';
import type { CommandSpec, Recipe } from '../model/recipe.js';

/**
 * One probe to run, as plain data. (A configuration's file contents are Buffers: a queue executor encodes them.)
 */
export interface ProbeJob {
  /** The candidate and how it is put into a workspace: a checkout, or a configuration written on top of one. */
  candidate: Materialization;
  recipe: Recipe;
  /** Where the commands run, relative to the repository's top ('' for the top). */
  subdirectory: string;
  /**
   * Whether the repository tracks that directory (at the bad revision): a candidate without it is skipped. An
   * untracked one (a build's output directory) is made when missing, as a build would make it.
   */
  subdirectoryTracked?: boolean;
  /** The test's deadline, in seconds from its start; a later `retime` may change it while it runs. */
  testTimeoutSeconds: number;
  /** Build outputs to restore instead of building, and to save after a successful build (--artifacts). */
  build?: { key: string; tree: string; globs: readonly string[] };
  /** Remove ignored files (old build outputs) at the checkout: no incremental build. */
  cleanBuild: boolean;
  /** Narrowing's cheap check, run after the configuration is written and before the build; failing, it ends the probe. */
  check?: CommandSpec;
  /** Names the probe's log files, unique within the hunt (step and short hash). */
  logName: string;
  /** Variables the recipe depends on, as the coordinator had them (a queue's worker runs elsewhere); absent locally. */
  environment?: Readonly<Record<string, string>>;
}

export interface Executor {
  /** How many probes may run at once. */
  readonly slots: number;
  /** Each slot's workspace directory, for progress and results. */
  readonly workspaces: readonly string[];
  /** Where this hunt's logs go. */
  readonly logDirectory: string;
  /** Runs a job on a free slot (0-based, below `slots`); `signal` cancels it, killing its process group. */
  run(job: ProbeJob, slot: number, signal: AbortSignal): Promise<ProbeRecord>;
  /** The derived test timeout became known or changed: runs under way re-arm their deadline. */
  retime(testTimeoutSeconds: number): void;
  /** A hunt discarded for bad input: keeps only the logs `message` names, and on close removes what the hunt created. */
  discard(message: string): void;
  /** Gives the workspaces back (their directories stay as warm caches) and closes any connection. */
  close(): void | Promise<void>;
}
