// Queries on the probes table: a probe is written when it starts (in flight) and completed when it ends,
// in the same transaction as its verdict-cache entry, so each verdict is durable before the next decision.
import type { Outcome, Phase, ProbeRecord } from '../model/probe-record.js';
import type { Connection } from './database.js';
import type { CachedVerdict, ProbeProgress, ProbeRow, StoredProbeSource } from './store-types.js';

interface RawProbe {
  id: number;
  hunt_id: number;
  step: number;
  phase: Phase;
  source: StoredProbeSource;
  cached_from: number | null;
  revision: string;
  configuration: string | null;
  tree: string;
  recipe_key: string;
  subject: string;
  outcome: string | null;
  verdict: ProbeRecord['verdict'] | null;
  search_verdict: ProbeRecord['searchVerdict'] | null;
  exit_code: number | null;
  signal: string | null;
  seconds: number | null;
  test_seconds: number | null;
  log_path: string | null;
  output_tail: string | null;
  build: ProbeRecord['build'] | null;
  progress: string | null;
  started_at: string;
  ended_at: string | null;
}

function toRow(raw: RawProbe): ProbeRow {
  return {
    id: raw.id,
    huntId: raw.hunt_id,
    step: raw.step,
    phase: raw.phase,
    source: raw.source,
    cachedFrom: raw.cached_from,
    commit: raw.revision,
    configuration: raw.configuration,
    tree: raw.tree,
    recipeKey: raw.recipe_key,
    subject: raw.subject,
    outcome: (raw.outcome === null ? { kind: 'untestable' } : JSON.parse(raw.outcome)) as Outcome,
    verdict: raw.verdict ?? 'skip',
    searchVerdict: raw.search_verdict ?? 'skip',
    exitCode: raw.exit_code,
    signal: raw.signal,
    seconds: raw.seconds ?? 0,
    ...(raw.test_seconds === null ? {} : { testSeconds: raw.test_seconds }),
    ...(raw.build === null ? {} : { build: raw.build }),
    logPath: raw.log_path ?? '',
    outputTail: raw.output_tail ?? '',
    startedAt: raw.started_at,
    endedAt: raw.ended_at,
    ...(raw.progress === null ? {} : { progress: JSON.parse(raw.progress) as ProbeProgress }),
  };
}

/** Outcomes that say something about the environment rather than the tree are never reused. */
function cacheable(finding: ProbeRecord): boolean {
  // A failed narrowing check says nothing of the test, and another hunt may check differently or not at all.
  return finding.outcome.kind !== 'crashed' && finding.outcome.kind !== 'not-found' && finding.outcome.kind !== 'check-failed' && finding.searchVerdict !== 'abort';
}

interface TimedVerdict {
  outcome: string;
  test_seconds: number | null;
  timeout_seconds: number | null;
}

/**
 * The test timeouts a cached verdict must hold under: the recipe key says only "derived" when no --timeout was given,
 * and derived timeouts differ between hunts, or are not known yet when the first probes start (--jobs).
 */
export interface ReuseLimits {
  /** A finished run is reused if it ran in less than this: the shortest timeout this hunt may end up with. */
  finishedUnder: number;
  /** A hang is reused if it was found under at least this: the longest timeout this hunt may end up with. */
  hungFrom: number;
}

/** Whether a cached verdict would come out the same under `limits` (a hang found under no recorded timeout: never). */
function holdsUnder(verdict: TimedVerdict, limits: ReuseLimits | undefined): boolean {
  if (limits === undefined) return true;
  if ((JSON.parse(verdict.outcome) as Outcome).kind === 'hung') return verdict.timeout_seconds !== null && verdict.timeout_seconds >= limits.hungFrom;
  return verdict.test_seconds === null || verdict.test_seconds < limits.finishedUnder;
}

export interface ProbeStart {
  huntId: number;
  step: number;
  phase: Phase;
  commit: string;
  configuration: string | null;
  tree: string;
  recipeKey: string;
  subject: string;
}

export class ProbeTable {
  constructor(private readonly db: Connection) {}

  /** All probes of a hunt in step order, the one in flight included. */
  list(huntId: number): ProbeRow[] {
    return (this.db.prepare(`SELECT * FROM probes WHERE hunt_id = ? ORDER BY step`).all(huntId) as RawProbe[]).map(toRow);
  }

  /** Forgets the probe a dead process had in flight: resuming redoes it. */
  dropInFlight(huntId: number): void {
    this.db.prepare(`DELETE FROM probes WHERE hunt_id = ? AND ended_at IS NULL`).run(huntId);
  }

  /** Forgets one probe that ended without an answer (cancelled because its answer no longer mattered). */
  discard(probeId: number): void {
    this.db.prepare(`DELETE FROM probes WHERE id = ? AND ended_at IS NULL`).run(probeId);
  }

  nextStep(huntId: number): number {
    return (this.db.prepare(`SELECT coalesce(max(step), 0) + 1 AS step FROM probes WHERE hunt_id = ?`).get(huntId) as { step: number }).step;
  }

  start(probe: ProbeStart): number {
    const info = this.db
      .prepare(
        `INSERT INTO probes (hunt_id, step, phase, source, revision, configuration, tree, recipe_key, subject, started_at)
         VALUES (?, ?, ?, 'run', ?, ?, ?, ?, ?, ?)`,
      )
      .run(probe.huntId, probe.step, probe.phase, probe.commit, probe.configuration, probe.tree, probe.recipeKey, probe.subject, new Date().toISOString());
    return Number(info.lastInsertRowid);
  }

  /** Where the search stood after this probe: a report's picture of the range shrinking, written after the verdict. */
  noteProgress(probeId: number, progress: ProbeProgress): void {
    this.db.prepare(`UPDATE probes SET progress = ? WHERE id = ?`).run(JSON.stringify(progress), probeId);
  }

  /** Changes whenever a probe of the hunt starts, ends or gets its progress: what a live report polls, cheaply. */
  fingerprint(huntId: number): string {
    const row = this.db.prepare(`SELECT count(*) AS started, count(ended_at) AS ended, count(progress) AS progressed, coalesce(max(step), 0) AS last FROM probes WHERE hunt_id = ?`).get(huntId);
    return JSON.stringify(row);
  }

  one(probeId: number): ProbeRow {
    const raw = this.db.prepare(`SELECT * FROM probes WHERE id = ?`).get(probeId) as RawProbe | undefined;
    if (!raw) throw new Error(`internal: probe ${probeId} is not in the store`);
    return toRow(raw);
  }

  /**
   * Completes a probe and, when the verdict is about the tree, records it in the verdict cache; one transaction.
   * Returns the probe as stored.
   */
  finish(probeId: number, finding: ProbeRecord, subject: string, cacheIdentity: string | undefined, timeoutSeconds?: number): ProbeRow {
    this.db.transaction(() => {
      const at = new Date().toISOString();
      this.db
        .prepare(
          `UPDATE probes SET outcome = ?, verdict = ?, search_verdict = ?, exit_code = ?, signal = ?, seconds = ?, test_seconds = ?,
             log_path = ?, output_tail = ?, build = ?, subject = ?, ended_at = ? WHERE id = ?`,
        )
        .run(
          JSON.stringify(finding.outcome), finding.verdict, finding.searchVerdict, finding.exitCode, finding.signal, finding.seconds,
          finding.testSeconds ?? null, finding.logPath, finding.outputTail, finding.build ?? null, subject, at, probeId,
        );
      if (cacheIdentity === undefined || !cacheable(finding)) return;
      const probe = this.db.prepare(`SELECT hunt_id, revision, tree, recipe_key FROM probes WHERE id = ?`).get(probeId) as
        | { hunt_id: number; revision: string; tree: string; recipe_key: string }
        | undefined;
      if (!probe) return;
      this.db
        .prepare(
          `INSERT OR REPLACE INTO verdicts (identity, tree, recipe_key, hunt_id, revision, outcome, verdict, search_verdict, exit_code,
             signal, seconds, test_seconds, log_path, output_tail, recorded_at, timeout_seconds)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          cacheIdentity, probe.tree, probe.recipe_key, probe.hunt_id, probe.revision, JSON.stringify(finding.outcome), finding.verdict,
          finding.searchVerdict, finding.exitCode, finding.signal, finding.seconds, finding.testSeconds ?? null, finding.logPath, finding.outputTail, at,
          timeoutSeconds ?? null,
        );
    }).immediate();
    return this.one(probeId);
  }

  /** Records a probe answered from the verdict cache, finished as it is written; returns it as stored. */
  recordCached(probe: ProbeStart, cached: CachedVerdict): ProbeRow {
    const at = new Date().toISOString();
    const info = this.db
      .prepare(
        `INSERT INTO probes (hunt_id, step, phase, source, cached_from, revision, configuration, tree, recipe_key, subject, outcome, verdict, search_verdict,
           exit_code, signal, seconds, test_seconds, log_path, output_tail, started_at, ended_at)
         VALUES (?, ?, ?, 'cached', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        probe.huntId, probe.step, probe.phase, cached.huntId, probe.commit, probe.configuration, probe.tree, probe.recipeKey, probe.subject, JSON.stringify(cached.outcome),
        cached.verdict, cached.searchVerdict, cached.exitCode, cached.signal, cached.seconds, cached.testSeconds ?? null, cached.logPath, cached.outputTail, at, at,
      );
    return this.one(Number(info.lastInsertRowid));
  }

  /** A verdict another run found for this tree and recipe that holds under the test timeout now in force (if given). */
  cachedVerdict(identity: string, tree: string, recipeKey: string, limits?: ReuseLimits): CachedVerdict | undefined {
    const raw = this.db.prepare(`SELECT * FROM verdicts WHERE identity = ? AND tree = ? AND recipe_key = ?`).get(identity, tree, recipeKey) as
      | (Omit<RawProbe, 'id' | 'step' | 'phase' | 'source' | 'cached_from' | 'configuration' | 'subject' | 'started_at' | 'ended_at' | 'build'> & { outcome: string; timeout_seconds: number | null })
      | undefined;
    if (!raw || !holdsUnder(raw, limits)) return undefined;
    return {
      huntId: raw.hunt_id,
      commit: raw.revision,
      outcome: JSON.parse(raw.outcome) as Outcome,
      verdict: raw.verdict ?? 'skip',
      searchVerdict: raw.search_verdict ?? 'skip',
      exitCode: raw.exit_code,
      signal: raw.signal,
      seconds: raw.seconds ?? 0,
      ...(raw.test_seconds === null ? {} : { testSeconds: raw.test_seconds }),
      logPath: raw.log_path ?? '',
      outputTail: raw.output_tail ?? '',
    };
  }

  /** The trees with a cached verdict for a repository and recipe, in one query (a parallel hunt asks them first). */
  cachedTrees(identity: string, recipeKey: string, limits?: ReuseLimits): Set<string> {
    const rows = this.db.prepare(`SELECT tree, outcome, test_seconds, timeout_seconds FROM verdicts WHERE identity = ? AND recipe_key = ?`).all(identity, recipeKey) as Array<TimedVerdict & { tree: string }>;
    return new Set(rows.filter((row) => holdsUnder(row, limits)).map((row) => row.tree));
  }

  forgetVerdict(identity: string, tree: string, recipeKey: string): void {
    this.db.prepare(`DELETE FROM verdicts WHERE identity = ? AND tree = ? AND recipe_key = ?`).run(identity, tree, recipeKey);
  }
}
