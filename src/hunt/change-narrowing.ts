// Runs the hierarchical narrowing of search/ over a change tree: each configuration it asks for becomes a set
// of included change nodes, tested by the caller's probe; the levels are named as the change tree names them.
import { LEVELS, type ChangeLevel, type ChangeTree } from '../changes/change-tree.js';
import { closeConfiguration } from '../changes/materialize.js';
import type { NarrowingOutcome } from '../probe/failure-signature.js';
import { HierarchicalNarrowing } from '../search/hierarchical-narrowing.js';

export interface LevelTests {
  level: ChangeLevel;
  /** Units searched at this level. */
  units: number;
  /** Configurations tested at this level (answers from the outcome cache not counted). */
  tests: number;
}

export interface NarrowedChange {
  /** Nodes of the deepest level reached that the failure needs. */
  minimal: number[];
  /** Childless nodes kept from the levels above (a whole binary file, a line with no tokens): part of the change too. */
  kept: number[];
  /** Nodes whose children were searched: included, with only the kept children applied. */
  containers: number[];
  levels: LevelTests[];
}

/** The set of nodes a configuration includes: containers as they are, the picked units with all their descendants. */
export function configurationOf(tree: ChangeTree, containers: readonly number[], units: Iterable<number>): Set<number> {
  const closed = closeConfiguration(tree, units);
  for (const container of containers) closed.add(container);
  return closed;
}

export async function narrowChangeTree(
  tree: ChangeTree,
  deepest: ChangeLevel,
  test: (configuration: Set<number>, level: ChangeLevel) => Promise<NarrowingOutcome>,
): Promise<NarrowedChange> {
  const hierarchy = { roots: tree.files.map((file) => file.node), childrenOf: (id: number) => tree.nodes[id]?.children ?? [] };
  const search = new HierarchicalNarrowing(hierarchy, LEVELS.indexOf(deepest));
  for (;;) {
    const step = search.next();
    if (step.kind === 'done') {
      return {
        minimal: [...step.minimal],
        kept: [...step.kept],
        containers: [...step.containers],
        levels: step.levels.map((level) => ({ level: LEVELS[level.depth] ?? 'token', units: level.units, tests: level.tests })),
      };
    }
    const { configuration } = step;
    search.record(await test(configurationOf(tree, configuration.containers, [...configuration.kept, ...configuration.units]), LEVELS[configuration.depth] ?? 'token'));
  }
}
