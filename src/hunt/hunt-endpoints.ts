// A hunt's endpoints as the user named them: resolved to full hashes and checked for the mistakes that make a
// bisection meaningless (good equal to bad, bad an ancestor of good), before anything is created.
import { UsageError } from '../errors.js';
import { commitGone } from '../history/missing-commit.js';
import type { History } from '../history/history.js';
import type { HuntOptions } from './hunt-types.js';

export async function allAncestors(history: History, goods: readonly string[], bad: string): Promise<boolean> {
  return (await Promise.all(goods.map((good) => history.isAncestor(good, bad)))).every(Boolean);
}

/** Runs the lookups at once (each is a git or hg process) but reports failures in argument order, as a loop would. */
async function inOrder<T>(lookups: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(lookups);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

export async function resolveEndpoints(history: History, options: HuntOptions): Promise<{ bad: string; goods: string[] }> {
  if (options.goods.length === 0) throw new UsageError('no --good revision given', 'name at least one revision where the test passes');
  const lookup = (revision: string, role: string): Promise<string> =>
    history.resolve(revision, role).catch((error: unknown) => {
      // A resumed hunt names its endpoints by hash: one the repository lost since was pruned or rewritten, not mistyped.
      const vcs = history.kind === 'git' || history.kind === 'hg' ? history.kind : undefined;
      if (options.resume !== undefined && vcs && error instanceof UsageError && /^[0-9a-f]{40,64}$/.test(revision)) throw commitGone(vcs, history.root, revision, options.resume);
      throw error;
    });
  const [bad = '', ...resolved] = await inOrder([lookup(options.bad, '--bad'), ...options.goods.map((revision) => lookup(revision, '--good'))]);
  const goods: string[] = [];
  resolved.forEach((good, index) => {
    if (good === bad) throw new UsageError(`--good ${options.goods[index]} and --bad ${options.bad} are the same commit ${history.shortName(bad)}`, 'pick a good revision from before the regression');
    if (!goods.includes(good)) goods.push(good);
  });
  const reversed = await inOrder(goods.map((good) => history.isAncestor(bad, good)));
  const after = goods.find((_, index) => reversed[index]);
  if (after !== undefined) {
    throw new UsageError(
      `bad ${history.shortName(bad)} is an ancestor of good ${history.shortName(after)}, so the change cannot lie between them`,
      'swap --good and --bad if the test started passing, or pick an older --good',
    );
  }
  return { bad, goods };
}
