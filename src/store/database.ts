// Opens the SQLite file behind the store: WAL and full sync so a committed verdict survives a crash or power loss,
// migrations on open, and one-line errors for every way the path can be wrong.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EnvironmentError, UsageError } from '../errors.js';
import { CULPRIT_TABLES, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Connection = Database.Database;

const HINT = 'pass --store PATH with a writable file, or remove the broken one';

/** A store path that is fine but whose disk is full or failing: the machine's fault (exit 4), not the input's. */
function diskFailure(what: string, error: unknown): EnvironmentError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return new EnvironmentError(`${what}: ${describe(error)}`, 'free some disk space', error);
  if (code === 'EIO' || code.startsWith('SQLITE_IOERR')) return new EnvironmentError(`${what}: ${describe(error)}`, 'check the disk it is on, or pass --store elsewhere', error);
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** Opens (creating when allowed) and migrates the store at `file`; returns whether the file is new. */
export function openDatabase(file: string, options: { mustExist: boolean }): { connection: Connection; created: boolean } {
  const exists = existsSync(file);
  if (!exists && options.mustExist) {
    throw new UsageError(`no hunt store at ${file}: no hunt has been recorded there yet`, 'run a hunt first, or pass --store PATH');
  }
  if (exists && statSync(file).isDirectory()) throw new UsageError(`the store path ${file} is a directory`, 'pass --store PATH naming a file');
  if (!exists) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch (error) {
      const what = `cannot create the store's directory ${path.dirname(file)}`;
      throw diskFailure(what, error) ?? new UsageError(`${what}: ${describe(error)}`, HINT);
    }
  }
  // Looked at read-only first: a read-write open may already write (a hot journal rolled back, a WAL checkpointed),
  // and another application's database, or a newer culprit's store, must be left byte for byte as it was.
  if (exists) inspectReadOnly(file);
  let connection: Connection;
  try {
    connection = new Database(file, { timeout: 15_000 });
  } catch (error) {
    throw diskFailure(`cannot open the hunt store ${file}`, error) ?? new UsageError(`cannot open the hunt store ${file}: ${describe(error)}`, HINT);
  }
  try {
    // Again on this connection, before anything writes: the file may have changed since it was inspected.
    refuseForeign(connection, file);
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = FULL');
    connection.pragma('foreign_keys = ON');
    migrate(connection, file);
  } catch (error) {
    connection.close();
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new UsageError(`${file} is not a culprit hunt store (not an SQLite database, or damaged)`, HINT);
    }
    throw diskFailure(`cannot use the hunt store ${file}`, error) ?? new UsageError(`cannot use the hunt store ${file}: ${describe(error)}`, HINT);
  }
  return { connection, created: !exists };
}

/**
 * A database with tables that is not culprit's (user_version 0 with anything in it, tables no culprit makes, a
 * version without a hunts table), or a newer culprit's store: refused before anything is written to it.
 */
function refuseForeign(connection: Connection, file: string): void {
  // One read transaction: a migration another culprit commits in between must not make culprit's tables look foreign.
  const { version, tables } = connection.transaction(() => ({
    version: connection.pragma('user_version', { simple: true }) as number,
    tables: (connection.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as Array<{ name: string }>).map((row) => row.name),
  }))();
  const hint = 'pass --store PATH naming a culprit store or a new file';
  // A newer culprit may have tables this one does not know; it has a hunts table all the same.
  const foreign = version === 0 ? tables : version > SCHEMA_VERSION ? [] : tables.filter((name) => !CULPRIT_TABLES.has(name));
  if (foreign.length > 0) throw new UsageError(`${file} is not a culprit hunt store: it holds other tables (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''})`, hint);
  if (version > 0 && !tables.includes('hunts')) throw new UsageError(`${file} is not a culprit hunt store: it says schema ${version} but has no hunts table`, hint);
  refuseNewer(version, file);
}

function refuseNewer(version: number, file: string): void {
  if (version > SCHEMA_VERSION) {
    throw new UsageError(
      `the hunt store ${file} was written by a newer culprit (schema ${version}; this one knows up to ${SCHEMA_VERSION})`,
      'upgrade culprit, or pass --store PATH to use another store',
    );
  }
}

/** refuseForeign on a read-only connection; a file it cannot read that way is left to the read-write open to judge. */
function inspectReadOnly(file: string): void {
  let reader: Connection;
  try {
    reader = new Database(file, { readonly: true, fileMustExist: true, timeout: 15_000 });
  } catch {
    return;
  }
  try {
    refuseForeign(reader, file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
  } finally {
    reader.close();
  }
}

function migrate(connection: Connection, file: string): void {
  const version = connection.pragma('user_version', { simple: true }) as number;
  refuseNewer(version, file);
  if (version === SCHEMA_VERSION) return;
  // IMMEDIATE: two culprits opening a fresh store at once must not both run the same migration.
  connection.transaction(() => {
    const current = connection.pragma('user_version', { simple: true }) as number;
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      connection.exec(migration.sql);
      connection.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
}
