// `culprit serve ID`: the hunt's HTML report served live on 127.0.0.1 while it runs; the page follows the store
// through server-sent events and refreshes as verdicts arrive. Read-only: it never writes to the store.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { UsageError } from '../errors.js';
import { huntById } from '../hunt/stored-hunt.js';
import { htmlReport } from '../report/html/html-report.js';
import { statusOf } from '../report/hunt-facts.js';
import { Store } from '../store/store.js';
import { catchInterrupts } from './interrupts.js';
import { huntId } from './resume-command.js';

const POLL_MS = 500;

function portOption(value: unknown): number {
  if (value === undefined) return 0;
  const text = String(value);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got '${text}'`, '0 picks a free one');
  return port;
}

/** A live report's fingerprint: changes when the hunt does (a probe started or ended, the hunt finished). */
function stateOf(store: Store, id: number): { fingerprint: string; ended: boolean } {
  const hunt = store.hunts.get(id);
  // A hunt discarded for bad input is gone from the store: as ended as it gets.
  if (!hunt) return { fingerprint: 'gone', ended: true };
  const status = statusOf(hunt);
  return { fingerprint: `${status} ${hunt.updatedAt} ${store.probes.fingerprint(id)}`, ended: status !== 'running' };
}

function events(store: Store, id: number, request: IncomingMessage, response: ServerResponse): void {
  let last = stateOf(store, id).fingerprint;
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  response.write('retry: 2000\n\n');
  const check = (): void => {
    let state;
    try {
      state = stateOf(store, id);
    } catch {
      return; // The store is busy: the next poll tells.
    }
    if (state.ended) {
      response.end('event: finished\ndata: {}\n\n');
      clearInterval(timer);
      return;
    }
    if (state.fingerprint !== last) response.write('event: changed\ndata: {}\n\n');
    last = state.fingerprint;
  };
  const timer = setInterval(check, POLL_MS);
  check();
  request.on('close', () => clearInterval(timer));
}

export async function serveCommand(id: string | undefined, options: Record<string, unknown>): Promise<number> {
  const wanted = huntId(id);
  if (wanted === undefined) throw new UsageError('no hunt id given', 'list the recorded hunts with: culprit hunts');
  const port = portOption(options.port);
  const store = Store.open(typeof options.store === 'string' ? options.store : undefined, { mustExist: true });
  try {
    huntById(store, wanted);
    let address = '';
    /** The names this machine's browser sends: with and without the port (port 80 goes unsaid). */
    const allowedHosts = new Set<string>();
    const server = createServer((request, response) => {
      // Only this machine's browser may read it: a page elsewhere cannot reach it through a name that resolves here.
      if (!allowedHosts.has(request.headers.host ?? '')) {
        response.writeHead(421, { 'content-type': 'text/plain' }).end('culprit serve answers to 127.0.0.1 only\n');
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('read-only\n');
        return;
      }
      try {
        const path = new URL(request.url ?? '/', `http://${address}`).pathname;
        if (path === '/events') return events(store, wanted, request, response);
        if (path !== '/') {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
          return;
        }
        const body = htmlReport(huntById(store, wanted), store.probes.list(wanted), { live: true });
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
      } catch (error) {
        // One bad request (an unparseable URL, a hunt that vanished) gets its answer; the server goes on.
        if (response.headersSent) response.end();
        else response.writeHead(error instanceof TypeError ? 400 : 500, { 'content-type': 'text/plain' }).end(`culprit: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new UsageError(`port ${port} on 127.0.0.1 is in use`, 'pick another with --port, or --port 0 for a free one') : error));
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const bound = server.address();
    const boundPort = typeof bound === 'object' && bound ? bound.port : port;
    address = `127.0.0.1:${boundPort}`;
    for (const name of ['127.0.0.1', 'localhost']) {
      allowedHosts.add(`${name}:${boundPort}`);
      if (boundPort === 80) allowedHosts.add(name);
    }
    process.stdout.write(`http://${address}/\n`);
    process.stderr.write(`culprit: serving hunt ${wanted} at http://${address}/ (read-only, this machine only); Ctrl-C to stop\n`);
    const interrupts = catchInterrupts('stopping the server');
    await new Promise<void>((resolve) => interrupts.signal.addEventListener('abort', () => resolve(), { once: true }));
    interrupts.dispose();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return 0;
  } finally {
    store.close();
  }
}
