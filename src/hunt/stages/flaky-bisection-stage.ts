// The search proper when the test is flaky (`--flaky`): the goods checked once (a good commit never fails), the bad
// run several times to learn how often a bad commit passes, then the Bayesian search until the answer is sure enough.
import { UsageError } from '../../errors.js';
import { DEFAULT_BAD_RUNS, estimateFlakeRate, type FlakySpec } from '../../model/flaky-spec.js';
import type { FlakyBisectionResult, FlakyFacts } from '../../model/stage-results.js';
import { FlakyBisection } from '../../search/flaky-bisection.js';
import { FlakyStrategy, type FlakyDone, type FlakySample } from '../../search/flaky-strategy.js';
import type { FlakyVerdict } from '../../search/flaky-bisection.js';
import { ProbeList } from '../../search/probe-list.js';
import { describeOutcome } from '../../probe/outcome.js';
import { lastOutputLine } from '../endpoint-checks.js';
import { describeFirstBad } from '../first-bad.js';
import type { HuntContext } from '../hunt-context.js';
import type { HuntProbe } from '../hunt-types.js';
import type { RangeHandoff, Stage, StageOutput, SuspectHandoff } from '../stage.js';

/** Runs `commit` `times` times, each run a fresh sample (never the verdict cache), one after another. */
async function sample(context: HuntContext, commit: string, times: number, until?: (record: HuntProbe) => boolean): Promise<HuntProbe[]> {
  const records: HuntProbe[] = [];
  for (let run = 0; run < times; run++) {
    let record: HuntProbe | undefined;
    await context.drive<number, HuntProbe, unknown>({
      strategy: new ProbeList<number, HuntProbe>([run]),
      probe: (_run, slot, signal) => context.probe({ commit, phase: 'verify', freshness: 'sample', slot, signal }),
      judge: (_run, probe) => (record = probe),
      finished: (_slot, probe) => context.observer.probeFinished?.(probe, undefined),
    }, { slots: 1 });
    if (!record) throw new Error(`internal: no run of ${commit}`);
    records.push(record);
    if (until?.(record)) break;
  }
  return records;
}

/** The goods must pass: under the model a good commit never fails, so one run that fails is wrong input. */
async function checkGoods(context: HuntContext, goods: readonly string[]): Promise<void> {
  for (const good of goods) {
    const [record] = await sample(context, good, 1);
    if (!record || context.verdictOf(record) === 'good') continue;
    throw context.reject(new UsageError(`good ${context.name(good)} does not pass the test: it ${describeOutcome(record.outcome)}${lastOutputLine(record)}`, `with --flaky a good revision must never fail; pick another --good; log: ${record.logPath}`));
  }
}

/** How often a bad commit passes: given, or estimated from runs of the bad revision (which must fail at least once). */
async function flakeRateOf(context: HuntContext, bad: string, spec: FlakySpec): Promise<FlakyFacts['estimate']> {
  const given = spec.flakeRate;
  const runs = given === undefined ? (spec.badRuns ?? DEFAULT_BAD_RUNS) : context.args.verify ? Math.max(DEFAULT_BAD_RUNS, Math.ceil(Math.log(0.001) / Math.log(Math.max(given, 0.01)))) : 0;
  if (runs === 0) return undefined;
  // With the rate given, runs only confirm that bad fails at all: the first failure is enough.
  const records = await sample(context, bad, runs, given === undefined ? undefined : (record) => record.searchVerdict === 'bad');
  const verdicts = records.map((record) => context.verdictOf(record));
  const failures = verdicts.filter((verdict) => verdict === 'bad').length;
  const passes = verdicts.filter((verdict) => verdict === 'good').length;
  if (failures === 0) {
    const last = records.at(-1);
    throw context.reject(new UsageError(`bad ${context.name(bad)} never failed in ${records.length} runs`, `pick a --bad where the test fails at least sometimes${last ? `; log: ${last.logPath}` : ''}`));
  }
  return given === undefined ? { runs: passes + failures, passes } : undefined;
}

export const flakyBisectionStage: Stage<'range'> = {
  name: 'bisection',
  accepts: 'range',
  async run(context: HuntContext, input: RangeHandoff): Promise<StageOutput> {
    const spec = context.args.flaky;
    if (!spec) throw new Error('internal: the flaky search without --flaky');
    if (input.endpointChecks) throw new Error('internal: endpoint checks handed to the flaky search');
    const { graph } = input;
    const badId = graph.idOf(input.bad);
    if (badId === undefined) throw new Error(`internal: bad ${input.bad} missing from its own history`);
    if (context.args.verify) await checkGoods(context, input.goods);
    const estimate = await flakeRateOf(context, input.bad, spec);
    // Known, or learnt: the bad's runs start a Beta posterior of it that every run of the search refines.
    const flakeRate = spec.flakeRate ?? { passes: estimate?.passes ?? 0, failures: (estimate?.runs ?? 0) - (estimate?.passes ?? 0) };
    context.observer.searching?.();
    if (estimate) context.note(`flake rate about ${estimateFlakeRate(estimate.passes, estimate.runs).toFixed(2)}: bad passed ${estimate.passes} of ${estimate.runs} runs (the search goes on learning it)`);
    let search: FlakyBisection;
    try {
      search = new FlakyBisection(graph, badId, { flakeRate, confidence: spec.confidence, maxRuns: Math.ceil(30 * Math.log2(graph.size + 1)) + 60 });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw context.reject(new UsageError(`cannot search these revisions with --flaky: ${error.message}`, 'pick a --good closer to --bad'));
    }
    const candidatesAtStart = search.candidateCount;
    const roundsBefore = context.rounds;
    const keyOf = (id: number): string => graph.keyOf(id);
    const { result: done } = await context.drive<FlakySample, FlakyVerdict, FlakyDone>({
      strategy: new FlakyStrategy(search),
      probe: (sampled, slot, signal) => context.probe({ commit: keyOf(sampled.commit), phase: 'bisect', freshness: 'sample', slot, signal }),
      judge: (_sampled, record) => context.verdictOf(record),
      finished: (slot, record) => {
        const best = search.leader();
        const leader = { commit: keyOf(best.commit), probability: best.probability };
        context.observer.probeFinished?.(record, { candidatesLeft: candidatesAtStart, search: 'bisection', stepsLeft: 0, ...(context.executor.slots > 1 ? { worker: slot + 1 } : {}), leader });
      },
    });
    if (done.contradiction) context.note(`the flaky search stopped: ${done.contradiction}`);
    // Narrowing after it repeats each configuration by what the search learnt.
    context.flakeRate = search.flakeRate();
    const candidates = done.found ? [keyOf(done.commit)] : done.candidates.map((candidate) => keyOf(candidate.commit));
    const firstBad = done.found ? await describeFirstBad(context, keyOf(done.commit)) : null;
    const status = done.found ? 'found' : 'ambiguous';
    const result: FlakyBisectionResult = {
      stage: 'bisection',
      strategy: 'flaky',
      workers: context.executor.slots,
      status,
      firstBad,
      candidates,
      candidatesAtStart,
      rounds: context.rounds - roundsBefore,
      flaky: {
        confidence: spec.confidence,
        probability: done.probability,
        flakeRate: search.flakeRate(),
        ...(estimate ? { estimate } : {}),
        runs: search.runs,
        likeliest: done.candidates.map((candidate) => ({ commit: keyOf(candidate.commit), probability: candidate.probability })),
        ...(done.contradiction ? { contradiction: done.contradiction } : {}),
      },
    };
    const next: SuspectHandoff = { kind: 'suspect', status, firstBad, candidates, target: firstBad?.commit ?? null, descended: false };
    return { result, next };
  },
};
