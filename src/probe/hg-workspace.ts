// A Mercurial workspace: a private clone under culprit's cache (hardlinked store, `hg pull` on reuse).
// Not `hg share`: a share writes caches, phases and whatever the test commits into the user's store.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRealDirectory } from '../system/file-facts.js';
import { UsageError } from '../errors.js';
import { hg, hgOk, hgReason } from '../history/hg-command.js';
import type { HgHistory } from '../history/hg-history.js';
import type { Workspace } from './workspace.js';
import { unlock } from './workspace-lock.js';
import { claimSlot } from './workspace-slots.js';
import { commitGone } from '../history/missing-commit.js';
import { toolFailure } from '../history/tool-failure.js';
import { short } from '../text/format.js';

/** Written once a clone is whole: a slot without it was cut short (e.g. its hg was SIGKILLed) and is cloned anew. */
const COMPLETE_MARKER = 'culprit-clone-complete';
/** `--config extensions.purge=` makes `hg purge` work on hg before 5.7 and keeps hg 6 from asking for confirmation. */
const PURGE = ['--config', 'extensions.purge=', 'purge'];

/** How a dirstate-v2 docket starts; a v1 dirstate starts with the first parent's node. */
const DIRSTATE_V2 = Buffer.from('dirstate-v2\n');

/** Directory holding all workspace slots of one repository. */
export function hgWorkspaceBase(cacheRoot: string, history: HgHistory): string {
  const digest = createHash('sha256').update(history.identity).digest('hex').slice(0, 12);
  return path.join(cacheRoot, 'workspaces', `${path.basename(history.root).replace(/[^\w.-]/g, '_')}-${digest}`);
}

export class HgWorkspace implements Workspace {
  private constructor(readonly directory: string, private readonly lockPath: string, private readonly source: string) {}

  /**
   * Claims a free slot (reusing a killed hunt's slot keeps its build outputs warm) and removes the
   * other abandoned slots, exactly as git workspaces do.
   */
  static async acquire(cacheRoot: string, history: HgHistory, keepSlots = 1): Promise<HgWorkspace> {
    const base = hgWorkspaceBase(cacheRoot, history);
    const slot = claimSlot(base, keepSlots);
    const claimed = new HgWorkspace(slot.directory, slot.lockPath, history.root);
    try {
      await claimed.prepare();
    } catch (error) {
      claimed.release();
      throw error;
    }
    return claimed;
  }

  private get marker(): string {
    return path.join(this.directory, '.hg', COMPLETE_MARKER);
  }

  /**
   * Whether the slot holds a whole clone culprit made: a real `.hg` directory, not a share (whose `sharedpath` a test
   * could point at another repository's store, where culprit's pulls would then write).
   */
  private get ownClone(): boolean {
    const hgDir = path.join(this.directory, '.hg');
    return isRealDirectory(this.directory) && isRealDirectory(hgDir) && existsSync(this.marker) && !existsSync(path.join(hgDir, 'sharedpath'));
  }

  /** Brings the slot's clone up to date with the user's repository, cloning afresh when it is missing or damaged. */
  private async prepare(): Promise<void> {
    if (this.ownClone) {
      // An abandoned transaction (a pull cut short) makes the pull fail; a fresh clone is cheaper than `hg recover`.
      const pulled = await hg(this.directory, ['pull', '--quiet', '--', this.source], { repo: this.directory });
      if (pulled.code === 0) return;
    }
    await this.clone();
  }

  /**
   * A local clone hardlinks the store: cheap, and hg breaks a link before it writes to a file, so neither
   * side can change the other's. hg locks the source store only while linking, and never waits for it:
   * when the user's repository is busy, hg pulls instead.
   */
  private async clone(): Promise<void> {
    rmSync(this.directory, { recursive: true, force: true });
    mkdirSync(path.dirname(this.directory), { recursive: true });
    const result = await hg(path.dirname(this.directory), ['clone', '--noupdate', '--quiet', '--', this.source, this.directory]);
    if (result.code !== 0) {
      rmSync(this.directory, { recursive: true, force: true });
      throw toolFailure('hg', 'hg clone', this.directory, result.stderr);
    }
    writeFileSync(this.marker, '');
  }

  async checkout(commit: string, options: { clean?: boolean } = {}): Promise<void> {
    // The last test may have deleted the clone or made it a share: cloned again, never looked for above the slot.
    if (!this.ownClone) await this.clone();
    const update = (): ReturnType<typeof hg> => hg(this.directory, ['update', '--clean', '--quiet', '--rev', commit], { repo: this.directory });
    let result = await update();
    if (result.code !== 0) {
      // A leftover of the last test (an untracked directory where the commit has a file, say) can block
      // the update; without untracked files it must go through, or the commit is not in the clone.
      await hg(this.directory, PURGE, { repo: this.directory });
      result = await update();
      if (result.code !== 0 && /unknown revision/.test(result.stderr)) {
        // Committed after this slot was cloned (a long-lived worker's slot): pulled from the source, then tried again.
        await hg(this.directory, ['pull', '--quiet', '--', this.source], { repo: this.directory });
        result = await update();
      }
      if (result.code !== 0) {
        if (/unknown revision|filtered revision/.test(result.stderr)) {
          // Stripped from the user's repository while the hunt went on: the repository's state, not the input.
          const inSource = await hg(this.source, ['log', '--hidden', '--rev', commit, '--template', 'x'], { repo: this.source });
          if (inSource.code !== 0 && /unknown revision/.test(inSource.stderr)) throw commitGone('hg', this.source, commit);
          throw new UsageError(
            `changeset ${commit.slice(0, 12)} is not in culprit's clone of ${this.source}: ${hgReason(result)}`,
            'secret changesets are never cloned: make them draft (hg phase --draft --force REV) or pick other endpoints',
          );
        }
        throw toolFailure('hg', `hg update to ${short(commit)}`, this.directory, result.stderr);
      }
    }
    // Untracked leftovers go, ignored build outputs stay (the ignore rules are the checked-out changeset's).
    await hgOk(this.directory, options.clean ? [...PURGE, '--all'] : PURGE, { repo: this.directory });
  }

  /**
   * Whether the checkout is still there: false once the directory is gone or the working directory's parent is
   * neither the changeset nor one the test committed on top of it. A `.hg` the test removed or replaced says nothing
   * about the files it tested.
   */
  async holds(commit: string): Promise<boolean> {
    if (!isRealDirectory(this.directory)) return false;
    if (!this.ownClone) return true;
    let dirstate: Buffer;
    try {
      dirstate = readFileSync(path.join(this.directory, '.hg', 'dirstate'));
    } catch {
      return false;
    }
    const start = dirstate.subarray(0, DIRSTATE_V2.length).equals(DIRSTATE_V2) ? DIRSTATE_V2.length : 0;
    const parent = dirstate.subarray(start, start + 20).toString('hex');
    if (parent === commit) return true;
    // A test may commit what it made: the new parent descends from the candidate through its own changesets alone. One
    // of the user's repository on the way (updated to, merged) means the files were not the candidate's.
    const descends = await hg(this.directory, ['log', '--rev', `${commit} and ancestors(${parent})`, '--template', 'x'], { repo: this.directory });
    if (descends.code !== 0 || descends.stdout !== 'x') return false;
    const between = await hg(this.directory, ['log', '--rev', `only(${parent}, ${commit})`, '--template', '{node}\n'], { repo: this.directory });
    const nodes = between.stdout.split('\n').filter((node) => /^[0-9a-f]{40}$/.test(node));
    if (between.code !== 0 || nodes.length === 0) return false;
    // Read-only in the user's repository: which of them it has (id() of an unknown node is empty, not an error).
    const known = await hg(this.source, ['log', '--rev', nodes.map((node) => `id(${node})`).join(' or '), '--template', 'x'], { repo: this.source });
    return known.code === 0 && known.stdout === '';
  }

  /** What `hg bisect --command` gives its command. */
  environment(commit: string): Record<string, string> {
    return { HG_NODE: commit };
  }

  release(): void {
    unlock(this.lockPath);
  }
}
