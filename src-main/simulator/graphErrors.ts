// Graph API errors as Meta returns them (whatsapp-cloud-api.md §3): the envelope
// `{ error: { message, type, code, error_subcode?, error_data?, is_transient, fbtrace_id } }` with the
// HTTP status Meta's table pairs with each code. Message texts follow Meta's "(#code) Title" habit.
import { randomBytes } from 'node:crypto';

export interface GraphErrorInit {
  subcode?: number;
  details?: string;
  /** Defaults to what §3 says about the code (R codes are transient). */
  isTransient?: boolean;
  type?: string;
  headers?: Record<string, string>;
  userTitle?: string;
  userMsg?: string;
}

export class GraphError extends Error {
  readonly subcode: number | undefined;
  readonly details: string | undefined;
  readonly isTransient: boolean;
  readonly type: string;
  readonly headers: Record<string, string>;
  readonly userTitle: string | undefined;
  readonly userMsg: string | undefined;

  constructor(
    readonly code: number,
    readonly httpStatus: number,
    message: string,
    init: GraphErrorInit = {},
  ) {
    super(message);
    this.name = 'GraphError';
    this.subcode = init.subcode;
    this.details = init.details;
    this.isTransient = init.isTransient ?? transientCodes.has(code);
    // Meta labels nearly every WhatsApp error OAuthException, even non-auth ones (§3 example).
    this.type = init.type ?? 'OAuthException';
    this.headers = init.headers ?? {};
    this.userTitle = init.userTitle;
    this.userMsg = init.userMsg;
  }

  toEnvelope(fbtraceId: string): GraphErrorEnvelope {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.code,
        ...(this.subcode !== undefined ? { error_subcode: this.subcode } : {}),
        ...(this.details !== undefined
          ? { error_data: { messaging_product: 'whatsapp', details: this.details } }
          : {}),
        ...(this.userTitle !== undefined ? { error_user_title: this.userTitle } : {}),
        ...(this.userMsg !== undefined ? { error_user_msg: this.userMsg } : {}),
        is_transient: this.isTransient,
        fbtrace_id: fbtraceId,
      },
    };
  }
}

export interface GraphErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    error_user_title?: string;
    error_user_msg?: string;
    is_transient: boolean;
    fbtrace_id: string;
  };
}

/** The codes §3 marks R (retry with backoff). */
const transientCodes = new Set([1, 2, 4, 80007, 80008, 130429, 131000, 131016, 131056, 131057]);

/** Meta's trace ids look like `Az8or2yhqkZfEZ-_4Qn_Bam`: 23 url-safe base64 characters. */
export function newFbtraceId(): string {
  return randomBytes(18).toString('base64url').slice(0, 23);
}

/** The titles Meta uses for the codes the simulator emits (the webhook `title` and the `(#code)` message). */
export const errorTitles: Record<number, string> = {
  0: 'AuthException',
  1: 'An unknown error occurred',
  2: 'Service temporarily unavailable',
  4: 'Application request limit reached',
  100: 'Invalid parameter',
  190: 'Error validating access token',
  2200: 'Callback verification failed',
  80007: 'Rate limit issues',
  130429: 'Rate limit hit',
  131000: 'Something went wrong',
  131008: 'Required parameter is missing',
  131009: 'Parameter value is not valid',
  131016: 'Service unavailable',
  131021: 'Recipient cannot be sender',
  131026: 'Message undeliverable',
  131030: 'Recipient phone number not in allowed list',
  131047: 'Re-engagement message',
  131048: 'Spam rate limit hit',
  131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
  131053: 'Media upload error',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
  131057: 'Account in maintenance mode',
  132000: 'Number of parameters does not match the expected number of params',
  132001: 'Template name does not exist in the translation',
  132005: 'Translated text too long',
  132012: 'Parameter format does not match format in the created template',
  132015: 'Template is Paused',
  132016: 'Template is Disabled',
};

/** The HTTP status Meta's table (§3) pairs with each code. */
const httpStatusByCode: Record<number, number> = {
  0: 401,
  1: 400,
  2: 503,
  3: 500,
  4: 400,
  10: 403,
  190: 401,
  368: 403,
  131000: 500,
  131005: 403,
  131016: 500,
  131031: 403,
  131045: 500,
  131057: 500,
  132001: 404,
};

export function httpStatusFor(code: number): number {
  if (code >= 200 && code <= 299) return 403;
  return httpStatusByCode[code] ?? 400;
}

/** A Graph error for `code` with Meta's title, its usual HTTP status and optional details. */
export function graphError(code: number, details?: string, init: GraphErrorInit = {}): GraphError {
  const title = errorTitles[code] ?? 'Error';
  return new GraphError(code, httpStatusFor(code), `(#${code}) ${title}`, {
    ...init,
    ...(details !== undefined ? { details } : {}),
  });
}

/** Graph's "(#100) Param … must be …" style for a bad field. */
export function invalidParam(message: string, details?: string): GraphError {
  return new GraphError(100, 400, `(#100) ${message}`, details !== undefined ? { details } : {});
}

export function unknownObject(id: string, method: string): GraphError {
  return new GraphError(
    100,
    400,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    { subcode: 33, type: 'GraphMethodException' },
  );
}
