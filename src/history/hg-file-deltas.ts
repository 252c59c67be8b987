// The files that differ between two Mercurial changesets, with both contents: `hg status --copies` for the list
// (a copy whose source is removed is a rename), `hg files` for flags and `hg cat -o` for the contents of each side.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hg, hgOk } from './hg-command.js';
import type { FileDelta, FileMode } from './history.js';
import { toolFailure } from './tool-failure.js';

interface StatusEntry {
  status: 'A' | 'M' | 'R';
  path: string;
  source: string | null;
}

function parseStatus(output: string): StatusEntry[] {
  const entries: StatusEntry[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith('  ')) {
      const last = entries.at(-1);
      if (last) last.source = line.slice(2);
    } else if (/^[AMR] /.test(line)) {
      entries.push({ status: line[0] as 'A' | 'M' | 'R', path: line.slice(2), source: null });
    }
  }
  return entries;
}

/** Contents and flags of some files at one changeset, read with two hg calls. */
async function readSide(root: string, revision: string, files: readonly string[]): Promise<Map<string, { content: Buffer; mode: FileMode }>> {
  const side = new Map<string, { content: Buffer; mode: FileMode }>();
  if (files.length === 0) return side;
  const flags = new Map<string, string>();
  // `hg files` exits 1 when no pattern matches: that only means none of the files exist there.
  const listed = await hg(root, ['files', '--rev', revision, '--template', '{flags}\\t{path}\\n', '--', ...files.map((file) => `path:${file}`)], { repo: root });
  if (listed.code > 1) throw toolFailure('hg', 'hg files', root, listed.stderr);
  for (const line of listed.stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab >= 0) flags.set(line.slice(tab + 1), line.slice(0, tab));
  }
  const present = files.filter((file) => flags.has(file));
  if (present.length === 0) return side;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'culprit-hgcat-'));
  try {
    await hgOk(root, ['cat', '--rev', revision, '--output', path.join(scratch, '%p'), '--', ...present.map((file) => `path:${file}`)], { repo: root });
    for (const file of present) {
      const flag = flags.get(file) ?? '';
      side.set(file, { content: readFileSync(path.join(scratch, file)), mode: flag.includes('l') ? 'link' : flag.includes('x') ? 'executable' : 'file' });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return side;
}

export async function hgFileDeltas(root: string, parent: string, commit: string): Promise<FileDelta[]> {
  const entries = parseStatus(await hgOk(root, ['status', '--rev', parent, '--rev', commit, '--copies'], { repo: root }));
  const removed = new Set(entries.filter((entry) => entry.status === 'R').map((entry) => entry.path));
  // A copy whose source disappears in the same change is a rename; its source's removal is part of it.
  const renamedFrom = new Set(entries.filter((entry) => entry.status === 'A' && entry.source !== null && removed.has(entry.source)).map((entry) => entry.source ?? ''));
  const beforeFiles = entries.flatMap((entry) => (entry.status === 'M' ? [entry.path] : entry.status === 'R' ? [entry.path] : entry.source && renamedFrom.has(entry.source) ? [entry.source] : []));
  const afterFiles = entries.filter((entry) => entry.status !== 'R').map((entry) => entry.path);
  const [before, after] = await Promise.all([readSide(root, parent, [...new Set(beforeFiles)]), readSide(root, commit, afterFiles)]);
  const deltas: FileDelta[] = [];
  for (const entry of entries) {
    if (entry.status === 'R' && renamedFrom.has(entry.path)) continue;
    const renamed = entry.status === 'A' && entry.source !== null && renamedFrom.has(entry.source);
    const old = entry.status === 'A' ? (renamed ? before.get(entry.source ?? '') : undefined) : before.get(entry.path);
    const now = entry.status === 'R' ? undefined : after.get(entry.path);
    deltas.push({
      path: entry.path,
      oldPath: renamed ? entry.source : null,
      status: entry.status === 'M' ? 'modified' : entry.status === 'R' ? 'deleted' : renamed ? 'renamed' : 'added',
      before: old?.content ?? null,
      after: now?.content ?? null,
      modeBefore: old?.mode ?? null,
      modeAfter: now?.mode ?? null,
    });
  }
  return deltas;
}

export async function hgReadFiles(root: string, revision: string, paths: readonly string[]): Promise<Map<string, Buffer | null>> {
  const side = await readSide(root, revision, paths);
  return new Map(paths.map((file) => [file, side.get(file)?.content ?? null]));
}
