// A worker's own copy of the repository it probes: cloned once from --repo (a URL or a path) under the worker's
// cache, and fetched again when a job names a commit it does not have yet. The user's checkout is never touched.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { cleanGitEnvironment } from '../history/git-command.js';
import type { History } from '../history/history.js';
import { openHistory } from '../history/open-history.js';

function run(file: string, args: readonly string[], cwd?: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    // No prompt for a password: a worker has no one to answer it, and would wait forever.
    execFile(file, [...args], { cwd, env: { ...cleanGitEnvironment(), HGPLAIN: '1', GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}`.trim() }));
  });
}

export interface WorkerRepository {
  history: History;
  /** Whether the commit is there now, fetching from the source once when it is not. */
  ensure(commit: string): Promise<boolean>;
}

async function detect(source: string): Promise<'git' | 'hg'> {
  if (existsSync(path.join(source, '.hg'))) return 'hg';
  if (existsSync(source) || (await run('git', ['ls-remote', '--heads', source])).ok) return 'git';
  if ((await run('hg', ['identify', source])).ok) return 'hg';
  throw new UsageError(`--repo ${source} is neither a git nor a Mercurial repository this worker can read`, 'pass the URL or path the coordinator’s repository can be fetched from (and --vcs if it cannot be told)');
}

export async function workerRepository(source: string, cacheRoot: string, vcs?: 'git' | 'hg'): Promise<WorkerRepository> {
  const kind = vcs ?? (await detect(source));
  const directory = path.join(cacheRoot, 'worker-repos', createHash('sha256').update(`${kind}\0${source}`).digest('hex').slice(0, 16));
  if (!existsSync(directory)) {
    mkdirSync(path.dirname(directory), { recursive: true });
    // Cloned beside, then renamed: a worker killed mid-clone leaves no half repository to open next time.
    const partial = `${directory}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    const cloned = kind === 'git' ? await run('git', ['clone', '--quiet', '--no-checkout', source, partial]) : await run('hg', ['clone', '--quiet', '-U', source, partial]);
    if (!cloned.ok) {
      rmSync(partial, { recursive: true, force: true });
      throw new UsageError(`cannot clone --repo ${source}: ${cloned.output.split('\n').at(-1) ?? ''}`, 'pass a repository URL or path this worker can read');
    }
    try {
      renameSync(partial, directory);
    } catch (error) {
      // Another worker sharing this cache directory cloned it first: theirs is as good.
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(directory)) throw error;
    }
  }
  const history = await openHistory(directory, kind);
  let fetching: Promise<unknown> = Promise.resolve();
  const has = async (commit: string): Promise<boolean> =>
    kind === 'git' ? (await run('git', ['cat-file', '-e', `${commit}^{commit}`], directory)).ok : (await run('hg', ['log', '-q', '-r', commit], directory)).ok;
  const fetch = async (commit: string): Promise<void> => {
    if (kind === 'hg') {
      await run('hg', ['pull', '--quiet'], directory);
      return;
    }
    await run('git', ['fetch', '--quiet', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'], directory);
    // A commit no branch or tag holds any more (a rebased branch): asked for by name, where the server allows it.
    if (!(await has(commit))) await run('git', ['fetch', '--quiet', 'origin', commit], directory);
  };
  return {
    history,
    async ensure(commit: string): Promise<boolean> {
      if (await has(commit)) return true;
      // One fetch at a time: jobs arriving together for new commits share it.
      fetching = fetching.then(async () => {
        // A fetch may meet another worker's (sharing the cache) on a ref lock: once more after a moment.
        for (let attempt = 0; attempt < 2 && !(await has(commit)); attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
          await fetch(commit);
        }
      });
      await fetching;
      return has(commit);
    },
  };
}
