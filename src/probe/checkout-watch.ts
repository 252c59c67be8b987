// Whether a probe's test reached into the user's repository: HEAD, the index (hg: the dirstate), refs and bookmarks
// are fingerprinted by their files' sizes and times before and after each probe, with no git or hg process at all.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

function stamp(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return '-';
  }
}

/**
 * The directories under `directory`, each with its stamp: git writes a ref by renaming a lock file in the ref's own
 * directory, which changes that directory's time, so a repository with 30,000 loose refs costs a few stats, not
 * 30,000.
 */
function directories(directory: string, out: string[]): void {
  out.push(`${directory}=${stamp(directory)}`);
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) if (entry.isDirectory()) directories(path.join(directory, entry.name), out);
}

/** The git directory of a checkout: `.git`, the one a `.git` file points to (a worktree), or the bare repository itself. */
function gitDirectoryOf(root: string): string {
  const dotGit = path.join(root, '.git');
  try {
    if (statSync(dotGit).isFile()) {
      const pointer = /^gitdir: (.*)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
      if (pointer) return path.resolve(root, pointer);
    }
  } catch {
    return root;
  }
  return existsSync(dotGit) ? dotGit : root;
}

export interface CheckoutWatch {
  /** What changed since it was taken, in words; empty when nothing did. */
  changes(): string[];
}

/** Takes the fingerprint of the user's repository now; `changes()` compares it with the repository then. */
export function watchCheckout(kind: string, root: string): CheckoutWatch | undefined {
  let parts: Record<string, () => string>;
  if (kind === 'git') {
    const gitDir = gitDirectoryOf(root);
    const common = existsSync(path.join(gitDir, 'commondir')) ? path.resolve(gitDir, readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim()) : gitDir;
    parts = {
      HEAD: () => `${stamp(path.join(gitDir, 'HEAD'))}${safeRead(path.join(gitDir, 'HEAD'))}`,
      index: () => stamp(path.join(gitDir, 'index')),
      // Branches, tags and bisect state: not remote-tracking refs or `git maintenance`'s prefetch, which move on their own.
      refs: () => {
        const out = [stamp(path.join(common, 'packed-refs'))];
        for (const kind of ['heads', 'tags', 'bisect']) directories(path.join(common, 'refs', kind), out);
        return out.join('\n');
      },
    };
  } else if (kind === 'hg') {
    const hg = path.join(root, '.hg');
    parts = {
      'working directory parent': () => stamp(path.join(hg, 'dirstate')),
      'bookmarks and branch': () => [stamp(path.join(hg, 'bookmarks')), stamp(path.join(hg, 'bookmarks.current')), stamp(path.join(hg, 'branch'))].join(' '),
      changesets: () => stamp(path.join(hg, 'store', '00changelog.i')),
    };
  } else return undefined;
  const before = Object.fromEntries(Object.entries(parts).map(([name, read]) => [name, read()]));
  return { changes: () => Object.entries(parts).filter(([name, read]) => read() !== before[name]).map(([name]) => name) };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
