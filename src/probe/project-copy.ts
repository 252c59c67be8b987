// The user's project as versions and configurations are installed into it: checked and read (never written),
// digested for the caches, and copied into a workspace without its installed dependencies or VCS metadata.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, symlinkSync, type Dirent } from 'node:fs';
import { UsageError } from '../errors.js';
import path from 'node:path';
import type { ProjectCopy } from '../history/version-list.js';

/** Never copied: what an install puts back (node_modules) and the project's version control. */
const LEFT_OUT = new Set(['node_modules', '.git', '.hg', '.svn']);

/** The files an npm install reads besides the registry: they alone key the install cache. */
const INSTALL_INPUTS = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc'];

/** Files, links and directories, in name order; sockets, FIFOs and devices are no project content (and a FIFO blocks a read). */
function walk(directory: string, relative: string, visit: (relative: string, entry: Dirent) => void): void {
  const entries = readdirSync(path.join(directory, relative), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (LEFT_OUT.has(entry.name)) continue;
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      visit(child, entry);
      walk(directory, child, visit);
    } else if (entry.isFile() || entry.isSymbolicLink()) visit(child, entry);
  }
}

/** Digests the project once per hunt: every copied file (the verdict key) and the install inputs (the install key). */
export function readProject(directory: string, registry = ''): ProjectCopy {
  // What the registry serves is part of what an install (and so a verdict) depends on.
  const files = createHash('sha256').update(`registry\0${registry}\0`);
  walk(directory, '', (relative, entry) => {
    if (entry.isDirectory()) return;
    const absolute = path.join(directory, relative);
    files.update(`${relative}\0`);
    files.update(entry.isSymbolicLink() ? `link:${readlinkSync(absolute)}` : readFileSync(absolute));
    files.update('\0');
  });
  const install = createHash('sha256').update(`registry\0${registry}\0`);
  for (const name of INSTALL_INPUTS) {
    let content: Buffer | string;
    try {
      content = readFileSync(path.join(directory, name));
    } catch {
      content = '(none)';
    }
    install.update(`${name}\0`).update(content).update('\0');
  }
  return { directory, filesDigest: files.digest('hex'), installDigest: install.digest('hex') };
}

/**
 * Where a link in the copy points. A link into the project (absolute, or relative but climbing out of where it sits
 * and back in) would let a write through the copy reach the original: it is pointed at the same place in the copy.
 */
function linkTarget(project: string, destination: string, relative: string, target: string): string {
  const resolved = path.resolve(path.dirname(path.join(project, relative)), target);
  const inside = path.relative(project, resolved);
  if (inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside))) return path.relative(path.dirname(path.join(destination, relative)), path.join(destination, inside)) || '.';
  return target;
}

/** Copies the project into an empty workspace directory: files with their modes, links kept as links (see linkTarget). */
export function copyProject(project: string, destination: string): void {
  walk(project, '', (relative, entry) => {
    const source = path.join(project, relative);
    const target = path.join(destination, relative);
    if (entry.isDirectory()) mkdirSync(target, { recursive: true });
    else if (entry.isSymbolicLink()) symlinkSync(linkTarget(project, destination, relative, readlinkSync(source)), target);
    else copyFileSync(source, target);
  });
}

/** The project as a real directory path; culprit's cache inside it would copy its own copies. */
export function projectDirectory(project: string, cache: string): string {
  let real: string;
  try {
    real = realpathSync(project);
  } catch {
    throw new UsageError(`--project ${project} does not exist`, 'name the directory of your project');
  }
  if (!statSync(real).isDirectory()) throw new UsageError(`--project ${project} is not a directory`, 'name the directory of your project');
  const inside = path.relative(real, path.resolve(cache));
  if (inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside))) {
    throw new UsageError(`culprit's cache directory ${cache} is inside the project ${real}`, 'give --workdir a directory outside the project');
  }
  return real;
}
