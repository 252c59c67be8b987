// The version of git or hg a hunt ran with, for the recipe a report shows: `git version 2.39.5`,
// `Mercurial Distributed SCM (version 6.3.2)`. Never fails a hunt: an answer without it is still an answer.
import { execFile } from 'node:child_process';

export function vcsVersion(kind: string): Promise<string | undefined> {
  const argv = kind === 'git' ? ['git', '--version'] : kind === 'hg' ? ['hg', '--version', '--quiet'] : undefined;
  if (!argv) return Promise.resolve(undefined);
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000, env: { ...process.env, HGPLAIN: '1' } }, (error, stdout) => {
      resolve(error ? undefined : stdout.split('\n')[0]?.trim() || undefined);
    });
  });
}
