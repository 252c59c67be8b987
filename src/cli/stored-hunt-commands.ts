// `culprit hunts`, `show`, `log` and `report`: read-only views of the hunt store. They never create a store,
// and an unknown id or a missing store is one line and exit 2.
import { UsageError } from '../errors.js';
import { openHistory } from '../history/open-history.js';
import { huntById } from '../hunt/stored-hunt.js';
import { bisectLog } from '../report/bisect-log.js';
import { huntDetailText } from '../report/hunt-detail.js';
import { huntListJson, huntListText } from '../report/hunt-list.js';
import { huntDocument } from '../report/hunt-document.js';
import { markdownReport } from '../report/markdown-report.js';
import { Store } from '../store/store.js';
import { ownerAlive } from '../store/hunt-table.js';
import { storePath } from '../store/store-path.js';
import { vcsOption } from './option-parsers.js';
import { reportPath, writeReportFile } from './report-file.js';
import { huntId } from './resume-command.js';

function withStore<T>(options: Record<string, unknown>, use: (store: Store) => Promise<T> | T): Promise<T> {
  const store = Store.open(typeof options.store === 'string' ? options.store : undefined, { mustExist: true });
  return Promise.resolve(use(store)).finally(() => store.close());
}

function requiredId(value: string | undefined): number {
  const id = huntId(value);
  if (id === undefined) throw new UsageError('no hunt id given', 'list the recorded hunts with: culprit hunts');
  return id;
}

export function huntsCommand(options: Record<string, unknown>): Promise<number> {
  return withStore(options, async (store) => {
    let identity: string | undefined;
    if (typeof options.repo === 'string') identity = (await openHistory(options.repo, vcsOption(options.vcs))).identity;
    const hunts = store.hunts.list(identity);
    process.stdout.write(options.json === true ? `${JSON.stringify(huntListJson(hunts))}\n` : huntListText(hunts));
    return 0;
  });
}

export function showCommand(id: string | undefined, options: Record<string, unknown>): Promise<number> {
  return withStore(options, (store) => {
    const hunt = huntById(store, requiredId(id));
    const probes = store.probes.list(hunt.id);
    process.stdout.write(options.json === true ? `${JSON.stringify(huntDocument({ hunt, probes }))}\n` : huntDetailText(hunt, probes));
    return 0;
  });
}

export function logCommand(id: string | undefined, options: Record<string, unknown>): Promise<number> {
  return withStore(options, (store) => {
    const hunt = huntById(store, requiredId(id));
    process.stdout.write(bisectLog(hunt, store.probes.list(hunt.id), typeof options.format === 'string' ? options.format : undefined));
    return 0;
  });
}

export function reportCommand(id: string | undefined, options: Record<string, unknown>): Promise<number> {
  const format = typeof options.format === 'string' ? options.format : 'markdown';
  if (format !== 'markdown' && format !== 'json' && format !== 'html') throw new UsageError(`--format must be markdown, json or html, got '${format}'`);
  // Checked before the store is read: a wrong path costs nothing and leaves nothing behind.
  const output = options.output === undefined ? undefined : reportPath(options.output, '-o', storePath(typeof options.store === 'string' ? options.store : undefined));
  return withStore(options, async (store) => {
    const hunt = huntById(store, requiredId(id));
    const probes = store.probes.list(hunt.id);
    // Loaded when asked for: diff2html is not part of the other reports' start-up.
    const htmlReport = format === 'html' ? (await import('../report/html/html-report.js')).htmlReport : undefined;
    const text = format === 'json' ? `${JSON.stringify(huntDocument({ hunt, probes }))}\n` : htmlReport ? htmlReport(hunt, probes, { generatedAt: new Date().toISOString() }) : markdownReport(hunt, probes);
    if (output) writeReportFile(output, text);
    else process.stdout.write(text);
    return 0;
  });
}

/** `culprit forget ID...`: removes hunts from the store, with their probes and the verdicts they put in the cache. */
export function forgetCommand(ids: readonly string[], options: Record<string, unknown>): Promise<number> {
  if (ids.length === 0) throw new UsageError('no hunt id given', 'list the recorded hunts with: culprit hunts');
  const wanted = ids.map((id) => requiredId(id));
  return withStore(options, (store) => {
    // All checked before any is removed: a wrong id in the list removes nothing.
    const hunts = wanted.map((id) => huntById(store, id));
    for (const hunt of hunts) {
      if (hunt.status === 'running' && ownerAlive(hunt)) throw new UsageError(`hunt ${hunt.id} is running in process ${hunt.ownerPid ?? '?'}`, 'stop it first (Ctrl-C there), then forget it');
    }
    for (const hunt of hunts) store.hunts.delete(hunt.id);
    process.stdout.write(`forgot ${hunts.length === 1 ? `hunt ${hunts[0]?.id}` : `hunts ${hunts.map((hunt) => hunt.id).join(', ')}`}, with ${hunts.length === 1 ? 'its' : 'their'} probes and cached verdicts\n`);
    return 0;
  });
}
