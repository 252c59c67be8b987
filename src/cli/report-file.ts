// Where a report goes (`report -o FILE`, `run --report FILE`): the path is checked before any work, and the file
// appears whole or not at all (written beside it, then renamed), so a reader never opens half a report.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import { checkFileDirectory } from '../system/directory-check.js';

/**
 * The report path as given, made absolute. Refused: a directory, a file in a directory that does not exist or cannot
 * be written, and the hunt store itself (`store`, when known).
 */
export function reportPath(value: unknown, option: string, store?: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${option} needs a file name`, `e.g. ${option} hunt.html`);
  const path = resolve(value);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new UsageError(`${option} ${value} is a directory`, `name a file in it, e.g. ${option} ${value.replace(/\/+$/, '')}/hunt.html`);
  checkFileDirectory(value, option);
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${value}: the directory ${dirname(path)} cannot be written`, 'name a file in a directory you can write to');
  }
  if (store !== undefined && resolve(store) === path) throw new UsageError(`${option} ${value} is the hunt store itself`, 'name another file, e.g. hunt.html');
  return path;
}

export function writeReportFile(path: string, text: string): void {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const reason = error instanceof Error ? error.message : String(error);
    if (code === 'ENOSPC' || code === 'EIO' || code === 'EDQUOT') throw new EnvironmentError(`could not write the report to ${path}: ${reason}`, 'free some space and run the command again');
    throw new UsageError(`could not write the report to ${path}: ${reason}`, 'name a file you can write');
  }
}
