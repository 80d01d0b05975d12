// The local webhook server (127.0.0.1 only; the tunnel exposes it). It answers exactly one path,
// /webhooks/whatsapp/:connectionId — everything else is 404, so the tunnel can never reach the app's
// other surfaces. GET is Meta's verification handshake; POST is size-limited, signature-checked over
// the raw bytes, stored durably, and only then acknowledged.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';
import type { WebhookIntake } from './intake';
import { sameToken, signatureHeader } from './verify';

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

const pathPattern = /^\/webhooks\/whatsapp\/([A-Za-z0-9_-]{1,64})\/?$/;

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

  // The handler is plain callbacks, no async function or promise per request: at thousands of
  // webhooks per second those were a measurable share of the main thread's time.
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // The path is matched on the raw target: a URL object per request cost a few µs on the hot path,
    // and only the GET handshake needs the query.
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const match = pathPattern.exec(queryAt < 0 ? target : target.slice(0, queryAt));
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
    // The intake's writer checks the signature (HMAC over these raw bytes, verify.ts) before it stores
    // anything, and answers a bad one as refused.
    const event = {
      connectionId,
      rawBody: body,
      signature: rawHeader(req.rawHeaders, signatureHeader),
      appSecret: secrets.appSecret,
    };
    options.intake.submit(event, (stored) => {
      if (typeof stored === 'object' && 'refused' in stored) {
        stats.badSignature++;
        options.log.warn('webhook refused: bad signature', { connectionId, reason: stored.refused });
        return reply(res, 401, 'Invalid signature');
      }
      if (stored instanceof Error) {
        // Not stored, so not acknowledged: Meta will retry (§6).
        options.log.error('webhook intake failed to store an event', { connectionId, error: stored });
        return reply(res, 503, 'Try again');
      }
      stats.accepted++;
      stats.lastAcceptedAt = Date.now();
      res.writeHead(200, okHeaders).end(okText);
    });
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      options.log.error('webhook server: request failed', { error });
      if (!res.headersSent) reply(res, 500, 'Error');
    }
  });
  // Keep-alive connections from Meta (or the tunnel) are reused; a slow client gets a bounded time.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await options.intake.close();
    },
  };
}

const okText = 'OK';
/** The 200's headers, built once (writeHead takes a flat name, value list as it is). */
const okHeaders = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(okText.length)];

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
