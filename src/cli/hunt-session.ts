// The terminal side of a hunt that runs (`run`, `resume`): progress on stderr, the result on stdout (or one
// JSON document with --json, also on errors), Ctrl-C turned into a clean stop, and the exit code.
import { asEnvironmentError } from '../environment-failure.js';
import { CulpritError, EXIT } from '../errors.js';
import type { HuntObserver, HuntProbe, HuntResult } from '../hunt/hunt-types.js';
import { catchInterrupts } from './interrupts.js';
import { huntDocument } from '../report/hunt-document.js';
import { ProgressPrinter, renderResult } from './render.js';
import { wantsColor } from './terminal-color.js';

export interface SessionStart {
  observer: HuntObserver;
  signal: AbortSignal;
}

export async function huntSession(json: boolean, start: (session: SessionStart) => Promise<HuntResult>): Promise<number> {
  const probes: HuntProbe[] = [];
  let hunt: number | undefined;
  /** Whether the hunt's record stays in the store (it does, unless its input was found wrong). */
  let kept = true;
  const printer = new ProgressPrinter((text) => process.stderr.write(text));
  const fail = (error: string, exitCode: number): number => {
    if (exitCode === EXIT.usage) printer.discard();
    else printer.flush();
    // A hunt stopped by its test, its policy or the machine is kept: the one line says how to continue it.
    const resumable = kept && hunt !== undefined && (exitCode === EXIT.abortedByTest || exitCode === EXIT.environment);
    const message = resumable ? `${error}; once fixed, continue with: culprit resume ${hunt}` : error;
    process.stderr.write(`culprit: ${message}\n`);
    if (exitCode === EXIT.interrupted && hunt !== undefined) process.stderr.write(`culprit: continue with: culprit resume ${hunt}\n`);
    // A hunt stopped by bad input is not kept in the store: its id would name nothing.
    if (json) process.stdout.write(`${JSON.stringify(huntDocument({ hunt: undefined, ...(kept && hunt !== undefined ? { huntId: hunt } : {}), probes, error: message }))}\n`);
    return exitCode;
  };
  const interrupts = catchInterrupts();
  try {
    const observer = printer.observer();
    const result = await start({
      signal: interrupts.signal,
      observer: {
        ...observer,
        attached(info) {
          hunt = info.hunt;
          observer.attached?.(info);
        },
        discarded() {
          kept = false;
        },
        probeFinished(probe, progress) {
          probes.push(probe);
          observer.probeFinished?.(probe, progress);
        },
        factorProbe(probe, outcome, factors) {
          probes.push(probe);
          observer.factorProbe?.(probe, outcome, factors);
        },
      },
    });
    printer.flush();
    if (json) process.stdout.write(`${JSON.stringify(huntDocument({ hunt: result.record, probes: [...result.probes, ...result.narrowingProbes] }))}\n`);
    else process.stdout.write(renderResult(result, wantsColor(process.stdout)));
    if (json) process.stderr.write(renderResult(result, wantsColor(process.stderr)));
    return result.status === 'found' ? EXIT.found : EXIT.noSingleCulprit;
  } catch (error) {
    if (error instanceof CulpritError) return fail(error.line, error.exitCode);
    const environment = asEnvironmentError(error);
    if (environment) return fail(environment.line, environment.exitCode);
    return fail(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1);
  } finally {
    interrupts.dispose();
  }
}
