// A performance probe: a commit run again and again, each run stored as its own sample, until its metric looks like
// the good endpoint's or the bad one's (or the sample cap says it cannot tell); the endpoints sampled to learn both.
import { UsageError } from '../errors.js';
import type { MetricSpec } from '../model/metric-spec.js';
import { DEFAULT_MAX_SAMPLES } from '../model/metric-spec.js';
import { classifySamples, regressionBetween, type Regression } from '../search/metric-verdict.js';
import { summarize } from '../search/sample-statistics.js';
import type { HuntContext } from './hunt-context.js';
import type { HuntProbe, Phase } from './hunt-types.js';

/** What the endpoints showed: both samples, and whether (and how much) bad is worse. */
export interface MetricModel {
  good: number[];
  bad: number[];
  regression: Regression;
}

/** The number a run printed: the first group of the pattern's last match in its output; undefined when none. */
export function metricOf(record: HuntProbe, pattern: RegExp): number | undefined {
  let value: number | undefined;
  for (const match of record.outputTail.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))) {
    const parsed = Number(match[1]);
    if (match[1] !== undefined && Number.isFinite(parsed)) value = parsed;
  }
  return value;
}

export function compileMetric(pattern: string): RegExp {
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, 'm');
  } catch (error) {
    throw new UsageError(`--metric ${pattern} is not a regular expression: ${error instanceof Error ? error.message : String(error)}`, "e.g. --metric 'time: ([0-9.]+) ms'");
  }
  if (new RegExp(`${compiled.source}|`).exec('')?.length === 1) throw new UsageError(`--metric ${pattern} has no capture group for the number`, "put the number in parentheses, e.g. --metric 'time: ([0-9.]+) ms'");
  return compiled;
}

export class MetricSampler {
  private readonly pattern: RegExp;
  private readonly cap: number;

  constructor(private readonly context: HuntContext, private readonly spec: MetricSpec) {
    this.pattern = compileMetric(spec.pattern);
    this.cap = spec.maxSamples ?? DEFAULT_MAX_SAMPLES;
  }

  /** One more run of `commit`, a fresh sample: its metric, or why it has none. */
  private async run(commit: string, phase: Phase, slot: number, signal: AbortSignal | undefined): Promise<{ record: HuntProbe; value?: number; problem?: string }> {
    const record = await this.context.probe({ commit, phase, freshness: 'sample', slot, ...(signal ? { signal } : {}) });
    const verdict = this.context.verdictOf(record);
    if (verdict === 'skip') return { record, problem: `it could not be tested (${record.outcome.kind})` };
    const value = metricOf(record, this.pattern);
    if (value === undefined) return { record, problem: `its run printed nothing matching --metric ${this.spec.pattern} (exit ${record.exitCode ?? 'none'})` };
    return { record, value };
  }

  /** Both endpoints, 10 runs at a time up to the cap, until bad is shown worse: else there is no regression to hunt. */
  async learnEndpoints(good: string, bad: string): Promise<MetricModel> {
    const samples: Record<'good' | 'bad', number[]> = { good: [], bad: [] };
    const looks = Math.ceil(this.cap / 10);
    for (let look = 1; ; look++) {
      for (const [side, commit] of [['good', good], ['bad', bad]] as const) {
        while (samples[side].length < Math.min(look * 10, this.cap)) {
          const { record, value, problem } = await this.run(commit, 'verify', 0, this.context.signal);
          // The run's verdict is its exit code's; what counts here is the number it printed.
          this.context.observer.probeFinished?.({ ...record, subject: `${record.subject} (${side}: ${value ?? 'no metric'})` }, undefined);
          if (problem) throw this.context.reject(new UsageError(`${side} ${this.context.name(commit)} gives no metric: ${problem}`, `check --metric and the test; log: ${record.logPath}`));
          samples[side].push(value ?? 0);
        }
      }
      const regression = regressionBetween(samples.good, samples.bad, this.spec.worse, looks);
      if (regression.regressed) return { good: samples.good, bad: samples.bad, regression };
      if (samples.good.length >= this.cap) {
        const [g, b] = [summarize(samples.good), summarize(samples.bad)];
        throw this.context.reject(
          new UsageError(
            `no regression found: the metric at bad ${this.context.name(bad)} (median ${b.median}, n ${b.n}) is not ${this.spec.worse} than at good ${this.context.name(good)} (median ${g.median}, n ${g.n}); p = ${regression.pValue.toPrecision(2)}`,
            'nothing to bisect: pick revisions where the metric differs, or check --worse',
          ),
        );
      }
    }
  }

  /**
   * Runs `commit` 5 at a time until its samples look like good's or bad's; at the cap, undecided: a probe whose
   * verdict is `skip`, with the reason in its output. Returns the last run's record with the decided verdict.
   */
  async decide(commit: string, model: MetricModel, slot: number, signal: AbortSignal): Promise<HuntProbe> {
    const values: number[] = [];
    let last: HuntProbe | undefined;
    for (;;) {
      const { record, value, problem } = await this.run(commit, 'bisect', slot, signal);
      last = record;
      if (problem) return { ...record, verdict: 'skip', searchVerdict: 'skip', outputTail: `culprit: no verdict: ${problem}\n${record.outputTail}` };
      values.push(value ?? 0);
      if (values.length % 5 !== 0 && values.length < this.cap) continue;
      const verdict = classifySamples(values, model.good, model.bad);
      const summary = summarize(values);
      const said = `median ${summary.median} over ${summary.n} runs`;
      if (verdict !== 'undecided') return { ...record, verdict, searchVerdict: verdict, subject: `${record.subject} (${said})` };
      if (values.length >= this.cap) return { ...last, verdict: 'skip', searchVerdict: 'skip', subject: `${record.subject} (${said}: like neither endpoint)` };
    }
  }
}
