// The Mercurial adapter: resolves revisions and revsets, loads the candidate DAG in one `hg log` call, describes changesets.
// It only reads the user's repository, under hg-command.ts's controlled configuration; workspaces clone from it.
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { noCommitsYet } from './missing-commit.js';
import { CommitGraph, type CommitRecord } from '../search/commit-graph.js';
import { hg, hgOk, hgReason, HgNotFoundError, type HgResult } from './hg-command.js';
import type { CommitInfo, FileDelta, History } from './history.js';
import { hgFileDeltas, hgReadFiles } from './hg-file-deltas.js';
import { looksDamaged, toolFailure } from './tool-failure.js';
import { short } from '../text/format.js';

const NULL_NODE = '0'.repeat(40);
/** What `wdir()` resolves to: the working directory, not a changeset. */
const WDIR_NODE = 'f'.repeat(40);

/** A node checked to be plain hex before it goes into a revset, so it can only ever name one changeset. */
function node(commit: string): string {
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`internal: not a Mercurial node: '${commit}'`);
  return commit;
}

export class HgHistory implements History {
  readonly kind = 'hg' as const;

  private constructor(
    readonly root: string,
    /** The real path of the store (a share's points into its source), so shares of one repository share workspaces. */
    readonly identity: string,
  ) {}

  static async open(directory: string): Promise<HgHistory> {
    let stat;
    try {
      stat = statSync(directory);
    } catch {
      throw new UsageError(`no such directory: ${directory}`, 'pass --repo DIR with an existing repository');
    }
    if (!stat.isDirectory()) throw new UsageError(`not a directory: ${directory}`, 'pass --repo DIR with a repository directory');
    let result: HgResult;
    try {
      result = await hg(directory, ['root', '--template', '{reporoot}\n{storepath}\n']);
    } catch (error) {
      if (error instanceof HgNotFoundError) {
        throw new UsageError('Mercurial (hg) is not installed or not on PATH', 'install it (apt-get install mercurial, or pip install mercurial) and try again');
      }
      throw error;
    }
    if (result.code !== 0) {
      if (/no repository found|repository .* not found/.test(result.stderr)) {
        throw new UsageError(`not a Mercurial repository: ${path.resolve(directory)}`, 'run culprit inside a repository or pass --repo DIR');
      }
      throw new UsageError(`Mercurial cannot open ${path.resolve(directory)}: ${hgReason(result)}`, 'check the repository with hg verify');
    }
    const [root = '', store = ''] = result.stdout.split('\n');
    return new HgHistory(realpathSync(root), realpathSync(store));
  }

  private readonly manifests = new Map<string, string>();

  private log(args: readonly string[]): Promise<HgResult> {
    return hg(this.root, ['log', ...args], { repo: this.root });
  }

  async resolve(revision: string, role: string): Promise<string> {
    if (revision.trim() === '') {
      throw new UsageError(`empty revision for ${role}`, `give ${role} a revision number, hash, tag, bookmark, branch or revset`);
    }
    // `--rev=VALUE` in one word: a revision that looks like an option stays a revision.
    const result = await this.log([`--rev=${revision}`, '--template', '{node}\n']);
    const nodes = result.code === 0 ? result.stdout.split('\n').filter((line) => /^[0-9a-f]{40}$/.test(line) && line !== NULL_NODE && line !== WDIR_NODE) : [];
    if (nodes.length === 0) {
      if (result.code !== 0 && looksDamaged(result.stderr)) throw toolFailure('hg', 'hg log', this.root, result.stderr);
      // An empty repository's tip is the null revision, -1.
      const tip = await this.log(['--rev=tip', '--template', '{rev}']);
      if (tip.code === 0 && tip.stdout.trim() === '-1') throw noCommitsYet(this.root);
      const reason = result.code === 0 ? '' : hgReason(result);
      const help = `give a revision number, hash, tag, bookmark, branch or revset naming a changeset in ${this.root}`;
      throw new UsageError(`unknown revision for ${role}: '${revision}'`, reason && !/unknown revision/.test(reason) ? `${reason}; ${help}` : help);
    }
    const unique = [...new Set(nodes)];
    if (unique.length > 1) {
      throw new UsageError(`${role} '${revision}' names ${unique.length} changesets, not one`, `pick one, e.g. ${role} 'max(${revision})' for the newest`);
    }
    return unique[0] as string;
  }

  /**
   * The region `::bad - ::goods`, plus the goods themselves: hg's own bisection takes its candidates from
   * `goods::bad`, so a strategy that mirrors it needs the goods in the graph. `time` is the local revision
   * number, the order hg's strategy walks in.
   */
  async loadGraph(bad: string, goods: readonly string[]): Promise<CommitGraph> {
    const goodSet = goods.map(node).join('+');
    // git's candidates (::bad - ::goods, used with --first-parent) plus what hg's strategy needs to see
    // descent from a good and ancestry of a good: goods::bad and goods::goods (see search/hg-bisection.ts).
    const goodList = `(${goodSet})`;
    const badNode = node(bad);
    const revset = goods.length === 0 ? `::${badNode}` : `(::${badNode} - ::${goodList}) + (${goodList}::${badNode}) + (${goodList}::${goodList})`;
    const result = await this.log(['--rev', revset, '--template', '{rev} {node} {manifest.node} {p1.node} {p2.node}\n']);
    if (result.code !== 0) throw toolFailure('hg', 'hg log', this.root, result.stderr);
    const records: CommitRecord[] = [];
    for (const line of result.stdout.split('\n')) {
      const [rev, key, manifest, ...parents] = line.split(' ');
      if (!key) continue;
      // Manifests come with the graph for free; each probe would otherwise pay an hg start-up for its cache key.
      if (manifest) this.manifests.set(key, manifest);
      records.push({ key, time: Number(rev), parents: parents.filter((parent) => parent !== NULL_NODE) });
    }
    return CommitGraph.fromRecords(records);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.log(['--rev', `${node(ancestor)} and ::${node(descendant)}`, '--template', '{node}\n']);
    if (result.code !== 0) throw toolFailure('hg', 'hg log', this.root, result.stderr);
    return result.stdout.trim() !== '';
  }

  /** Heads of the common ancestors: what `git merge-base --all bad goods…` gives, in hg's terms. */
  async mergeBases(bad: string, goods: readonly string[]): Promise<string[]> {
    if (goods.length === 0) return [];
    const revset = `heads(::${node(bad)} and ::(${goods.map(node).join('+')}))`;
    const result = await this.log(['--rev', revset, '--template', '{node}\n']);
    if (result.code !== 0) throw toolFailure('hg', 'hg log', this.root, result.stderr);
    return result.stdout.split('\n').filter(Boolean);
  }

  async describe(commits: readonly string[]): Promise<Map<string, CommitInfo>> {
    const infos = new Map<string, CommitInfo>();
    if (commits.length === 0) return infos;
    const revisions = commits.flatMap((commit) => ['--rev', node(commit)]);
    const result = await this.log([...revisions, '--template', '{node}\\0{desc|firstline}\\0{author}\\0{date|rfc3339date}\\n']);
    if (result.code !== 0) throw toolFailure('hg', 'hg log', this.root, result.stderr);
    for (const line of result.stdout.split('\n')) {
      const [commit, subject = '', author = '', date = ''] = line.split('\0');
      if (commit) infos.set(commit, { commit, subject, author, date });
    }
    return infos;
  }

  /** Files that differ from the first parent, as `git show --first-parent` lists them. */
  async tracksDirectory(revision: string, directory: string): Promise<boolean> {
    const result = await hg(this.root, ['files', '--rev', node(revision), '--include', `path:${directory}`], { repo: this.root });
    return result.code === 0 && result.stdout.trim() !== '';
  }

  async changedFiles(commit: string): Promise<string[]> {
    const out = await hgOk(this.root, ['status', '--change', node(commit), '--template', '{path}\\n'], { repo: this.root });
    return out.split('\n').filter(Boolean).sort();
  }

  async treeOf(commit: string): Promise<string> {
    const known = this.manifests.get(commit);
    if (known) return known;
    const result = await this.log(['--rev', node(commit), '--template', '{manifest.node}']);
    if (result.code !== 0 || !/^[0-9a-f]{40}$/.test(result.stdout.trim())) throw toolFailure('hg', 'hg log', this.root, result.stderr || `no manifest for ${commit}`);
    this.manifests.set(commit, result.stdout.trim());
    return result.stdout.trim();
  }

  fileDeltas(parent: string, commit: string): Promise<FileDelta[]> {
    return hgFileDeltas(this.root, node(parent), node(commit));
  }

  async parents(commit: string): Promise<string[]> {
    const result = await this.log(['--rev', node(commit), '--template', '{p1.node} {p2.node}']);
    if (result.code !== 0) throw toolFailure('hg', 'hg log', this.root, result.stderr);
    return result.stdout.trim().split(' ').filter((parent) => parent !== '' && parent !== NULL_NODE);
  }

  readFiles(commit: string, paths: readonly string[]): Promise<Map<string, Buffer | null>> {
    return hgReadFiles(this.root, node(commit), paths);
  }

  shortName(commit: string): string {
    return short(commit);
  }
}
