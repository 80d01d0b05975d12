// The local webhook server (127.0.0.1 only; the tunnel exposes it). It answers exactly one path,
// /webhooks/whatsapp/:connectionId — everything else is 404, so the tunnel can never reach the app's
// other surfaces. GET is Meta's verification handshake; POST is size-limited, signature-checked over
// the raw bytes, stored durably, and only then acknowledged.
//
// The POSTs are read off the socket by webhookConnection.ts and answered with pre-built bytes; every
// other request (and the rest of its connection) is served by node:http through `handle` below.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createSocketServer, type AddressInfo, type Socket } from 'node:net';
import type { Logger } from '../log';
import type { StoredCallback, WebhookIntake } from './intake';
import { sameToken, signatureHeader } from './verify';
import { WebhookConnection } from './webhookConnection';
import { webhookPathPattern, type WebhookRequestHead } from './webhookRequestHead';

/** Meta's payloads are at most 3 MB (§6); a little headroom, then 413. */
export const defaultMaxBodyBytes = 4 * 1024 * 1024;

export interface ConnectionSecrets {
  appSecret: string;
  verifyToken: string;
}

export interface WebhookServerOptions {
  port?: number;
  intake: WebhookIntake;
  log: Logger;
  /** The connection's secrets, or undefined for an unknown id. */
  lookupConnection(connectionId: string): ConnectionSecrets | undefined;
  maxBodyBytes?: number;
}

export interface WebhookServerStats {
  accepted: number;
  badSignature: number;
  tooLarge: number;
  unknownConnection: number;
  handshakesOk: number;
  handshakesRefused: number;
  lastAcceptedAt?: number;
}

export interface WebhookServer {
  readonly port: number;
  readonly localUrl: string;
  readonly stats: WebhookServerStats;
  close(): Promise<void>;
}

/** node:http's defaults, kept for the connections read here (sweepConnections). */
const keepAliveTimeoutMs = 5_000;
const headersTimeoutMs = 10_000;
const requestTimeoutMs = 30_000;

export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const stats: WebhookServerStats = {
    accepted: 0,
    badSignature: 0,
    tooLarge: 0,
    unknownConnection: 0,
    handshakesOk: 0,
    handshakesRefused: 0,
  };

  // node:http's handler: the GET handshake, every other path, and the POSTs the connection reader
  // leaves to node:http (chunked, over the limit, odd heads). Plain callbacks, no promise per request.
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // The path is matched on the raw target: a URL object per request cost a few µs on the hot path,
    // and only the GET handshake needs the query.
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const match = webhookPathPattern.exec(queryAt < 0 ? target : target.slice(0, queryAt));
    const connectionId = match?.[1];
    const secrets = connectionId ? options.lookupConnection(connectionId) : undefined;
    if (!connectionId || !secrets) {
      if (connectionId) stats.unknownConnection++;
      req.resume();
      return reply(res, 404, 'Not found');
    }

    if (req.method === 'GET') {
      const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
      const mode = query.get('hub.mode');
      const token = query.get('hub.verify_token') ?? '';
      const challenge = query.get('hub.challenge') ?? '';
      if (mode === 'subscribe' && sameToken(token, secrets.verifyToken) && challenge.length <= 1024) {
        stats.handshakesOk++;
        return reply(res, 200, challenge);
      }
      stats.handshakesRefused++;
      return reply(res, 403, 'Verification failed');
    }
    if (req.method !== 'POST') {
      req.resume();
      return reply(res, 405, 'Method not allowed');
    }

    const declared = Number(rawHeader(req.rawHeaders, 'content-length') ?? 0);
    if (declared > maxBodyBytes) {
      stats.tooLarge++;
      return refuseTooLarge(req, res);
    }
    readBody(req, maxBodyBytes, (body) => {
      try {
        onBody(req, res, connectionId, secrets, body);
      } catch (error) {
        options.log.error('webhook server: request failed', { connectionId, error });
        if (!res.headersSent) reply(res, 500, 'Error');
      }
    });
  };

  const onBody = (
    req: IncomingMessage,
    res: ServerResponse,
    connectionId: string,
    secrets: ConnectionSecrets,
    body: Buffer | 'too-large' | Error,
  ): void => {
    if (body instanceof Error) {
      options.log.error('webhook server: reading a request failed', { connectionId, error: body });
      if (!res.headersSent) reply(res, 500, 'Error');
      return;
    }
    if (body === 'too-large') {
      stats.tooLarge++;
      return refuseTooLarge(req, res);
    }
    const event = {
      connectionId,
      rawBody: body,
      signature: rawHeader(req.rawHeaders, signatureHeader),
      appSecret: secrets.appSecret,
    };
    options.intake.submit(event, (result) => {
      const [status, , text] = replies[outcomeOf(result, connectionId)];
      reply(res, status, text);
    });
  };

  /**
   * What became of an event given to the intake, whose writer checks the signature (HMAC over the raw
   * bytes, verify.ts) before it stores anything: counted, logged, and turned into the answer to give.
   */
  const outcomeOf = (result: StoredResult, connectionId: string): Outcome => {
    if (typeof result === 'object' && 'refused' in result) {
      stats.badSignature++;
      options.log.warn('webhook refused: bad signature', { connectionId, reason: result.refused });
      return 'refused';
    }
    if (result instanceof Error) {
      // Not stored, so not acknowledged: Meta will retry (§6).
      options.log.error('webhook intake failed to store an event', { connectionId, error: result });
      return 'failed';
    }
    stats.accepted++;
    stats.lastAcceptedAt = Date.now();
    return 'stored';
  };

  /**
   * Serves one connection's POSTs (webhookConnection.ts). It has one request at a time, so one answer
   * callback per connection serves them all: no closure per request.
   */
  const serveConnection = (socket: Socket): WebhookConnection => {
    let connectionId = '';
    const answerStored: StoredCallback = (result) =>
      connection.answer(responseBytes(outcomeOf(result, connectionId)));
    const onRequest = (head: WebhookRequestHead, body: Buffer): void => {
      connectionId = head.connectionId;
      const secrets = options.lookupConnection(connectionId);
      if (!secrets) {
        stats.unknownConnection++;
        return connection.answer(responseBytes('unknown'));
      }
      const event = { connectionId, rawBody: body, signature: head.signature, appSecret: secrets.appSecret };
      options.intake.submit(event, answerStored);
    };
    const connection = new WebhookConnection(socket, {
      maxBodyBytes,
      fallback,
      onRequest: (head, body) => {
        try {
          onRequest(head, body);
        } catch (error) {
          options.log.error('webhook server: request failed', { connectionId: head.connectionId, error });
          connection.answer(responseBytes('error'));
        }
      },
    });
    return connection;
  };

  // node:http serves what the connections hand it; it never listens itself.
  const fallback = createServer(
    {
      keepAliveTimeout: keepAliveTimeoutMs,
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
    },
    (req, res) => {
      try {
        handle(req, res);
      } catch (error) {
        options.log.error('webhook server: request failed', { error });
        if (!res.headersSent) reply(res, 500, 'Error');
      }
    },
  );
  // node:http starts tracking its connections (their header and request timeouts, closeAllConnections)
  // when it starts listening; it never does here, so it is told.
  fallback.emit('listening');

  const connections = new Set<WebhookConnection>();
  // allowHalfOpen as node:http: a client that stops sending still hears the answers to what it sent.
  const server = createSocketServer({ noDelay: true, allowHalfOpen: true }, (socket: Socket) => {
    const connection = serveConnection(socket);
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  });
  const sweep = setInterval(() => sweepConnections(connections), 1_000);
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    localUrl: `http://127.0.0.1:${port}`,
    stats,
    async close() {
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.socket.destroy();
      fallback.closeAllConnections();
      await closed;
      await options.intake.close();
    },
  };
}

/** What became of a POSTed event: stored (200), its signature refused (401), or not stored (503). */
type Outcome = 'stored' | 'refused' | 'failed';

type StoredResult = Parameters<StoredCallback>[0];

/**
 * Idle keep-alive connections close after node:http's 5 s; a request whose head (10 s) or whole body
 * (30 s) is late gets node:http's 408 and the connection closes. Connections handed to node:http are
 * its to time (it does so through the relay).
 */
function sweepConnections(connections: Set<WebhookConnection>): void {
  const now = Date.now();
  for (const connection of connections) {
    if (connection.isHandedOver) continue;
    if (connection.idle) {
      if (now - connection.lastActivity > keepAliveTimeoutMs) connection.socket.destroy();
      continue;
    }
    const started = connection.requestStartedAt;
    if (!started) continue;
    const late = now - started > (connection.readingHead ? headersTimeoutMs : requestTimeoutMs);
    if (late) connection.socket.end(requestTimeoutBytes, () => connection.socket.destroy());
  }
}

const requestTimeoutBytes = Buffer.from(
  'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  'latin1',
);

type Reply = Outcome | 'unknown' | 'error';

const replies: Record<Reply, [status: number, reason: string, text: string]> = {
  stored: [200, 'OK', 'OK'],
  refused: [401, 'Unauthorized', 'Invalid signature'],
  failed: [503, 'Service Unavailable', 'Try again'],
  unknown: [404, 'Not Found', 'Not found'],
  error: [500, 'Internal Server Error', 'Error'],
};

/** The response bytes per reply, rebuilt when the second in their Date header changes. */
const builtReplies = new Map<Reply, Buffer>();
let builtForSecond = -1;

/** The whole response for `kind`, as node:http would write it for `reply()`. */
function responseBytes(kind: Reply): Buffer {
  const second = Math.floor(Date.now() / 1000);
  if (second !== builtForSecond) {
    builtForSecond = second;
    builtReplies.clear();
  }
  let bytes = builtReplies.get(kind);
  if (!bytes) {
    const [status, reason, text] = replies[kind];
    bytes = Buffer.from(
      `HTTP/1.1 ${status} ${reason}\r\n` +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        `Date: ${new Date(second * 1000).toUTCString()}\r\n` +
        'Connection: keep-alive\r\n' +
        `Keep-Alive: timeout=${keepAliveTimeoutMs / 1000}\r\n\r\n` +
        text,
      'latin1',
    );
    builtReplies.set(kind, bytes);
  }
  return bytes;
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * One request header read from the raw list: building `req.headers` for every request cost a few µs.
 * Repeats are joined with ', ', as node:http joins unknown headers, so a doubled signature header is
 * still refused as malformed. `name` is lower case.
 */
function rawHeader(raw: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    value = value === undefined ? raw[i + 1] : `${value}, ${raw[i + 1]}`;
  }
  return value;
}

function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end('Payload too large');
  req.destroy();
}

/** Calls `done` once: with the body, 'too-large' past `limit`, or the request's error. */
function readBody(
  req: IncomingMessage,
  limit: number,
  done: (body: Buffer | 'too-large' | Error) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > limit) {
      finished = true;
      done('too-large');
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (finished) return;
    finished = true;
    // A webhook body nearly always comes in one chunk: hand that on instead of copying it.
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
  req.on('error', (error) => {
    if (finished) return;
    finished = true;
    done(error);
  });
}
