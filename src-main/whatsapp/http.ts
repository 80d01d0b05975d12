// The client's HTTP transport: node:http(s) over a keep-alive agent, with a hard timeout, and one fact
// the Cloud API makes essential: whether the request had been fully written when it failed. The Cloud
// API has no idempotency key (whatsapp-cloud-api.md §10), so a send that fails after its body left
// this process may still have been delivered; one that failed before cannot have been.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { onAbort } from '../abortListeners';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Refuse response bodies larger than this (media downloads are bounded by §8's 100 MB). */
  maxResponseBytes: number;
}

export type HttpOutcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Buffer }
  | {
      kind: 'failed';
      /** True when the request (headers and body) had been handed to the socket before the failure. */
      sent: boolean;
      reason: 'timeout' | 'network' | 'aborted' | 'too_large';
      message: string;
    };

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

/**
 * An idle keep-alive socket is closed after this long, or a second before the server's announced
 * `Keep-Alive: timeout=N` when that is sooner.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 4_000;

export function createAgents(maxSockets: number): Agents {
  // keepAlive reuses connections across calls. A socket the server has closed must never carry a send:
  // the request is written into a dead connection and fails with "socket hang up" after it left, so a
  // send is reported UNKNOWN_OUTCOME (a campaign recipient "unconfirmed") although Meta never saw it.
  // Node's agent closes an idle socket a second before the server's Keep-Alive hint only when the agent
  // has a `timeout` of its own (with none it keeps the socket until the server's FIN is read, which a
  // busy event loop reads late: test/integration/whatsappHttp.keepAlive.test.ts); the same timeout
  // bounds idle sockets when the server announces nothing. A request in progress only gets a 'timeout'
  // event from it; its own deadline is httpRequest's timer.
  const options = { keepAlive: true, maxSockets, timeout: IDLE_SOCKET_TIMEOUT_MS };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export function destroyAgents(agents: Agents): void {
  agents.http.destroy();
  agents.https.destroy();
}

/**
 * The URL as request options. Node's own conversion (urlToHttpOptions) copies and decodes every field
 * of the URL on each request; a campaign sends to one URL up to 1,000 times a second.
 */
function targetOf(url: URL): http.RequestOptions {
  const { hostname } = url;
  return {
    protocol: url.protocol,
    // An IPv6 literal is bracketed in a URL, not in a host name.
    hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    ...(url.port !== '' ? { port: Number(url.port) } : {}),
    path: url.pathname + url.search,
    ...(url.username !== '' || url.password !== ''
      ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }
      : {}),
  };
}

export function httpRequest(agents: Agents, request: HttpRequest): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let sent = false;
    let stopListening = (): void => undefined;
    const finish = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopListening();
      resolve(outcome);
    };
    const fail = (reason: 'timeout' | 'network' | 'aborted' | 'too_large', message: string) =>
      finish({ kind: 'failed', sent, reason, message });

    const isHttps = request.url.protocol === 'https:';
    const send = isHttps ? https.request : http.request;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body) headers['content-length'] = String(request.body.length);
    const req = send({
      ...targetOf(request.url),
      method: request.method,
      headers,
      agent: isHttps ? agents.https : agents.http,
    });

    const timer = setTimeout(() => {
      fail('timeout', `No response within ${request.timeoutMs} ms`);
      req.destroy();
    }, request.timeoutMs);
    const aborted = () => {
      fail('aborted', 'Aborted by the caller');
      req.destroy();
    };
    if (request.signal?.aborted) {
      aborted();
      return;
    }
    if (request.signal) stopListening = onAbort(request.signal, aborted);

    // 'finish': the whole request has been handed to the operating system.
    req.on('finish', () => {
      sent = true;
    });
    req.on('error', (error) => fail('network', error.message));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxResponseBytes) {
          fail('too_large', `Response larger than ${request.maxResponseBytes} bytes`);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish({
          kind: 'response',
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', (error) => fail('network', error.message));
      res.on('aborted', () => fail('network', 'Response aborted'));
    });
    req.end(request.body);
  });
}
