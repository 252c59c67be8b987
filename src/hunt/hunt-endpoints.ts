// A hunt's endpoints as the user named them: resolved to full hashes and checked for the mistakes that make a
// bisection meaningless (good equal to bad, bad an ancestor of good), before anything is created.
import { UsageError } from '../errors.js';
import type { History } from '../history/history.js';
import type { HuntOptions } from './hunt-types.js';

export async function allAncestors(history: History, goods: readonly string[], bad: string): Promise<boolean> {
  for (const good of goods) if (!(await history.isAncestor(good, bad))) return false;
  return true;
}

export async function resolveEndpoints(history: History, options: HuntOptions): Promise<{ bad: string; goods: string[] }> {
  if (options.goods.length === 0) throw new UsageError('no --good revision given', 'name at least one revision where the test passes');
  const bad = await history.resolve(options.bad, '--bad');
  const goods: string[] = [];
  for (const revision of options.goods) {
    const good = await history.resolve(revision, '--good');
    if (good === bad) throw new UsageError(`--good ${revision} and --bad ${options.bad} are the same commit ${history.shortName(bad)}`, 'pick a good revision from before the regression');
    if (!goods.includes(good)) goods.push(good);
  }
  for (const good of goods) {
    if (await history.isAncestor(bad, good)) {
      throw new UsageError(
        `bad ${history.shortName(bad)} is an ancestor of good ${history.shortName(good)}, so the change cannot lie between them`,
        'swap --good and --bad if the test started passing, or pick an older --good',
      );
    }
  }
  return { bad, goods };
}
