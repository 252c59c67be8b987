// The library entry point: run a hunt from code, with your own observer, and read its typed result.
export { runHunt } from './hunt/hunt.js';
export { resumeHunt } from './hunt/resume.js';
export type { ResumeOptions, ResumeOutcome } from './hunt/resume.js';
export type { HuntOptions, HuntResult, HuntProbe, HuntObserver, FirstBad, Phase, ProbeSource, SearchProgress } from './hunt/hunt-types.js';
export { Store } from './store/store.js';
export type { HuntRow, ProbeRow, HuntStatus, HuntArguments, StoredResult } from './store/store-types.js';
export type { StageResult, StageName, HuntOutcome, BisectionResult, EndpointsResult, MergeBasesResult, MergeDescentResult, NarrowingResult, Narrowing, MergeDescent } from './model/stage-results.js';
export { huntDocument } from './report/hunt-document.js';
export type { Executor, ProbeJob } from './executors/executor.js';
export type { Strategy, Plan, InFlightProbe } from './search/strategy.js';
export type { Recipe, HangMeaning, BuildFailureMeaning } from './probe/recipe.js';
export type { CommandSpec } from './probe/process-runner.js';
export type { Outcome, ReportedVerdict, SearchVerdict } from './probe/outcome.js';
export { CulpritError, UsageError, TestAbortedError, PolicyAbortError, EnvironmentError, InterruptedError, EXIT } from './errors.js';
export { CommitGraph } from './search/commit-graph.js';
export { DagBisection } from './search/dag-bisection.js';
export type { BisectionStep, BisectVerdict } from './search/dag-bisection.js';
