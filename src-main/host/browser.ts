// The browser host: serves the built renderer on 127.0.0.1 and carries the IPC contract over a
// WebSocket. Every HTTP request and WebSocket upgrade must carry the per-start token (query or cookie),
// a loopback Host header (stops DNS rebinding: a foreign name resolving to 127.0.0.1 is refused) and,
// when an Origin is sent, our own origin (stops other web pages from talking to us).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core';
import { markStartupOnce } from '../startup/startupTrace';
import { contentSecurityPolicy } from './csp';

/** What the host needs of the app: a core, or the runtime that swaps cores across a restore. */
export type HostedApp = Pick<Core, 'router' | 'events' | 'log'>;

export interface BrowserHostOptions {
  core: HostedApp;
  /** 0 picks a free port (tests). */
  port: number;
  rendererDir: string;
  /** Largest WebSocket message accepted (CSV chunks travel this way). */
  maxMessageBytes?: number;
}

/** A route mounted under the authenticated server, e.g. file downloads. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface BrowserHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  mount(prefix: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const { core } = options;
  const token = randomBytes(32).toString('base64url');
  const routes = new Map<string, RouteHandler>();
  const files = createFileCache();
  let port = options.port;
  const cookieName = (): string => `bellhop_token_${port}`;

  const checkRequest = (
    req: IncomingMessage,
  ): { ok: true; url: URL; viaQuery: boolean } | { ok: false; status: number; reason: string } => {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return { ok: false, status: 421, reason: 'This server answers only to 127.0.0.1 and localhost.' };
    }
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      origin !== `http://127.0.0.1:${port}` &&
      origin !== `http://localhost:${port}`
    ) {
      return { ok: false, status: 403, reason: 'Requests from other sites are refused.' };
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    const fromQuery = url.searchParams.get('token');
    const fromCookie = readCookie(req.headers.cookie, cookieName());
    if (fromQuery !== null && sameSecret(fromQuery, token)) return { ok: true, url, viaQuery: true };
    if (fromCookie !== undefined && sameSecret(fromCookie, token)) return { ok: true, url, viaQuery: false };
    return {
      ok: false,
      status: 401,
      reason: 'Open the address the Bellhop host printed: it carries the access token.',
    };
  };

  const server = createServer((req, res) => {
    const check = checkRequest(req);
    if (!check.ok) {
      res.writeHead(check.status, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders });
      res.end(check.reason);
      return;
    }
    if (check.viaQuery) {
      // Trade the token in the address for a same-site, script-inaccessible cookie, and drop it from
      // the address bar so it does not linger in history or get copied along with a link.
      const clean = new URL(check.url);
      clean.searchParams.delete('token');
      res.writeHead(303, {
        'Set-Cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: clean.pathname + clean.search,
        ...securityHeaders,
      });
      res.end();
      return;
    }
    for (const [prefix, handler] of routes) {
      if (check.url.pathname.startsWith(prefix)) {
        Promise.resolve(handler(req, res, check.url)).catch((error: unknown) => {
          core.log.error('browser host: route failed', { prefix, error });
          if (!res.headersSent) res.writeHead(500, securityHeaders);
          res.end();
        });
        return;
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, securityHeaders);
      res.end();
      return;
    }
    markStartupOnce(`host: first request for ${extname(check.url.pathname) || 'the page'}`);
    serveStatic(options.rendererDir, check.url.pathname, req, res, files);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 16 * 1024 * 1024,
  });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const check = checkRequest(req);
    // A WebSocket upgrade must always name its origin: browsers always send it, so a missing one
    // means a non-browser client, which has no business here without going through the page.
    const ok = check.ok && check.url.pathname === '/ws' && req.headers.origin !== undefined;
    if (!ok) {
      const status = check.ok ? 403 : check.status;
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          ws.close(1003, 'Binary frames are not part of the contract');
          return;
        }
        void handleMessage(ws, rawDataToText(data));
      });
    });
  });

  const handleMessage = async (ws: WebSocket, text: string): Promise<void> => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      ws.send(JSON.stringify({ id: null, result: badRequest('The message is not valid JSON.') }));
      return;
    }
    if (!isInvokeMessage(message)) {
      ws.send(JSON.stringify({ id: null, result: badRequest('Expected { id, channel, payload }.') }));
      return;
    }
    if (typeof message.channel === 'string')
      markStartupOnce(`host: first ${message.channel.slice(0, 60)} asked`);
    const result = await core.router.dispatch(message.channel, message.payload, {
      trusted: true,
      description: 'browser host WebSocket (token, Host and Origin checked)',
    });
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: message.id, result }));
  };

  const unsubscribe = core.events.subscribe((event, payload) => {
    const frame = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    mount(prefix, handler) {
      routes.set(prefix, handler);
    },
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A renderer file read once, kept while its size and modification time stay the same. */
interface CachedFile {
  body: Buffer;
  size: number;
  mtimeMs: number;
}

/** Files above this are read per request (the built renderer's largest is a few hundred KB). */
const MAX_CACHED_FILE_BYTES = 4 * 1024 * 1024;

/**
 * The renderer's files in memory: the page asks for the same few at every load, and answering each
 * with one write of a buffer costs the host far less than a file stream (an open, reads in 64 KB steps
 * and a close each time) while the page's start-up waits on it.
 */
function createFileCache(): (file: string, stat: Stats) => Buffer {
  const cache = new Map<string, CachedFile>();
  return (file, stat) => {
    const cached = cache.get(file);
    if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.body;
    const body = readFileSync(file);
    if (body.length <= MAX_CACHED_FILE_BYTES)
      cache.set(file, { body, size: stat.size, mtimeMs: stat.mtimeMs });
    return body;
  };
}

function serveStatic(
  root: string,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
  read: (file: string, stat: Stats) => Buffer,
): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400, securityHeaders);
    res.end();
    return;
  }
  const target = normalize(join(root, decoded));
  // Never serve outside the renderer folder, whatever ../ or encoded separators the path holds.
  if (target !== root && !target.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(404, securityHeaders);
    res.end();
    return;
  }
  let file = target;
  let stat = statOrNull(file);
  // Client-side routes (#/inbox) all load index.html; any unknown path without an extension does too.
  if (!stat?.isFile()) {
    if (extname(decoded) !== '') {
      res.writeHead(404, securityHeaders);
      res.end();
      return;
    }
    file = join(root, 'index.html');
    stat = statOrNull(file);
    if (!stat?.isFile()) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders });
      res.end('The renderer is not built yet: run `npm run build`.');
      return;
    }
  }
  const isHtml = extname(file) === '.html';
  let body: Buffer;
  try {
    body = read(file, stat);
  } catch {
    res.writeHead(404, securityHeaders);
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': mimeTypes[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    // Hashed assets can be cached; the page itself must always be fresh.
    'Cache-Control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
    ...securityHeaders,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function rawDataToText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data))).toString('utf8');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isInvokeMessage(
  value: unknown,
): value is { id: number | string; channel: unknown; payload: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const id = (value as { id?: unknown }).id;
  return (typeof id === 'number' || typeof id === 'string') && 'channel' in value;
}

function badRequest(message: string): { ok: false; error: { code: 'BAD_REQUEST'; message: string } } {
  return { ok: false, error: { code: 'BAD_REQUEST', message } };
}
