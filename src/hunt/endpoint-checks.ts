// Turns a probe of an endpoint (a good or the bad) into the one sentence a user needs when it is not what they said.
// Endpoint checks run before bisecting: a wrong endpoint makes every later verdict meaningless.
import { UsageError } from '../errors.js';
import type { ProbeRecord } from '../model/probe-record.js';
import { describeOutcome } from '../probe/outcome.js';
import { abortIfCrashed } from './verdict-rule.js';

/** Lines that end a failing run without saying why: Node's version banner, stack frames, npm's epilogue, carets. */
const NOISE = /^(Node\.js v\d|at |npm (ERR!|error) (code|path|errno|command|A complete log|Exit|Lifecycle)|npm ERR! *$|\^+$|\[culprit\])/;
const SAYS_WHY = /error|exception|fail|assert|fatal|panic|cannot|can't|not found|denied|traceback|does not exist|no such/i;

/** The line of a run's output that says why it failed: culprit's own diagnosis, else the last error-like line, else the last one. */
export function lastOutputLine(probe: ProbeRecord): string {
  const lines = probe.outputTail.split('\n').map((line) => line.trim()).filter(Boolean);
  const meaningful = lines.filter((line) => !NOISE.test(line));
  const backwards = [...meaningful].reverse();
  const line = backwards.find((each) => each.startsWith('culprit: ')) ?? backwards.find((each) => SAYS_WHY.test(each)) ?? meaningful.at(-1) ?? lines.at(-1);
  return line ? ` (last output: "${line.slice(0, 160)}")` : '';
}

/** A good endpoint must pass; anything else stops the hunt with the reason. Build failures are left to the caller. */
export function checkGood(probe: ProbeRecord, name: string, timeoutSeconds: number): void {
  abortIfCrashed(probe, name);
  if (probe.searchVerdict === 'good') return;
  const outcome = probe.outcome;
  const log = `log: ${probe.logPath}`;
  switch (outcome.kind) {
    case 'not-found':
      throw new UsageError(
        `the test command ${outcome.exitCode === 127 ? 'was not found' : 'is not executable'} at good ${name} (exit ${outcome.exitCode})${lastOutputLine(probe)}`,
        `check the command and its path (it runs in a checkout of the commit); ${log}`,
      );
    case 'hung':
      throw new UsageError(`the test hangs at good ${name}: no result within ${timeoutSeconds} s`, `raise --timeout, or pass --on-hang good if a hang is expected there; ${log}`);
    case 'untestable':
      throw new UsageError(probe.exitCode === 125 ? `the test says good ${name} cannot be tested (exit 125)` : `good ${name} cannot be tested${lastOutputLine(probe)}`, `pick another --good; ${log}`);
    case 'build-failed':
      return;
    default: {
      // Empty submodules may be the whole reason: said after the test's own last word, not instead of it.
      const submodules = /\[culprit\] note: (submodules not initialised[^\n]*)/.exec(probe.outputTail)?.[1];
      throw new UsageError(
        `good ${name} does not pass the test: it ${describeOutcome(outcome)}${lastOutputLine(probe)}`,
        `${submodules ? `${submodules}: git submodule update --init there if the test needs them; ` : ''}pick a --good where the test passes, or fix the test command; ${log}`,
      );
    }
  }
}

/** The bad endpoint must fail in the way the search counts as bad. */
export function checkBad(probe: ProbeRecord, name: string): void {
  abortIfCrashed(probe, name);
  if (probe.searchVerdict === 'bad') return;
  const log = `log: ${probe.logPath}`;
  if (probe.outcome.kind === 'build-failed') return;
  if (probe.searchVerdict === 'good') {
    throw new UsageError(
      `bad ${name} passes the test${probe.outcome.kind === 'hung' ? ' (it hangs, and --on-hang says good)' : ''}`,
      `pick a --bad where the test fails, or check the test command; ${log}`,
    );
  }
  throw new UsageError(`bad ${name} cannot be tested: it ${describeOutcome(probe.outcome)}`, `pick another --bad; ${log}`);
}

/**
 * The endpoint checks of one hunt, fed probe by probe in any order (parallel hunts probe the endpoints alongside
 * the first cuts): a wrong good or bad stops the hunt as soon as its probe says so; `finish` judges build failures,
 * which only mean something once every endpoint is known.
 */
export class EndpointVerification {
  private readonly buildFailures = new Set<string>();
  private badRecord: ProbeRecord | undefined;
  private readonly pending: Set<string>;

  constructor(
    private readonly goods: readonly string[],
    private readonly bad: string,
    private readonly shortName: (commit: string) => string,
    private readonly timeoutSeconds: () => number,
    /** What a probe's build step is called: a released version's is its install. */
    private readonly step: 'build' | 'install' = 'build',
  ) {
    this.pending = new Set([...goods, bad]);
  }

  get complete(): boolean {
    return this.pending.size === 0;
  }

  good(commit: string, record: ProbeRecord): void {
    this.pending.delete(commit);
    checkGood(record, this.shortName(commit), this.timeoutSeconds());
    if (record.outcome.kind === 'build-failed') this.buildFailures.add(commit);
  }

  badProbe(record: ProbeRecord): void {
    this.pending.delete(this.bad);
    this.badRecord = record;
    if (record.outcome.kind === 'build-failed') this.buildFailures.add(this.bad);
    // A good whose build failed is reported first, as it always was: `finish` judges the bad after it.
    else if (this.buildFailures.size === 0) checkBad(record, this.shortName(this.bad));
  }

  /** Called once every endpoint has its probe. */
  finish(): void {
    const record = this.badRecord;
    if (!record) throw new Error('internal: endpoint checks finished before the bad endpoint was probed');
    const fix = this.step === 'install' ? 'check --install (and --build)' : 'check --build';
    if (this.buildFailures.size === this.goods.length + 1) {
      throw new UsageError(`the ${this.step === 'build' ? 'build command' : 'install'} fails on every endpoint (all goods and the bad)`, `${fix}; log: ${record.logPath}`);
    }
    const brokenGood = this.goods.find((good) => this.buildFailures.has(good));
    if (brokenGood) {
      throw new UsageError(`the ${this.step} fails at good ${this.shortName(brokenGood)}, so it cannot be verified`, `${fix}, or pick another --good`);
    }
    checkBad(record, this.shortName(this.bad));
    if (record.outcome.kind === 'build-failed' && record.searchVerdict !== 'bad') {
      throw new UsageError(
        `the ${this.step} fails at bad ${this.shortName(this.bad)}, so it cannot be verified`,
        this.step === 'install' ? `${fix}, or pick another --bad` : 'fix --build, pick another --bad, or pass --on-build-failure bad if the breakage is a build failure',
      );
    }
  }
}
