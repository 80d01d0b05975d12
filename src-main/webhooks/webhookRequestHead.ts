// The head of a webhook POST, read strictly: the one request shape Meta (and the tunnel, which
// re-sends Meta's request as it came) delivers — `POST /webhooks/whatsapp/:connectionId HTTP/1.1`,
// one Content-Length, no Transfer-Encoding — with every header line well-formed. Anything else (a GET
// handshake, a chunked body, HTTP/1.0, `Connection: close`, `Expect`, a doubled Content-Length, a
// malformed line, another path) is not read here at all: the connection goes, from that request on, to
// node:http (webhookConnection.ts), which answers it exactly as before. So this reader never has to
// decide an ambiguous case, and what it accepts is a subset of what node:http accepts with the same
// request boundaries: two parsers can never disagree on where a request ends.

/** The only path the server answers: everything else is 404 (the tunnel must reach nothing else). */
export const webhookPathPattern = /^\/webhooks\/whatsapp\/([A-Za-z0-9_-]{1,64})\/?$/;

/** node:http's default limit on a request head (`maxHeaderSize`); a longer one goes to node:http (431). */
export const maxHeadBytes = 16 * 1024;

export interface WebhookRequestHead {
  connectionId: string;
  contentLength: number;
  /** The X-Hub-Signature-256 header; repeats joined with ', ' as node:http joins them (so refused). */
  signature: string | undefined;
}

const requestLinePrefix = 'POST ';
const requestLineSuffix = ' HTTP/1.1';

/** RFC 9110 `tchar`: the characters of a header name. */
const isTokenChar = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") isTokenChar[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) isTokenChar[c] = 1;
for (let c = 65; c <= 90; c++) isTokenChar[c] = 1;
for (let c = 97; c <= 122; c++) isTokenChar[c] = 1;

function isToken(text: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || isTokenChar[c] !== 1) return false;
  }
  return true;
}

/** A field value: visible characters, spaces, tabs and obs-text; no CR, LF, NUL or other controls. */
function isFieldValue(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

/** Whether text[from, to) is `lowerName` in any case, without a string per header. */
function sameName(text: string, from: number, to: number, lowerName: string): boolean {
  if (to - from !== lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i++) {
    let c = text.charCodeAt(from + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Reads the head `head` (the bytes before the blank line, as latin1) of a request. Returns undefined
 * for anything outside the strict shape above, or with a body over `maxBodyBytes`: node:http takes those.
 */
export function readWebhookRequestHead(head: string, maxBodyBytes: number): WebhookRequestHead | undefined {
  const lineEnd = head.indexOf('\r\n');
  const requestLine = lineEnd < 0 ? head : head.slice(0, lineEnd);
  if (!requestLine.startsWith(requestLinePrefix) || !requestLine.endsWith(requestLineSuffix))
    return undefined;
  const target = requestLine.slice(requestLinePrefix.length, requestLine.length - requestLineSuffix.length);
  const connectionId = webhookPathPattern.exec(target)?.[1];
  if (!connectionId) return undefined;

  let contentLength: number | undefined;
  let signature: string | undefined;
  let host = false;
  let at = lineEnd < 0 ? head.length : lineEnd + 2;
  while (at < head.length) {
    let end = head.indexOf('\r\n', at);
    if (end < 0) end = head.length;
    const colon = head.indexOf(':', at);
    if (colon < 0 || colon >= end || !isToken(head, at, colon)) return undefined;
    let valueStart = colon + 1;
    let valueEnd = end;
    while (valueStart < valueEnd && (head[valueStart] === ' ' || head[valueStart] === '\t')) valueStart++;
    while (valueEnd > valueStart && (head[valueEnd - 1] === ' ' || head[valueEnd - 1] === '\t')) valueEnd--;
    if (!isFieldValue(head, valueStart, valueEnd)) return undefined;
    switch (colon - at) {
      case 4:
        if (sameName(head, at, colon, 'host')) {
          if (host) return undefined;
          host = true;
        }
        break;
      case 6:
        if (sameName(head, at, colon, 'expect')) return undefined;
        break;
      case 7:
        if (sameName(head, at, colon, 'upgrade')) return undefined;
        break;
      case 10:
        // Keep-alive is the default of HTTP/1.1; anything else (close, upgrade) is node:http's to honour.
        if (sameName(head, at, colon, 'connection')) {
          if (head.slice(valueStart, valueEnd).toLowerCase() !== 'keep-alive') return undefined;
        }
        break;
      case 14:
        if (sameName(head, at, colon, 'content-length')) {
          if (contentLength !== undefined) return undefined;
          const digits = head.slice(valueStart, valueEnd);
          if (!/^[0-9]{1,10}$/.test(digits)) return undefined;
          contentLength = Number(digits);
        }
        break;
      case 17:
        if (sameName(head, at, colon, 'transfer-encoding')) return undefined;
        break;
      case 19:
        if (sameName(head, at, colon, 'x-hub-signature-256')) {
          const value = head.slice(valueStart, valueEnd);
          signature = signature === undefined ? value : `${signature}, ${value}`;
        }
        break;
      default:
        break;
    }
    at = end + 2;
  }
  // node:http answers an HTTP/1.1 request without Host with 400, and a body over the limit is its 413.
  if (!host || contentLength === undefined || contentLength > maxBodyBytes) return undefined;
  return { connectionId, contentLength, signature };
}
