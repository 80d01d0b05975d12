// Keeps the webhook server reachable from the internet: opens a localtunnel with the install's stable
// subdomain, watches it, and re-opens it with exponential backoff and jitter when it drops, fails to open
// or goes quiet. Or, in "custom public URL" mode, stays out of the way and reports the user's own URL.
// No 'electron' import: the core forwards state changes to the status bar and Settings.
import type { Socket } from 'node:net';
import type { Logger } from '../log';
import { checkCustomPublicUrl } from './callback';
import { ControlledTunnel, TunnelOpenError } from './localtunnelClient';
import { isValidSubdomain } from './subdomain';

export type TunnelStatus = 'off' | 'connecting' | 'up' | 'reconnecting' | 'error' | 'custom';

export interface TunnelState {
  status: TunnelStatus;
  /** Set only while 'up' or 'custom': the base URL Meta should call. */
  publicUrl?: string;
  /** Why the last attempt failed (kept while retrying), or a warning while 'up'. */
  lastError?: string;
  /** Attempts to open the tunnel since it was last up (or since start). */
  attempts: number;
  /** When `status` last changed, epoch ms. */
  since: number;
  /** While waiting between attempts: when the next one starts, epoch ms. */
  nextAttemptAt?: number;
}

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Fraction of each delay that is randomised (0 = none, 1 = anywhere from 0 to the full delay). */
  jitter?: number;
  random?: () => number;
}

export interface TunnelManagerOptions {
  /** The local webhook server's port (bound on 127.0.0.1). */
  localPort: number;
  /** The localtunnel server. */
  serverUrl?: string;
  /** The install's stable subdomain (subdomain.ts), requested on every attempt. */
  subdomain: string;
  log: Logger;
  onStateChanged?: (state: TunnelState) => void;
  now?: () => number;
  backoff?: BackoffOptions;
  /** Time allowed for the server to answer the tunnel request. */
  openTimeoutMs?: number;
  /** With no socket connected to the tunnel server for this long, the tunnel counts as dropped. */
  socketTimeoutMs?: number;
  /**
   * After this many answers in a row giving out another id (ours still held there), take the other id
   * rather than stay offline; the public URL then changes and Meta is re-pointed.
   */
  acceptOtherSubdomainAfter?: number;
}

export type SetCustomPublicUrlResult = { ok: true } | { ok: false; message: string };

export interface TunnelManager {
  /** Starts connecting (or reports the custom URL). Idempotent. */
  start(): void;
  /** Closes the tunnel and cancels retries; resolves once the tunnel's sockets are closed. */
  stop(): Promise<void>;
  state(): TunnelState;
  /** A URL switches to custom mode (no localtunnel); null switches back. Bad input changes nothing. */
  setCustomPublicUrl(url: string | null): SetCustomPublicUrlResult;
}

export const defaultTunnelServerUrl = 'https://localtunnel.me';
const defaultBackoff: Required<Omit<BackoffOptions, 'random'>> = {
  initialMs: 1_000,
  maxMs: 60_000,
  factor: 2,
  jitter: 0.3,
};

/** Delay after the n-th failure in a row: initial·factor^(n−1), capped at max, then scaled into [1−jitter, 1]. */
export function backoffDelayMs(failure: number, options: BackoffOptions = {}): number {
  const { initialMs, maxMs, factor, jitter } = { ...defaultBackoff, ...options };
  const random = options.random ?? Math.random;
  const base = Math.min(maxMs, initialMs * factor ** Math.max(0, failure - 1));
  const spread = Math.min(1, Math.max(0, jitter));
  return Math.round(base * (1 - spread + spread * random()));
}

interface Attempt {
  readonly generation: number;
  readonly tunnel: ControlledTunnel;
  readonly abort: AbortController;
  /** This tunnel's sockets to the server that are connected and not yet closed. */
  readonly sockets: Set<Socket>;
  watchdog?: NodeJS.Timeout;
}

export function createTunnelManager(options: TunnelManagerOptions): TunnelManager {
  const { log, subdomain, localPort } = options;
  const serverUrl = (options.serverUrl ?? defaultTunnelServerUrl).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const backoff = options.backoff ?? {};
  const openTimeoutMs = options.openTimeoutMs ?? 15_000;
  const socketTimeoutMs = options.socketTimeoutMs ?? 20_000;
  const acceptOtherSubdomainAfter = options.acceptOtherSubdomainAfter ?? 5;

  let running = false;
  let customUrl: string | null = null;
  /** Bumped whenever the current attempt is abandoned, so late events from an old tunnel are ignored. */
  let generation = 0;
  let attempt: Attempt | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let attempts = 0;
  /** Failures since the tunnel was last up (a drop counts as one): the backoff exponent. */
  let failures = 0;
  let wasUp = false;
  let subdomainMisses = 0;
  const closing = new Set<Promise<void>>();
  let current: TunnelState = { status: 'off', attempts: 0, since: now() };

  function setState(next: Omit<TunnelState, 'since'>): void {
    const candidate: TunnelState = {
      status: next.status,
      attempts: next.attempts,
      since: next.status === current.status ? current.since : now(),
      ...(next.publicUrl !== undefined ? { publicUrl: next.publicUrl } : {}),
      ...(next.lastError !== undefined ? { lastError: next.lastError } : {}),
      ...(next.nextAttemptAt !== undefined ? { nextAttemptAt: next.nextAttemptAt } : {}),
    };
    if (JSON.stringify(candidate) === JSON.stringify(current)) return;
    current = candidate;
    try {
      options.onStateChanged?.({ ...candidate });
    } catch (error) {
      log.error('A tunnel state listener threw', { error });
    }
  }

  function configProblem(): string | undefined {
    if (!isValidSubdomain(subdomain)) {
      return `The tunnel subdomain "${String(subdomain).slice(0, 80)}" is not valid (4–63 lowercase letters, digits or '-').`;
    }
    if (!Number.isInteger(localPort) || localPort < 1 || localPort > 65535) {
      return `The local webhook port ${String(localPort)} is not a valid port.`;
    }
    return undefined;
  }

  function closeAttempt(a: Attempt): void {
    if (a.watchdog) clearTimeout(a.watchdog);
    a.abort.abort();
    const closed = Promise.all(
      [...a.sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()))),
    ).then(() => undefined);
    closing.add(closed);
    void closed.finally(() => closing.delete(closed));
    // Destroys every connected socket; sockets still connecting are destroyed by the library on connect.
    a.tunnel.close();
  }

  /** Drops the current attempt and any scheduled retry. */
  function abandon(): void {
    generation++;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    const a = attempt;
    attempt = null;
    if (a) closeAttempt(a);
  }

  function connect(): void {
    const problem = configProblem();
    if (problem) {
      log.error('The tunnel cannot start', { reason: problem });
      setState({ status: 'error', attempts, lastError: problem });
      return;
    }
    openAttempt();
  }

  function openAttempt(): void {
    retryTimer = null;
    const gen = ++generation;
    attempts++;
    setState({
      status: wasUp ? 'reconnecting' : 'connecting',
      attempts,
      ...(current.lastError !== undefined ? { lastError: current.lastError } : {}),
    });
    // A state listener may have stopped us or switched to a custom URL.
    if (gen !== generation) return;
    const abort = new AbortController();
    const tunnel = new ControlledTunnel({
      serverUrl,
      subdomain,
      localPort,
      signal: abort.signal,
      timeoutMs: openTimeoutMs,
      acceptOtherId: subdomainMisses >= acceptOtherSubdomainAfter,
    });
    const a: Attempt = { generation: gen, tunnel, abort, sockets: new Set() };
    attempt = a;
    // The library re-emits each refused socket as 'error', also after close(); an EventEmitter with no
    // 'error' listener would throw, so this one stays for the object's whole life.
    tunnel.on('error', (error: Error) => {
      if (a.generation === generation) fail(a, error);
    });
    tunnel.open((error) => {
      if (a.generation !== generation) {
        tunnel.close();
        return;
      }
      if (error) {
        fail(a, error);
        return;
      }
      tunnel.tunnelCluster?.on('open', (socket: Socket) => onSocketOpen(a, socket));
      armWatchdog(a);
    });
  }

  function onSocketOpen(a: Attempt, socket: Socket): void {
    if (a.generation !== generation) return;
    a.sockets.add(socket);
    socket.once('close', () => {
      a.sockets.delete(socket);
      // The library re-opens a closed socket at once; if none comes back, the watchdog notices.
      if (a.generation === generation && a.sockets.size === 0) armWatchdog(a);
    });
    if (a.watchdog) clearTimeout(a.watchdog);
    a.watchdog = undefined;
    if (current.status !== 'up') markUp(a);
  }

  function armWatchdog(a: Attempt): void {
    if (a.watchdog) clearTimeout(a.watchdog);
    a.watchdog = setTimeout(() => {
      if (a.generation === generation) {
        fail(a, new Error(`No connection to the tunnel server for ${socketTimeoutMs / 1000} s.`));
      }
    }, socketTimeoutMs);
    a.watchdog.unref();
  }

  function markUp(a: Attempt): void {
    const assigned = a.tunnel.clientId;
    const publicUrl = a.tunnel.url;
    if (publicUrl === undefined) return;
    const warning =
      assigned !== subdomain
        ? `Our subdomain is still held on the tunnel server, so this session uses "${String(assigned)}": ` +
          'the public URL differs until the next reconnect, and Meta must be re-pointed to it.'
        : undefined;
    wasUp = true;
    attempts = 0;
    failures = 0;
    subdomainMisses = 0;
    log.info('Tunnel up', { publicUrl });
    setState({ status: 'up', attempts, publicUrl, ...(warning ? { lastError: warning } : {}) });
  }

  function fail(a: Attempt, error: unknown): void {
    if (a.generation !== generation) return;
    abandon();
    const openError = error instanceof TunnelOpenError ? error : undefined;
    if (openError?.code === 'ABORTED') return;
    if (openError?.code === 'SUBDOMAIN_IN_USE') subdomainMisses++;
    failures++;
    const message = error instanceof Error ? error.message : String(error);
    // A 4xx other than timeout/too-many-requests will not change by itself: show it as an error, but keep
    // trying at the slowest pace in case the server's policy changes.
    const rejected =
      openError?.code === 'SERVER_REJECTED' &&
      openError.status !== undefined &&
      openError.status >= 400 &&
      openError.status < 500 &&
      openError.status !== 408 &&
      openError.status !== 429;
    const delay = rejected ? { ...defaultBackoff, ...backoff }.maxMs : backoffDelayMs(failures, backoff);
    const status: TunnelStatus = rejected ? 'error' : wasUp ? 'reconnecting' : 'connecting';
    log.warn('Tunnel attempt failed', { reason: message, attempts, retryInMs: delay });
    // Scheduled before the state goes out, so a listener that stops us also cancels this retry.
    retryTimer = setTimeout(openAttempt, delay);
    retryTimer.unref();
    setState({ status, attempts, lastError: message, nextAttemptAt: now() + delay });
  }

  return {
    start() {
      if (running) return;
      running = true;
      wasUp = false;
      attempts = 0;
      failures = 0;
      subdomainMisses = 0;
      if (customUrl !== null) {
        setState({ status: 'custom', attempts, publicUrl: customUrl });
        return;
      }
      connect();
    },

    async stop() {
      running = false;
      abandon();
      attempts = 0;
      setState({ status: 'off', attempts });
      await Promise.all([...closing]);
    },

    state() {
      return { ...current };
    },

    setCustomPublicUrl(url) {
      if (url === null) {
        if (customUrl === null) return { ok: true };
        customUrl = null;
        if (running) {
          wasUp = false;
          attempts = 0;
          failures = 0;
          connect();
        }
        return { ok: true };
      }
      const checked = checkCustomPublicUrl(url);
      if (!checked.ok) return { ok: false, message: checked.message };
      customUrl = checked.value;
      if (running) {
        abandon();
        attempts = 0;
        setState({ status: 'custom', attempts, publicUrl: customUrl });
      }
      log.info('Custom public URL set', { publicUrl: customUrl });
      return { ok: true };
    },
  };
}
