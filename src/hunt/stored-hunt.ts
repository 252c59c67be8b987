// Reads a stored hunt back as the shapes a live hunt produces, so a finished hunt prints like a fresh one,
// and finds the hunt `culprit resume` means when no id is given.
import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import { isUnfinished, ownerAlive } from '../store/hunt-table.js';
import type { HuntRow, ProbeRow } from '../store/store-types.js';
import type { HuntProbe, HuntResult, Phase } from './hunt-types.js';
import type { MergeDescent } from './merge-descent.js';
import type { Narrowing } from './narrow.js';

export function huntProbeOf(row: ProbeRow): HuntProbe {
  return {
    commit: row.commit,
    outcome: row.outcome,
    verdict: row.verdict,
    searchVerdict: row.searchVerdict,
    exitCode: row.exitCode,
    signal: row.signal,
    seconds: row.seconds,
    ...(row.testSeconds === undefined ? {} : { testSeconds: row.testSeconds }),
    logPath: row.logPath,
    outputTail: row.outputTail,
    phase: row.phase as Phase,
    step: row.step,
    subject: row.subject,
    source: row.source,
  };
}

/** The result of a finished hunt as it was stored; undefined while the hunt is unfinished. */
export function storedResultOf(store: Store, hunt: HuntRow): HuntResult | undefined {
  if (!hunt.result) return undefined;
  const { narrowing, descent, rounds, ...result } = hunt.result;
  const probes = store.probes.list(hunt.id).filter((row) => row.endedAt !== null).map(huntProbeOf);
  return {
    hunt: hunt.id,
    ...result,
    rounds: rounds ?? probes.filter((probe) => probe.source === 'run').length,
    ...(narrowing === undefined ? {} : { narrowing: narrowing as Narrowing }),
    ...(descent === undefined ? {} : { descent: descent as MergeDescent }),
    probes,
    repo: hunt.repo,
    workspace: '',
  };
}

export function huntById(store: Store, id: number): HuntRow {
  const hunt = store.hunts.get(id);
  if (!hunt) throw new UsageError(`no hunt ${id} in the store ${store.path}`, 'list the recorded hunts with: culprit hunts');
  return hunt;
}

/** The newest unfinished hunt of a repository that no live process is running. */
export function latestUnfinished(store: Store, identity: string, root: string): HuntRow {
  const unfinished = store.hunts.unfinished({ identity }).filter(isUnfinished);
  const free = unfinished.find((hunt) => !ownerAlive(hunt));
  if (free) return free;
  const running = unfinished[0];
  if (running) throw new UsageError(`the unfinished hunt ${running.id} of ${root} is running in process ${running.ownerPid ?? '?'}`, 'wait for it to finish, or stop that process first');
  throw new UsageError(`no unfinished hunt of the repository ${root}`, 'list the recorded hunts with: culprit hunts, or start one with: culprit run');
}
