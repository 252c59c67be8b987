// Ties a hunt to its record in the store: resumes the unfinished hunt with the same arguments, claims the one
// named by `culprit resume ID`, or creates a new one, and mentions other unfinished hunts of the repository.
import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { HuntArguments } from '../store/store-types.js';

export interface AttachRequest {
  key: string;
  identity: string;
  arguments: HuntArguments;
  recipeKey: string;
  candidates: number;
  resume?: number;
}

export interface Attachment {
  id: number;
  /** Created by this process: removed again when the hunt stops on bad input. */
  created: boolean;
}

export function attachHunt(store: Store, request: AttachRequest, note: (message: string) => void): Attachment {
  if (request.resume !== undefined) {
    const claim = store.hunts.claim(request.resume);
    if (!claim.claimed) throw new UsageError(`hunt ${request.resume} is running in process ${claim.owner}`, 'wait for it to finish, or stop that process first');
    return { id: request.resume, created: false };
  }
  for (const hunt of store.hunts.unfinished({ key: request.key })) {
    const claim = store.hunts.claim(hunt.id);
    if (claim.claimed) {
      note(`resuming hunt ${hunt.id}, which stopped unfinished with the same arguments (${hunt.probeCount} probe${hunt.probeCount === 1 ? '' : 's'} done)`);
      return { id: hunt.id, created: false };
    }
    note(`hunt ${hunt.id} with the same arguments is running in process ${claim.owner}; starting a separate hunt`);
  }
  const id = store.hunts.create(request);
  const others = store.hunts.unfinished({ identity: request.identity }).filter((hunt) => hunt.id !== id && hunt.key !== request.key);
  const newest = others[0];
  if (newest) {
    note(`hunt ${newest.id} on this repository is unfinished (other arguments); continue it with: culprit resume ${newest.id}`);
  }
  return { id, created: true };
}
