// A hunt is a list of stages. Each takes what the previous one handed over (a range of commits or versions to
// search, a suspect commit to examine, versions to hand to their source, factors to search or an answer among them
// to go on from), returns its typed result and the next input.
import type { CommitGraph } from '../search/commit-graph.js';
import type { FactorsResult, FirstBad, StageName, StageResult } from '../model/stage-results.js';
import type { FactorSpace } from './factor-space.js';
import type { MetricModel } from './metric-sampler.js';
import type { HuntContext } from './hunt-context.js';
import type { HuntProbe } from './hunt-types.js';
import type { ChosenBisection } from './strategy-choice.js';
import type { Track } from './strategy-driver.js';

/** Between the endpoint checks, the merge bases and the bisection: the region still to search. */
export interface RangeHandoff {
  kind: 'range';
  bad: string;
  goods: string[];
  /** The candidate region between them, loaded once and reloaded when the goods change. */
  graph: CommitGraph;
  /** A one-worker bisection already made for exactly this graph and these goods (the start line's), not yet asked. */
  bisection?: ChosenBisection;
  /** Endpoint checks left to run alongside the first cuts (several workers, every good on bad's line). */
  endpointChecks?: Track<string, HuntProbe, unknown>;
  /** With --metric: what the endpoints' samples showed, which every probe's samples are compared with. */
  metric?: MetricModel;
}

/** After the bisection: what it found, and the commit whose change is to be narrowed. */
export interface SuspectHandoff {
  kind: 'suspect';
  status: 'found' | 'ambiguous';
  firstBad: FirstBad | null;
  candidates: string[];
  /** The commit to narrow: the first bad one, or the one found inside the merge it names. */
  target: string | null;
  /** A merge found with --first-parent was already descended into (or found to be the cause itself). */
  descended: boolean;
}

/** After the released versions: the last good and the first bad version, for the hand-off to their source. */
export interface VersionsHandoff {
  kind: 'versions';
  status: 'found' | 'ambiguous';
  /** The newest version known good below the answer, and the oldest known bad one (the answer, when found). */
  lastGood: string | null;
  firstBad: string;
  candidates: string[];
}

/** The start of a hunt over factors: the space of configurations between the good and the bad environment. */
export interface EnvironmentHandoff {
  kind: 'environment';
  space: FactorSpace;
}

/** After the factors: the ones the failure needs, and for one upgraded package, the releases between its versions. */
export interface FactorsHandoff {
  kind: 'factors';
  status: 'found' | 'ambiguous';
  /** The answer as the result states it. */
  result: FactorsResult;
}

export type Handoff = RangeHandoff | SuspectHandoff | VersionsHandoff | EnvironmentHandoff | FactorsHandoff;

export interface StageOutput {
  /** What the stage found, when it did anything worth reporting. */
  result?: StageResult;
  /** Results of stages it ran in turn (the hand-off runs a commit hunt's stages), after its own. */
  inner?: StageResult[];
  next: Handoff;
}

export interface Stage<K extends Handoff['kind'] = Handoff['kind']> {
  readonly name: StageName;
  /** The kind of input it takes; the hunt checks the chain. */
  readonly accepts: K;
  run(context: HuntContext, input: Extract<Handoff, { kind: K }>): Promise<StageOutput>;
}

export type AnyStage = Stage<'range'> | Stage<'suspect'> | Stage<'versions'> | Stage<'environment'> | Stage<'factors'>;

/** Runs stages in order, each on the previous one's handoff; returns every result, in order, and the last handoff. */
export async function runStages(context: HuntContext, stages: readonly AnyStage[], start: Handoff): Promise<{ results: StageResult[]; last: Handoff }> {
  const results: StageResult[] = [];
  let handoff = start;
  for (const stage of stages) {
    let output: StageOutput;
    if (stage.accepts === 'range' && handoff.kind === 'range') output = await stage.run(context, handoff);
    else if (stage.accepts === 'suspect' && handoff.kind === 'suspect') output = await stage.run(context, handoff);
    else if (stage.accepts === 'versions' && handoff.kind === 'versions') output = await stage.run(context, handoff);
    else if (stage.accepts === 'environment' && handoff.kind === 'environment') output = await stage.run(context, handoff);
    else if (stage.accepts === 'factors' && handoff.kind === 'factors') output = await stage.run(context, handoff);
    else throw new Error(`internal: stage ${stage.name} takes a ${stage.accepts}, got a ${handoff.kind}`);
    if (output.result) results.push(output.result);
    results.push(...(output.inner ?? []));
    handoff = output.next;
  }
  return { results, last: handoff };
}
