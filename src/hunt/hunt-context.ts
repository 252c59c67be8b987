// What every stage of a hunt works with: the history, the hunt's arguments, probes answered through the journal
// (resume, verdict cache) and run by the executor, one strategy driver, the verdict rule, progress and notes.
import { createHash } from 'node:crypto';
import type { FileState } from '../changes/materialize.js';
import type { Executor, ProbeJob } from '../executors/executor.js';
import type { History } from '../history/history.js';
import { FactorBase } from '../history/factor-base.js';
import { VersionList } from '../history/version-list.js';
import type { Phase } from '../model/probe-record.js';
import type { CommandSpec } from '../model/recipe.js';
import type { BisectVerdict } from '../search/bisection-step.js';
import { ProbeList } from '../search/probe-list.js';
import { short } from '../text/format.js';
import type { HuntArguments } from '../store/store-types.js';
import { CommitSubjects } from './commit-subjects.js';
import type { PreparedHunt } from './hunt-preparation.js';
import type { HuntObserver, HuntProbe } from './hunt-types.js';
import type { Freshness, ProbeJournal } from './probe-journal.js';
import { ProbeClock } from './probe-clock.js';
import { drive, type DriveOptions, type DriveOutcome, type Track } from './strategy-driver.js';
import { TimeoutPolicy } from './timeout-policy.js';
import { searchVerdictOf } from './verdict-rule.js';
import { decidedEarly, verdictOfRuns, type RepeatPolicy, type RunVerdict } from '../search/repeat-policy.js';

export interface ProbeRequest {
  commit: string;
  phase: Phase;
  /**
   * A configuration of a change written on top of the commit (narrowing), or of factors on top of the good setup:
   * then also the setups it runs and the variables it sets.
   */
  configuration?: { digest: string; states: readonly FileState[]; setups?: readonly string[]; env?: Readonly<Record<string, string>> };
  freshness?: Freshness;
  /** Narrowing's cheap check, run in the workspace before the build. */
  check?: CommandSpec;
  /** What the probe is called in the store and reports, when not its commit's subject (a configuration of factors). */
  subject?: string;
  /** The worker to run on (0-based); the driver gives each probe one. */
  slot?: number;
  signal?: AbortSignal;
}

export interface ContextParts {
  history: History;
  args: HuntArguments;
  huntId: number;
  journal: ProbeJournal;
  executor: Executor;
  observer: HuntObserver;
  /** Key of the build recipe (with --artifacts): the build cache's key joins it with the repository and the tree. */
  buildKey: string | undefined;
  /** Whether the repository tracks the directory the commands run in. */
  subdirectoryTracked?: boolean;
  signal?: AbortSignal;
  /** Opens the context of a later stage in another space (released versions handed to their source). */
  continueIn?: (prepared: PreparedHunt) => Promise<StageSession>;
}

/** A later stage's context in the same hunt record, with its own workspaces; closed when that stage ends. */
export interface StageSession {
  context: HuntContext;
  close(): void;
}

export class HuntContext {
  readonly history: History;
  readonly args: HuntArguments;
  readonly huntId: number;
  readonly executor: Executor;
  readonly observer: HuntObserver;
  readonly signal: AbortSignal | undefined;
  readonly timeout: TimeoutPolicy;
  readonly clock = new ProbeClock();
  /** Every probe of the hunt so far, in the order they ended. */
  readonly probes: HuntProbe[] = [];
  /** Probes that ran one after another, summed over the stages (narrowing's configurations not counted). */
  rounds = 0;
  /** With --flaky, the flake rate the search learnt: later stages repeat each configuration's runs by it. */
  flakeRate: number | undefined;
  /**
   * Set when a stage that checks the user's input (the endpoints, the merge bases) finds it wrong: such a hunt
   * never really started, and leaves nothing behind. Every other failure keeps the hunt, resumable.
   */
  rejection: Error | undefined;
  private readonly journal: ProbeJournal;
  private readonly subjects: CommitSubjects;
  private readonly buildKey: string | undefined;
  private readonly continuation: ContextParts['continueIn'];

  /** Whether the repository tracks the directory the commands run in (absent at the top). */
  private readonly subdirectoryTracked: boolean | undefined;

  constructor(parts: ContextParts) {
    this.subdirectoryTracked = parts.subdirectoryTracked;
    this.continuation = parts.continueIn;
    this.history = parts.history;
    this.args = parts.args;
    this.huntId = parts.huntId;
    this.journal = parts.journal;
    this.executor = parts.executor;
    this.observer = parts.observer;
    this.signal = parts.signal;
    this.buildKey = parts.buildKey;
    this.subjects = new CommitSubjects(parts.history);
    this.timeout = new TimeoutPolicy(parts.args.recipe.timeoutSeconds);
    // Runs started before the derived timeout was known get it as soon as it is.
    this.timeout.subscribe((seconds) => this.executor.retime(seconds));
  }

  /** Marks the hunt as stopped by wrong input (see `rejection`) and returns the error to throw. */
  reject<E extends Error>(error: E): E {
    this.rejection ??= error;
    return error;
  }

  /** The context of a later stage that searches another space (the source repository) in this same hunt. */
  continueIn(prepared: PreparedHunt): Promise<StageSession> {
    if (!this.continuation) throw new Error('internal: this hunt cannot continue in another space');
    return this.continuation(prepared);
  }

  note(message: string): void {
    this.observer.note?.(message);
  }

  name(commit: string): string {
    return this.history.shortName(commit);
  }

  /**
   * The answer for a candidate: this hunt's own (resuming), a cached one, or a probe run by the executor now. With
   * `--repeat N` the test runs up to N times, each run stored as its own sample (never from the cache), and the
   * answer is the policy's verdict over them, on the last run's record.
   */
  async probe(request: ProbeRequest): Promise<HuntProbe> {
    const repeat = this.repeatFor(request);
    if (!repeat) return this.probeOnce(request);
    // Even one run is a sample when a model decides how many there are (--flaky narrowing at a low flake rate).
    if (repeat.runs <= 1) return this.probeOnce({ ...request, freshness: 'sample' });
    const runs: HuntProbe[] = [];
    const verdicts: RunVerdict[] = [];
    while (runs.length < repeat.runs && !decidedEarly(verdicts, repeat.policy, repeat.runs)) {
      const run = await this.probeOnce({ ...request, freshness: 'sample' });
      runs.push(run);
      // A crash or an aborting policy ends the probe as it is: the verdict rule stops the hunt on it.
      if (run.outcome.kind === 'crashed' || run.searchVerdict === 'abort') return run;
      verdicts.push(run.searchVerdict);
    }
    const last = runs.at(-1);
    if (!last) throw new Error(`internal: no run of ${request.commit}`);
    const verdict = verdictOfRuns(verdicts, repeat.policy);
    const failed = verdicts.filter((each) => each === 'bad').length;
    return { ...last, verdict: last.verdict === 'hang' && verdict === 'bad' ? 'hang' : verdict, searchVerdict: verdict, subject: `${last.subject} (${failed} of ${runs.length} runs failed)` };
  }

  /**
   * How often a probe runs: `--repeat`'s; with --flaky, a configuration (narrowing) runs until it fails or has passed
   * often enough that a bad one would have failed with the requested confidence: q^n ≤ 1 − confidence.
   */
  private repeatFor(request: ProbeRequest): { runs: number; policy: RepeatPolicy } | undefined {
    const { flaky, repeat } = this.args;
    if (flaky && request.configuration && this.flakeRate !== undefined) {
      const q = this.flakeRate;
      const runs = q <= 0 ? 1 : Math.min(50, Math.ceil(Math.log(1 - flaky.confidence) / Math.log(q)));
      return { runs: Math.max(1, runs), policy: 'any-fail' };
    }
    return repeat;
  }

  /** One run of the test for a candidate, answered from the journal when it can be. */
  private async probeOnce(request: ProbeRequest): Promise<HuntProbe> {
    const { commit, phase, configuration } = request;
    const slot = request.slot ?? 0;
    const record = await this.journal.obtain(
      configuration ? { commit, configuration: configuration.digest } : commit,
      phase,
      () => (request.subject === undefined ? this.subjects.of(commit) : Promise.resolve(request.subject)),
      (step, tree) => {
        this.observer.probeStarted?.({ phase, step, commit, timeoutSeconds: this.timeout.seconds });
        return this.executor.run(this.job(request, step, tree), slot, request.signal ?? this.signal ?? new AbortController().signal);
      },
      request.freshness ?? 'reuse',
    );
    if (record.source === 'run') this.clock.observe(record.seconds);
    this.probes.push(record);
    return record;
  }

  /** The commits (as they are) this hunt can answer without running: its own stored probes, or the verdict cache. */
  journalAnswerable(commits: readonly string[]): Promise<Set<string>> {
    return this.journal.answerable(commits);
  }

  /** The one verdict rule every search stage uses; a good run's time also informs the derived timeout. */
  verdictOf(record: HuntProbe): BisectVerdict {
    const verdict = searchVerdictOf(record, this.name(record.commit));
    if (verdict === 'good') this.timeout.observeGood(record.testSeconds);
    return verdict;
  }

  /** Runs a strategy through the driver on the executor's slots (or fewer); its rounds count towards the hunt's. */
  async drive<C, V, R, A = never, B = never>(track: Track<C, V, R>, options: Partial<Pick<DriveOptions<A, B>, 'slots' | 'alongside'>> & { counted?: boolean } = {}): Promise<DriveOutcome<R>> {
    const outcome = await drive<C, V, R, A, B>(track, {
      slots: options.slots ?? this.executor.slots,
      freshMs: () => this.clock.freshMs(),
      ...(this.signal ? { signal: this.signal } : {}),
      ...(options.alongside ? { alongside: options.alongside } : {}),
    });
    if (options.counted ?? true) this.rounds += outcome.rounds;
    return outcome;
  }

  /** One probe through the driver: the same cancellation and interruption handling as a search's. */
  async probeOne(request: Omit<ProbeRequest, 'slot' | 'signal'>): Promise<HuntProbe> {
    let answer: HuntProbe | undefined;
    await this.drive<string, HuntProbe, unknown>({
      strategy: new ProbeList<string, HuntProbe>([request.commit]),
      probe: (commit, slot, signal) => this.probe({ ...request, commit, slot, signal }),
      judge: (_commit, record) => (answer = record),
    }, { slots: 1, counted: request.configuration === undefined });
    if (!answer) throw new Error(`internal: no answer for ${request.commit}`);
    return answer;
  }

  private job(request: ProbeRequest, step: number, tree: string): ProbeJob {
    const { args } = this;
    const { commit, configuration } = request;
    const versions = this.history instanceof VersionList ? this.history : undefined;
    const factors = this.history instanceof FactorBase ? this.history : undefined;
    // A version's install depends on the version and the project's manifests, not on every file its verdict does; a
    // configuration of factors' on what it writes and runs.
    const buildTree = versions ? versions.installTreeOf(commit) : factors && configuration ? factors.installTreeOf(configuration.digest) : tree;
    const build = this.buildKey !== undefined && args.artifacts
      ? { key: createHash('sha256').update(`${this.history.identity}\0${buildTree}\0${this.buildKey}`).digest('hex'), tree: buildTree, globs: args.artifacts }
      : undefined;
    return {
      candidate: configuration
        ? factors
          ? { kind: 'environment', commit, digest: configuration.digest, states: configuration.states, setups: configuration.setups ?? [], env: configuration.env ?? {} }
          : { kind: 'configuration', commit, digest: configuration.digest, states: configuration.states }
        : versions
          ? { kind: 'version', commit }
          : { kind: 'checkout', commit },
      recipe: args.recipe,
      subdirectory: args.subdirectory,
      ...(this.subdirectoryTracked === undefined ? {} : { subdirectoryTracked: this.subdirectoryTracked }),
      testTimeoutSeconds: this.timeout.seconds,
      ...(build ? { build } : {}),
      cleanBuild: args.cleanBuild ?? false,
      logName: `${String(step).padStart(3, '0')}-${short(request.commit).replace(/[^\w.+-]/g, '_')}`,
      ...(request.check ? { check: request.check } : {}),
    };
  }
}
