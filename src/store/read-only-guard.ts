// The store's file system turned read-only under a running culprit (an ext4 remounted read-only after a disk error):
// each statement first asks whether the store can still be written, so the hunt stops with one line instead of
// SQLite failing halfway, or touching its memory-mapped WAL index (-shm) where a write fault is a SIGBUS.
import { accessSync, closeSync, constants, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EnvironmentError } from '../errors.js';

type Connection = Database.Database;

/** The one line for a store on a read-only file system. */
function readOnlyStore(file: string, cause?: unknown): EnvironmentError {
  return new EnvironmentError(`the hunt store ${file} is on a file system that is read-only now`, 'make it writable again (check the disk, then remount it read-write), or copy the store to a writable disk and pass --store there', cause);
}

/** Throws the one line when the store's file system is read-only; EROFS is all access() can say about that. */
export function checkStoreWritable(file: string): void {
  try {
    accessSync(file, constants.W_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EROFS') throw readOnlyStore(file, error);
  }
}

/**
 * After SQLite failed to write: whether the store's file system is read-only. access() does not see every kind (ext4
 * after an error is `emergency_ro`, still `rw` to access()), so a file is created next to the store and removed.
 */
function readOnlyNow(file: string): boolean {
  const trial = path.join(path.dirname(file), `.culprit-write-check-${process.pid}`);
  try {
    closeSync(openSync(trial, 'wx'));
    rmSync(trial, { force: true });
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS';
  }
}

/** What SQLite says of a write the disk refused: an I/O error, a read-only database, a file it cannot open. */
const WRITE_REFUSED = /^SQLITE_(IOERR|READONLY|CANTOPEN)/;

/** `error` from the store at `file`, as the read-only line when the store's file system turned read-only. */
export function asReadOnlyStore(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  const refused = (typeof code === 'string' && WRITE_REFUSED.test(code)) || (error instanceof Error && /readonly database|disk I\/O error/i.test(error.message));
  return refused && readOnlyNow(file) ? readOnlyStore(file, error) : error;
}

/** Runs `call` after `check`, and names a read-only file system when SQLite's write failed on one. */
function checked<R>(file: string, call: () => R): R {
  checkStoreWritable(file);
  try {
    return call();
  } catch (error) {
    throw asReadOnlyStore(error, file);
  }
}

/** `target` with each method checked; a method returning its own object (`pluck()`) returns the guarded one. */
function guarded<T extends object>(target: T, file: string): T {
  const proxy: T = new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = checked(file, () => (value as (...parameters: unknown[]) => unknown).apply(object, args));
        return result === object ? proxy : result;
      };
    },
  });
  return proxy;
}

/** Makes every statement of `connection` (and its exec and pragma) check that `file` is still writable first. */
export function guardAgainstReadOnly(connection: Connection, file: string): Connection {
  const { prepare, exec, pragma, transaction } = connection;
  connection.prepare = ((source: string) => guarded(checked(file, () => prepare.call(connection, source)), file)) as Connection['prepare'];
  connection.exec = (source: string): Connection => checked(file, () => exec.call(connection, source));
  connection.pragma = ((source: string, options?: Database.PragmaOptions) => checked(file, () => pragma.call(connection, source, options))) as Connection['pragma'];
  // A transaction's COMMIT is where its writes reach the disk: the function and its variants are checked too.
  connection.transaction = ((body: (...args: unknown[]) => unknown) => {
    const made = transaction.call(connection, body);
    const variant = (run: (...args: unknown[]) => unknown) => (...args: unknown[]): unknown => checked(file, () => run(...args));
    return Object.assign(variant(made), { default: variant(made.default), deferred: variant(made.deferred), immediate: variant(made.immediate), exclusive: variant(made.exclusive) });
  }) as Connection['transaction'];
  return connection;
}
