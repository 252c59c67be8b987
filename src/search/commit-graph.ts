// A commit DAG in compact form (dense ids, parent lists in CSR arrays), as the search strategies see it.
// Built once per hunt by a history adapter; strategies only read it, so it holds no VCS-specific data.

/** Marks a parent that exists in history but lies outside the loaded graph. */
export const OUTSIDE = -1;

export interface CommitRecord {
  /** Stable identifier: the full commit hash. Used as the final tie-breaker, as git orders by object id. */
  key: string;
  /** Commit timestamp (seconds since the epoch); orders the walk the way `git rev-list` does. */
  time: number;
  /** Parent keys in order, first parent first; keys not in the graph become OUTSIDE. */
  parents: readonly string[];
}

export class CommitGraph {
  readonly size: number;
  private readonly keys: string[];
  private readonly times: Float64Array;
  private readonly parentStart: Uint32Array;
  private readonly parentIds: Int32Array;
  private readonly idByKey: Map<string, number>;

  private constructor(keys: string[], times: Float64Array, parentStart: Uint32Array, parentIds: Int32Array, idByKey: Map<string, number>) {
    this.size = keys.length;
    this.keys = keys;
    this.times = times;
    this.parentStart = parentStart;
    this.parentIds = parentIds;
    this.idByKey = idByKey;
  }

  /** Builds a graph from records in any order; duplicate keys keep the first record. */
  static fromRecords(records: Iterable<CommitRecord>): CommitGraph {
    const list: CommitRecord[] = [];
    const idByKey = new Map<string, number>();
    for (const record of records) {
      if (idByKey.has(record.key)) continue;
      idByKey.set(record.key, list.length);
      list.push(record);
    }
    const times = new Float64Array(list.length);
    const parentStart = new Uint32Array(list.length + 1);
    let total = 0;
    for (const record of list) total += record.parents.length;
    const parentIds = new Int32Array(total);
    let cursor = 0;
    list.forEach((record, id) => {
      times[id] = record.time;
      parentStart[id] = cursor;
      for (const parent of record.parents) parentIds[cursor++] = idByKey.get(parent) ?? OUTSIDE;
    });
    parentStart[list.length] = cursor;
    return new CommitGraph(list.map((record) => record.key), times, parentStart, parentIds, idByKey);
  }

  keyOf(id: number): string {
    const key = this.keys[id];
    if (key === undefined) throw new RangeError(`no commit with id ${id}`);
    return key;
  }

  idOf(key: string): number | undefined {
    return this.idByKey.get(key);
  }

  timeOf(id: number): number {
    return this.times[id] ?? 0;
  }

  /** Parent ids in order; OUTSIDE for parents not loaded. */
  parentsOf(id: number): Int32Array {
    return this.parentIds.subarray(this.parentStart[id], this.parentStart[id + 1]);
  }

  parentCount(id: number): number {
    return (this.parentStart[id + 1] ?? 0) - (this.parentStart[id] ?? 0);
  }
}
