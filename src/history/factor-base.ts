// The good environment as a history of one point: every candidate of a hunt over factors is a configuration written
// on top of it (a lockfile, setups), so the journal, the verdict cache and the workspaces treat it like a commit.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { GOOD_SETUP } from '../model/factors-spec.js';
import { CommitGraph } from '../search/commit-graph.js';
import type { CommitInfo, FileDelta, History } from './history.js';
import type { ProjectCopy } from './version-list.js';

export interface FactorBaseOptions {
  /** `deps` or `factors`: what the configurations hold. */
  origin: string;
  /** The project (or the directory culprit started in, without one). */
  root: string;
  project?: ProjectCopy;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

export class FactorBase implements History {
  readonly kind = 'factors' as const;
  readonly root: string;
  readonly identity: string;
  readonly origin: string;
  readonly project: ProjectCopy | undefined;

  constructor(options: FactorBaseOptions) {
    this.origin = options.origin;
    this.root = options.root;
    this.project = options.project;
    this.identity = `factors:${digest(options.origin, options.project?.directory ?? '')}`;
  }

  resolve(revision: string, role: string): Promise<string> {
    if (revision === GOOD_SETUP) return Promise.resolve(revision);
    return Promise.reject(new UsageError(`${role} ${revision} is not a setup of this hunt`, `its configurations are written on the ${GOOD_SETUP} setup`));
  }

  loadGraph(): Promise<CommitGraph> {
    return Promise.resolve(CommitGraph.fromRecords([]));
  }

  isAncestor(): Promise<boolean> {
    return Promise.resolve(false);
  }

  mergeBases(): Promise<string[]> {
    return Promise.resolve([]);
  }

  describe(commits: readonly string[]): Promise<Map<string, CommitInfo>> {
    return Promise.resolve(new Map(commits.map((commit) => [commit, { commit, subject: `the ${commit} setup`, author: '', date: '' }])));
  }

  changedFiles(): Promise<string[]> {
    return Promise.resolve([]);
  }

  /** What every configuration's verdict depends on besides what it writes: the project's files. */
  treeOf(): Promise<string> {
    return Promise.resolve(digest('factors', this.origin, this.project?.filesDigest ?? ''));
  }

  /** What a configuration's install depends on: what it writes, and the project's install settings (.npmrc). */
  installTreeOf(configuration: string): string {
    return digest('factors-install', this.origin, configuration, this.project?.installDigest ?? '');
  }

  fileDeltas(): Promise<FileDelta[]> {
    return Promise.reject(new Error('internal: an environment has no file changes to narrow'));
  }

  parents(): Promise<string[]> {
    return Promise.resolve([]);
  }

  readFiles(): Promise<Map<string, Buffer | null>> {
    return Promise.reject(new Error('internal: an environment has no files to read'));
  }

  shortName(commit: string): string {
    return commit;
  }
}
