// Queries on the hunts table: create, claim for a process, find unfinished ones, finish, list.
// Ownership is a pid and that process's start: a hunt whose owner died is free to be resumed by anyone, even when
// its pid now names another process.
import { ownStartIdentity, sameProcessAlive } from '../system/process-alive.js';
import { upgradeStoredResult } from './stored-result.js';
import type { Connection } from './database.js';
import type { HuntArguments, HuntRow, HuntStatus, RecipeEnvironment, StoredResult } from './store-types.js';

interface RawHunt {
  id: number;
  key: string;
  identity: string;
  repo: string;
  vcs: 'git' | 'hg' | 'versions' | 'factors';
  arguments: string;
  recipe_key: string;
  status: HuntStatus;
  candidates: number | null;
  owner_pid: number | null;
  owner_start: string | null;
  recipe_environment: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  result: string | null;
  error: string | null;
  probe_count: number;
}

const SELECT = `SELECT h.*, (SELECT count(*) FROM probes p WHERE p.hunt_id = h.id AND p.ended_at IS NOT NULL) AS probe_count FROM hunts h`;

function now(): string {
  return new Date().toISOString();
}

function toRow(raw: RawHunt): HuntRow {
  return {
    id: raw.id,
    key: raw.key,
    identity: raw.identity,
    repo: raw.repo,
    vcs: raw.vcs,
    arguments: JSON.parse(raw.arguments) as HuntArguments,
    recipeKey: raw.recipe_key,
    status: raw.status,
    candidates: raw.candidates,
    ownerPid: raw.owner_pid,
    ownerStart: raw.owner_start,
    recipeEnvironment: raw.recipe_environment === null ? null : (JSON.parse(raw.recipe_environment) as RecipeEnvironment),
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    finishedAt: raw.finished_at,
    result: raw.result === null ? null : upgradeStoredResult(JSON.parse(raw.result) as Parameters<typeof upgradeStoredResult>[0]),
    error: raw.error,
    probeCount: raw.probe_count,
  };
}

/** A running hunt whose process is gone was killed: it is as resumable as an interrupted one. */
export function ownerAlive(hunt: HuntRow): boolean {
  return hunt.status === 'running' && hunt.ownerPid !== null && hunt.ownerPid !== process.pid && sameProcessAlive(hunt.ownerPid, hunt.ownerStart);
}

export function isUnfinished(hunt: HuntRow): boolean {
  return hunt.status === 'running' || hunt.status === 'interrupted' || hunt.status === 'aborted';
}

export class HuntTable {
  constructor(private readonly db: Connection) {}

  create(init: { key: string; identity: string; arguments: HuntArguments; recipeKey: string; recipeEnvironment?: RecipeEnvironment; candidates: number }): number {
    const at = now();
    return this.db.transaction(() => {
      // Past every id ever given, not only the ids still there: ids are never reused.
      const id = (this.db.prepare(`UPDATE hunt_ids SET last = max(last, (SELECT coalesce(max(id), 0) FROM hunts)) + 1 RETURNING last`).get() as { last: number }).last;
      this.db
        .prepare(
          `INSERT INTO hunts (id, key, identity, repo, vcs, arguments, recipe_key, recipe_environment, status, candidates, owner_pid, owner_start, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
        )
        .run(
          id, init.key, init.identity, init.arguments.repo, init.arguments.vcs, JSON.stringify(init.arguments), init.recipeKey,
          init.recipeEnvironment === undefined ? null : JSON.stringify(init.recipeEnvironment), init.candidates, process.pid, ownStartIdentity() ?? null, at, at,
        );
      return id;
    })();
  }

  get(id: number): HuntRow | undefined {
    const raw = this.db.prepare(`${SELECT} WHERE h.id = ?`).get(id) as RawHunt | undefined;
    return raw && toRow(raw);
  }

  list(identity?: string): HuntRow[] {
    const raws = (identity === undefined
      ? this.db.prepare(`${SELECT} ORDER BY h.id DESC`).all()
      : this.db.prepare(`${SELECT} WHERE h.identity = ? ORDER BY h.id DESC`).all(identity)) as RawHunt[];
    return raws.map(toRow);
  }

  /** Unfinished hunts, newest first, with the same key (same arguments) or of one repository. */
  unfinished(filter: { key?: string; identity?: string }): HuntRow[] {
    const raws = (filter.key !== undefined
      ? this.db.prepare(`${SELECT} WHERE h.key = ? AND h.status IN ('running', 'interrupted', 'aborted') ORDER BY h.id DESC`).all(filter.key)
      : this.db.prepare(`${SELECT} WHERE h.identity = ? AND h.status IN ('running', 'interrupted', 'aborted') ORDER BY h.id DESC`).all(filter.identity)) as RawHunt[];
    return raws.map(toRow);
  }

  /**
   * Makes this process the hunt's owner, unless a live process owns it; atomic against a second culprit
   * claiming the same hunt. Returns the live owner's pid when the claim fails.
   */
  claim(id: number): { claimed: true } | { claimed: false; owner: number } {
    return this.db.transaction((): { claimed: true } | { claimed: false; owner: number } => {
      const hunt = this.get(id);
      if (!hunt) throw new Error(`internal: hunt ${id} vanished`);
      if (ownerAlive(hunt)) return { claimed: false, owner: hunt.ownerPid ?? 0 };
      this.db.prepare(`UPDATE hunts SET status = 'running', owner_pid = ?, owner_start = ?, updated_at = ?, error = NULL WHERE id = ?`).run(process.pid, ownStartIdentity() ?? null, now(), id);
      return { claimed: true };
    }).immediate();
  }

  finish(id: number, status: HuntStatus, result: StoredResult | null, error: string | null): void {
    const at = now();
    const finished = status === 'found' || status === 'ambiguous' ? at : null;
    this.db
      .prepare(`UPDATE hunts SET status = ?, result = ?, error = ?, owner_pid = NULL, owner_start = NULL, updated_at = ?, finished_at = ? WHERE id = ?`)
      .run(status, result === null ? null : JSON.stringify(result), error, at, finished, id);
  }

  /**
   * Forgets a hunt that stopped on bad input, with the verdicts it put in the cache: they were found under endpoints
   * that proved wrong (their logs are removed), and a later hunt may be given the same id.
   */
  delete(id: number): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM verdicts WHERE hunt_id = ?`).run(id);
      this.db.prepare(`DELETE FROM probes WHERE hunt_id = ?`).run(id);
      this.db.prepare(`DELETE FROM hunts WHERE id = ?`).run(id);
    })();
  }

  count(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM hunts`).get() as { n: number }).n;
  }
}
