// `culprit probe`: one probe of one commit in a private workspace, the command a hunt prints to reproduce.
// Its exit code follows the test contract (0 good, 1 bad, 125 skip), so it can itself drive `git bisect run`.
import path from 'node:path';
import { CulpritError } from '../errors.js';
import { openHistory } from '../history/open-history.js';
import { abortIfCrashed } from '../hunt/verdict-rule.js';
import { TimeoutPolicy } from '../hunt/timeout-policy.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { createLogDirectory } from '../probe/log-directory.js';
import { subdirectoryOf } from '../probe/subdirectory.js';
import { acquireWorkspace } from '../probe/acquire-workspace.js';
import { describeOutcome } from '../probe/outcome.js';
import { probe } from '../probe/prober.js';
import { sweepOrphans } from '../probe/process-sweep.js';
import { catchInterrupts } from './interrupts.js';
import { vcsOption } from './option-parsers.js';
import { recipeFromOptions } from './recipe-options.js';

export async function probeCommand(argv: readonly string[], options: Record<string, unknown>): Promise<number> {
  const interrupts = catchInterrupts();
  try {
    const recipe = recipeFromOptions(argv, options);
    const history = await openHistory(String(options.repo ?? '.'), vcsOption(options.vcs));
    const commit = await history.resolve(String(options.commit), '--commit');
    sweepOrphans();
    const cacheRoot = cacheDirectory(typeof options.workdir === 'string' ? options.workdir : undefined);
    const workspace = await acquireWorkspace(cacheRoot, history);
    try {
      const logDirectory = createLogDirectory(cacheRoot, 'probe-');
      const record = await probe({
        commit,
        workspace,
        recipe,
        testTimeoutMs: new TimeoutPolicy(recipe.timeoutSeconds).seconds * 1000,
        logStem: path.join(logDirectory, commit.slice(0, 12)),
        subdirectory: subdirectoryOf(history.root, String(options.repo ?? '.')),
        signal: interrupts.signal,
      });
      abortIfCrashed(record, history.shortName(commit));
      process.stdout.write(`${commit}: ${record.verdict} (${describeOutcome(record.outcome)}, ${record.seconds.toFixed(2)} s)\nlog: ${record.logPath}\n`);
      process.stdout.write(record.outputTail.split('\n').slice(-20).join('\n'));
      if (!record.outputTail.endsWith('\n') && record.outputTail) process.stdout.write('\n');
      return record.searchVerdict === 'good' ? 0 : record.searchVerdict === 'skip' ? 125 : 1;
    } finally {
      workspace.release();
    }
  } catch (error) {
    if (error instanceof CulpritError) {
      process.stderr.write(`culprit: ${error.line}\n`);
      return error.exitCode;
    }
    throw error;
  } finally {
    interrupts.dispose();
  }
}
