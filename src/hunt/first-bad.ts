// The first bad commit as a result names it: hash, subject, author, date and the files it changed, read from the
// history once the search (or the user, for culprit narrow) has named the commit.
import type { FirstBad } from '../model/stage-results.js';
import type { HuntContext } from './hunt-context.js';

export async function describeFirstBad(context: HuntContext, commit: string): Promise<FirstBad> {
  const info = (await context.history.describe([commit])).get(commit);
  return { commit, subject: info?.subject ?? '', author: info?.author ?? '', date: info?.date ?? '', files: await context.history.changedFiles(commit) };
}
