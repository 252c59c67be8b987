// `culprit demo`: builds a demo repository with a planted hang in a temp dir and hunts it end to end, then says
// where the repository is so the user can rerun `culprit run` by hand; `--versions` starts from its releases.
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CulpritError } from '../errors.js';
import { DEMO_CULPRIT_SUBJECT, DEMO_TEST_COMMAND, demoHistory } from '../demo/demo-repository.js';
import { importHistory } from '../demo/fast-import.js';
import { runHunt } from '../hunt/hunt.js';
import { shellQuote } from '../probe/recipe.js';
import { huntSession } from './hunt-session.js';
import { catchInterrupts } from './interrupts.js';
import { ProgressPrinter, renderResult } from './render.js';
import { wantsColor } from './terminal-color.js';

const DEMO_TIMEOUT_SECONDS = 2;

export async function demoCommand(options: Record<string, unknown>): Promise<number> {
  if (options.versions === true) return versionsDemoCommand(options);
  const directory = path.join(mkdtempSync(path.join(os.tmpdir(), 'culprit-demo-')), 'demo-client');
  const history = demoHistory();
  const extra: string[] = [];
  for (const [tag, mark] of history.tags) extra.push(`reset refs/tags/${tag}`, `from :${mark}`, '');
  mkdirSync(directory, { recursive: true });
  const marks = await importHistory(directory, history.commits, extra);
  const culprit = marks.get(history.culprit);
  process.stderr.write(`culprit demo: created ${directory} (${history.commits.length} commits, with merges)\n`);
  process.stderr.write(`culprit demo: its test, ${DEMO_TEST_COMMAND}, hangs after one commit of a merge of seven fixes; hunting it with a ${DEMO_TIMEOUT_SECONDS} s timeout\n\n`);

  const interrupts = catchInterrupts();
  const printer = new ProgressPrinter((text) => process.stderr.write(text));
  try {
    const result = await runHunt({
      repo: directory,
      goods: ['v1.0'],
      bad: 'main',
      recipe: {
        test: { shell: DEMO_TEST_COMMAND },
        timeoutSeconds: DEMO_TIMEOUT_SECONDS,
        buildTimeoutSeconds: 3600,
        graceSeconds: 1,
        onHang: 'bad',
        onBuildFailure: 'skip',
      },
      ...(typeof options.workdir === 'string' ? { workdir: options.workdir } : {}),
      ...(typeof options.store === 'string' ? { store: options.store } : {}),
      narrow: 'token',
      signal: interrupts.signal,
      observer: printer.observer(),
    });
    printer.flush();
    process.stdout.write(`\n${renderResult(result, wantsColor(process.stdout))}`);
    const rerun = `npx culprit run --repo ${shellQuote(directory)} --good v1.0 --bad main --timeout ${DEMO_TIMEOUT_SECONDS} --grace 1 --test ${shellQuote(DEMO_TEST_COMMAND)}`;
    const found = result.firstBad?.commit === culprit;
    process.stdout.write(
      found
        ? `\nThe demo found the planted culprit ("${DEMO_CULPRIT_SUBJECT}").\n`
        : `\nThe demo expected ${culprit} ("${DEMO_CULPRIT_SUBJECT}") but the hunt said otherwise: please report this.\n`,
    );
    process.stdout.write(`Demo repository: ${directory}\nRerun it by hand (every verdict now comes from the store):\n  ${rerun}\n`);
    process.stdout.write(`A report to paste into an issue, and one to open in a browser:\n  npx culprit report ${result.hunt} --format markdown\n  npx culprit report ${result.hunt} --format html -o culprit-hunt-${result.hunt}.html\n`);
    return found ? 0 : 1;
  } catch (error) {
    printer.flush();
    if (error instanceof CulpritError) {
      process.stderr.write(`culprit: ${error.line}\n`);
      return error.exitCode;
    }
    throw error;
  } finally {
    interrupts.dispose();
  }
}

/** `culprit demo --versions`: released versions first, then the commits between the two that matter. */
async function versionsDemoCommand(options: Record<string, unknown>): Promise<number> {
  const { createVersionsDemo, huntVersionsDemo, versionsDemoEpilogue } = await import('./demo-versions.js');
  const demo = await createVersionsDemo();
  let epilogue = { text: '', found: false };
  const code = await huntSession({}, async (session) => {
    const result = await huntVersionsDemo(demo, options, session);
    epilogue = versionsDemoEpilogue(demo, result);
    return result;
  });
  process.stdout.write(epilogue.text);
  return code === 0 && !epilogue.found ? 1 : code;
}
