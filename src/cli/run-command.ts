// `culprit run`: validates the options and runs the hunt in a hunt session (progress, result, JSON, exit code).
// The same arguments as an unfinished hunt resume it; the hunt says so in its progress.
import { UsageError } from '../errors.js';
import { runHunt } from '../hunt/hunt.js';
import { huntSession } from './hunt-session.js';
import { buildReuseOptions, flakyOptions, jobsOption, metricOptions, narrowingOptions, queueOptions, repeatOptions, vcsOption } from './option-parsers.js';
import { recipeFromOptions } from './recipe-options.js';

export function runCommandLine(argv: readonly string[], options: Record<string, unknown>): Promise<number> {
  return huntSession(options, ({ observer, signal }) =>
    runHunt({
      repo: String(options.repo ?? '.'),
      ...(options.vcs === undefined ? {} : { vcs: vcsOption(options.vcs) }),
      goods: (options.good as string[] | undefined) ?? [],
      bad: String(options.bad ?? 'HEAD'),
      recipe: recipeFromOptions(argv, options),
      firstParent: options.firstParent === true,
      jobs: jobsOption(options.jobs),
      ...buildReuseOptions(options),
      verify: options.verify !== false,
      cache: options.cache !== false,
      ...(typeof options.workdir === 'string' ? { workdir: options.workdir } : {}),
      ...(typeof options.store === 'string' ? { store: options.store } : {}),
      ...narrowingOptions(typeof options.metric === 'string' ? { ...options, narrow: 'none' } : options),
      ...flakyOptions(options),
      ...metricOptions(options),
      ...repeatOptions(options),
      ...queueOptions(options),
      signal,
      observer,
    }),
  );
}

/** `culprit narrow --good P --bad C`: narrows the change between two revisions, with no bisection before it. */
export function narrowCommandLine(argv: readonly string[], options: Record<string, unknown>): Promise<number> {
  return huntSession(options, ({ observer, signal }) =>
    runHunt({
      repo: String(options.repo ?? '.'),
      ...(options.vcs === undefined ? {} : { vcs: vcsOption(options.vcs) }),
      goods: narrowGood(options.good),
      bad: String(options.bad ?? 'HEAD'),
      recipe: recipeFromOptions(argv, options),
      cache: options.cache !== false,
      verify: options.verify !== false,
      ...(typeof options.workdir === 'string' ? { workdir: options.workdir } : {}),
      ...(typeof options.store === 'string' ? { store: options.store } : {}),
      ...narrowingOptions({ ...options, narrow: options.narrow ?? 'token' }),
      ...buildReuseOptions(options),
      ...repeatOptions(options),
      ...queueOptions(options),
      narrowOnly: true,
      signal,
      observer,
    }),
  );
}

function narrowGood(good: unknown): string[] {
  const goods = (good as string[] | undefined) ?? [];
  if (goods.length > 1) throw new UsageError('culprit narrow takes one --good (the revision to narrow against)', 'e.g. culprit narrow --good C~1 --bad C');
  return goods;
}
