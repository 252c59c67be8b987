// Writes synthetic git histories through `git fast-import`: hundreds of thousands of commits in seconds,
// where one `git commit` per commit would take minutes. Used by the demo and the benchmarks.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cleanGitEnvironment, gitOk } from '../history/git-command.js';

export interface SyntheticCommit {
  /** 1-based mark, unique within the stream. */
  mark: number;
  branch: string;
  parents: number[];
  message: string;
  author: string;
  /** Seconds since the epoch. */
  time: number;
  /** Files written by this commit (path → content); null deletes the file. */
  files: Record<string, string | null>;
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

export function fastImportStream(commits: Iterable<SyntheticCommit>): Iterable<string> {
  return (function* () {
    for (const commit of commits) {
      let chunk = `commit refs/heads/${commit.branch}\nmark :${commit.mark}\n`;
      chunk += `author ${commit.author} ${commit.time} +0000\ncommitter ${commit.author} ${commit.time} +0000\n`;
      chunk += data(commit.message);
      const [first, ...rest] = commit.parents;
      if (first !== undefined) chunk += `from :${first}\n`;
      for (const parent of rest) chunk += `merge :${parent}\n`;
      for (const [path, content] of Object.entries(commit.files)) {
        chunk += content === null ? `D ${path}\n` : `M 100644 inline ${path}\n${data(content)}`;
      }
      yield `${chunk}\n`;
    }
  })();
}

/** Creates a repository in `directory` (which must not exist or be empty) holding the given commits. */
export async function importHistory(directory: string, commits: Iterable<SyntheticCommit>, extra: string[] = []): Promise<Map<number, string>> {
  await gitOk(directory, ['init', '--quiet', '--initial-branch=main', '.']);
  const marksFile = `${directory}/.git/culprit-marks`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet', `--export-marks=${marksFile}`], {
      cwd: directory,
      env: cleanGitEnvironment(),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed (${code}): ${stderr.trim()}`))));
    const write = async (): Promise<void> => {
      for (const chunk of fastImportStream(commits)) {
        if (!child.stdin.write(chunk)) await new Promise((next) => child.stdin.once('drain', next));
      }
      for (const line of extra) child.stdin.write(`${line}\n`);
      child.stdin.end();
    };
    write().catch(reject);
  });
  const marks = new Map<number, string>();
  for (const line of readFileSync(marksFile, 'utf8').split('\n')) {
    const match = /^:(\d+) ([0-9a-f]+)$/.exec(line);
    if (match) marks.set(Number(match[1]), match[2] as string);
  }
  rmSync(marksFile, { force: true });
  await gitOk(directory, ['checkout', '--quiet', '--force', 'main']);
  return marks;
}
