// Runs git as a child process with an environment that cannot leak into the user's repository.
// Every call is read-only towards the user's repository: no index refresh, no optional locks.
import { spawn } from 'node:child_process';
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

/** Runs `git args…` in cwd; resolves with the exit code and output (never rejects on a non-zero exit). */
export function git(cwd: string, args: readonly string[], options: { input?: string } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...cleanGitEnvironment(), GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new GitNotFoundError('git is not installed or not on PATH') : error);
    });
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
export async function gitOk(cwd: string, args: readonly string[], options: { input?: string } = {}): Promise<string> {
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
    child.on('error', reject);
    child.on('close', (code) => {
      if (rest) onLine(rest);
      if (code === 0) resolve();
      else reject(toolFailure('git', `git ${args[0] ?? ''}`, cwd, Buffer.concat(err).toString('utf8')));
    });
  });
}
