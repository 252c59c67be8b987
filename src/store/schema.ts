// The store's schema as an ordered list of migrations; PRAGMA user_version records how many have run.
// Append, never edit: a store written by an older culprit is brought up to date on open.

export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE hunts (
        id INTEGER PRIMARY KEY,
        -- what makes two runs the same hunt: repository, resolved endpoints, recipe, search options
        key TEXT NOT NULL,
        identity TEXT NOT NULL,
        repo TEXT NOT NULL,
        vcs TEXT NOT NULL,
        arguments TEXT NOT NULL,
        recipe_key TEXT NOT NULL,
        status TEXT NOT NULL,
        candidates INTEGER,
        owner_pid INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        result TEXT,
        error TEXT
      );
      CREATE INDEX hunts_by_key ON hunts (key);
      CREATE INDEX hunts_by_identity ON hunts (identity);

      CREATE TABLE probes (
        id INTEGER PRIMARY KEY,
        hunt_id INTEGER NOT NULL REFERENCES hunts (id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        phase TEXT NOT NULL,
        source TEXT NOT NULL,
        cached_from INTEGER,
        revision TEXT NOT NULL,
        tree TEXT NOT NULL,
        recipe_key TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        outcome TEXT,
        verdict TEXT,
        search_verdict TEXT,
        exit_code INTEGER,
        signal TEXT,
        seconds REAL,
        test_seconds REAL,
        log_path TEXT,
        output_tail TEXT,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        UNIQUE (hunt_id, step)
      );

      CREATE TABLE verdicts (
        identity TEXT NOT NULL,
        tree TEXT NOT NULL,
        recipe_key TEXT NOT NULL,
        hunt_id INTEGER NOT NULL,
        revision TEXT NOT NULL,
        outcome TEXT NOT NULL,
        verdict TEXT NOT NULL,
        search_verdict TEXT NOT NULL,
        exit_code INTEGER,
        signal TEXT,
        seconds REAL NOT NULL,
        test_seconds REAL,
        log_path TEXT NOT NULL,
        output_tail TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (identity, tree, recipe_key)
      );
    `,
  },
  {
    version: 2,
    sql: `
      -- narrowing probes test a configuration of a change on top of a commit: its digest, or NULL for the commit itself
      ALTER TABLE probes ADD COLUMN configuration TEXT;
    `,
  },
  {
    version: 3,
    sql: `
      -- whether the probe's build ran or was restored from the build cache (NULL without a build command)
      ALTER TABLE probes ADD COLUMN build TEXT;
    `,
  },
  {
    version: 4,
    sql: `
      -- where the search stood once the probe's verdict was in (JSON: candidates left, the flaky search's leader):
      -- what a report draws the range shrinking from; NULL for probes outside a search (endpoints, narrowing)
      ALTER TABLE probes ADD COLUMN progress TEXT;
    `,
  },
  {
    version: 5,
    sql: `
      -- the highest hunt id ever given: a forgotten or discarded hunt's id is never given again, so an old report,
      -- a "cached (hunt N)" or "culprit resume N" can never come to mean another hunt
      CREATE TABLE hunt_ids (last INTEGER NOT NULL);
      INSERT INTO hunt_ids (last) SELECT coalesce(max(id), 0) FROM hunts;
    `,
  },
  {
    version: 6,
    sql: `
      -- what the hunt's recipe key was made of beyond its arguments (the keyed variables, the scripts' digests), so a
      -- resume under another environment can say what differs
      ALTER TABLE hunts ADD COLUMN recipe_environment TEXT;
      -- when the owner process started (boot id and start time): a pid reused after a reboot is not the owner
      ALTER TABLE hunts ADD COLUMN owner_start TEXT;
      -- the test timeout a verdict was found under: a hang is reused only by a hunt whose timeout is no longer
      ALTER TABLE verdicts ADD COLUMN timeout_seconds REAL;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Every table some version of this schema makes: a store holding any other is another application's database. */
export const CULPRIT_TABLES: ReadonlySet<string> = new Set(['hunts', 'probes', 'verdicts', 'hunt_ids']);
