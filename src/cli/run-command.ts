// `culprit run`: validates the options and runs the hunt in a hunt session (progress, result, JSON, exit code).
// The same arguments as an unfinished hunt resume it; the hunt says so in its progress.
import { runHunt } from '../hunt/hunt.js';
import { huntSession } from './hunt-session.js';
import { vcsOption } from './option-parsers.js';
import { recipeFromOptions } from './recipe-options.js';

export function runCommandLine(argv: readonly string[], options: Record<string, unknown>): Promise<number> {
  return huntSession(options.json === true, ({ observer, signal }) =>
    runHunt({
      repo: String(options.repo ?? '.'),
      ...(options.vcs === undefined ? {} : { vcs: vcsOption(options.vcs) }),
      goods: (options.good as string[] | undefined) ?? [],
      bad: String(options.bad ?? 'HEAD'),
      recipe: recipeFromOptions(argv, options),
      firstParent: options.firstParent === true,
      verify: options.verify !== false,
      cache: options.cache !== false,
      ...(typeof options.workdir === 'string' ? { workdir: options.workdir } : {}),
      ...(typeof options.store === 'string' ? { store: options.store } : {}),
      signal,
      observer,
    }),
  );
}
