// Narrows a change level by level (files, hunks, lines, tokens): each level searches the children of what the
// previous level kept, with delta debugging over a configuration oracle that materializes, builds and tests.
import { LEVELS, type ChangeLevel, type ChangeTree } from '../changes/change-tree.js';
import { closeConfiguration } from '../changes/materialize.js';
import type { NarrowingOutcome } from '../probe/failure-signature.js';
import { DeltaDebugging } from '../search/delta-debugging.js';

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
  const levels: LevelTests[] = [];
  let survivors = tree.files.map((file) => file.node);
  const kept: number[] = [];
  const containers: number[] = [];
  for (const level of LEVELS.slice(0, LEVELS.indexOf(deepest) + 1)) {
    let units: number[];
    if (level === 'file') units = survivors;
    else {
      // Nodes without children at this level stay as they are; the others open up into their children.
      units = [];
      for (const id of survivors) {
        const children = tree.nodes[id]?.children ?? [];
        if (children.length === 0) kept.push(id);
        else {
          containers.push(id);
          units.push(...children);
        }
      }
    }
    if (units.length === 0) {
      survivors = [];
      break;
    }
    const search = new DeltaDebugging(units.length);
    let tests = 0;
    for (;;) {
      const step = search.next();
      if (step.kind === 'done') {
        survivors = step.minimal.map((index) => units[index] ?? -1);
        break;
      }
      tests += 1;
      const picked = step.configuration.map((index) => units[index] ?? -1);
      search.record(step.configuration, await test(configurationOf(tree, containers, [...kept, ...picked]), level));
    }
    levels.push({ level, units: units.length, tests });
  }
  return { minimal: survivors, kept, containers, levels };
}
