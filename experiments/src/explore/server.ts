import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import type { PageBundle } from './bundle.js';
import { modelCheckpoint, type ExplorerState } from './state.js';
import type { Home } from '../runner/home.js';

export interface ExplorerSite {
  home: Home;
  state: ExplorerState;
  panel: unknown;
  page: PageBundle;
  /** A task's own files (e.g. compression's Kodak images), tried before the 404. */
  route?: TaskRoute;
}

/** A task's extra route: its response, or null when the path is not its. */
export type TaskRoute = (path: string) => Promise<{ status: number; type: string; body: string | Uint8Array; headers?: Record<string, string> } | null>;

export interface RunningExplorer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Loopback only: the page and the checkpoints are for the person at this machine. */
const HOST = '127.0.0.1';

/**
 * Serves the explorer page, its state, panel and checkpoints on 127.0.0.1. `port` 0 takes a free
 * port; a taken port is a UsageError naming it (the caller may retry with 0 when none was asked for).
 */
export async function serveExplorer(site: ExplorerSite, port: number): Promise<RunningExplorer> {
  const server = createServer((req, res) => {
    handle(site, req, res).catch((err: unknown) => send(res, 500, 'text/plain', `explorer: ${(err as Error).message}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new UsageError(`port ${port} on ${HOST} is taken; choose another with --port`) : err.code === 'EACCES' ? new UsageError(`port ${port} on ${HOST} cannot be used (permission denied); choose one above 1023 with --port`) : err),
    );
    server.listen(port, HOST, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://${HOST}:${actual}/`, port: actual, close: () => closeServer(server) };
}

async function handle(site: ExplorerSite, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', `http://${HOST}`).pathname;
  if (req.method !== 'GET') return send(res, 405, 'text/plain', 'only GET');
  if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', site.page.html);
  if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', site.page.script);
  if (path === '/state.json') return send(res, 200, 'application/json', JSON.stringify(site.state));
  if (path === '/panel.json') return send(res, 200, 'application/json', JSON.stringify(site.panel));
  if (path === '/favicon.ico') return send(res, 204, 'text/plain', '');
  const wasm = /^\/wasm\/([\w.-]+\.wasm)$/.exec(path);
  if (wasm) {
    const bytes = site.page.wasm.get(wasm[1]);
    return bytes ? send(res, 200, 'application/wasm', bytes) : send(res, 404, 'text/plain', `no ${wasm[1]}`);
  }
  const ckpt = /^\/checkpoint\/(\d+)$/.exec(path);
  if (ckpt) {
    const file = modelCheckpoint(site.home, site.state, Number(ckpt[1]));
    if (!file) return send(res, 404, 'text/plain', `run ${ckpt[1]} is not one the explorer shows`);
    // Read per request: a run resumed meanwhile serves its latest checkpoint.
    return send(res, 200, 'application/octet-stream', await readFile(file));
  }
  const extra = await site.route?.(path);
  if (extra) return send(res, extra.status, extra.type, extra.body, extra.headers);
  send(res, 404, 'text/plain', `no ${path}`);
}

/**
 * Cross-origin isolation (everything the page loads is from this server anyway): it gives the page
 * SharedArrayBuffer, and with it tfjs's multi-threaded WebAssembly backend instead of the one-thread build.
 */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, ...ISOLATION, 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
