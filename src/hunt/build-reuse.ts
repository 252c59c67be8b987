// The build cache as a hunt uses it: with --artifacts and a build command, each probed tree gets the key under
// which its build outputs are saved and restored (repository, tree, build recipe).
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { History } from '../history/history.js';
import { ArtifactCache, DEFAULT_CACHE_BYTES } from '../probe/artifact-cache.js';
import type { BuildReuse } from '../probe/prober.js';
import { buildRecipeKey } from '../probe/recipe-key.js';
import type { HuntArguments } from '../store/store-types.js';

/** The build cache of a hunt with --artifacts: each tree's key joins the repository, the tree and the build recipe. */
export function buildReuseFor(args: HuntArguments, history: History, cacheRoot: string, note: (message: string) => void): ((tree: string) => BuildReuse) | undefined {
  const buildKey = buildRecipeKey(args.recipe, args.subdirectory, args.artifacts ?? []);
  if (!args.artifacts || buildKey === undefined) return undefined;
  const cache = new ArtifactCache(path.join(cacheRoot, 'artifacts'), args.cacheSize ?? DEFAULT_CACHE_BYTES);
  const globs = args.artifacts;
  const told = new Set<string>();
  return (tree) => ({
    cache,
    key: createHash('sha256').update(`${history.identity}\0${tree}\0${buildKey}`).digest('hex'),
    globs,
    repo: history.root,
    tree,
    notSaved: (reason) => {
      // Once per reason: the same globs miss on every tree.
      if (told.has(reason)) return;
      told.add(reason);
      note(`build outputs not cached: ${reason}`);
    },
  });
}
