// Runs git as a child process with an environment that cannot leak into the user's repository.
// Every call is read-only towards the user's repository: no index refresh, no optional locks.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../errors.js';
import { toolFailure } from './tool-failure.js';

/** Variables that would redirect git away from the directory we name explicitly. */
const REDIRECTING_VARIABLES = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM',
];

export function cleanGitEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of REDIRECTING_VARIABLES) delete env[name];
  return env;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The output as bytes, for file contents that are not text. */
  raw: Buffer;
}

export class GitNotFoundError extends Error {}

/** spawn says ENOENT for a missing cwd as for a missing git: only the second is "not installed". */
function spawnFailure(error: NodeJS.ErrnoException, cwd: string): Error {
  if (error.code !== 'ENOENT') return error;
  if (!existsSync(cwd)) return new EnvironmentError(`git cannot run in ${cwd}: the directory does not exist`, 'something deleted it while culprit ran; run culprit again');
  return new GitNotFoundError('git is not installed or not on PATH');
}

/**
 * What makes git act on a workspace and nothing else, whatever a test left in it: its own git directory and work
 * tree named (so neither discovery, a `.git` file nor `core.worktree` can point elsewhere), no hooks, no fsmonitor,
 * no reflog a linked logs directory could carry elsewhere, and no replace ref making one commit check out another.
 */
export function workspaceGitOptions(workTree: string): string[] {
  return [
    `--git-dir=${path.join(workTree, '.git')}`, `--work-tree=${workTree}`, '--no-replace-objects',
    '-c', `core.worktree=${workTree}`, '-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'core.logAllRefUpdates=false',
  ];
}

/** Runs git on the repository of a workspace (see workspaceGitOptions), in its top directory. */
export function workspaceGit(workTree: string, args: readonly string[]): Promise<GitResult> {
  return git(workTree, [...workspaceGitOptions(workTree), ...args], { env: { GIT_CEILING_DIRECTORIES: path.dirname(workTree) } });
}

/** Runs `git args…` in cwd; resolves with the exit code and output (never rejects on a non-zero exit). */
export function git(cwd: string, args: readonly string[], options: { input?: string; env?: Readonly<Record<string, string>> } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...cleanGitEnvironment(), GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(spawnFailure(error, cwd)));
    child.on('close', (code) => {
      resolve({ code: code ?? 128, raw: Buffer.concat(out), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (child.stdin) {
      // git may exit before reading all its input (e.g. on a bad revision); that is reported by its exit code.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Like git(), but a non-zero exit is an error carrying git's own message. */
export async function gitOk(cwd: string, args: readonly string[], options: { input?: string; env?: Readonly<Record<string, string>> } = {}): Promise<string> {
  const result = await git(cwd, args, options);
  if (result.code !== 0) throw toolFailure('git', `git ${args[0] ?? ''}`, cwd, result.stderr);
  return result.stdout;
}

/** Streams the lines of a git command's output, for outputs too large to hold as one string. */
export function gitLines(cwd: string, args: readonly string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...cleanGitEnvironment(), GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let rest = '';
    const err: Buffer[] = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const text = rest + chunk;
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(spawnFailure(error, cwd)));
    child.on('close', (code) => {
      if (rest) onLine(rest);
      if (code === 0) resolve();
      else reject(toolFailure('git', `git ${args[0] ?? ''}`, cwd, Buffer.concat(err).toString('utf8')));
    });
  });
}
