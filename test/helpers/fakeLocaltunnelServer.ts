// A loopback stand-in for a localtunnel server (github.com/localtunnel/server), speaking the protocol the
// real client (localtunnel 2.0.2) expects:
//   control  GET /?new or GET /<subdomain>  →  { id, port, max_conn_count, url }
//   tunnel   a TCP port per tunnel, where the client parks up to max_conn_count sockets
//   public   an HTTP entry per id; each public connection is piped byte-for-byte through one parked socket
// Like the real server, a requested id that is still held gets a random id instead, and a tunnel whose
// sockets are all gone is removed after a grace period (1 s there). Everything binds 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface FakeLocaltunnelServerOptions {
  /** Sockets each client may park (the real server's default is 10). */
  maxConnCount?: number;
  /** How long a tunnel with no sockets is kept before its id is freed (real server: 1000 ms). */
  graceMs?: number;
  /** How long a public connection waits for a free tunnel socket before a 504. */
  socketWaitMs?: number;
}

export interface ControlRequest {
  /** The requested subdomain, or '?new'. */
  requested: string;
  /** The id handed out, or undefined when the request was refused. */
  assigned?: string;
  status: number;
}

/**
 * Events: 'control' (ControlRequest), 'socket' and 'socket-closed' (id), 'tunnel-created' and
 * 'tunnel-removed' (id).
 */
export interface FakeLocaltunnelServer {
  /** The control endpoint, e.g. http://127.0.0.1:41234 — the client's `host`. */
  readonly url: string;
  readonly events: EventEmitter;
  /** Every control request, in order. */
  readonly controlRequests: readonly ControlRequest[];
  /** The subdomains requested (or '?new'), in order. */
  requestedIds(): string[];
  publicUrlFor(id: string): string;
  activeTunnelIds(): string[];
  socketCount(id: string): number;
  /**
   * Destroys every client socket. By default the tunnels go too (their ports close), as when the server
   * drops a client; with keepTunnels the ports stay open and the client simply re-parks its sockets.
   */
  dropAllSockets(options?: { keepTunnels?: boolean }): void;
  /**
   * Put this `ip` in control answers (the client then connects there instead of the server's host);
   * an unresolvable name makes every client socket fail without the client reporting anything.
   */
  advertiseIp(ip: string | null): void;
  /**
   * Moves the public entry of `id` to a new port, as when a tunnel server re-issues an id's public address:
   * the old URL stops answering and the next control answer for the id carries the new URL.
   */
  reissuePublicUrl(id: string): Promise<string>;
  /** Answer every control request with this error (null: back to normal). */
  rejectControlRequests(answer: { status: number; message: string } | null): void;
  /** Closes every port and forgets every tunnel, as a crashed server would. */
  stop(): Promise<void>;
  /** Listens again on the same control and public ports, with no tunnels. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The real server's rule: lowercase letters, digits and '-', 4–63 characters, as a DNS label. */
const validId = /^[a-z0-9][a-z0-9-]{2,61}[a-z0-9]$/;
const invalidIdMessage =
  'Invalid subdomain. Subdomains must be lowercase and between 4 and 63 alphanumeric characters.';

interface TunnelEntry {
  readonly id: string;
  readonly server: Server;
  port: number;
  readonly sockets: Set<Socket>;
  readonly idle: Socket[];
  readonly waiting: Array<(socket: Socket | null) => void>;
  grace?: NodeJS.Timeout;
}

interface PublicEntry {
  server: Server;
  port: number;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

function rawResponse(socket: Socket, status: number, reason: string, body: string): void {
  const bytes = Buffer.from(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${bytes.length}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

export async function startFakeLocaltunnelServer(
  options: FakeLocaltunnelServerOptions = {},
): Promise<FakeLocaltunnelServer> {
  const maxConnCount = options.maxConnCount ?? 10;
  const graceMs = options.graceMs ?? 1000;
  const socketWaitMs = options.socketWaitMs ?? 5000;
  const events = new EventEmitter();
  const controlRequests: ControlRequest[] = [];
  const tunnels = new Map<string, TunnelEntry>();
  const publicEntries = new Map<string, PublicEntry>();
  const publicSockets = new Set<Socket>();
  const controlSockets = new Set<Socket>();
  let rejection: { status: number; message: string } | null = null;
  let advertisedIp: string | null = null;
  let stopped = false;

  // ---- tunnels: one TCP port each, where the client parks its sockets ----

  function startGrace(tunnel: TunnelEntry): void {
    clearTimeout(tunnel.grace);
    tunnel.grace = setTimeout(() => removeTunnel(tunnel), graceMs);
  }

  function removeTunnel(tunnel: TunnelEntry): void {
    clearTimeout(tunnel.grace);
    if (tunnels.get(tunnel.id) !== tunnel) return;
    tunnels.delete(tunnel.id);
    tunnel.server.close();
    for (const socket of tunnel.sockets) socket.destroy();
    for (const waiter of tunnel.waiting.splice(0)) waiter(null);
    events.emit('tunnel-removed', tunnel.id);
  }

  function onTunnelSocket(tunnel: TunnelEntry, socket: Socket): void {
    socket.on('error', () => undefined);
    if (tunnels.get(tunnel.id) !== tunnel || tunnel.sockets.size >= maxConnCount) {
      socket.destroy();
      return;
    }
    clearTimeout(tunnel.grace);
    tunnel.sockets.add(socket);
    socket.once('close', () => {
      tunnel.sockets.delete(socket);
      const at = tunnel.idle.indexOf(socket);
      if (at >= 0) tunnel.idle.splice(at, 1);
      if (tunnel.sockets.size === 0 && tunnels.get(tunnel.id) === tunnel) startGrace(tunnel);
      events.emit('socket-closed', tunnel.id);
    });
    const waiter = tunnel.waiting.shift();
    if (waiter) waiter(socket);
    else tunnel.idle.push(socket);
    events.emit('socket', tunnel.id);
  }

  async function createTunnel(id: string): Promise<TunnelEntry> {
    const tunnel: TunnelEntry = {
      id,
      server: createNetServer((socket) => onTunnelSocket(tunnel, socket)),
      port: 0,
      sockets: new Set(),
      idle: [],
      waiting: [],
    };
    tunnels.set(id, tunnel); // claimed before any await, so a concurrent request for the id sees it held
    tunnel.port = await listen(tunnel.server, 0);
    await ensurePublicEntry(id);
    startGrace(tunnel); // a client that never connects is dropped, as on the real server
    events.emit('tunnel-created', id);
    return tunnel;
  }

  // ---- public entries: one HTTP port per id, stable for the id's lifetime (like https://<id>.loca.lt) ----

  function takeSocket(tunnel: TunnelEntry, publicSocket: Socket, use: (socket: Socket | null) => void): void {
    const ready = tunnel.idle.shift();
    if (ready) {
      use(ready);
      return;
    }
    let done = false;
    const waiter = (socket: Socket | null): void => {
      if (done) {
        if (socket) tunnel.idle.push(socket);
        return;
      }
      done = true;
      clearTimeout(timer);
      use(socket);
    };
    const timer = setTimeout(() => {
      const at = tunnel.waiting.indexOf(waiter);
      if (at >= 0) tunnel.waiting.splice(at, 1);
      done = true;
      rawResponse(publicSocket, 504, 'Gateway Timeout', 'tunnel unavailable');
    }, socketWaitMs);
    publicSocket.once('close', () => {
      const at = tunnel.waiting.indexOf(waiter);
      if (at >= 0) tunnel.waiting.splice(at, 1);
      done = true;
      clearTimeout(timer);
    });
    tunnel.waiting.push(waiter);
  }

  function onPublicConnection(id: string, publicSocket: Socket): void {
    publicSockets.add(publicSocket);
    publicSocket.on('error', () => undefined);
    publicSocket.once('close', () => publicSockets.delete(publicSocket));
    const tunnel = tunnels.get(id);
    if (!tunnel) {
      rawResponse(publicSocket, 404, 'Not Found', `no active client for '${id}'`);
      return;
    }
    takeSocket(tunnel, publicSocket, (tunnelSocket) => {
      if (!tunnelSocket) {
        rawResponse(publicSocket, 502, 'Bad Gateway', 'tunnel closed');
        return;
      }
      // Byte-for-byte both ways; a parked socket carries exactly one public connection and then closes,
      // and the client parks a fresh one.
      publicSocket.pipe(tunnelSocket);
      tunnelSocket.pipe(publicSocket);
      publicSocket.once('close', () => tunnelSocket.destroy());
      tunnelSocket.once('close', () => publicSocket.end());
    });
  }

  async function ensurePublicEntry(id: string): Promise<void> {
    if (publicEntries.has(id)) return;
    const entry: PublicEntry = {
      server: createNetServer((socket) => onPublicConnection(id, socket)),
      port: 0,
    };
    publicEntries.set(id, entry);
    entry.port = await listen(entry.server, 0);
  }

  // ---- control endpoint ----

  function answer(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  async function onControlRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isNew = url.pathname === '/' && url.searchParams.has('new');
    const segment = decodeURIComponent(url.pathname.slice(1));
    if (req.method !== 'GET' || (!isNew && (segment.length === 0 || segment.includes('/')))) {
      answer(res, 404, { message: 'Not found' });
      return;
    }
    const requested = isNew ? '?new' : segment;
    const record = (status: number, assigned?: string): void => {
      const entry: ControlRequest = { requested, status, ...(assigned ? { assigned } : {}) };
      controlRequests.push(entry);
      events.emit('control', entry);
    };
    if (rejection) {
      record(rejection.status);
      answer(res, rejection.status, { message: rejection.message });
      return;
    }
    if (!isNew && !validId.test(requested)) {
      record(403);
      answer(res, 403, { message: invalidIdMessage });
      return;
    }
    // The real server hands out a random id when the requested one is held.
    const id = isNew || tunnels.has(requested) ? `r${randomBytes(6).toString('hex')}` : requested;
    const tunnel = await createTunnel(id);
    record(200, id);
    answer(res, 200, {
      id,
      port: tunnel.port,
      max_conn_count: maxConnCount,
      url: publicUrlFor(id),
      ...(advertisedIp ? { ip: advertisedIp } : {}),
    });
  }

  const control = createHttpServer((req, res) => {
    onControlRequest(req, res).catch((error: unknown) => {
      answer(res, 500, { message: error instanceof Error ? error.message : String(error) });
    });
  });
  control.on('connection', (socket: Socket) => {
    controlSockets.add(socket);
    socket.once('close', () => controlSockets.delete(socket));
  });
  const controlPort = await listen(control, 0);

  function publicUrlFor(id: string): string {
    const entry = publicEntries.get(id);
    if (!entry) throw new Error(`The fake localtunnel server never gave out "${id}".`);
    return `http://127.0.0.1:${entry.port}`;
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    for (const tunnel of [...tunnels.values()]) removeTunnel(tunnel);
    for (const socket of [...controlSockets, ...publicSockets]) socket.destroy();
    await Promise.all([
      closeServer(control),
      ...[...publicEntries.values()].map((e) => closeServer(e.server)),
    ]);
  }

  return {
    url: `http://127.0.0.1:${controlPort}`,
    events,
    controlRequests,
    requestedIds: () => controlRequests.map((r) => r.requested),
    publicUrlFor,
    activeTunnelIds: () => [...tunnels.keys()],
    socketCount: (id) => tunnels.get(id)?.sockets.size ?? 0,
    dropAllSockets(opts = {}) {
      for (const tunnel of [...tunnels.values()]) {
        if (opts.keepTunnels) {
          for (const socket of tunnel.sockets) socket.destroy();
        } else {
          removeTunnel(tunnel);
        }
      }
    },
    advertiseIp(ip) {
      advertisedIp = ip;
    },
    async reissuePublicUrl(id) {
      const old = publicEntries.get(id);
      publicEntries.delete(id);
      // Not awaited: a keep-alive connection through the old address would hold the close open.
      if (old) void closeServer(old.server);
      await ensurePublicEntry(id);
      return publicUrlFor(id);
    },
    rejectControlRequests(next) {
      rejection = next;
    },
    stop,
    async restart() {
      if (!stopped) return;
      await listen(control, controlPort);
      await Promise.all([...publicEntries.values()].map((e) => listen(e.server, e.port)));
      stopped = false;
    },
    close: stop,
  };
}
