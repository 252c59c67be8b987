// The package changes between a good and a bad package-lock.json, as a set a search can take subsets of: each
// subset closed over the dependency edges it would break, and written as the lockfile and manifest npm ci installs.
import semver from 'semver';
import type { FileState } from './materialize.js';
import { lockfileText, packageNameOf, type LockEntry, type Lockfile } from './lockfile.js';

export interface PackageChange {
  /** Where the package is installed: `node_modules/a`, `node_modules/a/node_modules/b`. */
  key: string;
  name: string;
  kind: 'added' | 'removed' | 'changed';
  /** Versions on the good and the bad side (null where the package is absent). */
  from: string | null;
  to: string | null;
  /** The package a nested one is installed under (`a` for `node_modules/a/node_modules/b`), if any. */
  under: string | null;
  /** The registry's name when it is installed under another (`"zz": "npm:qe@^1"`: qe). */
  alias?: string;
  /** The lock paths it writes: its own, and changed ones nested under it (they come and go with it). */
  keys: string[];
}

/** What makes two lock entries install different things; flags like `dev` follow from the rest. */
const CONTENT_FIELDS = ['version', 'resolved', 'integrity', 'link', 'dependencies', 'optionalDependencies', 'peerDependencies'] as const;
const MANIFEST_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

function sameContent(a: LockEntry, b: LockEntry): boolean {
  return CONTENT_FIELDS.every((field) => JSON.stringify(a[field] ?? null) === JSON.stringify(b[field] ?? null));
}

function versionOf(entry: LockEntry | undefined): string | null {
  if (!entry) return null;
  return entry.version ?? (entry.link ? `link:${entry.resolved ?? '?'}` : (entry.resolved ?? '?'));
}

/** The package directory a lock path is nested in (`node_modules/a` for `node_modules/a/node_modules/b`), '' at the top. */
function parentOf(key: string): string {
  const at = key.lastIndexOf('/node_modules/');
  return at < 0 ? '' : key.slice(0, at);
}

/** Where Node looks for `name` required from the package at `key`: its own node_modules, then each one above. */
function lookupPaths(key: string, name: string): string[] {
  const paths: string[] = [];
  let directory = key;
  for (;;) {
    paths.push(directory === '' ? `node_modules/${name}` : `${directory}/node_modules/${name}`);
    if (directory === '') return paths;
    directory = parentOf(directory);
  }
}

/** Whether an installed entry meets a dependency's range; anything not a registry range (git, file, alias tags) counts as met. */
function satisfies(entry: LockEntry, range: string): boolean {
  if (entry.link || entry.version === undefined) return true;
  const spec = range.startsWith('npm:') ? range.slice(range.lastIndexOf('@') + 1) : range;
  if (semver.validRange(spec, { loose: true }) === null) return true;
  return semver.satisfies(entry.version, spec, { loose: true, includePrerelease: true });
}

interface Edge {
  name: string;
  range: string;
  optional: boolean;
  kind: 'prod' | 'optional' | 'peer' | 'dev';
}

/**
 * How deep a copy may be nested (node_modules/a/node_modules/b/node_modules/c is 3): a bound on mending chains, which
 * a cycle of dependencies that want each other at other versions would otherwise nest forever.
 */
const MAX_NESTING = 8;

/** The dependency edges npm checks for an installed package: the root's dev dependencies too, required peers. */
function edgesOf(key: string, entry: LockEntry): Edge[] {
  const edges: Edge[] = [];
  const add = (section: Record<string, string> | undefined, kind: Edge['kind'], optional: (name: string) => boolean): void => {
    for (const [name, range] of Object.entries(section ?? {})) edges.push({ name, range, optional: optional(name), kind });
  };
  add(entry.dependencies, 'prod', () => false);
  add(entry.optionalDependencies, 'optional', () => true);
  add(entry.peerDependencies, 'peer', (name) => entry.peerDependenciesMeta?.[name]?.optional === true);
  if (key === '' || isWorkspace(key)) add(entry.devDependencies, 'dev', () => false);
  return edges;
}

/** Every package name `overrides` mentions, at any depth (`"a"`, `"a@1"`, `{ "b": { "c": "1.0.0" } }`). */
function overriddenNames(overrides: unknown, into = new Set<string>()): Set<string> {
  if (typeof overrides !== 'object' || overrides === null) return into;
  for (const [spec, value] of Object.entries(overrides)) {
    if (spec !== '.') into.add(spec.startsWith('@') ? `@${spec.slice(1).split('@')[0] ?? ''}` : (spec.split('@')[0] ?? spec));
    overriddenNames(value, into);
  }
  return into;
}

/** A workspace folder's entry (`packages/w1`): not installed under node_modules, its package.json is the project's. */
function isWorkspace(key: string): boolean {
  return key !== '' && !key.includes('node_modules/');
}

export class LockfileChanges {
  readonly changes: PackageChange[];
  /** Names the project's `overrides` govern: their lockfile ranges are not what npm checks, so culprit does not either. */
  private readonly overridden: Set<string>;
  /** Which change writes a lock path. */
  private readonly owner = new Map<string, number>();
  /** Registry copies by name, indexed on first use. */
  private copies: Map<string, LockEntry[]> | undefined;
  /** Configurations worked out so far, by subset: a search asks for each several times. */
  private readonly configurations = new Map<string, { subset: number[]; packages: Record<string, LockEntry> }>();

  constructor(
    private readonly good: Lockfile,
    private readonly bad: Lockfile,
    overrides: unknown = undefined,
  ) {
    this.overridden = overriddenNames(overrides);
    const keys = [...new Set([...Object.keys(good.packages), ...Object.keys(bad.packages)])].filter((key) => key !== '');
    const changed = keys.filter((key) => {
      const [before, after] = [good.packages[key], bad.packages[key]];
      return !before || !after || !sameContent(before, after);
    });
    const byKey = new Map<string, PackageChange>();
    // Shallow paths first, so a nested change finds the change of the package it is installed under.
    for (const key of changed.sort((a, b) => a.split('/node_modules/').length - b.split('/node_modules/').length || a.localeCompare(b))) {
      let holder = parentOf(key);
      while (holder !== '' && !byKey.has(holder)) holder = parentOf(holder);
      const host = byKey.get(holder);
      if (host) {
        host.keys.push(key);
        continue;
      }
      const [before, after] = [good.packages[key], bad.packages[key]];
      const parent = parentOf(key);
      const installedAs = packageNameOf(key, after ?? before);
      const registryName = (after ?? before)?.name;
      byKey.set(key, {
        ...(registryName && registryName !== installedAs && key.includes('node_modules/') ? { alias: registryName } : {}),
        key,
        name: packageNameOf(key, after ?? before),
        kind: !before ? 'added' : !after ? 'removed' : 'changed',
        from: versionOf(before),
        to: versionOf(after),
        under: parent === '' ? null : packageNameOf(parent, bad.packages[parent] ?? good.packages[parent]),
        keys: [key],
      });
    }
    this.changes = [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
    this.changes.forEach((change, index) => {
      for (const key of change.keys) this.owner.set(key, index);
    });
  }

  /** The installed packages with the changes in `subset` made: the good lock's, some of them the bad lock's. */
  private packagesOf(applied: ReadonlySet<number>): Record<string, LockEntry> {
    const packages: Record<string, LockEntry> = { ...this.good.packages };
    for (const index of applied) {
      for (const key of this.changes[index]?.keys ?? []) {
        const after = this.bad.packages[key];
        if (after) packages[key] = after;
        else delete packages[key];
      }
    }
    packages[''] = this.rootOf(applied);
    return packages;
  }

  /**
   * A subset as npm ci can install it: while some package's dependency would resolve to a version outside its range
   * (or to nothing), it is mended, as npm itself would: a change joins that puts a fitting version where Node looks;
   * else a fitting version either lockfile has is nested under the dependent; else the change that moves the dependent
   * itself (to a version that asks for something else) joins. Returns the changes made and the packages installed.
   */
  configuration(subset: readonly number[]): { subset: number[]; packages: Record<string, LockEntry> } {
    const key = [...new Set(subset)].sort((a, b) => a - b).join(',');
    const known = this.configurations.get(key);
    if (known) return known;
    const applied = new Set(subset);
    const nested = new Map<string, LockEntry>();
    let packages: Record<string, LockEntry> = {};
    for (let mended = true; mended; ) {
      mended = false;
      // A change that later puts its own package where a copy was nested wins: it is what the bad lockfile has.
      packages = { ...Object.fromEntries(nested), ...this.packagesOf(applied) };
      // One pass finds every broken edge; copies to nest are made together, a change one at a time (it moves the
      // picture, and copies nested for the old picture are dropped: they may sit under a package that moved).
      const copies = new Map<string, LockEntry>();
      let change: number | undefined;
      for (const [at, entry] of Object.entries(packages)) {
        for (const edge of edgesOf(at, entry)) {
          const fix = this.fixFor(packages, applied, at, edge);
          if (typeof fix === 'number') change ??= fix;
          else if (fix !== undefined && !copies.has(fix.path)) copies.set(fix.path, fix.entry);
        }
        if (change !== undefined) break;
      }
      if (change !== undefined) {
        applied.add(change);
        nested.clear();
        mended = true;
      } else if (copies.size > 0) {
        for (const [path, entry] of copies) nested.set(path, entry);
        mended = true;
      }
    }
    const result = { subset: [...applied].sort((a, b) => a - b), packages };
    this.configurations.set(key, result);
    return result;
  }

  /** The subset with every change it cannot be installed without. */
  closure(subset: readonly number[]): number[] {
    return this.configuration(subset).subset;
  }

  /** What mends a broken dependency edge of the package at `at`: a change to make, a version to nest, or nothing. */
  private fixFor(packages: Record<string, LockEntry>, applied: ReadonlySet<number>, at: string, edge: Edge): number | { path: string; entry: LockEntry } | undefined {
    const paths = lookupPaths(at, edge.name);
    if (this.overridden.has(edge.name)) return undefined;
    const found = paths.map((path) => packages[path]).find((candidate) => candidate !== undefined);
    // npm puts a missing optional dependency back (only an optional peer may be absent).
    if (found ? satisfies(found, edge.range) : edge.kind === 'peer' && edge.optional) return undefined;
    // Nearest first, up to where Node stops looking: a change whose bad side puts a fitting version there.
    for (const path of paths) {
      const owner = this.owner.get(path);
      const after = this.bad.packages[path];
      if (owner !== undefined && !applied.has(owner) && after && satisfies(after, edge.range)) return owner;
      if (packages[path]) break;
    }
    // A copy of a fitting version under the dependent, as npm nests a version the hoisted one does not fit. Not for
    // peers (they must be the dependent's siblings) nor the project's own dependencies (their place is the top).
    const under = paths[0];
    if (edge.kind !== 'peer' && at !== '' && under !== undefined && !packages[under] && under.split('/node_modules/').length <= MAX_NESTING) {
      const entry = this.fittingEntry(edge.name, edge.range);
      if (entry) return { path: under, entry };
    }
    const own = this.owner.get(at);
    return own !== undefined && !applied.has(own) ? own : undefined;
  }

  /** A registry version of `name` one of the lockfiles installs somewhere and `range` accepts, the newest first. */
  private fittingEntry(name: string, range: string): LockEntry | undefined {
    let best: LockEntry | undefined;
    for (const entry of this.installable().get(name) ?? []) {
      if (!satisfies(entry, range)) continue;
      if (!best?.version || semver.gt(entry.version ?? '0.0.0', best.version, { loose: true })) best = entry;
    }
    return best;
  }

  /** Every registry copy either lockfile installs, by package name: what a nested copy may be taken from. */
  private installable(): Map<string, LockEntry[]> {
    if (this.copies) return this.copies;
    const copies = new Map<string, LockEntry[]>();
    for (const packages of [this.good.packages, this.bad.packages]) {
      for (const [key, entry] of Object.entries(packages)) {
        const name = packageNameOf(key, entry);
        if (key === '' || entry.link || !entry.version || entry.inBundle || (entry.name !== undefined && entry.name !== name)) continue;
        copies.set(name, [...(copies.get(name) ?? []), entry]);
      }
    }
    this.copies = copies;
    return copies;
  }

  /**
   * The files a configuration writes into the project copy: the lockfile (an npm-shrinkwrap.json would win over it,
   * so it goes), and the dependency ranges of package.json, and of each workspace's, to match it.
   */
  files(subset: readonly number[], manifestOf: (folder: string) => Record<string, unknown> | undefined): FileState[] {
    const { packages } = this.configuration(subset);
    const states: FileState[] = [];
    for (const [key, entry] of Object.entries(packages)) {
      if (key !== '' && !isWorkspace(key)) continue;
      const manifest = manifestOf(key);
      if (!manifest) continue;
      const written: Record<string, unknown> = { ...manifest };
      for (const section of MANIFEST_SECTIONS) {
        const ranges = entry[section];
        if (ranges && Object.keys(ranges).length > 0) written[section] = ranges;
        else delete written[section];
      }
      states.push({ path: key === '' ? 'package.json' : `${key}/package.json`, content: Buffer.from(`${JSON.stringify(written, null, 2)}\n`), mode: 'file' });
    }
    states.push({ path: 'package-lock.json', content: Buffer.from(lockfileText(this.bad.header, packages)), mode: 'file' });
    states.push({ path: 'npm-shrinkwrap.json', content: null, mode: null });
    return states;
  }

  /** The project's own entry: the bad lock's, with the ranges of direct dependencies whose change is not made taken from the good one. */
  private rootOf(applied: ReadonlySet<number>): LockEntry {
    const [goodRoot, badRoot] = [this.good.packages[''] ?? {}, this.bad.packages[''] ?? {}];
    const root: LockEntry = { ...badRoot };
    for (const section of MANIFEST_SECTIONS) {
      const ranges: Record<string, string> = { ...(badRoot[section] ?? {}) };
      const names = new Set([...Object.keys(goodRoot[section] ?? {}), ...Object.keys(badRoot[section] ?? {})]);
      for (const name of names) {
        const owner = this.owner.get(`node_modules/${name}`);
        if (owner === undefined || applied.has(owner)) continue;
        const before = goodRoot[section]?.[name];
        if (before === undefined) delete ranges[name];
        else ranges[name] = before;
      }
      if (Object.keys(ranges).length > 0) root[section] = ranges;
      else delete root[section];
    }
    return root;
  }
}

/** How a change reads in progress and reports: `left-pad 1.1.0 → 1.3.0`, `+ chalk 5.0.0`, `- debug 2.6.9 (in send)`. */
export function describeChange(change: Pick<PackageChange, 'name' | 'kind' | 'from' | 'to' | 'under' | 'alias'>): string {
  const where = `${change.alias ? ` (npm:${change.alias})` : ''}${change.under ? ` (in ${change.under})` : ''}`;
  if (change.kind === 'added') return `+ ${change.name} ${change.to ?? ''}${where}`;
  if (change.kind === 'removed') return `- ${change.name} ${change.from ?? ''}${where}`;
  if (change.from === change.to) return `${change.name} ${change.from ?? ''} (same version, other contents)${where}`;
  return `${change.name} ${change.from ?? ''} → ${change.to ?? ''}${where}`;
}
