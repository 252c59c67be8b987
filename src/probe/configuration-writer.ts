// Writes a materialized configuration into a workspace checked out at the parent: file contents, deletions,
// executable bits and links. Paths are checked to stay inside the workspace whatever the history holds.
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FileState } from '../changes/materialize.js';
import { failedWriting } from '../environment-failure.js';

function inside(directory: string, relative: string): string {
  const target = path.resolve(directory, relative);
  if (!target.startsWith(`${path.resolve(directory)}${path.sep}`)) throw new Error(`internal: path ${relative} leaves the workspace`);
  return target;
}

export function writeConfiguration(directory: string, states: readonly FileState[]): void {
  // Deletions first: a rename's old path may be the parent directory of a new file, or the other way round.
  for (const state of states) if (state.content === null) rmSync(inside(directory, state.path), { recursive: true, force: true });
  for (const state of states) {
    if (state.content === null) continue;
    const target = inside(directory, state.path);
    mkdirSync(path.dirname(target), { recursive: true });
    rmSync(target, { recursive: true, force: true });
    if (state.mode === 'link') {
      symlinkSync(state.content.toString('utf8'), target);
      continue;
    }
    try {
      writeFileSync(target, state.content);
    } catch (error) {
      throw failedWriting(target, error);
    }
    chmodSync(target, state.mode === 'executable' ? 0o755 : 0o644);
  }
}
