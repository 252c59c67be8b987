// The hunt store: the one object through which culprit reads and writes hunts, probes and cached verdicts.
// store/ is the only module that touches the database.
import { existsSync, rmSync } from 'node:fs';
import { openDatabase, type Connection } from './database.js';
import { HuntTable } from './hunt-table.js';
import { ProbeTable } from './probe-table.js';
import { asReadOnlyStore, checkStoreWritable, guardAgainstReadOnly } from './read-only-guard.js';
import { storePath } from './store-path.js';

export class Store {
  readonly hunts: HuntTable;
  readonly probes: ProbeTable;

  private constructor(
    readonly path: string,
    private readonly db: Connection,
    /** The file did not exist before this open. */
    readonly created: boolean,
  ) {
    this.hunts = new HuntTable(db);
    this.probes = new ProbeTable(db);
  }

  /** Opens the store at --store PATH or the default; `mustExist` for commands that only read. */
  static open(override?: string, options: { mustExist?: boolean } = {}): Store {
    const file = storePath(override);
    checkStoreWritable(file);
    let opened;
    try {
      opened = openDatabase(file, { mustExist: options.mustExist ?? false });
    } catch (error) {
      // Opening writes (WAL, migrations): on a file system turned read-only that is the thing to say.
      throw existsSync(file) ? asReadOnlyStore(error, file) : error;
    }
    return new Store(file, guardAgainstReadOnly(opened.connection, file), opened.created);
  }

  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Closes, and removes the file when this open created it and nothing was kept in it: bad input leaves nothing behind. */
  closeDiscardingIfEmpty(): void {
    const empty = this.created && this.db.open && this.hunts.count() === 0;
    this.close();
    if (empty) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${this.path}${suffix}`, { force: true });
  }
}
