// The local executor: one private workspace per slot under culprit's cache, the orphan sweep of a killed
// culprit's probes, the hunt's log directory and the build cache; each job runs through the prober.
import path from 'node:path';
import type { History } from '../history/history.js';
import { acquireWorkspaces } from '../probe/acquire-workspace.js';
import { ArtifactCache, DEFAULT_CACHE_BYTES } from '../probe/artifact-cache.js';
import { CacheFootprint } from '../probe/cache-footprint.js';
import { createLogDirectory, removeLogsExcept } from '../probe/log-directory.js';
import { sweepOrphans } from '../probe/process-sweep.js';
import { watchCheckout } from '../probe/checkout-watch.js';
import { probe, type ProbeRecord } from '../probe/prober.js';
import type { Workspace } from '../probe/workspace.js';
import type { Executor, ProbeJob } from './executor.js';

export interface LocalExecutorOptions {
  history: History;
  /** Culprit's cache directory: workspaces, logs and build outputs live under it. */
  cacheRoot: string;
  slots: number;
  /** Size limit of the build cache in bytes (default 5 GiB). */
  cacheSize?: number;
  /** Prefix of the log directory's name (`probe-` for `culprit probe`). */
  logPrefix?: string;
  /** Warn when the user's repository changes while a probe runs (not on a worker, whose clone is its own). */
  watchCheckout?: boolean;
  note?(message: string): void;
}

export class LocalExecutor implements Executor {
  /** Runs under way that follow the test timeout, with the scope (a queued hunt) whose retimes they take. */
  private readonly retimers = new Map<(timeoutMs: number) => void, string | undefined>();
  /** Per scope, the latest test timeout a `retime` gave and how many retimes there were: a job made before one gets it. */
  private readonly timeouts = new Map<string | undefined, { ms: number; count: number }>();
  private readonly told = new Set<string>();
  private artifacts: ArtifactCache | undefined;
  /** The commits being probed now: a change to the user's repository is named with all of them. */
  private readonly inFlight = new Set<{ commit: string }>();
  /** Set when the hunt was discarded for bad input: closing takes away what it created. */
  private discarded = false;

  private constructor(
    private readonly options: LocalExecutorOptions,
    private readonly slotWorkspaces: readonly Workspace[],
    readonly logDirectory: string,
    private readonly footprint: CacheFootprint,
  ) {}

  /** Sweeps orphans of killed hunts, claims one workspace per slot (all or none) and opens the log directory. */
  static async open(options: LocalExecutorOptions): Promise<LocalExecutor> {
    sweepOrphans();
    const footprint = new CacheFootprint(options.cacheRoot);
    const workspaces = await acquireWorkspaces(options.cacheRoot, options.history, options.slots);
    try {
      return new LocalExecutor(options, workspaces, createLogDirectory(options.cacheRoot, options.logPrefix), footprint);
    } catch (error) {
      for (const workspace of workspaces) workspace.release();
      throw error;
    }
  }

  get slots(): number {
    return this.slotWorkspaces.length;
  }

  get workspaces(): string[] {
    return this.slotWorkspaces.map((workspace) => workspace.directory);
  }

  /** `scope`: a worker serving several hunts retimes each one's runs only (see `retime`). */
  run(job: ProbeJob, slot: number, signal: AbortSignal, scope?: string): Promise<ProbeRecord> {
    const workspace = this.slotWorkspaces[slot];
    if (!workspace) throw new Error(`internal: no workspace for slot ${slot}`);
    const { build } = job;
    const retimesAtStart = this.timeouts.get(scope)?.count ?? 0;
    const watch = this.options.watchCheckout === false ? undefined : watchCheckout(this.options.history.kind, this.options.history.root);
    // One entry per run: narrowing probes several configurations of one commit at once.
    const entry = { commit: job.candidate.commit };
    this.inFlight.add(entry);
    const running = probe({
      candidate: job.candidate,
      workspace,
      recipe: job.recipe,
      testTimeoutMs: job.testTimeoutSeconds * 1000,
      testTimeoutUpdates: (listener) => {
        this.retimers.set(listener, scope);
        // The timeout may have been derived while this probe checked out or built: its test gets it from the start.
        const latest = this.timeouts.get(scope);
        if (latest && latest.count !== retimesAtStart) listener(latest.ms);
        return () => this.retimers.delete(listener);
      },
      logStem: path.join(this.logDirectory, job.logName),
      subdirectory: job.subdirectory,
      ...(job.subdirectoryTracked === undefined ? {} : { subdirectoryTracked: job.subdirectoryTracked }),
      signal,
      ...(build ? { buildReuse: { cache: this.buildCache(), key: build.key, globs: build.globs, repo: this.options.history.root, tree: build.tree, notSaved: (reason: string) => this.notSaved(reason) } } : {}),
      ...(job.cleanBuild ? { cleanBuild: true } : {}),
      ...(job.check ? { check: job.check } : {}),
      ...(job.environment ? { variables: job.environment } : {}),
    });
    return running.then(
      (record) => {
        const changed = watch?.changes() ?? [];
        // culprit never writes there: a change while the probe ran is a test's (this one's, or another running at the
        // same time), or someone working in the checkout.
        const probes = [...new Set([...this.inFlight].map((each) => each.commit.slice(0, 12)))];
        this.inFlight.delete(entry);
        if (changed.length > 0) this.options.note?.(`warning: your repository ${this.options.history.root} changed while the probe${probes.length === 1 ? '' : 's'} of ${probes.join(', ')} ran (${changed.join(', ')}): if a test did that, it reaches outside its workspace (see ${record.logPath})`);
        return record;
      },
      (error: unknown) => {
        this.inFlight.delete(entry);
        throw error;
      },
    );
  }

  retime(testTimeoutSeconds: number, scope?: string): void {
    const ms = testTimeoutSeconds * 1000;
    this.timeouts.set(scope, { ms, count: (this.timeouts.get(scope)?.count ?? 0) + 1 });
    for (const [listener, of] of this.retimers) if (of === scope) listener(ms);
  }

  discard(message: string): void {
    this.discarded = true;
    removeLogsExcept(this.logDirectory, message);
  }

  close(): void {
    // A discarded hunt's new workspaces go while their slots are still held, so no other hunt is working in them.
    if (this.discarded) this.footprint.removeCreated(this.workspaces);
    for (const workspace of this.slotWorkspaces) workspace.release();
    if (this.discarded) this.footprint.removeEmptyParents([...this.workspaces, this.logDirectory]);
  }

  private buildCache(): ArtifactCache {
    this.artifacts ??= new ArtifactCache(path.join(this.options.cacheRoot, 'artifacts'), this.options.cacheSize ?? DEFAULT_CACHE_BYTES);
    return this.artifacts;
  }

  /** Once per reason: the same globs miss on every tree. */
  private notSaved(reason: string): void {
    if (this.told.has(reason)) return;
    this.told.add(reason);
    this.options.note?.(`build outputs not cached: ${reason}`);
  }
}
