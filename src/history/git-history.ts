// The git adapter: resolves revisions, loads the candidate DAG in one rev-list call, describes commits.
// It only reads the user's repository; workspaces (probe/git-workspace.ts) borrow its objects.
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { noCommitsYet } from './missing-commit.js';
import { CommitGraph, type CommitRecord } from '../search/commit-graph.js';
import { git, gitLines, gitOk, GitNotFoundError } from './git-command.js';
import type { CommitInfo, FileDelta, History } from './history.js';
import { gitFileDeltas, gitReadFiles } from './git-file-deltas.js';
import { looksDamaged, toolFailure } from './tool-failure.js';
import { short } from '../text/format.js';

export class GitHistory implements History {
  readonly kind = 'git' as const;
  /** Trees of the commits the last graph load walked: a probe needs its tree (the cache key) before it can start. */
  private readonly trees = new Map<string, string>();

  private constructor(
    readonly root: string,
    /** Absolute path of the object store, which workspaces use as their alternate. */
    readonly objectDirectory: string,
    readonly identity: string,
    readonly shallow = false,
  ) {}

  static async open(directory: string): Promise<GitHistory> {
    let stat;
    try {
      stat = statSync(directory);
    } catch {
      throw new UsageError(`no such directory: ${directory}`, 'pass --repo DIR with an existing repository');
    }
    if (!stat.isDirectory()) throw new UsageError(`not a directory: ${directory}`, 'pass --repo DIR with a repository directory');
    let result;
    try {
      // No --show-toplevel here: git refuses it in a bare repository and inside .git, both of which are fine to hunt.
      result = await git(directory, ['rev-parse', '--path-format=absolute', '--git-common-dir', '--is-bare-repository', '--is-inside-git-dir']);
    } catch (error) {
      if (error instanceof GitNotFoundError) throw new UsageError('git is not installed', 'install git (apt-get install git) and try again');
      throw error;
    }
    if (result.code !== 0) {
      throw new UsageError(`not a git repository: ${path.resolve(directory)}`, 'run culprit inside a repository or pass --repo DIR');
    }
    const [commonDir = '', bare = 'false', insideGitDir = 'false'] = result.stdout.trim().split('\n');
    let root: string;
    if (bare === 'true') root = realpathSync(commonDir);
    else if (insideGitDir === 'true') root = realpathSync(path.dirname(commonDir));
    else {
      const top = await git(directory, ['rev-parse', '--path-format=absolute', '--show-toplevel']);
      root = realpathSync(top.code === 0 && top.stdout.trim() ? top.stdout.trim() : path.dirname(commonDir));
    }
    const objectDirectory = realpathSync(path.join(commonDir, 'objects'));
    return new GitHistory(root, objectDirectory, objectDirectory, existsSync(path.join(commonDir, 'shallow')));
  }

  async resolve(revision: string, role: string): Promise<string> {
    if (revision.trim() === '') throw new UsageError(`empty revision for ${role}`, `give ${role} a commit hash, branch or tag`);
    const result = await git(this.root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
    const hash = result.stdout.trim();
    if (result.code !== 0 || !/^[0-9a-f]{40,64}$/.test(hash)) {
      // --quiet silences an unknown revision; what git still says is about its object store (a truncated pack).
      if (looksDamaged(result.stderr)) throw toolFailure('git', 'git rev-parse', this.root, result.stderr);
      if (await this.hasNoCommits()) throw noCommitsYet(this.root);
      throw new UsageError(`unknown revision for ${role}: '${revision}'`, `give a commit hash, branch or tag that exists in ${this.root}`);
    }
    return hash;
  }

  /** A repository just made with `git init`: HEAD names a branch that does not exist yet, and no ref names a commit. */
  private async hasNoCommits(): Promise<boolean> {
    const refs = await git(this.root, ['for-each-ref', '--count=1', '--format=%(objectname)']);
    if (refs.code !== 0 || refs.stdout.trim() !== '') return false;
    return (await git(this.root, ['rev-parse', '--verify', '--quiet', 'HEAD'])).code !== 0;
  }

  async loadGraph(bad: string, goods: readonly string[]): Promise<CommitGraph> {
    const records: CommitRecord[] = [];
    // One walk, as `git bisect` itself does: only the region between the goods and bad is loaded. The same walk
    // gives each commit's tree, which saves a git process on the way to every probe.
    const walk = ['log', '--no-show-signature', '--format=%ct %H %T %P', bad, ...goods.map((good) => `^${good}`), '--'];
    // The goods are outside the walk but are probed first (endpoint checks): their trees come alongside.
    const goodTrees = goods.length === 0 ? Promise.resolve('') : gitOk(this.root, ['rev-parse', ...goods.map((good) => `${good}^{tree}`)]).catch(() => '');
    await gitLines(this.root, walk, (line) => {
      if (!line) return;
      const fields = line.split(' ');
      const time = Number(fields[0]);
      const key = fields[1];
      const tree = fields[2];
      if (key === undefined || tree === undefined) return;
      this.trees.set(key, tree);
      records.push({ key, time, parents: fields.slice(3).filter(Boolean) });
    });
    const trees = (await goodTrees).split('\n');
    goods.forEach((good, index) => {
      const tree = trees[index]?.trim();
      if (tree && /^[0-9a-f]{40,64}$/.test(tree)) this.trees.set(good, tree);
    });
    return CommitGraph.fromRecords(records);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await git(this.root, ['merge-base', '--is-ancestor', ancestor, descendant]);
    if (result.code > 1) throw toolFailure('git', 'git merge-base --is-ancestor', this.root, result.stderr);
    return result.code === 0;
  }

  async mergeBases(bad: string, goods: readonly string[]): Promise<string[]> {
    const result = await git(this.root, ['merge-base', '--all', bad, ...goods]);
    if (result.code === 1) return [];
    if (result.code !== 0) throw toolFailure('git', 'git merge-base', this.root, result.stderr);
    return result.stdout.split('\n').filter(Boolean);
  }

  async describe(commits: readonly string[]): Promise<Map<string, CommitInfo>> {
    const infos = new Map<string, CommitInfo>();
    if (commits.length === 0) return infos;
    const out = await gitOk(this.root, ['log', '--no-walk=unsorted', '--stdin', '--format=%H%x00%s%x00%an <%ae>%x00%aI'], {
      input: commits.join('\n') + '\n',
    });
    for (const line of out.split('\n')) {
      const [commit, subject = '', author = '', date = ''] = line.split('\0');
      if (commit) infos.set(commit, { commit, subject, author, date });
    }
    return infos;
  }

  async tracksDirectory(revision: string, directory: string): Promise<boolean> {
    const result = await git(this.root, ['ls-tree', '-d', '--name-only', revision, '--', directory]);
    return result.code === 0 && result.stdout.trim() !== '';
  }

  async changedFiles(commit: string): Promise<string[]> {
    // -z: paths as they are (`naïve.txt`), not quoted with octal escapes.
    const out = await gitOk(this.root, ['show', '--first-parent', '--format=', '--name-only', '-z', commit]);
    return out.split('\0').map((name) => name.replace(/^\n+/, '')).filter(Boolean);
  }

  async treeOf(commit: string): Promise<string> {
    const known = this.trees.get(commit);
    if (known !== undefined) return known;
    return (await gitOk(this.root, ['rev-parse', '--verify', '--end-of-options', `${commit}^{tree}`])).trim();
  }

  fileDeltas(parent: string, commit: string): Promise<FileDelta[]> {
    return gitFileDeltas(this.root, parent, commit);
  }

  async parents(commit: string): Promise<string[]> {
    const out = await gitOk(this.root, ['rev-list', '--parents', '-n', '1', commit, '--']);
    return out.trim().split(' ').slice(1);
  }

  readFiles(commit: string, paths: readonly string[]): Promise<Map<string, Buffer | null>> {
    return gitReadFiles(this.root, commit, paths);
  }

  shortName(commit: string): string {
    return short(commit);
  }
}
