// An ordered list of released versions seen as a history: each version's parent is the one released before it,
// so the bisection strategies search it as a line of commits, with the same skips, cuts and endpoint checks.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { CommitGraph } from '../search/commit-graph.js';
import { versionTitle } from '../model/versions-spec.js';
import type { CommitInfo, FileDelta, History } from './history.js';

export interface VersionListOptions {
  /** Oldest first, no duplicates. */
  versions: readonly string[];
  /** Where the versions come from (a package name, a list), for the hunt's identity and messages. */
  origin: string;
  /** The directory the hunt belongs to: the project the versions are installed into, or where culprit started. */
  root: string;
  /** A project copied into each workspace before the install (`culprit npm`); absent for a scratch directory. */
  project?: ProjectCopy;
}

/** The user's project as the workspaces copy it: its files (never its node_modules or VCS metadata) and digests. */
export interface ProjectCopy {
  directory: string;
  /** Every copied file's path and content: part of each version's verdict-cache key (a changed test retests). */
  filesDigest: string;
  /** What an install depends on (package.json, lockfile, .npmrc): part of the install cache's key. */
  installDigest: string;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

export class VersionList implements History {
  readonly kind = 'versions' as const;
  readonly root: string;
  readonly identity: string;
  readonly versions: readonly string[];
  readonly origin: string;
  readonly project: ProjectCopy | undefined;
  private readonly index = new Map<string, number>();

  constructor(options: VersionListOptions) {
    this.versions = [...options.versions];
    this.origin = options.origin;
    this.root = options.root;
    this.project = options.project;
    this.versions.forEach((version, position) => this.index.set(version, position));
    // Versions of one origin installed into one project: what their verdicts and installs are shared across. Where
    // culprit started does not count: a version's commands run in its workspace, never there.
    this.identity = `versions:${digest(options.origin, options.project?.directory ?? '')}`;
  }

  positionOf(version: string): number | undefined {
    return this.index.get(version);
  }

  resolve(revision: string, role: string): Promise<string> {
    if (this.index.has(revision)) return Promise.resolve(revision);
    const range = this.versions.length > 0 ? `${this.versions[0] ?? ''} … ${this.versions.at(-1) ?? ''}` : 'none';
    return Promise.reject(new UsageError(`${role} ${revision} is not one of the ${this.versions.length} versions of ${this.origin}`, `pick one of them (${range})`));
  }

  /** The versions after the newest good, up to bad: each one's parent is the version before it. */
  loadGraph(bad: string, goods: readonly string[]): Promise<CommitGraph> {
    const end = this.position(bad);
    const start = Math.max(-1, ...goods.map((good) => this.position(good)));
    const records = [];
    for (let position = start + 1; position <= end; position++) {
      records.push({ key: this.versions[position] ?? '', time: position, parents: position > 0 ? [this.versions[position - 1] ?? ''] : [] });
    }
    return Promise.resolve(CommitGraph.fromRecords(records));
  }

  isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return Promise.resolve(this.position(ancestor) <= this.position(descendant));
  }

  mergeBases(bad: string, goods: readonly string[]): Promise<string[]> {
    const older = goods.filter((good) => this.position(good) <= this.position(bad));
    return Promise.resolve(older.length === 0 ? [] : [older.reduce((a, b) => (this.position(a) > this.position(b) ? a : b))]);
  }

  describe(commits: readonly string[]): Promise<Map<string, CommitInfo>> {
    return Promise.resolve(new Map(commits.map((version) => [version, { commit: version, subject: versionTitle(this.origin, version), author: '', date: '' }])));
  }

  changedFiles(): Promise<string[]> {
    return Promise.resolve([]);
  }

  /** What a version's verdict depends on besides the recipe: the version and the project's files. */
  treeOf(version: string): Promise<string> {
    return Promise.resolve(digest('version', this.origin, version, this.project?.filesDigest ?? ''));
  }

  /** What a version's install depends on: the version and the project's manifests, not its tests. */
  installTreeOf(version: string): string {
    return digest('install', this.origin, version, this.project?.installDigest ?? '');
  }

  fileDeltas(): Promise<FileDelta[]> {
    return Promise.reject(new Error('internal: released versions have no file changes to narrow'));
  }

  parents(version: string): Promise<string[]> {
    const position = this.position(version);
    return Promise.resolve(position > 0 ? [this.versions[position - 1] ?? ''] : []);
  }

  readFiles(): Promise<Map<string, Buffer | null>> {
    return Promise.reject(new Error('internal: released versions have no files to read'));
  }

  shortName(version: string): string {
    return version;
  }

  private position(version: string): number {
    const position = this.index.get(version);
    if (position === undefined) throw new Error(`internal: ${version} is not in the version list`);
    return position;
  }
}
