// The files that differ between two Mercurial changesets, with both contents: `hg status --copies` for the list
// (a copy whose source is removed is a rename), `hg files` for flags and `hg cat -o` for the contents of each side.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hgOk } from './hg-command.js';
import type { FileDelta, FileMode } from './history.js';

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
  const patterns = files.map((file) => `path:${file}`);
  const flags = new Map<string, string>();
  for (const line of (await hgOk(root, ['files', '--rev', revision, '--template', '{flags}\\t{path}\\n', '--', ...patterns], { repo: root })).split('\n')) {
    const tab = line.indexOf('\t');
    if (tab >= 0) flags.set(line.slice(tab + 1), line.slice(0, tab));
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'culprit-hgcat-'));
  try {
    await hgOk(root, ['cat', '--rev', revision, '--output', path.join(scratch, '%p'), '--', ...patterns], { repo: root });
    for (const file of files) {
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
