// Where culprit keeps its own files: workspaces and probe logs, never inside the user's repository.
// Follows the XDG base-directory convention; --workdir overrides it.
import os from 'node:os';
import path from 'node:path';

export function cacheDirectory(override?: string): string {
  if (override) return path.resolve(override);
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'culprit');
}
