// One `hg serve --cmdserver pipe` per repository, kept while culprit runs: each hg command then costs a message
// instead of a Python start-up (about 15 ms instead of 200 ms), which is most of a Mercurial probe's overhead.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { statSync } from 'node:fs';
import path from 'node:path';

export interface ServedResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

/** The server could not run the command (it did not start, or died): the caller runs hg as a process instead. */
export class ServerUnavailable extends Error {}

/** An idle server ends after this long, so a long-lived culprit (a worker, `serve`) does not keep one per slot. */
const IDLE_MS = 30_000;
/** The server's greeting must come within this; a hung start falls back to processes. */
const HELLO_MS = 20_000;

interface Pending {
  args: readonly string[];
  resolve: (result: ServedResult) => void;
  reject: (error: Error) => void;
}

/**
 * Where the repository was when its server started: a directory replaced since needs a new server. Its `.hg` and
 * that directory's change time as well as the inodes, since a file system reuses a removed directory's inode.
 */
function identityOf(directory: string): string | undefined {
  try {
    const top = statSync(directory);
    const store = statSync(path.join(directory, '.hg'));
    return `${top.dev}:${top.ino}:${store.ino}:${store.birthtimeMs}`;
  } catch {
    return undefined;
  }
}

class CommandServer {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly queue: Pending[] = [];
  private current: (Pending & { out: Buffer[]; err: Buffer[] }) | undefined;
  private greeted = false;
  private dead = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    readonly identity: string,
    private readonly onEnd: () => void,
  ) {
    this.helloTimer = setTimeout(() => this.end(new ServerUnavailable('hg command server did not answer')), HELLO_MS);
    this.helloTimer.unref();
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.read();
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => this.end(new ServerUnavailable(error.message)));
    child.on('exit', () => this.end(new ServerUnavailable('hg command server ended')));
    // The end of its output is the end of the server too: 'exit' may come later, after nothing holds culprit open.
    child.stdout.on('close', () => this.end(new ServerUnavailable('hg command server ended')));
    this.idle();
  }

  /** A pipe is a socket: it can stop holding the event loop open. */
  private get output(): Socket {
    return this.child.stdout as Socket;
  }

  run(args: readonly string[]): Promise<ServedResult> {
    if (this.dead) return Promise.reject(new ServerUnavailable('hg command server ended'));
    return new Promise((resolve, reject) => {
      this.queue.push({ args, resolve, reject });
      // Held while commands wait or run, so culprit waits for the answers; let go when idle, so it never keeps culprit alive.
      clearTimeout(this.idleTimer);
      this.hold(true);
      // Before the greeting, the queue waits for it: the greeting sends the first command.
      this.next();
    });
  }

  private next(): void {
    if (this.current || this.dead || !this.greeted) return;
    const job = this.queue.shift();
    if (!job) {
      this.idle();
      return;
    }
    clearTimeout(this.idleTimer);
    this.current = { ...job, out: [], err: [] };
    const payload = Buffer.from(job.args.join('\0'));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(payload.length);
    this.child.stdin.write(Buffer.concat([Buffer.from('runcommand\n'), length, payload]));
  }

  /** Held while commands wait or run, so culprit waits for their answers; let go when idle. */
  private hold(held: boolean): void {
    if (held) {
      this.output.ref();
      this.child.ref();
    } else {
      this.output.unref();
      this.child.unref();
    }
  }

  private idle(): void {
    this.hold(false);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.end(new ServerUnavailable('idle')), IDLE_MS);
    this.idleTimer.unref();
  }

  /** Frames: a channel byte and a 32-bit length; `I`/`L` ask for input (there is none: an empty answer). */
  private read(): void {
    while (this.buffer.length >= 5) {
      const channel = String.fromCharCode(this.buffer[0] ?? 0);
      const length = this.buffer.readUInt32BE(1);
      if (channel === 'I' || channel === 'L') {
        this.buffer = this.buffer.subarray(5);
        this.child.stdin.write(Buffer.alloc(4));
        continue;
      }
      if (this.buffer.length < 5 + length) return;
      const data = this.buffer.subarray(5, 5 + length);
      this.buffer = this.buffer.subarray(5 + length);
      if (!this.greeted) {
        if (channel !== 'o' || !/\bruncommand\b/.test(data.toString('utf8'))) {
          this.end(new ServerUnavailable('hg command server cannot run commands'));
          return;
        }
        this.greeted = true;
        clearTimeout(this.helloTimer);
        this.next();
        continue;
      }
      const current = this.current;
      if (!current) continue;
      if (channel === 'o') current.out.push(Buffer.from(data));
      else if (channel === 'e') current.err.push(Buffer.from(data));
      else if (channel === 'r') {
        this.current = undefined;
        current.resolve({ code: data.readInt32BE(0), stdout: Buffer.concat(current.out), stderr: Buffer.concat(current.err) });
        this.next();
      } else if (channel === channel.toUpperCase()) {
        // A required channel we do not know: the protocol says to stop.
        this.end(new ServerUnavailable(`hg command server asked on channel ${channel}`));
        return;
      }
    }
  }

  end(error: Error): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.helloTimer);
    this.onEnd();
    this.child.stdin.end();
    this.hold(false);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const waiting = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const job of waiting) job.reject(error);
  }
}

const servers = new Map<string, CommandServer>();

/**
 * Runs `hg args…` (global options included) on `repo` through its command server, starting one when needed.
 * Rejects with ServerUnavailable when the server cannot take it; hg's own failures resolve with their exit code.
 */
export function runServed(repo: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServedResult> {
  const identity = identityOf(repo);
  if (identity === undefined) return Promise.reject(new ServerUnavailable(`${repo} is missing`));
  let server = servers.get(repo);
  if (server && server.identity !== identity) {
    server.end(new ServerUnavailable('repository replaced'));
    server = undefined;
  }
  if (!server) {
    // Extensions load when the server starts: purge is named here as well as by the commands that use it.
    // Its own process group: a Ctrl-C at the terminal is culprit's to handle, not the server's. The end of its input
    // (culprit gone, even by SIGKILL) ends it.
    const child = spawn('hg', ['--noninteractive', '--config', 'extensions.purge=', 'serve', '--cmdserver', 'pipe', '--repository', repo], { cwd: repo, env, stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    child.unref();
    const started: CommandServer = new CommandServer(child, identity, () => {
      if (servers.get(repo) === started) servers.delete(repo);
    });
    servers.set(repo, started);
    server = started;
  }
  return server.run(args);
}

/** Ends every command server (tests; a process that wants no child left at once). */
export function stopCommandServers(): void {
  for (const server of [...servers.values()]) server.end(new ServerUnavailable('stopped'));
}
