// `culprit run`: validates the options, runs the hunt with progress on stderr, prints the result.
// With --json, stdout carries exactly one JSON document, also when the hunt fails.
import { CulpritError, EXIT } from '../errors.js';
import { runHunt } from '../hunt/hunt.js';
import type { HuntProbe } from '../hunt/hunt-types.js';
import { catchInterrupts } from './interrupts.js';
import { errorDocument, resultDocument } from './json-output.js';
import { vcsOption } from './option-parsers.js';
import { recipeFromOptions } from './recipe-options.js';
import { ProgressPrinter, renderResult } from './render.js';

export async function runCommandLine(argv: readonly string[], options: Record<string, unknown>): Promise<number> {
  const json = options.json === true;
  const probes: HuntProbe[] = [];
  const printer = new ProgressPrinter((text) => process.stderr.write(text));
  const fail = (message: string, exitCode: number): number => {
    if (exitCode === EXIT.usage) printer.discard();
    else printer.flush();
    process.stderr.write(`culprit: ${message}\n`);
    if (json) process.stdout.write(`${errorDocument(message, probes)}\n`);
    return exitCode;
  };
  const interrupts = catchInterrupts();
  try {
    const recipe = recipeFromOptions(argv, options);
    const observer = printer.observer();
    const result = await runHunt({
      repo: String(options.repo ?? '.'),
      ...(options.vcs === undefined ? {} : { vcs: vcsOption(options.vcs) }),
      goods: (options.good as string[] | undefined) ?? [],
      bad: String(options.bad ?? 'HEAD'),
      recipe,
      firstParent: options.firstParent === true,
      verify: options.verify !== false,
      ...(typeof options.workdir === 'string' ? { workdir: options.workdir } : {}),
      signal: interrupts.signal,
      observer: {
        ...observer,
        probeFinished(probe, progress) {
          probes.push(probe);
          observer.probeFinished?.(probe, progress);
        },
      },
    });
    printer.flush();
    if (json) process.stdout.write(`${resultDocument(result)}\n`);
    else process.stdout.write(renderResult(result));
    if (json) process.stderr.write(renderResult(result));
    return result.status === 'found' ? EXIT.found : EXIT.noSingleCulprit;
  } catch (error) {
    if (error instanceof CulpritError) return fail(error.line, error.exitCode);
    return fail(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1);
  } finally {
    interrupts.dispose();
  }
}
