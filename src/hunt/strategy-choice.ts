// Which bisection a hunt runs: the one that makes the same choices as the repository's own bisect command,
// so culprit never probes more than `git bisect run` on git or `hg bisect --command` on Mercurial.
import type { History } from '../history/history.js';
import type { Bisection } from '../search/bisection-step.js';
import type { CommitGraph } from '../search/commit-graph.js';
import { DagBisection } from '../search/dag-bisection.js';
import { HgBisection } from '../search/hg-bisection.js';

export function chooseBisection(kind: History['kind'], graph: CommitGraph, bad: number, goods: readonly number[], firstParent: boolean): Bisection {
  // hg bisect has no --first-parent; git's first-parent walk is the natural meaning on any DAG.
  if (kind === 'hg' && !firstParent) return new HgBisection(graph, bad, goods);
  return new DagBisection(graph, bad, goods, { firstParent });
}
