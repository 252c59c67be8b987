// An npm package-lock.json as culprit reads it: the `packages` map of lockfile versions 2 and 3 (every installed
// package by its path under node_modules), checked so a wrong file is one clear error, not a failed install later.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** One installed package as the lockfile records it; other fields are kept as they are when written back. */
export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  [field: string]: unknown;
}

export interface Lockfile {
  /** The file it was read from, as the user named it. */
  path: string;
  lockfileVersion: number;
  /** Everything at the top besides `packages` (name, version, requires): written back as it was. */
  header: Record<string, unknown>;
  /** `''` is the project itself; `node_modules/a`, `node_modules/a/node_modules/b`, workspace folders. */
  packages: Record<string, LockEntry>;
}

/** The lockfile versions whose `packages` map culprit splits; npm ≥ 7 writes them. */
const READABLE = [2, 3];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readLockfile(file: string, option: string): Lockfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? String(error)})`;
    throw new UsageError(`${option} ${file} ${why}`, 'name a package-lock.json file, e.g. one saved from the commit where the test passed (git show GOOD:package-lock.json > good-lock.json)');
  }
  return parseLockfile(text, file, option);
}

export function parseLockfile(text: string, file: string, option: string): Lockfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${option} ${file} is not JSON, so not an npm package-lock.json`, 'name the package-lock.json npm wrote (yarn.lock and pnpm-lock.yaml are not read)');
  }
  if (!isObject(json) || !('lockfileVersion' in json)) {
    throw new UsageError(`${option} ${file} has no lockfileVersion, so it is not an npm package-lock.json`, 'name the package-lock.json npm wrote next to package.json');
  }
  const version = json.lockfileVersion;
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new UsageError(`${option} ${file} has lockfileVersion ${JSON.stringify(version)}, which npm does not know`, 'regenerate it with npm install --package-lock-only');
  if (!READABLE.includes(version)) {
    const hint = version < 2 ? 'it lists no packages by path: regenerate it with npm 7 or later (npm install --package-lock-only), which npm ci also prefers' : 'this npm reads lockfile versions 1 to 3: upgrade npm or regenerate the file with the npm you use';
    throw new UsageError(`${option} ${file} has lockfileVersion ${version}, which culprit cannot split into package changes`, hint);
  }
  const { packages, dependencies: _legacy, ...header } = json;
  if (!isObject(packages) || !isObject(packages[''])) {
    throw new UsageError(`${option} ${file} has no "packages" section with the project at "", so npm ci cannot install from it`, 'regenerate it with npm install --package-lock-only');
  }
  for (const [key, entry] of Object.entries(packages)) {
    if (!isObject(entry)) throw new UsageError(`${option} ${file}: the entry for ${JSON.stringify(key)} is not an object`, 'regenerate it with npm install --package-lock-only');
  }
  return { path: file, lockfileVersion: version, header, packages: packages as Record<string, LockEntry> };
}

/** The package name a lock path installs: its last `node_modules/` segment (scoped names keep their scope). */
export function packageNameOf(key: string, entry: LockEntry | undefined): string {
  if (entry?.name && !key.includes('node_modules/')) return entry.name;
  const at = key.lastIndexOf('node_modules/');
  return at < 0 ? key : key.slice(at + 'node_modules/'.length);
}

/** The lock as npm ci reads it: lockfile version 3 (the `packages` map alone), the header kept. */
export function lockfileText(header: Record<string, unknown>, packages: Record<string, LockEntry>): string {
  const sorted: Record<string, LockEntry> = {};
  const root = packages[''];
  if (root) sorted[''] = root;
  for (const key of Object.keys(packages).filter((key) => key !== '').sort()) sorted[key] = packages[key] as LockEntry;
  return `${JSON.stringify({ ...header, lockfileVersion: 3, packages: sorted }, null, 2)}\n`;
}
