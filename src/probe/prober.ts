// One probe: put the workspace at a candidate, build it, run the test once, and classify what happened.
// Every command runs through the process runner, so a hang or Ctrl-C never leaves a process behind.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { interpreterProblem } from './interpreter-check.js';
import path from 'node:path';
import { EnvironmentError, InterruptedError } from '../errors.js';
import { cleanGitEnvironment } from '../history/git-command.js';
import { withoutSecrets } from './secret-variables.js';
import type { Outcome, ProbeRecord } from '../model/probe-record.js';
import { classifyBuild, classifyTest, reportedVerdict, searchVerdict } from './outcome.js';
import { runCommand, type RunResult } from './process-runner.js';
import type { CommandSpec } from '../model/recipe.js';
import type { Recipe } from './recipe.js';
import { materialize, type Materialization } from './materializer.js';
import type { Workspace } from './workspace.js';
import { recipeForVersion } from './version-placeholders.js';
import { short } from '../text/format.js';
import type { ArtifactCache } from './artifact-cache.js';
import { environmentFileOf, readEnvironmentFile, recipeWithSetups, resetEnvironmentFile } from './environment-setup.js';

/** Where a probe's build outputs are saved after a successful build, and restored from instead of building. */
export interface BuildReuse {
  cache: ArtifactCache;
  /** Repository, tree and build recipe: equal keys are the same build. */
  key: string;
  globs: readonly string[];
  repo: string;
  tree: string;
  /** The build succeeded but its outputs could not be kept (nothing matched, too big). */
  notSaved?(reason: string): void;
}

export type { ProbeRecord } from '../model/probe-record.js';

export interface ProbeRequest {
  candidate: Materialization;
  workspace: Workspace;
  recipe: Recipe;
  testTimeoutMs: number;
  /** Later changes of the test timeout, for a run already under way (see RunRequest.timeoutUpdates). */
  testTimeoutUpdates?: (listener: (timeoutMs: number) => void) => () => void;
  /** Log files of this probe are named after it. */
  logStem: string;
  /**
   * Where the user started culprit, relative to the repository's top: commands run in that directory
   * of the workspace, as `git bisect run` runs them in the user's current directory.
   */
  subdirectory?: string;
  signal?: AbortSignal;
  buildReuse?: BuildReuse;
  /** Remove ignored files (old build outputs) too before building: no incremental build. */
  cleanBuild?: boolean;
  /** A cheap check run before the build; its failure ends the probe as `check-failed`. */
  check?: CommandSpec;
  /** Whether the repository tracks the subdirectory: a candidate without it is skipped; else it is made. */
  subdirectoryTracked?: boolean;
  /** Variables set for the commands over this process's own (a queued probe's, from its coordinator). */
  variables?: Readonly<Record<string, string>>;
}

/** Submodule paths `.gitmodules` names whose directories are empty (or missing) in the workspace. */
function emptySubmodules(directory: string): string[] {
  let text: string;
  try {
    text = readFileSync(path.join(directory, '.gitmodules'), 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)]
    .map((match) => match[1] ?? '')
    .filter((sub) => {
      try {
        return readdirSync(path.join(directory, sub)).length === 0;
      } catch {
        return true;
      }
    });
}

function configurationText(digest: string, paths: readonly string[]): string {
  return `${digest.slice(0, 12)}: ${paths.slice(0, 10).join(' ')}${paths.length > 10 ? ` and ${paths.length - 10} more` : ''}`;
}

/** A line culprit adds to what a run said: at the end of its log and of its output's tail. */
function withNote(run: RunResult, logPath: string, line: string): RunResult {
  appendFileSync(logPath, line);
  return { ...run, outputTail: `${run.outputTail}${line}` };
}

/** A command "not found" whose script exists: the reason (its interpreter) goes to the log and the output's tail. */
function explained(run: RunResult, command: CommandSpec, cwd: string, logPath: string, env: NodeJS.ProcessEnv): RunResult {
  const problem = interpreterProblem(command, cwd, env);
  return problem ? withNote(run, logPath, `culprit: ${problem}\n`) : run;
}

/** A check is meant to be cheap: it gets the build's time limit at most, and no more than a few minutes. */
const CHECK_TIMEOUT_SECONDS = 300;

/** The workspace directory matching the user's subdirectory; undefined when the commit lacks it. */
function commandDirectory(workspace: Workspace, subdirectory: string | undefined): string | undefined {
  if (!subdirectory) return workspace.directory;
  const candidate = path.join(workspace.directory, subdirectory);
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * Probes the candidate. A workspace lost under the probe (deleted, or left at another commit) makes what its commands
 * did no verdict on the candidate: probed again in a fresh workspace, and a second loss stops the hunt.
 */
export async function probe(request: ProbeRequest): Promise<ProbeRecord> {
  const record = (await attempt(request, false)) ?? (await attempt(request, true));
  if (record) return record;
  throw new EnvironmentError(
    `the workspace ${request.workspace.directory} vanished or changed under the probe of ${short(request.candidate.commit)}, twice`,
    'something outside culprit deletes or checks out its workspaces (the test itself, a cleaner of temporary files): stop that',
  );
}

/** One try of a probe; undefined when its workspace was lost under it. */
async function attempt(request: ProbeRequest, last: boolean): Promise<ProbeRecord | undefined> {
  const { workspace } = request;
  let record: ProbeRecord;
  try {
    record = await probeOnce(request);
  } catch (error) {
    // A command that could not start in a directory deleted meanwhile; in a workspace still there, the failure stands.
    if (request.signal?.aborted || existsSync(workspace.directory)) throw error;
    return undefined;
  }
  if (await workspace.holds(request.candidate.commit)) return record;
  try {
    appendFileSync(record.logPath, `culprit: the workspace ${workspace.directory} vanished or changed while this ran: ${last ? 'the hunt stops' : `probing ${short(request.candidate.commit)} again in a fresh one`}\n`);
  } catch {
    // The note is a courtesy; the retry is what matters.
  }
  return undefined;
}

async function probeOnce(request: ProbeRequest): Promise<ProbeRecord> {
  const { candidate, workspace } = request;
  const recipe = candidate.kind === 'version' ? recipeForVersion(request.recipe, candidate.commit, workspace.directory) : candidate.kind === 'environment' ? recipeWithSetups(request.recipe, candidate.setups) : request.recipe;
  const environmentFile = candidate.kind === 'environment' ? environmentFileOf(workspace.directory) : undefined;
  if (environmentFile) resetEnvironmentFile(environmentFile);
  const { commit } = candidate;
  const started = performance.now();
  const interrupted = (): InterruptedError => new InterruptedError(String(request.signal?.reason ?? 'SIGINT'));
  if (request.signal?.aborted) throw interrupted();
  await materialize(workspace, candidate, { clean: request.cleanBuild ?? false });
  if (request.signal?.aborted) throw interrupted();
  let cwd = commandDirectory(workspace, request.subdirectory);
  if (cwd === undefined && request.subdirectory && request.subdirectoryTracked === false) {
    // Not the repository's (a build's output directory, say): made where a build would make it.
    cwd = path.join(workspace.directory, request.subdirectory);
    mkdirSync(cwd, { recursive: true });
  }
  if (cwd === undefined) {
    // Started in a directory this commit does not have: `git bisect run` could not run the test there either. Not
    // the test's verdict, and not to be run somewhere else instead: untestable, with the reason in its log.
    const logPath = `${request.logStem}.test.log`;
    const reason = `culprit: ${request.subdirectory ?? ''}/ does not exist at ${commit.slice(0, 12)}: the test cannot run where you started it (skipped)\n`;
    writeFileSync(logPath, reason);
    return {
      commit,
      outcome: { kind: 'untestable' },
      verdict: 'skip',
      searchVerdict: 'skip',
      exitCode: null,
      signal: null,
      seconds: (performance.now() - started) / 1000,
      logPath,
      outputTail: reason,
    };
  }
  const env: NodeJS.ProcessEnv = {
    ...withoutSecrets(cleanGitEnvironment()),
    ...request.variables,
    CULPRIT_COMMIT: commit,
    // Narrowing writes part of a change over the parent: the test can tell which part from here.
    ...(candidate.kind === 'configuration' ? { CULPRIT_CONFIGURATION: configurationText(candidate.digest, candidate.states.map((state) => state.path)) } : {}),
    CULPRIT_WORKSPACE: workspace.directory,
    ...workspace.environment(commit),
    ...(candidate.kind === 'environment' ? { ...candidate.env, CULPRIT_ENV: environmentFile ?? '' } : {}),
  };
  const graceMs = recipe.graceSeconds * 1000;
  let build: ProbeRecord['build'];
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
      ...(build === undefined ? {} : { build }),
      logPath,
      outputTail: run.outputTail,
    };
  };

  if (request.check) {
    const logPath = `${request.logStem}.check.log`;
    const checkRun = await runCommand({
      command: request.check,
      cwd,
      env,
      timeoutMs: Math.min(recipe.buildTimeoutSeconds, CHECK_TIMEOUT_SECONDS) * 1000,
      graceMs,
      logPath,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    if (checkRun.interrupted) throw interrupted();
    if (checkRun.exitCode !== 0 || checkRun.timedOut) return finish({ kind: 'check-failed', exitCode: checkRun.exitCode, timedOut: checkRun.timedOut }, checkRun, logPath);
  }

  const reuse = request.buildReuse;
  if (recipe.build && reuse && (await reuse.cache.restore(reuse.key, workspace.directory))) build = 'restored';
  else if (recipe.build) {
    build = 'ran';
    const logPath = `${request.logStem}.build.log`;
    const buildRun = await runCommand({
      command: recipe.build,
      cwd,
      env,
      timeoutMs: recipe.buildTimeoutSeconds * 1000,
      graceMs,
      logPath,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    if (buildRun.interrupted) throw interrupted();
    const failure = classifyBuild(buildRun);
    if (failure) return finish(failure, buildRun, logPath);
    if (reuse) {
      const saved = await reuse.cache.save({ key: reuse.key, directory: workspace.directory, globs: reuse.globs, repo: reuse.repo, commit, tree: reuse.tree });
      if (!saved.saved) reuse.notSaved?.(saved.reason);
    }
  }

  const logPath = `${request.logStem}.test.log`;
  const run = await runCommand({
    command: recipe.test,
    cwd,
    // Variables the setups left for the test, over the factors' own.
    env: environmentFile ? { ...env, ...readEnvironmentFile(environmentFile) } : env,
    timeoutMs: request.testTimeoutMs,
    ...(request.testTimeoutUpdates ? { timeoutUpdates: request.testTimeoutUpdates } : {}),
    graceMs,
    logPath: path.resolve(logPath),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  if (run.interrupted) throw interrupted();
  const outcome = classifyTest(run);
  // A failure in a commit with submodules: they are empty in culprit's workspaces, which may be the whole reason.
  const empty = outcome.kind === 'passed' ? [] : emptySubmodules(workspace.directory);
  const noted = empty.length === 0 ? run : withNote(run, logPath, `[culprit] note: submodules not initialised in your repository stay empty in culprit's workspaces too (${empty.slice(0, 5).join(', ')})\n`);
  // 127 only: a script that is not executable (126) has that for its reason, whatever its #! line says.
  return finish(outcome, outcome.kind === 'not-found' && outcome.exitCode === 127 ? explained(noted, recipe.test, cwd, logPath, env) : noted, logPath, run.seconds);
}
