// Webhook authenticity (whatsapp-cloud-api.md §6): HMAC-SHA256 with the app secret over the raw body
// bytes exactly as received — never over re-serialized JSON, which would differ (Meta escapes
// non-ASCII as \uXXXX) — compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'x-hub-signature-256';

export type SignatureRefusal = 'missing' | 'malformed' | 'mismatch';
export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureRefusal };

export function signBody(rawBody: Buffer | string, appSecret: string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

export function verifySignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  appSecret: string,
): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  const value = Array.isArray(header) ? (header[0] ?? '') : header;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  if (!match?.[1]) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(match[1].toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** Constant-time comparison for the verify token of the GET handshake. */
export function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
