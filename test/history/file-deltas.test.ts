// File deltas between two commits, read from real git and Mercurial repositories made by the same script:
// modified, added, deleted, renamed, binary and mode changes, with both sides' bytes.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitHistory } from '../../src/history/git-history.js';
import { HgHistory } from '../../src/history/hg-history.js';
import type { FileDelta } from '../../src/history/history.js';
import { hgEnv } from '../fixtures/scripted-hg-repo.js';
import { tempDir } from '../fixtures/scripted-repo.js';

const RENAMED_TEXT = Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join('');

function writeParent(dir: string): void {
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'errors.js'), "const RETRIED = new Set(['ECONNRESET']);\nmodule.exports = RETRIED;\n");
  writeFileSync(path.join(dir, 'gone.txt'), 'bye\n');
  writeFileSync(path.join(dir, 'old-name.txt'), RENAMED_TEXT);
  writeFileSync(path.join(dir, 'logo.bin'), Buffer.from([0, 1, 2, 3]));
  writeFileSync(path.join(dir, 'run.sh'), 'echo run\n');
}

function writeChild(dir: string): void {
  writeFileSync(path.join(dir, 'src', 'errors.js'), "const RETRIED = new Set(['ECONNRESET', 'EPIPE', 'EBADF']);\nmodule.exports = RETRIED;\n");
  rmSync(path.join(dir, 'gone.txt'));
  renameSync(path.join(dir, 'old-name.txt'), path.join(dir, 'new-name.txt'));
  writeFileSync(path.join(dir, 'new-name.txt'), `${RENAMED_TEXT}line 20\n`);
  writeFileSync(path.join(dir, 'logo.bin'), Buffer.from([0, 9, 9]));
  writeFileSync(path.join(dir, 'added.txt'), 'hello\n');
  chmodSync(path.join(dir, 'run.sh'), 0o755);
}

function summary(deltas: FileDelta[]): unknown[] {
  return deltas
    .map((delta) => ({ ...delta, before: delta.before?.toString('hex') ?? null, after: delta.after?.toString('hex') ?? null }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

const hex = (text: string | number[]): string => Buffer.from(text as string).toString('hex');

const EXPECTED = [
  { path: 'added.txt', oldPath: null, status: 'added', before: null, after: hex('hello\n'), modeBefore: null, modeAfter: 'file' },
  { path: 'gone.txt', oldPath: null, status: 'deleted', before: hex('bye\n'), after: null, modeBefore: 'file', modeAfter: null },
  { path: 'logo.bin', oldPath: null, status: 'modified', before: '00010203', after: '000909', modeBefore: 'file', modeAfter: 'file' },
  { path: 'new-name.txt', oldPath: 'old-name.txt', status: 'renamed', before: hex(RENAMED_TEXT), after: hex(`${RENAMED_TEXT}line 20\n`), modeBefore: 'file', modeAfter: 'file' },
  { path: 'run.sh', oldPath: null, status: 'modified', before: hex('echo run\n'), after: hex('echo run\n'), modeBefore: 'file', modeAfter: 'executable' },
  {
    path: 'src/errors.js',
    oldPath: null,
    status: 'modified',
    before: hex("const RETRIED = new Set(['ECONNRESET']);\nmodule.exports = RETRIED;\n"),
    after: hex("const RETRIED = new Set(['ECONNRESET', 'EPIPE', 'EBADF']);\nmodule.exports = RETRIED;\n"),
    modeBefore: 'file',
    modeAfter: 'file',
  },
];

describe('file deltas', () => {
  it('git: every kind of change, with both contents and modes', async () => {
    const dir = tempDir();
    const run = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    run('init', '-q');
    writeParent(dir);
    run('add', '-A');
    run('commit', '-qm', 'parent');
    writeChild(dir);
    run('add', '-A');
    run('commit', '-qm', 'child');
    const history = await GitHistory.open(dir);
    const deltas = await history.fileDeltas(run('rev-parse', 'HEAD~1').trim(), run('rev-parse', 'HEAD').trim());
    expect(summary(deltas)).toEqual(EXPECTED);
    const files = await history.readFiles(run('rev-parse', 'HEAD').trim(), ['added.txt', 'gone.txt', 'src', 'logo.bin']);
    expect([...files].map(([file, content]) => [file, content?.toString('hex') ?? null])).toEqual([['added.txt', hex('hello\n')], ['gone.txt', null], ['src', null], ['logo.bin', '000909']]);
  });

  it('hg: the same change reads the same, a rename included', async () => {
    const dir = tempDir();
    const run = (...args: string[]): string => execFileSync('hg', ['--noninteractive', ...args], { cwd: dir, encoding: 'utf8', env: hgEnv() });
    run('init');
    writeParent(dir);
    run('addremove', '-q');
    run('commit', '-m', 'parent');
    writeChild(dir);
    run('addremove', '-q', '--similarity', '50');
    run('commit', '-m', 'child');
    const history = await HgHistory.open(dir);
    const nodes = run('log', '-r', '0:1', '-T', '{node}\n').trim().split('\n');
    const deltas = await history.fileDeltas(nodes[0]!, nodes[1]!);
    expect(summary(deltas)).toEqual(EXPECTED);
    const files = await history.readFiles(nodes[1]!, ['added.txt', 'gone.txt', 'logo.bin']);
    expect([...files].map(([file, content]) => [file, content?.toString('hex') ?? null])).toEqual([['added.txt', hex('hello\n')], ['gone.txt', null], ['logo.bin', '000909']]);
    expect([...(await history.readFiles(nodes[0]!, ['added.txt']))]).toEqual([['added.txt', null]]);
  });
});
