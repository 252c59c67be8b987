// The space a hunt over factors searches: its factors by name, and for any subset the configuration a probe puts
// into its workspace (the files it writes, the setups it runs, the variables its test gets) with one digest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeChange, LockfileChanges, type PackageChange } from '../changes/lockfile-changes.js';
import { readLockfile } from '../changes/lockfile.js';
import type { FileState } from '../changes/materialize.js';
import { UsageError } from '../errors.js';
import type { Factor, FactorsSpec } from '../model/factors-spec.js';

export interface FactorConfiguration {
  /** The factors at their bad side: the subset asked for, with what it needs to install (a lockfile's closure). */
  subset: number[];
  digest: string;
  states: FileState[];
  /** Setup commands, in the factors' order, each the side its factor has in this configuration. */
  setups: string[];
  env: Record<string, string>;
}

export interface FactorSpace {
  readonly kind: 'deps' | 'factors';
  /** How each factor reads: `python`, `left-pad 1.1.0 → 1.3.0`. */
  readonly names: readonly string[];
  /** The package changes, for `culprit deps`. */
  readonly changes?: readonly PackageChange[];
  configurationOf(subset: readonly number[]): FactorConfiguration;
}

function configurationDigest(states: readonly FileState[], setups: readonly string[], env: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const state of states) hash.update(`${state.path}\0${state.mode ?? '-'}\0`).update(state.content ?? '\0deleted').update('\0');
  hash.update(JSON.stringify({ setups, env: Object.entries(env).sort(([a], [b]) => a.localeCompare(b)) }));
  return hash.digest('hex');
}

/** The lockfiles' contents, as a resumed hunt compares them with the ones it started with. */
export function locksDigest(goodLock: string, badLock: string): string {
  const read = (file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch {
      return Buffer.from('\0missing');
    }
  };
  return createHash('sha256').update(read(goodLock)).update('\0').update(read(badLock)).digest('hex');
}

/** The project's package.json (and each workspace's), read once: the configurations write their ranges over them. */
function manifestReader(project: string): (folder: string) => Record<string, unknown> | undefined {
  const read = new Map<string, Record<string, unknown> | undefined>();
  return (folder) => {
    if (read.has(folder)) return read.get(folder);
    const file = path.join(project, folder, 'package.json');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if (folder !== '') {
        read.set(folder, undefined);
        return undefined;
      }
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new UsageError(`${project} ${missing ? 'has no package.json' : 'has a package.json that is not JSON'}, so npm ci cannot install into it`, 'run culprit deps in your project, or name it with --project DIR');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${file} is not a JSON object`, "fix the project's package.json");
    read.set(folder, parsed as Record<string, unknown>);
    return parsed as Record<string, unknown>;
  };
}

class SetupSpace implements FactorSpace {
  readonly kind = 'factors' as const;
  readonly names: string[];

  constructor(private readonly factors: readonly Factor[]) {
    this.names = factors.map((factor) => factor.name);
  }

  configurationOf(subset: readonly number[]): FactorConfiguration {
    const bad = new Set(subset);
    const setups: string[] = [];
    const env: Record<string, string> = {};
    this.factors.forEach((factor, index) => {
      const side = bad.has(index) ? factor.bad : factor.good;
      if (side.run !== undefined) setups.push(side.run);
      Object.assign(env, side.env ?? {});
    });
    return { subset: [...bad].sort((a, b) => a - b), digest: configurationDigest([], setups, env), states: [], setups, env };
  }
}

class LockfileSpace implements FactorSpace {
  readonly kind = 'deps' as const;
  readonly names: string[];
  readonly changes: readonly PackageChange[];

  constructor(
    private readonly lockChanges: LockfileChanges,
    private readonly manifestOf: (folder: string) => Record<string, unknown> | undefined,
  ) {
    this.changes = lockChanges.changes;
    this.names = lockChanges.changes.map(describeChange);
  }

  configurationOf(subset: readonly number[]): FactorConfiguration {
    const closed = this.lockChanges.closure(subset);
    const states = this.lockChanges.files(closed, this.manifestOf);
    return { subset: closed, digest: configurationDigest(states, [], {}), states, setups: [], env: {} };
  }
}

/** The space of a spec; for `deps`, the lockfiles are read and diffed (bad input stops here). */
export function openFactorSpace(spec: FactorsSpec, project: string): FactorSpace {
  if (spec.kind === 'factors') return new SetupSpace(spec.factors ?? []);
  const deps = spec.deps;
  if (!deps) throw new Error('internal: a deps hunt without lockfiles');
  const good = readLockfile(deps.goodLock, '--good-lock');
  const bad = readLockfile(deps.badLock, '--bad-lock');
  const manifestOf = manifestReader(project);
  // The project's overrides act on every configuration (lockfiles do not record them).
  const changes = new LockfileChanges(good, bad, manifestOf('')?.overrides);
  if (changes.changes.length === 0) {
    throw new UsageError(`--good-lock ${deps.goodLock} and --bad-lock ${deps.badLock} install the same packages`, 'compare the lockfile of a setup where the test passes with one where it fails');
  }
  return new LockfileSpace(changes, manifestOf);
}
