// The terminal side of a hunt that runs (`run`, `resume`): progress on stderr, the result on stdout (or one
// JSON document with --json, also on errors), Ctrl-C turned into a clean stop, and the exit code.
import { asEnvironmentError } from '../environment-failure.js';
import { CulpritError, EXIT, InterruptedError } from '../errors.js';
import type { HuntObserver, HuntProbe, HuntResult } from '../hunt/hunt-types.js';
import { huntById } from '../hunt/stored-hunt.js';
import { Store } from '../store/store.js';
import { storePath } from '../store/store-path.js';
import { shellQuote } from '../text/format.js';
import { catchInterrupts } from './interrupts.js';
import { reportPath, writeReportFile } from './report-file.js';
import { huntDocument } from '../report/hunt-document.js';
import { ProgressPrinter, renderResult } from './render.js';
import { wantsColor } from './terminal-color.js';

export interface SessionStart {
  observer: HuntObserver;
  signal: AbortSignal;
}

/** The options every hunting command shares for its output: one JSON document, and an HTML report file. */
export interface SessionOptions {
  json?: unknown;
  report?: unknown;
  store?: unknown;
}

/** The hunt's HTML report, from the store as `culprit report` reads it; a report that cannot be written costs the hunt nothing. */
async function writeHuntReport(path: string, huntId: number, store: string | undefined): Promise<void> {
  try {
    // Loaded when asked for: diff2html is not part of every hunt's start-up.
    const { htmlReport } = await import('../report/html/html-report.js');
    const opened = Store.open(store, { mustExist: true });
    try {
      const hunt = huntById(opened, huntId);
      writeReportFile(path, htmlReport(hunt, opened.probes.list(huntId), { generatedAt: new Date().toISOString() }));
    } finally {
      opened.close();
    }
  } catch (error) {
    process.stderr.write(`culprit: could not write the report to ${path}: ${error instanceof Error ? error.message : String(error)}; write it later with: culprit report ${huntId} --format html -o ${shellQuote(path)}\n`);
  }
}

export async function huntSession(options: SessionOptions, start: (session: SessionStart) => Promise<HuntResult>): Promise<number> {
  const json = options.json === true;
  const store = typeof options.store === 'string' ? options.store : undefined;
  let report: string | undefined;
  const probes: HuntProbe[] = [];
  let hunt: number | undefined;
  /** Whether the hunt's record stays in the store (it does, unless its input was found wrong). */
  let kept = true;
  const printer = new ProgressPrinter((text) => process.stderr.write(text));
  const fail = async (error: string, exitCode: number): Promise<number> => {
    if (exitCode === EXIT.usage) printer.discard();
    else printer.flush();
    // A hunt stopped by its test, its policy or the machine is kept: the one line says how to continue it.
    const resumable = kept && hunt !== undefined && (exitCode === EXIT.abortedByTest || exitCode === EXIT.environment);
    const message = resumable ? `${error}; once fixed, continue with: culprit resume ${hunt}` : error;
    process.stderr.write(`culprit: ${message}\n`);
    // A kept hunt that stopped still has a story to tell: what it probed, and how to go on.
    if (report !== undefined && kept && hunt !== undefined) await writeHuntReport(report, hunt, store);
    if (exitCode === EXIT.interrupted && hunt !== undefined) process.stderr.write(`culprit: continue with: culprit resume ${hunt}\n`);
    // A hunt stopped by bad input is not kept in the store: its id would name nothing.
    if (json) process.stdout.write(`${JSON.stringify(huntDocument({ hunt: undefined, ...(kept && hunt !== undefined ? { huntId: hunt } : {}), probes, error: message }))}\n`);
    return exitCode;
  };
  const interrupts = catchInterrupts();
  try {
    // Checked before the hunt starts: a report that could not be written must not cost a hunt.
    if (options.report !== undefined) report = reportPath(options.report, '--report', storePath(store));
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
    if (report !== undefined) await writeHuntReport(report, result.hunt, store);
    return result.status === 'found' ? EXIT.found : EXIT.noSingleCulprit;
  } catch (caught) {
    // After a Ctrl-C at the terminal, the git or hg command under way got it too and failed: that is the interrupt.
    const error = interrupts.signal.aborted && !(caught instanceof InterruptedError) ? new InterruptedError(String(interrupts.signal.reason ?? 'SIGINT')) : caught;
    if (error instanceof CulpritError) return fail(error.line, error.exitCode);
    const environment = asEnvironmentError(error);
    if (environment) return fail(environment.line, environment.exitCode);
    return fail(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1);
  } finally {
    interrupts.dispose();
  }
}
