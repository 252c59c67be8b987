// Parsers for option values: each rejects a bad value with one line naming the option and what it wants.
import { DEFAULT_QUEUE, queueAddress } from '../executors/queue-address.js';
import { loadQueueKey } from '../executors/queue-signing.js';
import { forgetSecrets } from '../probe/secret-variables.js';
import type { QueueSpec } from '../hunt/hunt-types.js';
import { DEFAULT_CONFIDENCE, type FlakySpec } from '../model/flaky-spec.js';
import type { MetricSpec } from '../model/metric-spec.js';
import type { RepeatPolicy } from '../search/repeat-policy.js';
import { compileMetric } from '../hunt/metric-sampler.js';
import { UsageError } from '../errors.js';
import { LEVELS, type ChangeLevel } from '../changes/change-level.js';
import { parseNarrowBudget, type NarrowBudget } from '../model/narrow-budget.js';
import { compileSignaturePattern } from '../probe/failure-signature.js';
import type { CommandSpec } from '../probe/process-runner.js';
import { parseSize } from '../probe/artifact-cache.js';

/**
 * Plain decimal seconds (`30`, `2.5`, `.5`, `30s`): `Number()` alone also takes `0x10`, `1e3`, `0b11` and blanks. Each
 * option has a ceiling, since a timer asked to wait longer than 2^31-1 ms fires at once (`--grace 1e12` was 1 ms).
 */
const DECIMAL_SECONDS = /^(\d+(\.\d+)?|\.\d+)s?$/;
/** The longest a test or a build may run: a week, well inside what a timer can wait (24.8 days). */
const MAX_RUN_SECONDS = 7 * 24 * 3600;
/** The longest SIGKILL may wait after SIGTERM: a clean shutdown that takes an hour is a hang of its own. */
const MAX_GRACE_SECONDS = 3600;

function decimalSeconds(value: string): number | undefined {
  const text = value.trim();
  return DECIMAL_SECONDS.test(text) ? Number(text.replace(/s$/, '')) : undefined;
}

export function positiveSeconds(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = decimalSeconds(value);
  if (seconds === undefined || !(seconds > 0) || seconds > MAX_RUN_SECONDS) {
    throw new UsageError(`${option} must be a positive number of seconds, at most ${MAX_RUN_SECONDS} (7 days), got '${value}'`, `e.g. ${option} 60`);
  }
  return seconds;
}

export function nonNegativeSeconds(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = decimalSeconds(value);
  if (seconds === undefined || seconds > MAX_GRACE_SECONDS) {
    throw new UsageError(`${option} must be a number of seconds from 0 to at most ${MAX_GRACE_SECONDS}, got '${value}'`, `e.g. ${option} 5`);
  }
  return seconds;
}

export function choice<T extends string>(option: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')}, got '${value}'`);
}

/** The test command: `--test CMD` (a shell line) or the words after `--` (an argv), exactly one of them. */
export function testCommand(shell: string | undefined, argv: readonly string[]): CommandSpec {
  if (shell !== undefined && argv.length > 0) {
    throw new UsageError('both --test and a command after -- were given', 'use one of them');
  }
  if (shell !== undefined) {
    if (shell.trim() === '') throw new UsageError('--test is empty', "give the command that tells good from bad, e.g. --test 'npm test'");
    return { shell };
  }
  if (argv.length === 0) {
    throw new UsageError('no test command', "give --test 'CMD' or put the command after --, as in: culprit run --good v1 --bad HEAD -- ./test.sh");
  }
  return { argv };
}

export function buildCommand(shell: string | undefined): CommandSpec | undefined {
  if (shell === undefined) return undefined;
  if (shell.trim() === '') throw new UsageError('--build is empty', "give the build command, e.g. --build 'make -j2', or leave --build out");
  return { shell };
}

/** --jobs N: how many workers probe at once; each has a workspace of its own. */
export function jobsOption(value: unknown): number {
  if (value === undefined) return 1;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 64) {
    throw new UsageError(`--jobs must be a whole number from 1 to 64, got '${String(value)}'`, 'e.g. --jobs 4 (one workspace and one probe per job)');
  }
  return Number(text);
}

/** --artifacts GLOB..., --cache-size SIZE and --clean-build; the hunt itself checks the globs (for library callers too). */
export function buildReuseOptions(options: Record<string, unknown>): { artifacts?: string[]; cacheSize?: number; cleanBuild?: boolean } {
  const artifacts = Array.isArray(options.artifacts) ? (options.artifacts as string[]) : undefined;
  // A malformed size is said as such first: that is the mistake to fix, whatever else is missing.
  const cacheSize = options.cacheSize === undefined ? undefined : parseSize(String(options.cacheSize));
  if (options.cacheSize !== undefined && !artifacts) throw new UsageError('--cache-size limits the build cache, which only --artifacts fills', "add --artifacts 'GLOB' naming the build outputs");
  return {
    ...(artifacts ? { artifacts } : {}),
    ...(cacheSize === undefined ? {} : { cacheSize }),
    ...(options.cleanBuild === true ? { cleanBuild: true } : {}),
  };
}

export function vcsOption(value: unknown): 'git' | 'hg' | undefined {
  if (value === undefined) return undefined;
  return choice('--vcs', String(value), ['git', 'hg'] as const, 'git');
}

/** --narrow-budget 200 | 15m | 200,1h | none. */
export function narrowBudgetOption(value: unknown): NarrowBudget | undefined {
  if (value === undefined) return undefined;
  const budget = parseNarrowBudget(String(value));
  if (!budget) throw new UsageError(`--narrow-budget takes a number of tests, a time or both, got '${String(value)}'`, "e.g. --narrow-budget 200, --narrow-budget 15m, --narrow-budget '200,1h' or --narrow-budget none");
  return budget;
}

/** --narrow LEVEL, --signature REGEX, --narrow-check CMD (or --no-narrow-check) and --narrow-budget, validated before anything runs. */
export function narrowingOptions(options: Record<string, unknown>): { narrow: 'none' | ChangeLevel; signature?: string; narrowCheck?: string | false; narrowBudget?: NarrowBudget } {
  const narrow = choice('--narrow', typeof options.narrow === 'string' ? options.narrow : undefined, ['none', ...LEVELS] as const, 'token');
  if (typeof options.signature === 'string') compileSignaturePattern(options.signature);
  if (typeof options.narrowCheck === 'string' && options.narrowCheck.trim() === '') throw new UsageError('--narrow-check needs a command', "e.g. --narrow-check 'tsc --noEmit', or --no-narrow-check for no check");
  const budget = narrowBudgetOption(options.narrowBudget);
  return {
    narrow,
    ...(typeof options.signature === 'string' ? { signature: options.signature } : {}),
    ...(typeof options.narrowCheck === 'string' || options.narrowCheck === false ? { narrowCheck: options.narrowCheck } : {}),
    ...(budget ? { narrowBudget: budget } : {}),
  };
}

/** `--flaky [--confidence P] [--flake-rate Q]`, checked: none of them without --flaky, nothing it cannot do yet. */
export function flakyOptions(options: Record<string, unknown>): { flaky?: FlakySpec } {
  const text = (name: string): string | undefined => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const [confidence, flakeRate] = [text('confidence'), text('flakeRate')];
  if (options.flaky !== true) {
    if (confidence !== undefined) throw new UsageError('--confidence is for flaky tests', 'add --flaky');
    if (flakeRate !== undefined) throw new UsageError('--flake-rate is for flaky tests', 'add --flaky');
    return {};
  }
  const number = (option: string, value: string, low: number, high: number, example: string): number => {
    const parsed = Number(value);
    if (!/^\d*\.?\d+$/.test(value.trim()) || !Number.isFinite(parsed) || parsed < low || parsed > high) throw new UsageError(`${option} must be a number from ${low} to ${high}, got '${value}'`, `e.g. ${option} ${example}`);
    return parsed;
  };
  if (options.firstParent === true) throw new UsageError('--first-parent with --flaky is not supported yet', 'drop --first-parent: the flaky search walks merges itself');
  return {
    flaky: {
      confidence: confidence === undefined ? DEFAULT_CONFIDENCE : number('--confidence', confidence, 0.5, 0.9999, '0.99'),
      ...(flakeRate === undefined ? {} : { flakeRate: number('--flake-rate', flakeRate, 0, 0.95, '0.3') }),
    },
  };
}

/** `--metric REGEX [--worse higher|lower]`, checked: a capture group, no --worse alone, nothing it cannot do yet. */
export function metricOptions(options: Record<string, unknown>): { metric?: MetricSpec } {
  const pattern = typeof options.metric === 'string' ? options.metric : undefined;
  const worse = typeof options.worse === 'string' ? options.worse : undefined;
  if (pattern === undefined) {
    if (worse !== undefined) throw new UsageError('--worse is for performance hunts', "add --metric, e.g. --metric 'time: ([0-9.]+) ms'");
    return {};
  }
  compileMetric(pattern);
  if (options.flaky === true) throw new UsageError('--metric and --flaky do not go together', 'a performance hunt samples every probe already: drop --flaky');
  if (typeof options.narrow === 'string' && options.narrow !== 'none') throw new UsageError('--narrow cannot narrow a performance regression yet', 'drop --narrow (with --metric the hunt ends at the first bad commit)');
  if (options.firstParent === true) throw new UsageError('--first-parent with --metric is not supported yet', 'drop --first-parent');
  const goods = (options.good as string[] | undefined) ?? [];
  if (goods.length > 1) throw new UsageError('--metric takes one --good', 'its samples are what every probe is compared with');
  return { metric: { pattern, worse: choice('--worse', worse, ['higher', 'lower'] as const, 'higher') } };
}

/** `--repeat N [--policy any-fail|majority]`: each probe runs the test up to N times. */
export function repeatOptions(options: Record<string, unknown>): { repeat?: { runs: number; policy: RepeatPolicy } } {
  const runs = typeof options.repeat === 'string' ? options.repeat : undefined;
  const policy = typeof options.policy === 'string' ? options.policy : undefined;
  if (runs === undefined) {
    if (policy !== undefined) throw new UsageError('--policy says how repeated runs decide, but there is no --repeat', 'add --repeat N');
    return {};
  }
  const count = Number(runs);
  if (!/^\d+$/.test(runs.trim()) || !Number.isInteger(count) || count < 1 || count > 100) throw new UsageError(`--repeat must be a whole number from 1 to 100, got '${runs}'`, 'e.g. --repeat 5');
  if (options.flaky === true) throw new UsageError('--repeat and --flaky do not go together', '--flaky decides how often to run each commit itself: drop --repeat');
  if (typeof options.metric === 'string') throw new UsageError('--repeat and --metric do not go together', '--metric samples each commit until it can tell: drop --repeat');
  return { repeat: { runs: count, policy: choice('--policy', policy, ['any-fail', 'majority'] as const, 'any-fail') } };
}

/** `--queue NAME`: which queue of the Redis the coordinator and its workers share (default `probes`). */
export function queueNameOption(value: unknown): string {
  if (value === undefined) return DEFAULT_QUEUE;
  const text = String(value);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(text)) throw new UsageError(`--queue must be 1 to 64 letters, digits, '.', '_' or '-', got '${text}'`, 'e.g. --queue firefox-probes');
  return text;
}

/** `--executor redis://… [--queue NAME] [--key-file F]`: probes on workers, each job signed with the queue key. */
export function queueOptions(options: Record<string, unknown>): { executor?: QueueSpec } {
  if (options.executor === undefined) {
    for (const flag of ['queue', 'keyFile'] as const) {
      if (options[flag] !== undefined) throw new UsageError(`--${flag === 'keyFile' ? 'key-file' : flag} goes with --executor`, 'add --executor redis://HOST:PORT/DB to run the probes on workers');
    }
    return {};
  }
  const address = queueAddress(options.executor);
  const key = loadQueueKey(typeof options.keyFile === 'string' ? options.keyFile : undefined);
  forgetSecrets();
  return { executor: { address, queue: queueNameOption(options.queue), key } };
}
