// Goods off bad's line: test their merge bases first, as git bisect does, so the search starts from ancestors of bad.
// A bad merge base means the change went the other way (a fix), which bisection cannot explain.
import { UsageError } from '../errors.js';
import type { History } from '../history/history.js';

/**
 * When a good is not an ancestor of bad, git tests the merge bases first: a bad merge base means the
 * change went the other way (a fix), which bisection cannot explain.
 */
export async function settleMergeBases(
  history: History,
  bad: string,
  goods: string[],
  /** Tests a merge base: its verdict, and the log that shows why (named when a bad one stops the hunt). */
  test: (commit: string) => Promise<{ verdict: 'good' | 'bad' | 'skip'; log?: string }>,
  note?: (message: string) => void,
  /** Marks the errors that mean the user's goods are wrong (the hunt is then discarded as bad input). */
  reject: (error: UsageError) => UsageError = (error) => error,
): Promise<void> {
  const skipped = new Set<string>();
  for (;;) {
    let allAncestors = true;
    for (const good of goods) if (!(await history.isAncestor(good, bad))) allAncestors = false;
    if (allAncestors) return;
    const bases = await history.mergeBases(bad, goods);
    if (bases.length === 0) {
      if (history.shallow) throw reject(new UsageError(`bad ${history.shortName(bad)} shares no history with the goods in this shallow clone: its history stops before they meet`, 'fetch the rest with: git fetch --unshallow (or a deeper --depth), then run culprit again'));
      throw reject(new UsageError(`bad ${history.shortName(bad)} shares no history with the goods`, 'pick --good and --bad on the same line of history'));
    }
    const untested = bases.find((base) => !goods.includes(base));
    if (untested === undefined) return;
    if (skipped.has(untested)) return;
    note?.(`good and bad are on diverging lines: testing merge base ${history.shortName(untested)} first, as git bisect does`);
    const { verdict, log } = await test(untested);
    if (verdict === 'good') goods.push(untested);
    else if (verdict === 'skip') {
      note?.(`merge base ${history.shortName(untested)} could not be tested; the first bad commit may lie outside the searched range`);
      skipped.add(untested);
      return;
    } else {
      throw reject(
        new UsageError(
          `merge base ${history.shortName(untested)} of good and bad is bad: the change was fixed between it and the good, not introduced before bad`,
          `pick a --good that is an ancestor of --bad${log ? `; log: ${log}` : ''}`,
        ),
      );
    }
  }
}
