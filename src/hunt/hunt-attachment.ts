// Ties a hunt to its record in the store: resumes the unfinished hunt with the same arguments, claims the one
// named by `culprit resume ID`, or creates a new one, and mentions other unfinished hunts of the repository.
import { UsageError } from '../errors.js';
import { ownerAlive } from '../store/hunt-table.js';
import type { Store } from '../store/store.js';
import type { HuntArguments, HuntRow, RecipeEnvironment } from '../store/store-types.js';
import { canonicalJson } from '../text/canonical-json.js';
import { huntKey } from './hunt-preparation.js';
import { recipeChange } from './recipe-change.js';

export interface AttachRequest {
  key: string;
  identity: string;
  arguments: HuntArguments;
  recipeKey: string;
  recipeEnvironment: RecipeEnvironment;
  candidates: number;
  resume?: number;
  /** Resume the hunt even under another recipe key than it was started with (`--force-recipe`): its verdicts mix. */
  forceRecipe?: boolean;
}

export interface Attachment {
  id: number;
  /** Created by this process: removed again when the hunt stops on bad input. */
  created: boolean;
}

/** A hunt run with the same command line as the request, in another recipe environment (the hunt key holds the recipe key). */
function sameArgumentsOtherRecipe(hunt: HuntRow, request: AttachRequest): boolean {
  return hunt.recipeKey !== request.recipeKey
    && hunt.key === huntKey(request.identity, request.arguments, hunt.recipeKey)
    && canonicalJson(hunt.arguments.recipe) === canonicalJson(request.arguments.recipe);
}

export function attachHunt(store: Store, request: AttachRequest, note: (message: string) => void): Attachment {
  if (request.resume !== undefined) {
    const id = request.resume;
    const hunt = store.hunts.get(id);
    // Checked before the claim: a refused resume leaves the hunt exactly as it was.
    if (hunt && hunt.recipeKey !== request.recipeKey) {
      const change = recipeChange(hunt.recipeEnvironment, request.recipeEnvironment);
      if (!request.forceRecipe) throw new UsageError(`hunt ${id} was started with ${change}`, 'resume it with the same environment, pass --force-recipe to mix them, or start a new hunt with culprit run');
      note(`resuming hunt ${id} under another recipe (--force-recipe): it was started with ${change}; its verdicts mix both`);
    }
    const claim = store.hunts.claim(id);
    if (!claim.claimed) throw new UsageError(`hunt ${id} is running in process ${claim.owner}`, 'wait for it to finish, or stop that process first');
    return { id, created: false };
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
  // A hunt another process is running is not offered: it is under way, not stopped.
  const others = store.hunts.unfinished({ identity: request.identity }).filter((hunt) => hunt.id !== id && hunt.key !== request.key && !ownerAlive(hunt));
  const otherRecipe = others.find((hunt) => sameArgumentsOtherRecipe(hunt, request));
  if (otherRecipe) {
    const change = recipeChange(otherRecipe.recipeEnvironment, request.recipeEnvironment);
    note(`hunt ${otherRecipe.id} with the same arguments was started with ${change}: starting a new hunt (to go on with hunt ${otherRecipe.id}, rerun in its environment, or mix them with: culprit resume ${otherRecipe.id} --force-recipe)`);
  }
  const newest = others.find((hunt) => !sameArgumentsOtherRecipe(hunt, request));
  if (newest) {
    note(`hunt ${newest.id} on this repository is unfinished (other arguments); continue it with: culprit resume ${newest.id}`);
  }
  return { id, created: true };
}
