// The user's project as versions are installed into it: read (never written), digested for the caches, and copied
// into a workspace without its installed dependencies or VCS metadata, so an install never touches the original.
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, readlinkSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { ProjectCopy } from '../history/version-list.js';

/** Never copied: what an install puts back (node_modules) and the project's version control. */
const LEFT_OUT = new Set(['node_modules', '.git', '.hg', '.svn']);

/** The files an npm install reads besides the registry: they alone key the install cache. */
const INSTALL_INPUTS = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc'];

function walk(directory: string, relative: string, visit: (relative: string, entry: Dirent) => void): void {
  const entries = readdirSync(path.join(directory, relative), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (LEFT_OUT.has(entry.name)) continue;
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) walk(directory, child, visit);
    else visit(child, entry);
  }
}

/** Digests the project once per hunt: every copied file (the verdict key) and the install inputs (the install key). */
export function readProject(directory: string): ProjectCopy {
  const files = createHash('sha256');
  walk(directory, '', (relative, entry) => {
    const absolute = path.join(directory, relative);
    files.update(`${relative}\0`);
    files.update(entry.isSymbolicLink() ? `link:${readlinkSync(absolute)}` : readFileSync(absolute));
    files.update('\0');
  });
  const install = createHash('sha256');
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

/** Copies the project into an empty workspace directory, links kept as links. */
export function copyProject(project: string, destination: string): void {
  cpSync(project, destination, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => source === project || !LEFT_OUT.has(path.basename(source)),
  });
}
