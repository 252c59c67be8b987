// The files that differ between two git commits, with both contents: one `diff --raw` for the list (renames
// detected as git shows them) and one `cat-file --batch` for every blob, so a large change costs two processes.
import { git, gitOk } from './git-command.js';
import type { FileDelta, FileMode } from './history.js';
import { toolFailure } from './tool-failure.js';

const NO_BLOB = /^0+$/;

function modeOf(mode: string): FileMode | null {
  if (mode === '120000') return 'link';
  if (mode === '100755') return 'executable';
  if (mode === '100644') return 'file';
  return null; // 000000 (absent) or 160000 (a submodule, which has no file content here)
}

interface RawEntry {
  modeBefore: string;
  modeAfter: string;
  blobBefore: string;
  blobAfter: string;
  status: string;
  path: string;
  oldPath: string | null;
}

function parseRaw(output: string): RawEntry[] {
  const fields = output.split('\0');
  const entries: RawEntry[] = [];
  for (let index = 0; index < fields.length; ) {
    const header = fields[index++] ?? '';
    if (!header.startsWith(':')) continue;
    const [modeBefore = '', modeAfter = '', blobBefore = '', blobAfter = '', status = ''] = header.slice(1).split(' ');
    const first = fields[index++] ?? '';
    if (status.startsWith('R') || status.startsWith('C')) {
      const second = fields[index++] ?? '';
      entries.push({ modeBefore, modeAfter, blobBefore, blobAfter, status: status[0] ?? 'M', path: second, oldPath: first });
    } else {
      entries.push({ modeBefore, modeAfter, blobBefore, blobAfter, status: status[0] ?? 'M', path: first, oldPath: null });
    }
  }
  return entries;
}

/** Reads objects named by `blob` or `commit:path`; names git reports missing map to null. */
async function readObjects(root: string, names: readonly string[]): Promise<Map<string, Buffer | null>> {
  const contents = new Map<string, Buffer | null>();
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return contents;
  const result = await git(root, ['cat-file', '--batch'], { input: `${wanted.join('\n')}\n` });
  if (result.code !== 0) throw toolFailure('git', 'git cat-file', root, result.stderr);
  const raw = result.raw;
  let offset = 0;
  for (const name of wanted) {
    const newline = raw.indexOf(0x0a, offset);
    const header = raw.subarray(offset, newline).toString('utf8').split(' ');
    if (header.at(-1) === 'missing' || header[1] !== 'blob') {
      // A missing object has no body; another type (a tree at that path) has one to skip.
      contents.set(name, null);
      offset = header.at(-1) === 'missing' ? newline + 1 : newline + 1 + Number(header[2]) + 1;
      continue;
    }
    const size = Number(header[2]);
    contents.set(name, raw.subarray(newline + 1, newline + 1 + size));
    offset = newline + 1 + size + 1;
  }
  return contents;
}

export async function gitReadFiles(root: string, commit: string, paths: readonly string[]): Promise<Map<string, Buffer | null>> {
  const objects = await readObjects(root, paths.map((file) => `${commit}:${file}`));
  return new Map(paths.map((file) => [file, objects.get(`${commit}:${file}`) ?? null]));
}

async function readBlobs(root: string, blobs: readonly string[]): Promise<Map<string, Buffer>> {
  const objects = await readObjects(root, blobs.filter((blob) => !NO_BLOB.test(blob)));
  const contents = new Map<string, Buffer>();
  for (const [blob, content] of objects) {
    if (content === null) throw toolFailure('git', 'git cat-file', root, `blob ${blob} is missing`);
    contents.set(blob, content);
  }
  return contents;
}

export async function gitFileDeltas(root: string, parent: string, commit: string): Promise<FileDelta[]> {
  const entries = parseRaw(await gitOk(root, ['diff', '--raw', '-z', '-M', '--no-abbrev', '--no-ext-diff', '--no-textconv', parent, commit, '--']));
  const blobs = await readBlobs(root, entries.flatMap((entry) => [entry.blobBefore, entry.blobAfter]));
  return entries
    .filter((entry) => entry.modeBefore !== '160000' && entry.modeAfter !== '160000')
    .map((entry): FileDelta => {
      const status = entry.status === 'A' ? 'added' : entry.status === 'D' ? 'deleted' : entry.status === 'R' ? 'renamed' : entry.status === 'C' ? 'added' : 'modified';
      return {
        path: entry.path,
        oldPath: entry.status === 'R' ? entry.oldPath : null,
        status,
        before: status === 'added' ? null : (blobs.get(entry.blobBefore) ?? Buffer.alloc(0)),
        after: status === 'deleted' ? null : (blobs.get(entry.blobAfter) ?? Buffer.alloc(0)),
        modeBefore: status === 'added' ? null : modeOf(entry.modeBefore),
        modeAfter: status === 'deleted' ? null : modeOf(entry.modeAfter),
      };
    });
}
