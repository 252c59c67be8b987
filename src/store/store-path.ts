// Where the hunt store lives: the XDG data directory (hunts are records worth keeping, unlike the cache),
// or --store PATH.
import os from 'node:os';
import path from 'node:path';

export function storePath(override?: string): string {
  if (override !== undefined) return path.resolve(override);
  const xdg = process.env.XDG_DATA_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'culprit', 'hunts.sqlite');
}
