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
  return new HierarchicalNarrowing({ roots: tree.files.map((file) => file.node), childrenOf, groupsOf: couplingOf(tree) }, Number.POSITIVE_INFINITY);
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
    // A line counts once, with or without tokens; a file changed as a whole counts once too.
    if (node.kind === 'token' || node.kind === 'line' || (node.kind === 'file' && node.children.length === 0)) count += 1;
    else for (const child of node.children) walk(child);
  };
  for (const id of ids) walk(id);
  return count;
}

const NAME = /[A-Za-z_$][\w$]{2,}/g;
/** Shorter lines (`}`, `return x;`) recur everywhere: they tell nothing of where code moved. */
const MOVED_LINE_LENGTH = 12;

function namesIn(text: string | null, into: Set<string>): void {
  if (text) for (const match of text.matchAll(NAME)) into.add(match[0]);
}

/**
 * Groups a level's units that share a name the commit introduces (in added text, absent from every file before it)
 * or retires (in removed text, absent from every file after it): a renamed function and its callers, a moved
 * definition and its uses; and units a line moved between (removed here, added there). Taken apart they fail to
 * load or compute something else; ddmin takes or leaves such a group whole.
 */
export function couplingOf(tree: ChangeTree): (units: readonly number[]) => number[][] {
  const before = new Set<string>();
  const after = new Set<string>();
  for (const file of tree.files) {
    namesIn(file.before?.toString('utf8') ?? null, before);
    namesIn(file.after?.toString('utf8') ?? null, after);
  }
  // A line removed in one place and added in another (moved, re-indented, extracted into a helper) is one move.
  const removedLines = new Set<string>();
  const addedLines = new Set<string>();
  for (const node of tree.nodes) {
    if (node.kind !== 'line') continue;
    if (node.removed !== null) removedLines.add(node.removed.trim());
    if (node.added !== null) addedLines.add(node.added.trim());
  }
  const moved = (text: string | null): string | undefined => {
    const trimmed = text?.trim() ?? '';
    return trimmed.length >= MOVED_LINE_LENGTH && /\w/.test(trimmed) && removedLines.has(trimmed) && addedLines.has(trimmed) ? `\0moved ${trimmed}` : undefined;
  };
  const cache = new Map<number, Set<string>>();
  const couplingNames = (id: number): Set<string> => {
    const known = cache.get(id);
    if (known) return known;
    const names = new Set<string>();
    const node = tree.nodes[id];
    const collect = (added: string | null, removed: string | null): void => {
      const words = new Set<string>();
      namesIn(added, words);
      for (const word of words) if (!before.has(word)) names.add(word);
      words.clear();
      namesIn(removed, words);
      for (const word of words) if (!after.has(word)) names.add(word);
    };
    if (node?.kind === 'line') {
      collect(node.added, node.removed);
      for (const move of [moved(node.added), moved(node.removed)]) if (move) names.add(move);
    }
    else if (node?.kind === 'token') {
      collect(node.op === 'add' ? node.text : null, node.op === 'remove' ? node.text : null);
      if (node.substitution !== undefined) names.add(`\0substitution ${node.substitution}`);
    }
    else if (node?.kind === 'file' && node.children.length === 0) {
      const file = tree.files[node.file];
      collect(file?.after?.toString('utf8') ?? null, file?.before?.toString('utf8') ?? null);
    }
    for (const child of node?.children ?? []) for (const name of couplingNames(child)) names.add(name);
    cache.set(id, names);
    return names;
  };
  return (units) => {
    const parent = units.map((_, index) => index);
    const find = (index: number): number => {
      while (parent[index] !== index) index = parent[index] = parent[parent[index] ?? index] ?? index;
      return index;
    };
    const owner = new Map<string, number>();
    units.forEach((unit, index) => {
      for (const name of couplingNames(unit)) {
        const first = owner.get(name);
        if (first === undefined) owner.set(name, index);
        else parent[find(index)] = find(first);
      }
    });
    const groups = new Map<number, number[]>();
    units.forEach((unit, index) => {
      const root = find(index);
      const group = groups.get(root);
      if (group) group.push(unit);
      else groups.set(root, [unit]);
    });
    // In the order of each group's first unit; a group's units keep their order.
    return [...groups.values()];
  };
}
