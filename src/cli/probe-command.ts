// `culprit probe`: one probe of one commit in a private workspace, the command a hunt prints to reproduce.
// Its exit code follows the test contract (0 good, 1 bad, 125 skip), so it can itself drive `git bisect run`.
import { asEnvironmentError } from '../environment-failure.js';
import { CulpritError } from '../errors.js';
import { openHistory } from '../history/open-history.js';
import { abortIfCrashed } from '../hunt/verdict-rule.js';
import { TimeoutPolicy } from '../hunt/timeout-policy.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { subdirectoryOf } from '../probe/subdirectory.js';
import { describeOutcome } from '../probe/outcome.js';
import { LocalExecutor } from '../executors/local.js';
import type { ProbeJob } from '../executors/executor.js';
import { short } from '../text/format.js';
import { catchInterrupts } from './interrupts.js';
import { vcsOption } from './option-parsers.js';
import { recipeFromOptions } from './recipe-options.js';

export async function probeCommand(argv: readonly string[], options: Record<string, unknown>): Promise<number> {
  const interrupts = catchInterrupts();
  try {
    const recipe = recipeFromOptions(argv, options);
    const history = await openHistory(String(options.repo ?? '.'), vcsOption(options.vcs));
    const commit = await history.resolve(String(options.commit), '--commit');
    const cacheRoot = cacheDirectory(typeof options.workdir === 'string' ? options.workdir : undefined);
    // The same executor a hunt runs its probes on: the same workspaces, orphan sweep, logs and process handling.
    const executor = await LocalExecutor.open({ history, cacheRoot, slots: 1, logPrefix: 'probe-' });
    try {
      const job: ProbeJob = {
        candidate: { kind: 'checkout', commit },
        recipe,
        subdirectory: subdirectoryOf(history.root, String(options.repo ?? '.')),
        testTimeoutSeconds: new TimeoutPolicy(recipe.timeoutSeconds).seconds,
        cleanBuild: false,
        logName: short(commit),
      };
      const record = await executor.run(job, 0, interrupts.signal);
      abortIfCrashed(record, history.shortName(commit));
      process.stdout.write(`${commit}: ${record.verdict} (${describeOutcome(record.outcome)}, ${record.seconds.toFixed(2)} s)\nlog: ${record.logPath}\n`);
      process.stdout.write(record.outputTail.split('\n').slice(-20).join('\n'));
      if (!record.outputTail.endsWith('\n') && record.outputTail) process.stdout.write('\n');
      return record.searchVerdict === 'good' ? 0 : record.searchVerdict === 'skip' ? 125 : 1;
    } finally {
      executor.close();
    }
  } catch (error) {
    const known = error instanceof CulpritError ? error : asEnvironmentError(error);
    if (known) {
      process.stderr.write(`culprit: ${known.line}\n`);
      return known.exitCode;
    }
    throw error;
  } finally {
    interrupts.dispose();
  }
}
