// One probe: put the workspace at a candidate, build it, run the test once, and classify what happened.
// Every command runs through the process runner, so a hang or Ctrl-C never leaves a process behind.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InterruptedError } from '../errors.js';
import { cleanGitEnvironment } from '../history/git-command.js';
import { classifyBuild, classifyTest, reportedVerdict, searchVerdict, type Outcome, type ReportedVerdict, type SearchVerdict } from './outcome.js';
import { runCommand, type RunResult } from './process-runner.js';
import type { Recipe } from './recipe.js';
import type { Workspace } from './workspace.js';

export interface ProbeRecord {
  commit: string;
  outcome: Outcome;
  verdict: ReportedVerdict;
  searchVerdict: SearchVerdict | 'abort';
  exitCode: number | null;
  signal: string | null;
  /** Wall time of the whole probe: checkout, build and test. */
  seconds: number;
  /** Wall time of the test run alone (absent when the build failed). */
  testSeconds?: number;
  logPath: string;
  outputTail: string;
}

export interface ProbeRequest {
  commit: string;
  workspace: Workspace;
  recipe: Recipe;
  testTimeoutMs: number;
  /** Log files of this probe are named after it. */
  logStem: string;
  /**
   * Where the user started culprit, relative to the repository's top: commands run in that directory
   * of the workspace, as `git bisect run` runs them in the user's current directory.
   */
  subdirectory?: string;
  /** Runs after the checkout, before the build: narrowing writes a configuration of the change here. */
  prepare?: (directory: string) => Promise<void> | void;
  signal?: AbortSignal;
}

/** The workspace directory matching the user's subdirectory, or the top when the commit lacks it. */
function commandDirectory(workspace: Workspace, subdirectory: string | undefined): string {
  if (!subdirectory) return workspace.directory;
  const candidate = path.join(workspace.directory, subdirectory);
  return existsSync(candidate) ? candidate : workspace.directory;
}

export async function probe(request: ProbeRequest): Promise<ProbeRecord> {
  const { commit, workspace, recipe } = request;
  const started = performance.now();
  const interrupted = (): InterruptedError => new InterruptedError(String(request.signal?.reason ?? 'SIGINT'));
  if (request.signal?.aborted) throw interrupted();
  await workspace.checkout(commit);
  await request.prepare?.(workspace.directory);
  if (request.signal?.aborted) throw interrupted();
  const cwd = commandDirectory(workspace, request.subdirectory);
  const env: NodeJS.ProcessEnv = {
    ...cleanGitEnvironment(),
    CULPRIT_COMMIT: commit,
    CULPRIT_WORKSPACE: workspace.directory,
    ...workspace.environment(commit),
  };
  const graceMs = recipe.graceSeconds * 1000;
  const finish = (outcome: Outcome, run: RunResult, logPath: string, testSeconds?: number): ProbeRecord => {
    const verdict = searchVerdict(outcome, recipe);
    return {
      commit,
      outcome,
      verdict: reportedVerdict(outcome, verdict),
      searchVerdict: verdict,
      exitCode: run.exitCode,
      signal: run.killedByUs ? (run.timedOut ? 'SIGTERM' : null) : run.signal,
      seconds: (performance.now() - started) / 1000,
      ...(testSeconds === undefined ? {} : { testSeconds }),
      logPath,
      outputTail: run.outputTail,
    };
  };

  if (recipe.build) {
    const logPath = `${request.logStem}.build.log`;
    const build = await runCommand({
      command: recipe.build,
      cwd,
      env,
      timeoutMs: recipe.buildTimeoutSeconds * 1000,
      graceMs,
      logPath,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    if (build.interrupted) throw interrupted();
    const failure = classifyBuild(build);
    if (failure) return finish(failure, build, logPath);
  }

  const logPath = `${request.logStem}.test.log`;
  const run = await runCommand({
    command: recipe.test,
    cwd,
    env,
    timeoutMs: request.testTimeoutMs,
    graceMs,
    logPath: path.resolve(logPath),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  if (run.interrupted) throw interrupted();
  return finish(classifyTest(run), run, logPath, run.seconds);
}
