// Cloud API errors mapped to what the app does about them (whatsapp-cloud-api.md §3 table, §4, §10).
// Branch on `error.code`, never on HTTP status or message text (§ golden rule); HTTP status decides only
// when there is no Graph envelope. Every code carries a one-line plain-language advice for the UI.
import type { IncomingHttpHeaders } from 'node:http';
import { graphErrorEnvelopeSchema } from './types';

export type WhatsAppErrorKind =
  | 'RATE_LIMITED'
  | 'PAIR_RATE_LIMITED'
  | 'AUTH'
  | 'OUTSIDE_WINDOW'
  | 'TEMPLATE_PARAM_MISMATCH'
  | 'TEMPLATE_NOT_FOUND'
  | 'TEMPLATE_TEXT_TOO_LONG'
  | 'TEMPLATE_POLICY'
  | 'TEMPLATE_FORMAT_MISMATCH'
  | 'TEMPLATE_PAUSED'
  | 'TEMPLATE_DISABLED'
  | 'TRANSIENT'
  | 'FATAL'
  | 'UNKNOWN_OUTCOME';

/** §3 "Retry": backoff = R, after_fix = R* (only once the cause is fixed or after a long wait), never = N. */
export type RetryPolicyHint = 'backoff' | 'after_fix' | 'never';

export interface WhatsAppError {
  kind: WhatsAppErrorKind;
  /** Graph error code; null when no Graph answer was received (timeout, network) or it had no envelope. */
  code: number | null;
  subcode?: number;
  /** null when no HTTP response arrived. */
  httpStatus: number | null;
  message: string;
  /** Meta's `error_data.details`, when given. */
  details?: string;
  retry: RetryPolicyHint;
  /** How long to wait before retrying, from headers or the code's documented rule. */
  retryAfterMs?: number;
  /** One line for the UI. */
  advice: string;
  fbtraceId?: string;
  /** Meta's own `is_transient` flag, when present. */
  isTransient?: boolean;
}

export type WaResult<T> = { ok: true; value: T } | { ok: false; error: WhatsAppError };

export interface CodeInfo {
  kind: WhatsAppErrorKind;
  retry: RetryPolicyHint;
  advice: string;
  /** Default wait when Meta gives no header (ms). */
  defaultRetryAfterMs?: number;
}

const info = (
  kind: WhatsAppErrorKind,
  retry: RetryPolicyHint,
  advice: string,
  defaultRetryAfterMs?: number,
): CodeInfo =>
  defaultRetryAfterMs === undefined ? { kind, retry, advice } : { kind, retry, advice, defaultRetryAfterMs };

/** §3's table. Codes absent here fall back on is_transient and the HTTP status. */
const codeTable: Record<number, CodeInfo> = {
  0: info(
    'AUTH',
    'never',
    'Meta no longer accepts this access token: reconnect the number with a new token.',
  ),
  1: info('TRANSIENT', 'backoff', 'Meta reported an unknown error; trying again shortly.'),
  2: info('TRANSIENT', 'backoff', "Meta's service is temporarily down or overloaded; trying again shortly."),
  3: info(
    'FATAL',
    'never',
    'The Meta app lacks the capability or permission for this; check its permissions.',
  ),
  4: info(
    'RATE_LIMITED',
    'backoff',
    'Too many API calls from this app right now; waiting before trying again.',
    60_000,
  ),
  10: info('FATAL', 'never', 'Permission denied: the token has lost access to this WhatsApp account.'),
  33: info('FATAL', 'never', 'This phone number or account no longer exists; check the connection settings.'),
  100: info('FATAL', 'never', 'Meta rejected a value in the request; check the message content.'),
  190: info(
    'AUTH',
    'never',
    'The access token expired or was revoked: reconnect the number with a new token.',
  ),
  368: info(
    'FATAL',
    'after_fix',
    'The account is temporarily blocked for policy violations; sending is paused.',
  ),
  2200: info(
    'FATAL',
    'after_fix',
    'Meta could not verify the webhook URL: check that the tunnel is up and the verify token matches.',
  ),
  80007: info(
    'RATE_LIMITED',
    'backoff',
    "This WhatsApp account reached Meta's API rate limit; waiting before trying again.",
    60_000,
  ),
  80008: info(
    'RATE_LIMITED',
    'backoff',
    'Too many calls to this WhatsApp account; waiting before trying again.',
    60_000,
  ),
  130429: info(
    'RATE_LIMITED',
    'backoff',
    "Sending faster than this number's throughput allows; slowing down.",
    1_000,
  ),
  130472: info(
    'FATAL',
    'never',
    "The customer is in one of Meta's marketing experiments; this message was not sent.",
  ),
  131000: info('TRANSIENT', 'backoff', 'Something went wrong at Meta; trying again a few times.'),
  131005: info('FATAL', 'never', "Access denied: check the token's permissions."),
  131008: info('FATAL', 'never', 'A required field is missing from the message.'),
  131009: info('FATAL', 'never', 'A value in the message is not valid.'),
  131016: info('TRANSIENT', 'backoff', "Meta's service is unavailable; trying again shortly."),
  131021: info('FATAL', 'never', "A message cannot be sent to the business's own number."),
  131026: info(
    'FATAL',
    'never',
    'The message could not be delivered: the number may not be on WhatsApp or may have blocked you.',
  ),
  131030: info(
    'FATAL',
    'never',
    "This test number can only message its allowed list: add the recipient in Meta's App Dashboard.",
  ),
  131031: info(
    'FATAL',
    'after_fix',
    'The WhatsApp account is locked; sending is paused until Meta unlocks it.',
  ),
  131042: info(
    'FATAL',
    'after_fix',
    'A billing or eligibility problem stopped the message: fix the payment method with Meta.',
  ),
  131045: info('FATAL', 'after_fix', "The number's registration is invalid: register the number again."),
  131047: info(
    'OUTSIDE_WINDOW',
    'never',
    'More than 24 hours since the customer last wrote: send a template instead.',
  ),
  131048: info(
    'FATAL',
    'after_fix',
    'Meta limited sending from this number (spam reports or messaging limit); pause and try later.',
  ),
  131049: info(
    'FATAL',
    'never',
    'Meta chose not to deliver this marketing message; wait at least a day before messaging this customer again.',
  ),
  131050: info('FATAL', 'never', 'The customer stopped marketing messages; treat this as an opt-out.'),
  131051: info('FATAL', 'never', 'This message type is not supported.'),
  131052: info('FATAL', 'never', "The customer's media could not be downloaded; ask them to send it again."),
  131053: info(
    'FATAL',
    'never',
    "The media could not be used: upload it again (uploaded media lasts 30 days), and check that the file's type matches its content and size.",
  ),
  131056: info(
    'PAIR_RATE_LIMITED',
    'backoff',
    'Too many messages to this customer in a short time; this customer will be retried later.',
    6_000,
  ),
  131057: info(
    'TRANSIENT',
    'backoff',
    'The account is in maintenance mode; trying again in about a minute.',
    60_000,
  ),
  131062: info('FATAL', 'never', 'This message cannot be sent to a customer known only by username.'),
  132000: info(
    'TEMPLATE_PARAM_MISMATCH',
    'never',
    "The template's number of variables does not match: sync templates and check the values.",
  ),
  132001: info(
    'TEMPLATE_NOT_FOUND',
    'never',
    'That template does not exist in this language or is not approved: sync templates.',
  ),
  132005: info(
    'TEMPLATE_TEXT_TOO_LONG',
    'never',
    'The template is too long once the variables are filled in: shorten the values.',
  ),
  132007: info('TEMPLATE_POLICY', 'never', "The template's content breaks WhatsApp policy."),
  132008: info('TEMPLATE_FORMAT_MISMATCH', 'never', 'A template variable has a value Meta does not accept.'),
  132012: info(
    'TEMPLATE_FORMAT_MISMATCH',
    'never',
    'A template variable has the wrong format (for example the header expects an image).',
  ),
  132015: info(
    'TEMPLATE_PAUSED',
    'after_fix',
    'The template is paused for low quality: wait, or use another template.',
  ),
  132016: info('TEMPLATE_DISABLED', 'never', 'The template was disabled for good: use another template.'),
  133010: info('FATAL', 'never', "The phone number isn't registered with the Cloud API: register it first."),
  135000: info('FATAL', 'never', 'Meta rejected the request parameters.'),
};

const permissionMissing = info(
  'FATAL',
  'never',
  'A required permission is missing: grant whatsapp_business_messaging and whatsapp_business_management.',
);

const genericFatal = info('FATAL', 'never', 'Meta rejected the request; see the details.');
const genericTransient = info('TRANSIENT', 'backoff', 'Meta had a temporary problem; trying again shortly.');

/** What the app should do about a Graph error code (also for codes in `statuses[].errors[]` webhooks). */
export function describeErrorCode(code: number, isTransient?: boolean): CodeInfo {
  const known = codeTable[code] ?? (code >= 200 && code <= 299 ? permissionMissing : undefined);
  if (known) {
    // §3: honour is_transient — a code normally final that Meta flags transient is retried.
    return isTransient === true && known.kind === 'FATAL'
      ? { ...genericTransient, advice: known.advice }
      : known;
  }
  return isTransient === true ? genericTransient : genericFatal;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Retry time from the response: `Retry-After` (seconds or HTTP date), or the largest
 * `estimated_time_to_regain_access` (minutes, §4) in `x-business-use-case-usage`.
 */
export function retryAfterFromHeaders(
  headers: IncomingHttpHeaders,
  now: number = Date.now(),
): number | undefined {
  let best: number | undefined;
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms) && ms > 0) best = ms;
  }
  const usage = header(headers, 'x-business-use-case-usage');
  if (usage !== undefined) {
    try {
      const parsed = JSON.parse(usage) as Record<string, { estimated_time_to_regain_access?: number }[]>;
      for (const entries of Object.values(parsed)) {
        for (const entry of Array.isArray(entries) ? entries : []) {
          const minutes = Number(entry.estimated_time_to_regain_access ?? 0);
          if (minutes > 0) best = Math.max(best ?? 0, minutes * 60_000);
        }
      }
    } catch {
      // A malformed usage header is ignored; the code's default applies.
    }
  }
  return best;
}

/** Maps an HTTP error response (with or without a Graph envelope) to a WhatsAppError. */
export function mapHttpError(status: number, rawBody: Buffer, headers: IncomingHttpHeaders): WhatsAppError {
  let json: unknown = null;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    json = null;
  }
  const envelope = graphErrorEnvelopeSchema.safeParse(json);
  const fromHeaders = retryAfterFromHeaders(headers);
  if (envelope.success) {
    const e = envelope.data.error;
    const described = describeErrorCode(e.code, e.is_transient);
    const details =
      typeof e.error_data === 'string'
        ? e.error_data
        : e.error_data?.details !== undefined
          ? e.error_data.details
          : undefined;
    const retryAfterMs =
      described.kind === 'RATE_LIMITED' ||
      described.kind === 'PAIR_RATE_LIMITED' ||
      described.kind === 'TRANSIENT'
        ? (fromHeaders ?? described.defaultRetryAfterMs)
        : fromHeaders;
    return {
      kind: described.kind,
      code: e.code,
      ...(e.error_subcode !== undefined ? { subcode: e.error_subcode } : {}),
      httpStatus: status,
      message: e.message,
      ...(details !== undefined ? { details } : {}),
      retry: described.retry,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      advice: described.advice,
      ...(e.fbtrace_id !== undefined ? { fbtraceId: e.fbtrace_id } : {}),
      ...(e.is_transient !== undefined ? { isTransient: e.is_transient } : {}),
    };
  }
  // No Graph envelope: the HTTP status is all there is (§3 last rows: 429 / 503 capacity).
  if (status === 429) {
    return {
      kind: 'RATE_LIMITED',
      code: null,
      httpStatus: status,
      message: `HTTP ${status}`,
      retry: 'backoff',
      retryAfterMs: fromHeaders ?? 1_000,
      advice: 'Meta is receiving too many requests; waiting before trying again.',
    };
  }
  if (status >= 500) {
    return {
      kind: 'TRANSIENT',
      code: null,
      httpStatus: status,
      message: `HTTP ${status}`,
      retry: 'backoff',
      ...(fromHeaders !== undefined ? { retryAfterMs: fromHeaders } : {}),
      advice: genericTransient.advice,
    };
  }
  if (status === 401) {
    return {
      kind: 'AUTH',
      code: null,
      httpStatus: status,
      message: `HTTP ${status}`,
      retry: 'never',
      advice: codeTable[190]?.advice ?? '',
    };
  }
  return {
    kind: 'FATAL',
    code: null,
    httpStatus: status,
    message: `HTTP ${status}`,
    retry: 'never',
    advice: genericFatal.advice,
  };
}

/** §10: a timeout or reset after the request left us — the message may have gone; never auto-resend. */
export function unknownOutcomeError(message: string): WhatsAppError {
  return {
    kind: 'UNKNOWN_OUTCOME',
    code: null,
    httpStatus: null,
    message,
    retry: 'never',
    advice:
      'No answer from WhatsApp after sending: the message may have gone out, so it is not resent automatically.',
  };
}

/** A failure before anything was sent (connection refused, timeout while connecting): safe to retry. */
export function notSentError(message: string): WhatsAppError {
  return {
    kind: 'TRANSIENT',
    code: null,
    httpStatus: null,
    message,
    retry: 'backoff',
    advice: 'Could not reach WhatsApp; nothing was sent. Trying again shortly.',
  };
}

/** A problem found before calling Meta (bad input, untrusted URL): nothing was sent. */
export function invalidRequestError(message: string, advice: string): WhatsAppError {
  return { kind: 'FATAL', code: null, httpStatus: null, message, retry: 'never', advice };
}
