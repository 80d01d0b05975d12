// App subscriptions and callback-URL overrides (whatsapp-cloud-api.md §12). Before accepting an override
// Meta runs the §6 GET handshake against the new URL with the given verify token, so the receiver must be
// up first; a failed handshake rejects the override and leaves the old URL in place.
import { randomInt } from 'node:crypto';
import { GraphError, invalidParam } from './graphErrors';

/** §12: override URLs are at most 200 characters. */
export const maxCallbackUrlLength = 200;

export interface CallbackUrls {
  /** The app's default callback URL (set in the App Dashboard; here by control.setCallbackUrl). */
  appDefault: string | null;
  /** Per-WABA override set through `POST /{waba}/subscribed_apps`. */
  wabaOverride: string | null;
  /** Per-number override through `POST /{pnid}` `webhook_configuration` (shape unverified, §12). */
  phoneOverride: string | null;
}

function checkUrl(url: string): GraphError | null {
  if (url.length > maxCallbackUrlLength) {
    return invalidParam(
      `Param override_callback_uri must be at most ${maxCallbackUrlLength} characters long.`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalidParam('Param override_callback_uri must be a valid URL.');
  }
  // Meta requires HTTPS with a valid certificate (§6). The simulator also accepts plain HTTP on loopback,
  // where the app's own webhook server listens when it talks to the simulator directly.
  const loopback =
    parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]';
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    return invalidParam('Param override_callback_uri must be an https URL.');
  }
  return null;
}

/**
 * Runs the GET verification handshake. Succeeds only on HTTP 200 with the challenge echoed as the body.
 * Meta reports a failure as error 2200 "Callback verification failed" (code and wording unverified).
 */
export async function verifyCallback(
  url: string,
  verifyToken: string,
  timeoutMs: number,
): Promise<GraphError | null> {
  const bad = checkUrl(url);
  if (bad) return bad;
  const challenge = String(randomInt(1_000_000_000, 2_000_000_000));
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.challenge', challenge);
  target.searchParams.set('hub.verify_token', verifyToken);
  let status: number;
  let body: string;
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    body = await response.text();
  } catch (error) {
    return new GraphError(
      2200,
      400,
      "(#2200) Callback verification failed with the following errors: curl_errno = 7; curl_error = Couldn't connect to server",
      {
        details: error instanceof Error ? error.message : String(error),
      },
    );
  }
  if (status !== 200) {
    return new GraphError(
      2200,
      400,
      `(#2200) Callback verification failed with the following errors: HTTP Status Code = ${status}; HTTP Message = ${status === 403 ? 'Forbidden' : 'Error'}`,
    );
  }
  if (body.trim() !== challenge) {
    return new GraphError(
      2200,
      400,
      "(#2200) Callback verification failed with the following errors: The URL couldn't be validated. Response does not match challenge",
    );
  }
  return null;
}
