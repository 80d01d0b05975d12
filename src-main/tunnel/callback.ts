// Callback URLs and re-pointing Meta at them (whatsapp-cloud-api.md §12): each connection's webhooks
// arrive at `{publicUrl}/webhooks/whatsapp/{connectionId}`; when the public URL changes, every connection's
// WABA override is set to the new URL with its verify token. Meta caps override URLs at 200 characters.
import type { Logger } from '../log';

/** §12: `override_callback_uri` is at most 200 characters. */
export const maxCallbackUrlLength = 200;
export const callbackPathPrefix = '/webhooks/whatsapp/';
/** Connection ids are UUIDv7 strings (db/ids.ts): 36 characters. */
export const connectionIdLength = 36;
/** The longest public URL that still leaves room for the path we append to it. */
export const maxPublicUrlLength = maxCallbackUrlLength - callbackPathPrefix.length - connectionIdLength;

/** Unreserved URL characters only, so the id is used verbatim in the path and never needs escaping. */
const connectionIdPattern = /^[A-Za-z0-9._~-]{1,64}$/;
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class CallbackUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackUrlError';
  }
}

export type PublicUrlCheck = { ok: true; value: string } | { ok: false; message: string };

/**
 * Parses and normalises a public base URL: no credentials, query or fragment; trailing slashes removed;
 * host lower-cased by URL. Meta only calls https URLs (§6); `allowLoopbackHttp` admits plain http on
 * loopback, which is what the test tunnel server and the simulator use.
 */
export function checkPublicUrl(input: string, options: { allowLoopbackHttp?: boolean } = {}): PublicUrlCheck {
  const raw = input.trim();
  if (raw.length === 0) return { ok: false, message: 'The public URL is empty.' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      ok: false,
      message: `"${raw.slice(0, 80)}" is not a URL. Write it as https://your.domain/path.`,
    };
  }
  const loopbackHttp =
    options.allowLoopbackHttp === true && url.protocol === 'http:' && loopbackHosts.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    return {
      ok: false,
      message: 'The public URL must start with https:// — Meta only delivers webhooks over HTTPS.',
    };
  }
  if (url.username || url.password) {
    return { ok: false, message: 'The public URL must not contain a user name or password.' };
  }
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) {
    return { ok: false, message: 'The public URL must not contain a query (?…) or fragment (#…).' };
  }
  const value = url.origin + url.pathname.replace(/\/+$/, '');
  return { ok: true, value };
}

/** A user-entered "custom public URL" (their own reverse proxy or tunnel): https and short enough. */
export function checkCustomPublicUrl(input: string): PublicUrlCheck {
  const checked = checkPublicUrl(input);
  if (!checked.ok) return checked;
  if (checked.value.length > maxPublicUrlLength) {
    return {
      ok: false,
      message:
        `The public URL is ${checked.value.length} characters; at most ${maxPublicUrlLength} are allowed, because ` +
        `Bellhop appends ${callbackPathPrefix}<connection id> and Meta accepts callback URLs of at most ` +
        `${maxCallbackUrlLength} characters.`,
    };
  }
  return checked;
}

/** `{publicUrl}/webhooks/whatsapp/{connectionId}`; throws CallbackUrlError if Meta would refuse it. */
export function callbackUrlFor(publicUrl: string, connectionId: string): string {
  if (!connectionIdPattern.test(connectionId)) {
    throw new CallbackUrlError(
      `The connection id "${connectionId.slice(0, 80)}" cannot be used in a URL path (letters, digits, . _ ~ - only, at most 64).`,
    );
  }
  const base = checkPublicUrl(publicUrl, { allowLoopbackHttp: true });
  if (!base.ok) throw new CallbackUrlError(base.message);
  const url = `${base.value}${callbackPathPrefix}${connectionId}`;
  if (url.length > maxCallbackUrlLength) {
    throw new CallbackUrlError(
      `The callback URL would be ${url.length} characters; Meta accepts at most ${maxCallbackUrlLength}. Use a shorter public URL.`,
    );
  }
  return url;
}

export type SetOverrideResult = { ok: true } | { ok: false; message: string };

export interface RepointConnection {
  id: string;
  verifyToken: string;
  /** The callback URL Meta last accepted for this connection, if the caller knows it; equal → no call. */
  currentCallbackUrl?: string | null;
  /** `POST /{waba}/subscribed_apps` with `override_callback_uri` and `verify_token` (§12). */
  setOverride(callbackUrl: string, verifyToken: string): Promise<SetOverrideResult>;
}

export interface RepointInput {
  publicUrl: string;
  connections: readonly RepointConnection[];
  log?: Logger;
}

export type RepointResult =
  | { connectionId: string; outcome: 'unchanged'; callbackUrl: string }
  | { connectionId: string; outcome: 'repointed'; callbackUrl: string }
  | { connectionId: string; outcome: 'failed'; callbackUrl?: string; message: string };

/**
 * Points each connection's override at the current public URL, skipping those already pointed there.
 * Connections go one at a time: two connections on one WABA share its override, so the order decides who
 * wins and must be deterministic; and it spares Meta's rate limits. A failure is reported for its
 * connection and does not stop the others.
 */
export async function repointMeta(input: RepointInput): Promise<RepointResult[]> {
  const results: RepointResult[] = [];
  for (const connection of input.connections) {
    results.push(await repointOne(input.publicUrl, connection, input.log));
  }
  return results;
}

async function repointOne(
  publicUrl: string,
  connection: RepointConnection,
  log: Logger | undefined,
): Promise<RepointResult> {
  const connectionId = connection.id;
  let callbackUrl: string;
  try {
    callbackUrl = callbackUrlFor(publicUrl, connectionId);
  } catch (error) {
    return { connectionId, outcome: 'failed', message: errorMessage(error) };
  }
  if (connection.currentCallbackUrl === callbackUrl)
    return { connectionId, outcome: 'unchanged', callbackUrl };
  let result: SetOverrideResult;
  try {
    result = await connection.setOverride(callbackUrl, connection.verifyToken);
  } catch (error) {
    result = { ok: false, message: errorMessage(error) };
  }
  if (!result.ok) {
    log?.warn('Could not point Meta at the new callback URL', {
      connectionId,
      callbackUrl,
      reason: result.message,
    });
    return { connectionId, outcome: 'failed', callbackUrl, message: result.message };
  }
  log?.info('Pointed Meta at the new callback URL', { connectionId, callbackUrl });
  return { connectionId, outcome: 'repointed', callbackUrl };
}

export interface MetaRepointer {
  /** Like repointMeta, but remembers what Meta accepted and runs one call at a time. */
  repoint(input: RepointInput): Promise<RepointResult[]>;
}

/**
 * For the core: the public URL can change again while Meta is still being re-pointed (a reconnect during
 * the handshake). Running calls one after another means the last URL asked for is the last one set, never
 * an older one overtaking it; remembering each connection's accepted URL makes a repeat a no-op, while a
 * failure stays unremembered and is retried by the next call.
 */
export function createMetaRepointer(): MetaRepointer {
  const accepted = new Map<string, string>();
  let tail: Promise<unknown> = Promise.resolve();
  return {
    repoint(input) {
      const run = async (): Promise<RepointResult[]> => {
        const connections = input.connections.map((connection): RepointConnection => ({
          id: connection.id,
          verifyToken: connection.verifyToken,
          currentCallbackUrl: accepted.get(connection.id) ?? connection.currentCallbackUrl ?? null,
          setOverride: (callbackUrl, verifyToken) => connection.setOverride(callbackUrl, verifyToken),
        }));
        const results = await repointMeta({ ...input, connections });
        for (const result of results) {
          if (result.outcome === 'repointed') accepted.set(result.connectionId, result.callbackUrl);
          else if (result.outcome === 'failed') accepted.delete(result.connectionId);
        }
        return results;
      };
      const next = tail.then(run, run);
      tail = next.catch(() => undefined);
      return next;
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
