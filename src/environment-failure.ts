// Failures of the machine under a hunt (a full disk, an unwritable directory, a broken store file) as one line
// that says what failed and what to do, instead of a stack trace: errno errors and SQLite's error codes.
import { EnvironmentError } from './errors.js';

function errnoLine(code: string, error: NodeJS.ErrnoException, file = error.path): EnvironmentError | undefined {
  const where = file ? ` ${file}` : '';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new EnvironmentError(`no space left on the device writing${where || ' culprit\'s files'}`, 'free some disk space', error);
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return new EnvironmentError(`cannot write${where || ' culprit\'s files'}: ${code === 'EROFS' ? 'read-only file system' : 'permission denied'}`, 'make it writable, or pass --workdir and --store elsewhere', error);
    case 'EIO':
      return new EnvironmentError(`input/output error on${where || ' the disk'}`, 'check the disk', error);
    case 'EMFILE':
    case 'ENFILE':
      return new EnvironmentError('too many open files', 'raise the limit (ulimit -n)', error);
    default:
      return undefined;
  }
}

function sqliteLine(code: string, error: Error): EnvironmentError | undefined {
  if (code === 'SQLITE_FULL') return new EnvironmentError('the hunt store cannot grow: no space left on its device', 'free some disk space', error);
  if (code.startsWith('SQLITE_READONLY')) return new EnvironmentError(`the hunt store is read-only: ${error.message}`, 'make the file and its directory writable, or pass --store elsewhere', error);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return new EnvironmentError(`the hunt store is damaged: ${error.message}`, 'move the store file aside (culprit starts a new one) or pass --store elsewhere', error);
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return new EnvironmentError(`the hunt store could not be read or written: ${error.message}`, 'check the disk it is on', error);
  return undefined;
}

/** Failures of writing itself: what a full, read-only or failing disk gives a write to a file already open. */
const WRITE_FAILURES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

/**
 * `error` from writing `file`, as the one line naming that file: Node's write errors name no path (`ENOSPC: no space
 * left on device, write`). Any other error comes back as it is.
 */
export function failedWriting(file: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const errno = error as NodeJS.ErrnoException;
  if (typeof errno.code !== 'string' || !WRITE_FAILURES.has(errno.code)) return error;
  return errnoLine(errno.code, errno, errno.path ?? file) ?? error;
}

/** The one-line error for a failure of the machine rather than of culprit; undefined for anything else. */
export function asEnvironmentError(error: unknown): EnvironmentError | undefined {
  if (error instanceof EnvironmentError) return error;
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return undefined;
  return code.startsWith('SQLITE_') ? sqliteLine(code, error) : errnoLine(code, error as NodeJS.ErrnoException);
}
