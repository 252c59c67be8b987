// Workspace slots of one repository: claim the first free one, and delete the ones abandoned by dead hunts.
// Shared by git and hg workspaces, so both reuse a killed hunt's slot (warm builds) the same way.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { lockIsFree, tryLock } from './workspace-lock.js';

const MAX_SLOTS = 64;

export interface ClaimedSlot {
  directory: string;
  lockPath: string;
}

/**
 * Claims the lowest free slot. Free slots below `keepSlots` stay (a parallel hunt is about to claim them, warm);
 * free slots above are leftovers of killed or wider hunts and are deleted.
 */
export function claimSlot(base: string, keepSlots = 1): ClaimedSlot {
  mkdirSync(base, { recursive: true });
  let claimed: ClaimedSlot | undefined;
  for (let slot = 0; slot < MAX_SLOTS && !claimed; slot++) {
    const directory = path.join(base, `ws-${slot}`);
    const lockPath = `${directory}.lock`;
    if (tryLock(lockPath)) claimed = { directory, lockPath };
  }
  if (!claimed) throw new Error(`all ${MAX_SLOTS} workspace slots under ${base} are in use by running hunts`);
  for (const entry of readdirSync(base)) {
    const directory = path.join(base, entry);
    if (!/^ws-\d+$/.test(entry) || directory === claimed.directory || Number(entry.slice(3)) < keepSlots) continue;
    if (lockIsFree(`${directory}.lock`)) {
      rmSync(directory, { recursive: true, force: true });
      rmSync(`${directory}.lock`, { force: true });
    }
  }
  return claimed;
}
