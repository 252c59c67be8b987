// The mapping of errno and SQLite failures to one line with what to do, and the naming of the file a write was for.
import { describe, expect, it } from 'vitest';
import { asEnvironmentError, failedWriting } from '../../src/environment-failure.js';
import { EnvironmentError, EXIT } from '../../src/errors.js';
import { looksDamaged } from '../../src/history/tool-failure.js';

function errno(code: string, message: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, ...(path === undefined ? {} : { path }) });
}

describe('environment failures', () => {
  it('names the file a pathless write error was for (Node names none)', () => {
    const mapped = failedWriting('/cache/logs/001.test.log', errno('ENOSPC', 'ENOSPC: no space left on device, write'));
    expect(mapped).toBeInstanceOf(EnvironmentError);
    expect((mapped as EnvironmentError).exitCode).toBe(EXIT.environment);
    expect((mapped as EnvironmentError).line).toBe('no space left on the device writing /cache/logs/001.test.log; free some disk space');
    expect((failedWriting('/x', errno('EIO', 'EIO: i/o error, write')) as EnvironmentError).line).toBe('input/output error on /x; check the disk');
  });

  it('keeps the path an error already names, and passes on what is no write failure', () => {
    expect((failedWriting('/other', errno('ENOSPC', 'm', '/named')) as EnvironmentError).line).toMatch(/writing \/named;/);
    const kill = errno('EPERM', 'kill EPERM');
    expect(failedWriting('/log', kill)).toBe(kill);
    const plain = new Error('internal');
    expect(failedWriting('/log', plain)).toBe(plain);
  });

  it('maps SQLite codes and errno codes, and nothing else', () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(asEnvironmentError(full)?.line).toMatch(/hunt store.*; free some disk space$/);
    expect(asEnvironmentError(errno('ENOSPC', 'm', '/w/ws-0.lock'))?.line).toBe('no space left on the device writing /w/ws-0.lock; free some disk space');
    expect(asEnvironmentError(new Error('a bug'))).toBeUndefined();
    expect(asEnvironmentError('text')).toBeUndefined();
  });

  it('takes only unmistakable damage for damage where a failure is normally bad input', () => {
    expect(looksDamaged('error: packfile .git/objects/pack/pack-1.pack does not match index\n')).toBe(true);
    expect(looksDamaged('abort: index 00changelog is corrupted\n')).toBe(true);
    expect(looksDamaged('')).toBe(false);
    expect(looksDamaged("fatal: no upstream configured for branch 'main'\n")).toBe(false);
    expect(looksDamaged("abort: unknown revision 'nosuch'\n")).toBe(false);
  });
});
