// A scratch workspace for released versions and configurations of factors: emptied before each candidate (and given
// a copy of the user's project when there is one), so an install starts from nothing and never reaches the user.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ProjectCopy } from '../history/version-list.js';
import { copyProject } from './project-copy.js';
import type { Workspace } from './workspace.js';
import { unlock } from './workspace-lock.js';
import { claimSlot } from './workspace-slots.js';

/** What a scratch workspace is made for: a version list, or the good setup of a hunt over factors. */
export interface ScratchSpace {
  readonly kind: 'versions' | 'factors';
  readonly identity: string;
  readonly origin: string;
  readonly project: ProjectCopy | undefined;
}

export class VersionWorkspace implements Workspace {
  private constructor(
    readonly directory: string,
    private readonly lockPath: string,
    private readonly project: string | undefined,
    private readonly kind: ScratchSpace['kind'],
  ) {}

  static acquire(cacheRoot: string, space: ScratchSpace, keepSlots = 1): Promise<VersionWorkspace> {
    const digest = createHash('sha256').update(space.identity).digest('hex').slice(0, 12);
    const name = `${space.origin.replace(/[^\w.-]/g, '_').slice(0, 40)}-${digest}`;
    const slot = claimSlot(path.join(cacheRoot, space.kind === 'versions' ? 'version-workspaces' : 'factor-workspaces', name), keepSlots);
    return Promise.resolve(new VersionWorkspace(slot.directory, slot.lockPath, space.project?.directory, space.kind));
  }

  /** Empties the directory (a previous install, the test's leftovers) and copies the project in again. */
  checkout(): Promise<void> {
    mkdirSync(this.directory, { recursive: true });
    for (const entry of readdirSync(this.directory)) rmSync(path.join(this.directory, entry), { recursive: true, force: true });
    if (this.project) copyProject(this.project, this.directory);
    // npm installs into the nearest directory above that has a package.json or a node_modules: without this one, a
    // plain `npm install` in an empty workspace under a home holding a package.json would install into the home.
    else mkdirSync(path.join(this.directory, 'node_modules'));
    return Promise.resolve();
  }

  /** A scratch directory has no record of what it holds: only its vanishing shows. */
  holds(): Promise<boolean> {
    return Promise.resolve(existsSync(this.directory));
  }

  environment(version: string): Record<string, string> {
    return this.kind === 'versions' ? { CULPRIT_VERSION: version } : {};
  }

  release(): void {
    unlock(this.lockPath);
  }
}
