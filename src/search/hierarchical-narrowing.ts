// Delta debugging level by level over a tree of changes (files > hunks > lines > tokens): each level searches the
// children of what the previous level kept. Pure: the caller turns each asked configuration into a probe.
import { DeltaDebugging, type ConfigurationOutcome } from './delta-debugging.js';

export interface ChangeHierarchy {
  /** The top-level changes (files). */
  readonly roots: readonly number[];
  childrenOf(node: number): readonly number[];
  /**
   * Units of one level that only make sense together (a renamed function and its callers), as groups covering all
   * the units in their order: ddmin takes or leaves a group whole. Default: every unit on its own.
   */
  groupsOf?(units: readonly number[]): number[][];
}

export interface LevelCount {
  /** 0 for the roots. */
  depth: number;
  units: number;
  /** What ddmin searched: groups of units taken or left together (as many as units when none are coupled). */
  groups: number;
  tests: number;
  /** The units searched at this level (so a caller can name the level by what they are). */
  unitIds: readonly number[];
  /** Once the level is over: what the narrowing would answer had it stopped there. */
  answer?: LevelAnswer;
}

/** A complete answer of one level: its failing units, with the kept nodes and containers of the levels above. */
export interface LevelAnswer {
  units: readonly number[];
  kept: readonly number[];
  containers: readonly number[];
}

/**
 * What to test: the `units` picked at the current depth, with all their descendants; `kept` nodes (childless
 * survivors of shallower levels) likewise whole; `containers` (survivors whose children are being searched)
 * included but with only the listed descendants applied.
 */
export interface NarrowingConfiguration {
  depth: number;
  units: readonly number[];
  kept: readonly number[];
  containers: readonly number[];
}

export type NarrowingStep =
  | { kind: 'test'; configuration: NarrowingConfiguration }
  | {
      kind: 'done';
      minimal: readonly number[];
      kept: readonly number[];
      containers: readonly number[];
      levels: readonly LevelCount[];
      /** False when the search was stopped early: the answer fails but may not be minimal. */
      complete: boolean;
    };

/** Where the search is: the level, how many of its units are still in the failing configuration, and how fine it cuts. */
export interface NarrowingProgress {
  depth: number;
  unitsLeft: number;
  units: number;
  granularity: number;
}

export class HierarchicalNarrowing {
  private depth = 0;
  private units: number[];
  private readonly kept: number[] = [];
  private readonly containers: number[] = [];
  private readonly levels: LevelCount[] = [];
  private search: DeltaDebugging | undefined;
  /** The current level's groups of units: ddmin searches these. */
  private groups: number[][] = [];
  /** Each unit's group in the current level's search. */
  private indexOf = new Map<number, number>();
  private survivors: number[] = [];
  private finished = false;
  private stopped = false;

  /** `deepest` is the last depth searched (0 = roots only). */
  constructor(
    private readonly hierarchy: ChangeHierarchy,
    private readonly deepest: number,
  ) {
    this.units = [...hierarchy.roots];
    this.startLevel();
  }

  private startLevel(): void {
    if (this.units.length === 0) {
      this.finished = true;
      return;
    }
    this.groups = this.hierarchy.groupsOf?.(this.units) ?? this.units.map((unit) => [unit]);
    this.search = new DeltaDebugging(this.groups.length);
    this.indexOf = new Map(this.groups.flatMap((group, index) => group.map((unit): [number, number] => [unit, index])));
    this.levels.push({ depth: this.depth, units: this.units.length, groups: this.groups.length, tests: 0, unitIds: [...this.units] });
    this.settle();
  }

  /** Moves on while the current level needs no test (done), opening the survivors' children as the next units. */
  private settle(): void {
    while (!this.finished && this.search) {
      const step = this.search.next();
      if (step.kind === 'test') return;
      this.survivors = this.unitsOf(step.minimal);
      const level = this.levels.at(-1);
      if (level) level.answer = { units: [...this.survivors], kept: [...this.kept], containers: [...this.containers] };
      if (this.depth >= this.deepest) {
        this.finished = true;
        return;
      }
      const next: number[] = [];
      for (const id of this.survivors) {
        const children = this.hierarchy.childrenOf(id);
        if (children.length === 0) this.kept.push(id);
        else {
          this.containers.push(id);
          next.push(...children);
        }
      }
      this.depth += 1;
      this.units = next;
      this.survivors = [];
      this.startLevel();
    }
  }

  next(): NarrowingStep {
    if (this.finished || !this.search) {
      return {
        kind: 'done',
        minimal: [...this.survivors],
        kept: [...this.kept],
        containers: [...this.containers],
        levels: this.levels.map((level) => ({ ...level })),
        complete: !this.stopped,
      };
    }
    const step = this.search.next();
    if (step.kind !== 'test') throw new Error('internal: a settled level has a test to ask');
    return { kind: 'test', configuration: this.configurationOf(step.configuration) };
  }

  /**
   * Ends the search now (a budget ran out): the answer is the smallest failing configuration found so far, at the
   * level it was found, marked as not necessarily minimal.
   */
  stop(): void {
    if (this.finished) return;
    if (this.search) this.survivors = this.unitsOf(this.search.current);
    this.stopped = true;
    this.finished = true;
  }

  /** The units searched at a level (known once the search has reached it). */
  levelUnits(depth: number): readonly number[] {
    return this.levels[depth]?.unitIds ?? [];
  }

  /** Where the search is now; undefined once it is over. */
  progress(): NarrowingProgress | undefined {
    if (this.finished || !this.search) return undefined;
    return { depth: this.depth, unitsLeft: this.unitsOf(this.search.current).length, units: this.units.length, granularity: this.search.granularity };
  }

  /** The asked configuration's outcome. */
  record(outcome: ConfigurationOutcome): void {
    const step = this.next();
    if (step.kind !== 'test') throw new Error('internal: no configuration is waiting for an outcome');
    this.recordConfiguration(step.configuration, outcome);
  }

  /**
   * Configurations of the current level the search will ask after `next`'s if none of the pending ones fails: they
   * can be tested alongside it. A level's last answer may open the next level, which no lookahead can foresee.
   */
  upcoming(limit: number): NarrowingConfiguration[] {
    if (this.finished || !this.search) return [];
    return this.search.upcoming(limit).map((indices) => this.configurationOf(indices));
  }

  /** Whether an outcome for this configuration would still be used: it belongs to the current level and is unknown. */
  wants(configuration: NarrowingConfiguration): boolean {
    if (this.finished || !this.search || configuration.depth !== this.depth) return false;
    const indices = this.indicesOf(configuration);
    return indices !== undefined && this.search.unknown(indices);
  }

  /** The outcome of `next`'s configuration or of one `upcoming` named; configurations of past levels are ignored. */
  recordConfiguration(configuration: NarrowingConfiguration, outcome: ConfigurationOutcome): void {
    if (!this.wants(configuration)) return;
    this.search?.record(this.indicesOf(configuration) ?? [], outcome);
    const level = this.levels.at(-1);
    if (level) level.tests += 1;
    this.settle();
  }

  private configurationOf(indices: readonly number[]): NarrowingConfiguration {
    return { depth: this.depth, units: this.unitsOf(indices), kept: [...this.kept], containers: [...this.containers] };
  }

  private unitsOf(indices: readonly number[]): number[] {
    return indices.flatMap((index) => this.groups[index] ?? []);
  }

  private indicesOf(configuration: NarrowingConfiguration): number[] | undefined {
    const indices: number[] = [];
    let covered = 0;
    for (const unit of configuration.units) {
      const index = this.indexOf.get(unit);
      if (index === undefined) return undefined;
      if (indices.at(-1) !== index) {
        indices.push(index);
        covered += this.groups[index]?.length ?? 0;
      }
    }
    // Only whole groups, in order, name a configuration of this level.
    return covered === configuration.units.length ? indices : undefined;
  }
}
