// A git workspace: a private repository under culprit's cache that borrows the user's objects via alternates.
// Nothing is written to the user's repository (no worktree entry, no refs), so a SIGKILL cannot leave a trace there.
import { appendFileSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { isRealDirectory, contentIfReadable } from '../system/file-facts.js';
import { git, gitOk, workspaceGit, type GitResult } from '../history/git-command.js';
import { commitGone } from '../history/missing-commit.js';
import { toolFailure } from '../history/tool-failure.js';
import type { GitHistory } from '../history/git-history.js';
import { ownRepository, sealGitDirectory } from './own-git-directory.js';
import type { Workspace } from './workspace.js';
import { unlock } from './workspace-lock.js';
import { claimSlot } from './workspace-slots.js';


/** Directory holding all workspace slots of one repository. */
export function workspaceBase(cacheRoot: string, history: GitHistory): string {
  const digest = createHash('sha256').update(history.identity).digest('hex').slice(0, 12);
  return path.join(cacheRoot, 'workspaces', `${path.basename(history.root).replace(/[^\w.-]/g, '_')}-${digest}`);
}

/**
 * Whether a quiet checkout really happened: git 2.39 exits 0 when it cannot read the commit's tree (a damaged
 * repository) and leaves a wrong working tree, so its complaints count as a failure too.
 */
function checkedOut(result: GitResult): boolean {
  return result.code === 0 && !/^(error|fatal): /m.test(result.stderr);
}

/** The most commits a test may make on top of its checkout for the checkout still to count as the candidate's. */
const OWN_COMMITS_LIMIT = 1000;

export class GitWorkspace implements Workspace {
  private constructor(
    readonly directory: string,
    private readonly lockPath: string,
    /** The user's object directory, which the workspace borrows. */
    private readonly objects: string,
    /** The user's submodule repositories (`.git/modules`): a workspace's submodules borrow their objects. */
    private readonly modules: string,
    /** The user's repository, whose objects the workspace borrows: named when a commit vanished from it. */
    private readonly repoRoot: string,
  ) {}

  /**
   * Claims a free slot (reusing a killed hunt's slot keeps its build outputs warm) and removes
   * the other abandoned slots, so leftovers of killed hunts do not accumulate.
   */
  static async acquire(cacheRoot: string, history: GitHistory, keepSlots = 1): Promise<GitWorkspace> {
    const base = workspaceBase(cacheRoot, history);
    const slot = claimSlot(base, keepSlots);
    const claimed = new GitWorkspace(slot.directory, slot.lockPath, history.objectDirectory, path.join(path.dirname(history.objectDirectory), 'modules'), history.root);
    try {
      await claimed.prepare();
    } catch (error) {
      claimed.release();
      throw error;
    }
    return claimed;
  }

  private async prepare(): Promise<void> {
    if (!ownRepository(this.directory, this.objects)) {
      await this.rebuild();
      return;
    }
    // A hunt killed mid-checkout leaves git's lock behind; we own the slot, so it is ours to remove.
    rmSync(path.join(this.directory, '.git', 'index.lock'), { force: true });
  }

  /** A new repository in the slot, in place of whatever is there (a test may have removed or replaced it). */
  private async rebuild(): Promise<void> {
    rmSync(this.directory, { recursive: true, force: true });
    mkdirSync(this.directory, { recursive: true });
    await gitOk(this.directory, ['init', '--quiet', '--template=', this.directory], { env: { GIT_CEILING_DIRECTORIES: path.dirname(this.directory) } });
    const gitDir = path.join(this.directory, '.git');
    // Written at once rather than by four `git config` runs: a parallel hunt creates several workspaces.
    appendFileSync(path.join(gitDir, 'config'), '[gc]\n\tauto = 0\n[maintenance]\n\tauto = false\n[advice]\n\tdetachedHead = false\n[core]\n\tfsmonitor = false\n');
    // Renamed into place: a write would follow a link planted there to another repository's file.
    mkdirSync(path.join(gitDir, 'objects', 'info'), { recursive: true });
    const alternates = path.join(gitDir, 'objects', 'info', 'alternates');
    writeFileSync(`${alternates}.tmp`, `${this.objects}\n`);
    renameSync(`${alternates}.tmp`, alternates);
    sealGitDirectory(gitDir);
  }

  async checkout(commit: string, options: { clean?: boolean } = {}): Promise<void> {
    // The last test may have deleted the workspace, or pointed its repository at the user's: never checked out there.
    if (!ownRepository(this.directory, this.objects)) await this.rebuild();
    // Untracked files go first too: git reads an untracked .gitattributes while it checks out a commit without one,
    // even one the test made ignored (a .gitignore naming it): those go whatever the ignore rules say, with .gitmodules.
    const clean = ['clean', options.clean ? '-ffdxq' : '-ffdq'];
    await workspaceGit(this.directory, clean);
    await workspaceGit(this.directory, ['clean', '-ffdxq', '--', ':(glob)**/.gitattributes', ':(glob)**/.gitmodules']);
    const args = ['checkout', '--quiet', '--force', '--detach', commit];
    let result = await workspaceGit(this.directory, args);
    if (!checkedOut(result)) {
      // A damaged index (e.g. culprit killed mid-checkout) is rebuilt from the commit itself.
      rmSync(path.join(this.directory, '.git', 'index'), { force: true });
      rmSync(path.join(this.directory, '.git', 'index.lock'), { force: true });
      result = await workspaceGit(this.directory, args);
      if (!checkedOut(result)) {
        // A commit the hunt knew may have been pruned from the user's repository since (a branch deleted, then gc).
        if ((await workspaceGit(this.directory, ['cat-file', '-e', `${commit}^{commit}`])).code !== 0) throw commitGone('git', this.repoRoot, commit);
        throw toolFailure('git', 'git checkout', this.directory, result.stderr);
      }
    }
    const cleaned = await workspaceGit(this.directory, clean);
    if (cleaned.code !== 0) throw toolFailure('git', 'git clean', this.directory, cleaned.stderr);
    await this.fillSubmodules();
  }

  /**
   * Whether the checkout is still there: false once the directory is gone or its repository's HEAD is neither the
   * commit nor a commit the test made on top of it. A git directory the test removed or replaced says nothing about
   * the files it tested: the next checkout makes a new one.
   */
  async holds(commit: string): Promise<boolean> {
    if (!isRealDirectory(this.directory)) return false;
    const gitDir = path.join(this.directory, '.git');
    if (!isRealDirectory(gitDir) || !lstatSync(path.join(gitDir, 'HEAD'), { throwIfNoEntry: false })?.isFile()) return true;
    if (contentIfReadable(path.join(gitDir, 'HEAD'))?.toString('utf8').trim() === commit) return true;
    const head = await workspaceGit(this.directory, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return head.code === 0 && (await this.onlyOwnCommitsBetween(commit, head.stdout.trim()));
  }

  /**
   * Whether `head` descends from `commit` through commits the test made alone: a test may commit what it made, on a
   * branch or not, but a commit of the user's repository on the way (checked out, reset to, merged) means the files
   * were not the candidate's. Walks down from `head` only as far as the test's commits go.
   */
  private async onlyOwnCommitsBetween(commit: string, head: string): Promise<boolean> {
    const waiting = [head];
    const seen = new Set<string>();
    let reached = false;
    while (waiting.length > 0) {
      const current = waiting.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      if (current === commit) {
        reached = true;
        continue;
      }
      if (seen.size > OWN_COMMITS_LIMIT) return false;
      // Read-only in the user's repository: whether it has the commit, nothing more (no fetch into a partial clone).
      if ((await git(this.repoRoot, ['cat-file', '-e', `${current}^{commit}`], { env: { GIT_NO_LAZY_FETCH: '1' } })).code === 0) return false;
      const listed = await workspaceGit(this.directory, ['rev-list', '--no-walk', '--parents', current]);
      const parents = listed.stdout.trim().split(/\s+/).slice(1);
      if (listed.code !== 0 || parents.length === 0) return false;
      waiting.push(...parents);
    }
    return reached;
  }

  /**
   * Checks out each submodule the user has initialised at the commit the checkout records, in a clone that borrows
   * the objects of the user's `.git/modules/<name>` (read, never written). One the user has not initialised stays
   * empty, as in the user's own checkout; a failing probe then says so.
   */
  private async fillSubmodules(): Promise<void> {
    if (!existsSync(path.join(this.directory, '.gitmodules'))) return;
    const listing = await workspaceGit(this.directory, ['config', '--file', '.gitmodules', '--get-regexp', '^submodule\\..*\\.path$']);
    if (listing.code !== 0) return;
    for (const line of listing.stdout.split('\n')) {
      const match = /^submodule\.(.+)\.path (.+)$/.exec(line.trim());
      const [, name, sub] = match ?? [];
      if (!name || !sub) continue;
      const target = path.resolve(this.directory, sub);
      const source = path.resolve(this.modules, name);
      // Names and paths come from the commit: never outside the workspace or the user's modules directory.
      if (!target.startsWith(`${this.directory}${path.sep}`) || !source.startsWith(`${this.modules}${path.sep}`)) continue;
      if (!existsSync(path.join(source, 'HEAD'))) continue;
      const entry = await workspaceGit(this.directory, ['ls-tree', 'HEAD', '--', sub]);
      const recorded = /^160000 commit ([0-9a-f]{40,64})\t/.exec(entry.stdout)?.[1];
      if (!recorded) continue;
      // A tracked gitlink keeps its nested clone through `git clean`: cloned once per slot, checked out per probe,
      // cloned again when a test removed it or pointed it elsewhere.
      if (!ownRepository(target, path.join(source, 'objects'))) {
        rmSync(target, { recursive: true, force: true });
        const cloned = await git(this.directory, ['clone', '--quiet', '--shared', '--no-checkout', '--template=', '--', source, target], { env: { GIT_CEILING_DIRECTORIES: path.dirname(this.directory) } });
        if (cloned.code !== 0) continue;
        sealGitDirectory(path.join(target, '.git'));
      }
      await workspaceGit(target, ['checkout', '--quiet', '--force', '--detach', recorded]);
      await workspaceGit(target, ['clean', '-ffdq']);
    }
  }

  /** Keeps the test's own git inside the workspace: with its `.git` gone, git stops there instead of finding an enclosing repository. */
  environment(): Record<string, string> {
    return { GIT_CEILING_DIRECTORIES: path.dirname(this.directory) };
  }

  release(): void {
    unlock(this.lockPath);
  }
}
