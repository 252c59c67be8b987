// Which of the differences between the good and the bad environment the failure needs: the good setup checked,
// then the minimal failing subset of factors searched, each configuration installed and tested in a scratch copy.
import { UsageError } from '../../errors.js';
import type { ConfigurationOutcome } from '../../search/delta-debugging.js';
import { MinimalSubsetSearch } from '../../search/minimal-subset.js';
import { ProbeList } from '../../search/probe-list.js';
import { SubsetStrategy, type SubsetDone } from '../../search/subset-strategy.js';
import { describeOutcome } from '../../probe/outcome.js';
import { GOOD_SETUP } from '../../model/factors-spec.js';
import type { FactorAnswer, FactorsResult } from '../../model/stage-results.js';
import { lastOutputLine } from '../endpoint-checks.js';
import type { FactorSpace } from '../factor-space.js';
import { releasesBetween, singleUpgrade } from '../package-releases.js';
import type { HuntContext } from '../hunt-context.js';
import type { HuntProbe, Phase } from '../hunt-types.js';
import type { EnvironmentHandoff, Stage, StageOutput } from '../stage.js';
import { abortIfCrashed } from '../verdict-rule.js';

/** The line of an install's output that says what went wrong (npm ends with a pointer to its own log, not the error). */
function installError(probe: HuntProbe): string {
  const lines = probe.outputTail.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/A complete log of this run|^npm (error|ERR!)\s*$/.test(line));
  const said = lines.find((line) => /npm (error|ERR!) (Invalid|Missing|code|notarget|404)/.test(line)) ?? lines.at(-1);
  return said ? ` ("${said.slice(0, 200)}")` : '';
}

function outcomeOf(context: HuntContext, probe: HuntProbe): ConfigurationOutcome {
  const verdict = context.verdictOf(probe);
  return verdict === 'bad' ? 'fail' : verdict === 'good' ? 'pass' : 'unresolved';
}

function answerOf(space: FactorSpace, index: number): FactorAnswer {
  const change = space.changes?.[index];
  const name = change?.name ?? space.names[index] ?? String(index);
  return change ? { name, change: { kind: change.kind, from: change.from, to: change.to, under: change.under, ...(change.alias ? { alias: change.alias } : {}) } } : { name };
}

/** What the setups are called in messages: the lockfiles for `culprit deps`, the factors' sides otherwise. */
function setupName(space: FactorSpace, side: 'good' | 'bad'): string {
  return space.kind === 'deps' ? `the ${side} lockfile` : `every factor at its ${side} side`;
}

class FactorsSearch {
  /** Probes of this stage, for its counts. */
  readonly probes: HuntProbe[] = [];
  /** What each configuration (by its factors at the bad side) did, so none is asked twice. */
  private readonly outcomes = new Map<string, { probe: HuntProbe; outcome: ConfigurationOutcome }>();

  constructor(
    private readonly context: HuntContext,
    private readonly space: FactorSpace,
  ) {}

  /** One configuration, probed (or answered by the journal). */
  run(subset: readonly number[], phase: Phase, slot: number, signal: AbortSignal): Promise<HuntProbe> {
    const configuration = this.space.configurationOf(subset);
    return this.context.probe({ commit: GOOD_SETUP, phase, configuration, subject: this.describe(configuration.subset), slot, signal });
  }

  /** What a configuration's probe says about the failure, reported as a progress line. */
  judge(subset: readonly number[], probe: HuntProbe): ConfigurationOutcome {
    abortIfCrashed(probe, `the configuration ${this.describe(subset)}`);
    this.probes.push(probe);
    const outcome = outcomeOf(this.context, probe);
    this.outcomes.set(subset.join(','), { probe, outcome });
    this.context.observer.factorProbe?.(probe, outcome, this.describe(this.space.configurationOf(subset).subset));
    return outcome;
  }

  /** One configuration on its own, through the driver (the endpoint checks, an answer's alternatives). */
  async probe(subset: readonly number[], phase: Phase = 'verify'): Promise<{ probe: HuntProbe; outcome: ConfigurationOutcome }> {
    const known = this.outcomes.get(subset.join(','));
    if (known) return known;
    let outcome: ConfigurationOutcome = 'unresolved';
    let record: HuntProbe | undefined;
    await this.context.drive<readonly number[], HuntProbe, unknown>({
      strategy: new ProbeList<readonly number[], HuntProbe>([subset], (candidate) => candidate.join(',')),
      probe: (candidate, slot, signal) => this.run(candidate, phase, slot, signal),
      judge: (candidate, probe) => {
        outcome = this.judge(candidate, probe);
        record = probe;
        return probe;
      },
    }, { slots: 1 });
    if (!record) throw new Error('internal: no answer for an endpoint of the factors');
    return { probe: record, outcome };
  }

  describe(subset: readonly number[]): string {
    if (subset.length === 0) return `${setupName(this.space, 'good')} (no factor at its bad side)`;
    if (subset.length === this.space.names.length) return `${setupName(this.space, 'bad')}`;
    return subset.map((index) => this.space.names[index] ?? String(index)).join(', ');
  }

  /** The good setup must pass, or nothing about the factors can be learnt. */
  async checkGood(): Promise<void> {
    const { probe, outcome } = await this.probe([]);
    if (outcome === 'pass') return;
    const good = setupName(this.space, 'good');
    const log = `log: ${probe.logPath}`;
    if (probe.outcome.kind === 'build-failed') {
      const what = this.space.kind === 'deps' ? 'npm ci' : 'a setup';
      throw this.context.reject(new UsageError(`${what} fails with ${good}${installError(probe)}`, `fix it so that the good setup installs, then run again; ${log}`));
    }
    throw this.context.reject(new UsageError(`the test does not pass with ${good}: it ${describeOutcome(probe.outcome)}${lastOutputLine(probe)}`, `the good side must be a setup where the test passes; ${log}`));
  }

  /** Nothing smaller failed: the bad setup itself says whether the premise holds. */
  async checkBad(): Promise<boolean> {
    const all = this.space.names.map((_, index) => index);
    const { probe, outcome } = await this.probe(all);
    if (outcome === 'fail') return true;
    const bad = setupName(this.space, 'bad');
    const log = `log: ${probe.logPath}`;
    if (outcome === 'pass') throw this.context.reject(new UsageError(`the test passes with ${bad} too`, `the bad side must be a setup where the test fails; ${log}`));
    throw this.context.reject(new UsageError(`${bad} cannot be tested: it ${describeOutcome(probe.outcome)}${lastOutputLine(probe)}`, `fix the bad side so that it installs; ${log}`));
  }

  /**
   * An answer installed with other changes it needs may be explained by one of those alone (an upgrade that pulls a
   * new major of a shared package, which breaks the test by itself): the smallest configuration that fails wins.
   */
  async smallerAlongside(answer: readonly number[]): Promise<readonly number[]> {
    let best = answer;
    for (let tried = new Set<number>(); ; ) {
      const closed = this.space.configurationOf(best).subset;
      const needed = new Set(best);
      const smaller = closed.filter((index) => !needed.has(index) && !tried.has(index)).find((index) => this.space.configurationOf([index]).subset.length < closed.length);
      if (smaller === undefined) return best;
      tried.add(smaller);
      if ((await this.probe([smaller], 'factor')).outcome === 'fail') best = [smaller];
    }
  }

  async search(): Promise<SubsetDone> {
    const search = new MinimalSubsetSearch(this.space.names.length);
    const outcome = await this.context.drive<readonly number[], ConfigurationOutcome, SubsetDone>({
      strategy: new SubsetStrategy(search),
      probe: (subset, slot, signal) => this.run(subset, 'factor', slot, signal),
      judge: (subset, probe) => this.judge(subset, probe),
    });
    return outcome.result;
  }
}

export const factorsStage: Stage<'environment'> = {
  name: 'factors',
  accepts: 'environment',
  async run(context: HuntContext, input: EnvironmentHandoff): Promise<StageOutput> {
    const { space } = input;
    const search = new FactorsSearch(context, space);
    if (context.args.verify) await search.checkGood();
    context.observer.searching?.();
    let done = await search.search();
    let note: string | undefined;
    if (done.minimal.length === 0) {
      // Nothing the search asked failed: the bad setup either passes too (wrong input) or fails only as a whole.
      await search.checkBad();
      done = { kind: 'done', minimal: space.names.map((_, index) => index), verified: true };
      if (space.names.length > 1) note = 'no smaller set of factors fails on its own: the failure needs them all, or they fail only in combinations the search could not install';
    } else if (!done.verified) {
      note = 'the failure does not grow with the factors (a set failed whose part did not): this is the smallest set seen failing, not proven minimal';
    }
    if (done.verified) done = { ...done, minimal: await search.smallerAlongside(done.minimal) };
    const closed = space.configurationOf(done.minimal).subset;
    const needed = new Set(done.minimal);
    const run = search.probes.filter((probe) => probe.source === 'run');
    const unresolved = search.probes.filter((probe) => probe.searchVerdict === 'skip').length;
    if (unresolved > 0 && done.minimal.length > 1 && !note) {
      note = `${unresolved} configuration${unresolved === 1 ? '' : 's'} could not be ${space.kind === 'deps' ? 'installed' : 'set up'} or tested and counted as passing, so the answer may hold a ${space.kind === 'deps' ? 'change' : 'factor'} it does not need`;
    }
    const result: FactorsResult = {
      stage: 'factors',
      space: space.kind,
      total: space.names.length,
      needed: done.minimal.map((index) => answerOf(space, index)),
      alongside: closed.filter((index) => !needed.has(index)).map((index) => answerOf(space, index)),
      verified: done.verified,
      tests: search.probes.length,
      installs: run.filter((probe) => probe.build === 'ran').length,
      unresolved,
      ...(note ? { note } : {}),
    };
    const upgrade = space.kind === 'deps' ? singleUpgrade(result.needed) : undefined;
    const project = context.args.factors?.project;
    if (upgrade && project) {
      try {
        result.between = await releasesBetween(upgrade.name, upgrade.from, upgrade.to, project);
        if (context.args.factors?.deps?.bisectVersions && result.between.length > 0 && done.verified) result.bisectVersions = true;
      } catch (error) {
        context.note(`could not list the releases of ${upgrade.name} between ${upgrade.from} and ${upgrade.to}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { result, next: { kind: 'factors', status: done.verified ? 'found' : 'ambiguous', result } };
  },
};
