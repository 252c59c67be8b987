// The store on its own: migrations, probe rows written ahead of the next decision, the verdict cache's key and
// what it refuses to keep, and claiming a hunt against a live or a dead owner.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '../../src/model/probe-record.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { ownerAlive } from '../../src/store/hunt-table.js';
import type { HuntRow } from '../../src/store/store-types.js';
import { Store } from '../../src/store/store.js';
import { processStartIdentity } from '../../src/system/process-alive.js';
import { tempDir } from '../fixtures/scripted-repo.js';

const args = {
  repo: '/r', subdirectory: '', vcs: 'git' as const, goods: ['a'], bad: 'b', goodNames: ['a'], badName: 'b',
  recipe: { test: { shell: 'true' }, buildTimeoutSeconds: 1, graceSeconds: 1, onHang: 'bad' as const, onBuildFailure: 'skip' as const },
  firstParent: false, verify: true, cache: true,
};
const finding = (kind: 'passed' | 'crashed'): ProbeRecord => ({
  commit: 'c',
  outcome: kind === 'passed' ? { kind } : { kind, exitCode: 130, signal: null },
  verdict: 'good', searchVerdict: kind === 'passed' ? 'good' : 'abort', exitCode: 0, signal: null, seconds: 0.5, testSeconds: 0.4, logPath: '/log', outputTail: 'out',
});

describe('store', () => {
  it('migrates a fresh file to the current schema and keeps data across opens', () => {
    const file = path.join(tempDir(), 'deep', 'dir', 'hunts.sqlite');
    const store = Store.open(file);
    expect(store.created).toBe(true);
    const id = store.hunts.create({ key: 'k', identity: 'i', arguments: args, recipeKey: 'r', candidates: 10 });
    store.close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const again = Store.open(file);
    expect(again.created).toBe(false);
    expect(again.hunts.get(id)).toMatchObject({ id, status: 'running', candidates: 10, arguments: args });
    expect(again.integrityCheck()).toBe('ok');
    again.close();
  });

  it('writes a probe when it starts and completes it with its cache entry; a dead one in flight is dropped', () => {
    const store = Store.open(path.join(tempDir(), 'hunts.sqlite'));
    const hunt = store.hunts.create({ key: 'k', identity: 'repo', arguments: args, recipeKey: 'r', candidates: 3 });
    const start = { huntId: hunt, phase: 'bisect' as const, commit: 'c1', configuration: null, tree: 't1', recipeKey: 'r', subject: '' };
    const first = store.probes.start({ ...start, step: store.probes.nextStep(hunt) });
    expect(store.probes.list(hunt)[0]?.endedAt).toBeNull();
    store.probes.finish(first, finding('passed'), 'subject one', 'repo');
    expect(store.probes.list(hunt)[0]).toMatchObject({ step: 1, endedAt: expect.any(String), verdict: 'good', testSeconds: 0.4, subject: 'subject one' });
    expect(store.probes.cachedVerdict('repo', 't1', 'r')).toMatchObject({ searchVerdict: 'good', huntId: hunt, commit: 'c1' });
    expect(store.probes.cachedVerdict('repo', 't1', 'other recipe')).toBeUndefined();
    // A crash speaks of the environment, not the tree: never cached.
    const second = store.probes.start({ ...start, step: 2, commit: 'c2', tree: 't2' });
    store.probes.finish(second, finding('crashed'), '', 'repo');
    expect(store.probes.cachedVerdict('repo', 't2', 'r')).toBeUndefined();
    store.probes.start({ ...start, step: 3, commit: 'c3', tree: 't3' });
    store.probes.dropInFlight(hunt);
    expect(store.probes.list(hunt).map((probe) => probe.step)).toEqual([1, 2]);
    expect(store.probes.nextStep(hunt)).toBe(3);
    store.close();
  });

  it('claims a hunt whose owner died, never one a live process owns', () => {
    const store = Store.open(path.join(tempDir(), 'hunts.sqlite'));
    const hunt = store.hunts.create({ key: 'k', identity: 'i', arguments: args, recipeKey: 'r', candidates: 1 });
    const db = new Database(store.path);
    const live = spawnSync('sh', ['-c', 'echo $PPID'], { encoding: 'utf8' });
    expect(live.status).toBe(0);
    // A live owner is the process that was pid 1 when it claimed the hunt, started when it did.
    db.prepare('UPDATE hunts SET owner_pid = 1, owner_start = ? WHERE id = ?').run(processStartIdentity(1) ?? null, hunt);
    expect(store.hunts.claim(hunt)).toEqual({ claimed: false, owner: 1 });
    db.prepare('UPDATE hunts SET owner_pid = 999999 WHERE id = ?').run(hunt);
    expect(store.hunts.claim(hunt)).toEqual({ claimed: true });
    expect(store.hunts.get(hunt)?.ownerPid).toBe(process.pid);
    db.close();
    store.close();
  });

  it("refuses another application's SQLite file, byte-identical afterwards, and opens an older culprit store", () => {
    const scratch = tempDir();
    const foreign = (name: string, version: number): string => {
      const file = path.join(scratch, name);
      const db = new Database(file);
      db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me')`);
      if (version > 0) db.pragma(`user_version = ${version}`);
      db.close();
      return file;
    };
    for (const file of [foreign('app.db', 0), foreign('app-versioned.db', 2)]) {
      const before = readFileSync(file);
      expect(() => Store.open(file)).toThrow(/is not a culprit hunt store: it holds other tables \(notes\)/);
      expect(readFileSync(file).equals(before), file).toBe(true);
      expect(existsSync(`${file}-wal`) || existsSync(`${file}-shm`)).toBe(false);
    }
    // Applications number their schemas high too: past culprit's own, a file without culprit's tables is not a newer store.
    const high = foreign('places.db', 75);
    const highBefore = readFileSync(high);
    expect(() => Store.open(high)).toThrow(/is not a culprit hunt store: it says schema 75 but has no hunts table/);
    expect(readFileSync(high).equals(highBefore)).toBe(true);
    expect(existsSync(`${high}-wal`) || existsSync(`${high}-shm`)).toBe(false);
    // A newer culprit's store is refused as such, and left as it was too (not switched to WAL).
    const newer = path.join(scratch, 'newer.sqlite');
    const newerDb = new Database(newer);
    newerDb.exec(`CREATE TABLE hunts (id INTEGER PRIMARY KEY); CREATE TABLE later_table (id INTEGER)`);
    newerDb.pragma('user_version = 99');
    newerDb.close();
    const newerBefore = readFileSync(newer);
    expect(() => Store.open(newer)).toThrow(/written by a newer culprit \(schema 99/);
    expect(readFileSync(newer).equals(newerBefore)).toBe(true);
    // A store of culprit's own at an older schema is brought up to date as before.
    const old = path.join(scratch, 'old.sqlite');
    const db = new Database(old);
    db.exec(MIGRATIONS[0]!.sql);
    db.pragma('user_version = 1');
    db.close();
    const store = Store.open(old);
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });

  it('counts a hunt owner alive only while its pid names the same process it did, started at the same time', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pid = sleeper.pid!;
      const row = { status: 'running', ownerPid: pid } as HuntRow;
      // The pid was reused by an unrelated process: the hunt's own process is gone.
      expect(ownerAlive({ ...row, ownerStart: 'another-boot:12345' } as HuntRow)).toBe(false);
      // A hunt stored before start identities were kept is judged by its pid alone.
      expect(ownerAlive({ ...row, ownerStart: null } as HuntRow)).toBe(true);
      const store = Store.open(path.join(tempDir(), 'hunts.sqlite'));
      const hunt = store.hunts.create({ key: 'k', identity: 'i', arguments: args, recipeKey: 'r', candidates: 1 });
      const db = new Database(store.path);
      db.prepare(`UPDATE hunts SET owner_pid = ?, owner_start = 'another-boot:12345' WHERE id = ?`).run(pid, hunt);
      expect(store.hunts.claim(hunt)).toEqual({ claimed: true });
      db.close();
      store.close();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
