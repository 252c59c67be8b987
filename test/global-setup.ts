// Vitest globalSetup: makes dist/ a build of the current src/ before any test file starts. The CLI tests spawn
// bin/culprit.js, which runs dist/, so without this `npx vitest run` after an edit would test the previous build.
// `npm test` builds first; then this only stats the files. One build per run, here rather than per file: vitest runs
// two files at a time, and others may run tests in the same checkout, hence the lock and the atomic renames.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** 'fresh': dist/ was built from the current src/ (now or before the run); 'unchecked': CULPRIT_TEST_NO_BUILD was set. */
    culpritDist: 'fresh' | 'unchecked';
  }
}

const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(PROJECT, 'src');
const DIST = path.join(PROJECT, 'dist');
/** The build's configuration: a change to either can change every output. */
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];
const BUILD = ['tsc', '-p', 'tsconfig.build.json'];

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Why dist/ is not a build of the current src/ (a missing output, a source or configuration newer than its output), or undefined. */
export function distStaleness(): string | undefined {
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const source of files(SRC)) {
    if (!source.endsWith('.ts') || source.endsWith('.d.ts')) continue;
    const relative = path.relative(SRC, source);
    const output = path.join(DIST, relative.replace(/\.ts$/, '.js'));
    const outputTime = mtime(output);
    if (outputTime === undefined) return `dist/${path.relative(DIST, output)} is missing`;
    if ((mtime(source) ?? Number.POSITIVE_INFINITY) >= outputTime) return `src/${relative} is newer than its build`;
    oldestOutput = Math.min(oldestOutput, outputTime);
  }
  for (const config of CONFIGS) {
    if ((mtime(path.join(PROJECT, config)) ?? 0) >= oldestOutput) return `${config} is newer than the build`;
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One build at a time per checkout, across vitest processes; a lock whose owner died is taken over. */
async function withBuildLock<T>(work: () => T): Promise<T> {
  const lock = path.join(os.tmpdir(), `culprit-dist-${createHash('sha256').update(PROJECT).digest('hex').slice(0, 12)}.lock`);
  const owner = path.join(lock, 'pid');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let text = '';
    try {
      text = readFileSync(owner, 'utf8');
    } catch {
      // not written yet
    }
    const pid = Number(text);
    // No pid yet: just created, or its owner died before writing one (then the directory is old).
    const abandoned = text === '' ? Date.now() - (mtime(lock) ?? Date.now()) > 60_000 : !(Number.isSafeInteger(pid) && pid > 0 && isAlive(pid));
    if (abandoned) rmSync(lock, { recursive: true, force: true });
    else await delay(200);
  }
  try {
    writeFileSync(owner, String(process.pid));
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * `tsc -p tsconfig.build.json` into a sibling of dist/ (same depth, so the source maps' relative paths are the same),
 * then each file renamed into dist/: a test of another run that is reading dist/ meanwhile sees old or new files, never
 * half-written ones. --noEmitOnError keeps a failed build from leaving a dist/ that the next run would take as fresh.
 */
function build(reason: string): void {
  const staging = path.join(PROJECT, `.dist-build-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const result = spawnSync('npx', [...BUILD, '--outDir', staging, '--noEmitOnError'], { cwd: PROJECT, encoding: 'utf8' });
    if (result.status !== 0) {
      const output = `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}`.trim();
      throw new Error(`dist/ is out of date (${reason}) and \`npx ${BUILD.join(' ')}\` failed:\n${output}`);
    }
    for (const file of files(staging)) {
      const target = path.join(DIST, path.relative(staging, file));
      mkdirSync(path.dirname(target), { recursive: true });
      renameSync(file, target);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject): Promise<void> {
  if (process.env.CULPRIT_TEST_NO_BUILD) {
    // For running unit tests while src/ does not compile; the CLI tests refuse to run on an unchecked dist/.
    project.provide('culpritDist', 'unchecked');
    return;
  }
  const reason = distStaleness();
  if (reason !== undefined) {
    await withBuildLock(() => {
      // Another run may have built while we waited for the lock.
      const still = distStaleness();
      if (still === undefined) return;
      process.stderr.write(`culprit tests: building dist/ (${still})\n`);
      build(still);
    });
  }
  project.provide('culpritDist', 'fresh');
}
