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

function tree(directory: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) tree(full, out);
    else out.push(`${full}=${stamp(full)}`);
  }
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
      refs: () => {
        const out = [stamp(path.join(common, 'packed-refs'))];
        tree(path.join(common, 'refs'), out);
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
