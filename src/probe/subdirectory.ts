// The user's directory relative to the repository's top, so probes run commands where the user would:
// `git bisect run ./t.sh` started in repo/sub runs repo/sub/t.sh, and culprit must do the same in its workspace.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export function subdirectoryOf(root: string, directory: string): string {
  let real: string;
  try {
    real = realpathSync(directory);
  } catch {
    return '';
  }
  // A bare repository has no files to run in: whatever directory of it culprit starts from, commands run at the top.
  if (existsSync(path.join(root, 'HEAD')) && existsSync(path.join(root, 'objects'))) return '';
  const relative = path.relative(root, real);
  // Started inside .git (or .hg): the repository's own files, which a checkout has not; the commands run at the top.
  if (/^\.(git|hg)(\/|$)/.test(relative)) return '';
  return relative.startsWith('..') || path.isAbsolute(relative) ? '' : relative;
}
