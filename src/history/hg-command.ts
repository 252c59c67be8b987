// Runs Mercurial as a child process under culprit's own configuration: no system, user or repository hgrc,
// so none of the user's hooks or extensions run in culprit's commands, and HGPLAIN keeps the output stable.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runServed, ServerUnavailable } from './hg-command-server.js';
import { toolFailure } from './tool-failure.js';

export class HgNotFoundError extends Error {}

export interface HgResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The output as bytes, for file contents that are not text. */
  raw: Buffer;
}

/**
 * The environment of every hg command culprit runs. HGRCPATH='' drops the system and user configuration,
 * HGRCSKIPREPO the repository's .hg/hgrc (and a share-safe source's), so [hooks] and [extensions] never load;
 * the user's other HG* variables (HGPLAINEXCEPT, HGUSER, …) could change what hg prints or does, so they go too.
 */
export function hgEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!/^C?HG/.test(name)) env[name] = value;
  return { ...env, HGPLAIN: '1', HGRCPATH: '', HGRCSKIPREPO: '1', HGENCODING: 'utf-8', LC_ALL: 'C', LANGUAGE: 'C' };
}

/**
 * Runs `hg --repository repo args…`. Naming the repository stops hg from searching parent directories,
 * so a damaged workspace can never make a command act on some enclosing repository (a home directory
 * kept in hg, say). Without `repo`, hg discovers the repository from cwd, as `hg root` needs to.
 * Resolves with the exit code and output; never rejects on a non-zero exit.
 */
export async function hg(cwd: string, args: readonly string[], options: { repo?: string } = {}): Promise<HgResult> {
  // Global options go first: with HGPLAIN, hg's early option parser stops at the command name, so a
  // revision such as `--config=…` passed after it can never be taken for a global option.
  const common = ['--noninteractive', '--pager=never', '--color=never'];
  // The server runs in the repository's directory: a command meant for another directory runs as a process.
  // An argument with a NUL would split in the server's message: spawn refuses it instead. A command the server dies
  // under runs again as a process: every command culprit sends is a read or brings the workspace to a state, so twice
  // is the same as once.
  const repo = options.repo === undefined ? undefined : path.resolve(options.repo);
  if (repo !== undefined && repo === path.resolve(cwd) && !args.some((arg) => arg.includes('\0')) && process.env.CULPRIT_HG_SERVER !== '0') {
    try {
      const served = await runServed(repo, [...common, ...args], hgEnvironment());
      return { code: served.code, raw: served.stdout, stdout: served.stdout.toString('utf8'), stderr: served.stderr.toString('utf8') };
    } catch (error) {
      if (!(error instanceof ServerUnavailable)) throw error;
    }
  }
  return hgProcess(cwd, [...common, ...(options.repo === undefined ? [] : ['--repository', options.repo]), ...args]);
}

function hgProcess(cwd: string, argv: readonly string[]): Promise<HgResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('hg', argv, { cwd, env: hgEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // spawn says ENOENT for a missing working directory too: that is the directory's failure, not hg's absence.
      if (error.code === 'ENOENT' && !existsSync(cwd)) {
        const stderr = `abort: the directory ${cwd} does not exist\n`;
        resolve({ code: 255, raw: Buffer.alloc(0), stdout: '', stderr });
      } else reject(error.code === 'ENOENT' ? new HgNotFoundError('hg is not installed or not on PATH') : error);
    });
    child.on('close', (code) => {
      resolve({ code: code ?? 255, raw: Buffer.concat(out), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** hg's own explanation of a failure, as one line without its `abort: ` prefix. */
export function hgReason(result: HgResult): string {
  const line = result.stderr.split('\n').find((text) => text.trim() !== '') ?? '';
  return line.replace(/^(abort|hg): /, '').trim();
}

/** Like hg(), but a non-zero exit is an error carrying hg's own message. */
export async function hgOk(cwd: string, args: readonly string[], options: { repo?: string } = {}): Promise<string> {
  const result = await hg(cwd, args, options);
  if (result.code !== 0) throw toolFailure('hg', `hg ${args[0] ?? ''}`, options.repo ?? cwd, result.stderr);
  return result.stdout;
}
