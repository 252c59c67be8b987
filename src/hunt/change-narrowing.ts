// Runs the hierarchical narrowing of search/ over a change tree: each configuration it asks for becomes a set
// of included change nodes, tested by the caller's probe; the levels are named as the change tree names them.
import { LEVELS, type ChangeLevel, type ChangeTree } from '../changes/change-tree.js';
import { closeConfiguration } from '../changes/materialize.js';
import type { LevelTests, NarrowingOutcome } from '../model/stage-results.js';
import { HierarchicalNarrowing, type NarrowingConfiguration } from '../search/hierarchical-narrowing.js';
import { NarrowingStrategy, type NarrowingDone } from '../search/narrowing-strategy.js';
import type { Strategy } from '../search/strategy.js';

export type { LevelTests } from '../model/stage-results.js';

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

/** How the narrowing's configurations get tested: through the hunt's strategy driver. */
export type DriveNarrowing = (strategy: Strategy<NarrowingConfiguration, NarrowingOutcome, NarrowingDone>) => Promise<NarrowingDone>;

/** The level a configuration's units are at, as the change tree names it. */
export function levelOf(configuration: { depth: number }): ChangeLevel {
  return LEVELS[configuration.depth] ?? 'token';
}

export async function narrowChangeTree(tree: ChangeTree, deepest: ChangeLevel, driveNarrowing: DriveNarrowing): Promise<NarrowedChange> {
  const hierarchy = { roots: tree.files.map((file) => file.node), childrenOf: (id: number) => tree.nodes[id]?.children ?? [] };
  const search = new HierarchicalNarrowing(hierarchy, LEVELS.indexOf(deepest));
  const step = await driveNarrowing(new NarrowingStrategy(search));
  return {
    minimal: [...step.minimal],
    kept: [...step.kept],
    containers: [...step.containers],
    levels: step.levels.map((level) => ({ level: levelOf(level), units: level.units, tests: level.tests })),
  };
}

/** The change nodes a narrowing configuration applies. */
export function nodesOf(tree: ChangeTree, configuration: NarrowingConfiguration): Set<number> {
  return configurationOf(tree, configuration.containers, [...configuration.kept, ...configuration.units]);
}
