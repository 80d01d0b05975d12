// The real localtunnel client (2.0.2) with one piece replaced: the control request that asks the server
// for a tunnel. Everything that carries traffic — the TunnelCluster's pool of TCP sockets to the server,
// piping each to a fresh local connection, re-opening sockets as they close — stays the library's own.
//
// Why replace `_init`: upstream retries the control request every second, forever, with no way to cancel
// it (even `close()` does not stop the loop), and because axios rejects any non-2xx answer, a 403 or 503
// from the server is never surfaced — it just retries silently. Our version makes one request per attempt,
// with a timeout and an abort signal, and reports a classified error, so the manager owns the retry
// policy (backoff with jitter) and the UI can show what is wrong. localtunnel 2.0.2 is the last release
// and is pinned, so this private method will not move under us.
import Tunnel from 'localtunnel/lib/Tunnel.js';
import { z } from 'zod';

export type TunnelOpenErrorCode =
  /** The server could not be reached (DNS, refused, reset). */
  | 'SERVER_UNREACHABLE'
  /** The server did not answer within the timeout. */
  | 'TIMEOUT'
  /** The server answered with an HTTP error; `status` says which. */
  | 'SERVER_REJECTED'
  /** The server answered 200 with something that is not a tunnel description. */
  | 'BAD_RESPONSE'
  /** The server gave us another id because ours is held (usually our own previous session, for ~1 s). */
  | 'SUBDOMAIN_IN_USE'
  /** Our own abort (stop, mode change); never shown to the user. */
  | 'ABORTED';

export class TunnelOpenError extends Error {
  constructor(
    readonly code: TunnelOpenErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TunnelOpenError';
  }
}

/** The control endpoint's answer: `GET {host}/{subdomain}` → `{ id, port, max_conn_count, url, ip? }`. */
export const tunnelInfoSchema = z.object({
  id: z.string().min(1).max(63),
  port: z.number().int().min(1).max(65535),
  max_conn_count: z.number().int().min(1).max(1000).optional(),
  url: z.url({ protocol: /^https?$/ }),
  ip: z.string().min(1).optional(),
  cached_url: z.string().optional(),
});
export type TunnelInfoBody = z.infer<typeof tunnelInfoSchema>;

export interface ControlledTunnelOptions {
  /** The localtunnel server, e.g. `https://localtunnel.me` (no trailing slash). */
  serverUrl: string;
  subdomain: string;
  localPort: number;
  /** Aborts the control request when the manager gives up on this attempt. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Accept an id other than `subdomain` instead of failing with SUBDOMAIN_IN_USE. */
  acceptOtherId: boolean;
}

export class ControlledTunnel extends Tunnel {
  private readonly control: ControlledTunnelOptions;

  constructor(options: ControlledTunnelOptions) {
    // No `local_host`: the library then rewrites the Host header through `data.toString()` on the first
    // chunk, which corrupts any multi-byte UTF-8 sequence split at the chunk edge (and binary bodies), and
    // the webhook signature is over the raw bytes. 'localhost' reaches the 127.0.0.1 listener (Node ≥ 20
    // tries every address family).
    super({ host: options.serverUrl, port: options.localPort, subdomain: options.subdomain });
    this.control = options;
  }

  override _init(cb: (err: Error | null, info?: Tunnel.Info) => void): void {
    this.requestTunnel().then(
      (body) => this.settle(() => cb(null, this._getInfo(body))),
      (error: unknown) => this.settle(() => cb(toOpenError(error, this.control.signal))),
    );
  }

  /** Runs the library's callback outside our promise chain, so a throw in it is reported, not lost. */
  private settle(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }

  private async requestTunnel(): Promise<TunnelInfoBody> {
    const { serverUrl, subdomain, signal, timeoutMs, acceptOtherId } = this.control;
    const response = await fetch(`${serverUrl}/${subdomain}`, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      headers: { accept: 'application/json' },
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.status !== 200) {
      const message = serverMessage(json) ?? (text.trim().slice(0, 200) || response.statusText);
      throw new TunnelOpenError(
        'SERVER_REJECTED',
        `The tunnel server answered ${response.status}: ${message}`,
        response.status,
      );
    }
    const parsed = tunnelInfoSchema.safeParse(json);
    if (!parsed.success) {
      throw new TunnelOpenError(
        'BAD_RESPONSE',
        `The tunnel server's answer is not a tunnel description: ${parsed.error.issues[0]?.message ?? 'not JSON'}`,
      );
    }
    if (parsed.data.id !== subdomain && !acceptOtherId) {
      throw new TunnelOpenError(
        'SUBDOMAIN_IN_USE',
        `The tunnel server gave out "${parsed.data.id}" because our subdomain "${subdomain}" is still held there.`,
      );
    }
    return parsed.data;
  }
}

function serverMessage(json: unknown): string | undefined {
  if (json && typeof json === 'object' && 'message' in json && typeof json.message === 'string') {
    return json.message.slice(0, 200);
  }
  return undefined;
}

function toOpenError(error: unknown, signal: AbortSignal): TunnelOpenError {
  if (error instanceof TunnelOpenError) return error;
  if (signal.aborted) return new TunnelOpenError('ABORTED', 'The tunnel attempt was cancelled.');
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new TunnelOpenError('TIMEOUT', 'The tunnel server did not answer in time.');
  }
  // fetch wraps the socket error: "fetch failed" with the useful part (ECONNREFUSED …) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new TunnelOpenError(
    'SERVER_UNREACHABLE',
    `The tunnel server could not be reached: ${cause ?? message}`,
  );
}
