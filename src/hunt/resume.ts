// `culprit resume [ID]`: runs a stored hunt again from its recorded arguments; its finished probes are answered
// from the store, so only the probe that was in flight (and what follows) runs. A finished hunt returns its result.
import type { QueueSpec } from './hunt-types.js';
import path from 'node:path';
import { openHistory } from '../history/open-history.js';
import type { NarrowBudget } from '../model/narrow-budget.js';
import { Store } from '../store/store.js';
import { runHunt } from './hunt.js';
import type { HuntObserver, HuntResult } from './hunt-types.js';
import { huntById, huntToResume, storedResultOf, projectHuntToResume } from './stored-hunt.js';
import { UsageError } from '../errors.js';
import type { HuntRow } from '../store/store-types.js';

export interface ResumeOptions {
  /** The hunt to resume; default: the newest unfinished hunt of the repository at `repo`. */
  id?: number;
  repo: string;
  vcs?: 'git' | 'hg';
  store?: string;
  /** Culprit's cache directory for this run; default: the one the hunt was started with. */
  workdir?: string;
  /** Workers for this run; default: as many as the hunt was started with. */
  jobs?: number;
  /** Probes on workers through this queue for this run; default: here. */
  executor?: QueueSpec;
  /** Narrowing's budget for this run; default: the hunt's own, or none when its budget stopped the narrowing. */
  narrowBudget?: NarrowBudget;
  /** Resume even under another recipe key (keyed variables, scripts) than the hunt was started with. */
  forceRecipe?: boolean;
  signal?: AbortSignal;
  observer?: HuntObserver;
}

export interface ResumeOutcome {
  result: HuntResult;
  /** The hunt had already finished: nothing ran. */
  alreadyFinished: boolean;
}

export async function resumeHunt(options: ResumeOptions): Promise<ResumeOutcome> {
  const store = Store.open(options.store, { mustExist: true });
  try {
    let hunt;
    if (options.id !== undefined) hunt = huntById(store, options.id);
    else hunt = await huntOfDirectory(store, options);
    const finished = storedResultOf(store, hunt);
    // A narrowing its budget stopped is finished but not done: resuming continues it, with no budget unless given.
    const partial = finished?.narrowing?.minimal === false;
    if (finished && !partial) return { result: finished, alreadyFinished: true };
    const args = hunt.arguments;
    const narrowBudget = options.narrowBudget ?? (partial ? {} : args.narrowBudget);
    const result = await runHunt({
      repo: path.join(args.repo, args.subdirectory),
      ...(args.vcs === 'versions' || args.vcs === 'factors' ? {} : { vcs: args.vcs }),
      ...(args.versions ? { versions: args.versions } : {}),
      ...(args.factors ? { factors: args.factors } : {}),
      ...(args.flaky ? { flaky: args.flaky } : {}),
      ...(args.metric ? { metric: args.metric } : {}),
      ...(args.repeat ? { repeat: args.repeat } : {}),
      goods: args.goods,
      bad: args.bad,
      recipe: args.recipe,
      firstParent: args.firstParent,
      verify: args.verify,
      cache: args.cache,
      narrow: args.narrow ?? 'none',
      ...(args.signature === undefined ? {} : { signature: args.signature }),
      ...(args.narrowCheck === undefined ? {} : { narrowCheck: args.narrowCheck }),
      ...(narrowBudget === undefined ? {} : { narrowBudget }),
      ...(args.narrowOnly ? { narrowOnly: true } : {}),
      ...((options.jobs ?? args.jobs) === undefined ? {} : { jobs: options.jobs ?? args.jobs }),
      ...(args.artifacts ? { artifacts: args.artifacts } : {}),
      ...(args.cacheSize === undefined ? {} : { cacheSize: args.cacheSize }),
      ...(args.cleanBuild ? { cleanBuild: true } : {}),
      ...((options.workdir ?? args.workdir) === undefined ? {} : { workdir: options.workdir ?? args.workdir }),
      store,
      resume: hunt.id,
      ...(options.forceRecipe ? { forceRecipe: true } : {}),
      ...(options.executor ? { executor: options.executor } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.observer ? { observer: options.observer } : {}),
    });
    return { result, alreadyFinished: false };
  } finally {
    store.close();
  }
}

/** The repository's hunt to resume; in a directory that is no repository, a hunt over versions or factors started there. */
async function huntOfDirectory(store: Store, options: ResumeOptions): Promise<HuntRow> {
  try {
    const history = await openHistory(options.repo, options.vcs);
    return huntToResume(store, history.identity, history.root);
  } catch (error) {
    // A directory that is no repository, or one whose repository has no hunt: a hunt over versions or factors started here.
    if (!(error instanceof UsageError) || options.vcs !== undefined) throw error;
    const here = projectHuntToResume(store, path.resolve(options.repo));
    if (!here) throw error;
    return here;
  }
}
