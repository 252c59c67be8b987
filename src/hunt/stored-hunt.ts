// Reads a stored hunt back as the shapes a live hunt produces, so a finished hunt prints like a fresh one,
// and finds the hunt `culprit resume` means when no id is given.
import { UsageError } from '../errors.js';
import { descentOf, narrowingOf, versionsOf } from '../model/stage-results.js';
import type { Store } from '../store/store.js';
import { isUnfinished, ownerAlive } from '../store/hunt-table.js';
import type { HuntRow } from '../store/store-types.js';
import type { HuntResult } from './hunt-types.js';

/** The result of a finished hunt as it was stored; undefined while the hunt is unfinished. */
export function storedResultOf(store: Store, hunt: HuntRow): HuntResult | undefined {
  if (!hunt.result) return undefined;
  const finished = store.probes.list(hunt.id).filter((row) => row.endedAt !== null);
  const narrowing = narrowingOf(hunt.result.stages);
  const descent = descentOf(hunt.result.stages);
  const versions = versionsOf(hunt.result.stages);
  return {
    hunt: hunt.id,
    record: hunt,
    ...hunt.result,
    probes: finished.filter((row) => row.configuration === null),
    narrowingProbes: finished.filter((row) => row.configuration !== null),
    repo: hunt.repo,
    workspace: '',
    ...(narrowing ? { narrowing } : {}),
    ...(descent ? { descent } : {}),
    ...(versions ? { versions } : {}),
  };
}

export function huntById(store: Store, id: number): HuntRow {
  const hunt = store.hunts.get(id);
  if (!hunt) throw new UsageError(`no hunt ${id} in the store ${store.path}`, 'list the recorded hunts with: culprit hunts');
  return hunt;
}

/**
 * The hunt `culprit resume` means without an id: the newest unfinished hunt of the repository that no live process
 * is running, or else its newest hunt when that one has finished (its result is shown again).
 */
export function huntToResume(store: Store, identity: string, root: string): HuntRow {
  return pickToResume(store.hunts.unfinished({ identity }).filter(isUnfinished), store.hunts.list(identity)[0], `the repository ${root}`, root);
}

/**
 * The same choice among the hunts over released versions or factors started in (or for the project in) `directory`;
 * none there: undefined.
 */
export function projectHuntToResume(store: Store, directory: string): HuntRow | undefined {
  const hunts = store.hunts.list().filter((hunt) => (hunt.vcs === 'versions' || hunt.vcs === 'factors') && hunt.repo === directory);
  return hunts.length === 0 ? undefined : pickToResume(hunts.filter(isUnfinished), hunts[0], `the versions and factors hunts of ${directory}`, directory);
}

function pickToResume(unfinished: readonly HuntRow[], newest: HuntRow | undefined, what: string, root: string): HuntRow {
  const free = unfinished.find((hunt) => !ownerAlive(hunt));
  if (free) return free;
  const running = unfinished[0];
  if (running) throw new UsageError(`the unfinished hunt ${running.id} of ${root} is running in process ${running.ownerPid ?? '?'}`, 'wait for it to finish, or stop that process first');
  if (newest?.result) return newest;
  throw new UsageError(`no unfinished hunt of ${what}`, 'list the recorded hunts with: culprit hunts, or start one with: culprit run');
}
