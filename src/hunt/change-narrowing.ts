// The hierarchical narrowing of search/ over a change tree: which nodes it may open (down to the deepest level
// asked for), what each configuration applies, and the levels named as the change tree names them.
import { LEVELS, type ChangeLevel, type ChangeTree } from '../changes/change-tree.js';
import { closeConfiguration } from '../changes/materialize.js';
import { HierarchicalNarrowing, type LevelAnswer, type NarrowingConfiguration } from '../search/hierarchical-narrowing.js';

export type { LevelTests } from '../model/stage-results.js';

/** The set of nodes a configuration includes: containers as they are, the picked units with all their descendants. */
export function configurationOf(tree: ChangeTree, containers: readonly number[], units: Iterable<number>): Set<number> {
  const closed = closeConfiguration(tree, units);
  for (const container of containers) closed.add(container);
  return closed;
}

/** The change nodes a narrowing configuration (or a level's answer) applies. */
export function nodesOf(tree: ChangeTree, configuration: NarrowingConfiguration | LevelAnswer): Set<number> {
  return configurationOf(tree, configuration.containers, [...configuration.kept, ...configuration.units]);
}

/** A search over the tree that opens nodes down to `deepest`: blocks nest, so a level holds what its parents held. */
export function changeNarrowing(tree: ChangeTree, deepest: ChangeLevel): HierarchicalNarrowing {
  const limit = LEVELS.indexOf(deepest);
  const childrenOf = (id: number): readonly number[] => {
    const node = tree.nodes[id];
    if (!node) return [];
    // A node opens when its children are at a level still to search: a line's are tokens, a block's lines or blocks.
    const childLevel = node.kind === 'line' ? LEVELS.indexOf('token') : node.kind === 'block' ? LEVELS.indexOf('line') : LEVELS.indexOf(node.kind) + 1;
    return childLevel <= limit ? node.children : [];
  };
  return new HierarchicalNarrowing({ roots: tree.files.map((file) => file.node), childrenOf }, Number.POSITIVE_INFINITY);
}

/** A level is named for the coarsest kind of unit it searches (a level of blocks may hold single lines too). */
export function levelName(tree: ChangeTree, unitIds: readonly number[]): ChangeLevel {
  let coarsest = LEVELS.length - 1;
  for (const id of unitIds) {
    const kind = tree.nodes[id]?.kind;
    if (kind !== undefined) coarsest = Math.min(coarsest, LEVELS.indexOf(kind));
  }
  return LEVELS[coarsest] ?? 'token';
}

/** How many lines and tokens an answer changes: what users mean by the size of a change. */
export function changedUnits(tree: ChangeTree, ids: readonly number[]): number {
  let count = 0;
  const walk = (id: number): void => {
    const node = tree.nodes[id];
    if (!node) return;
    if (node.kind === 'token' || (node.kind === 'line' && node.children.length === 0) || (node.kind === 'file' && node.children.length === 0)) count += 1;
    else if (node.kind === 'line') count += 1;
    else for (const child of node.children) walk(child);
  };
  for (const id of ids) walk(id);
  return count;
}
