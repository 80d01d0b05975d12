// The strict reader of webhook POST heads: it takes only Meta's plain request shape and leaves every
// other head (which node:http then serves or refuses) alone, so the two never disagree on a request.
import { describe, expect, it } from 'vitest';
import { readWebhookRequestHead } from '../../src-main/webhooks/webhookRequestHead';

const path = '/webhooks/whatsapp/conn_1';
const head = (lines: string[], requestLine = `POST ${path} HTTP/1.1`): string =>
  [requestLine, ...lines].join('\r\n');
const plain = ['Host: example.loca.lt', 'Content-Type: application/json', 'Content-Length: 42'];

describe('readWebhookRequestHead', () => {
  it("reads Meta's plain POST: connection, length and signature", () => {
    expect(
      readWebhookRequestHead(
        head([...plain, 'x-hub-signature-256:  sha256=abc \t', 'User-Agent: facebookexternalua']),
        100,
      ),
    ).toEqual({ connectionId: 'conn_1', contentLength: 42, signature: 'sha256=abc' });
    expect(readWebhookRequestHead(head(plain), 100)).toEqual({
      connectionId: 'conn_1',
      contentLength: 42,
      signature: undefined,
    });
    expect(readWebhookRequestHead(head([...plain, 'Connection: Keep-Alive']), 100)?.contentLength).toBe(42);
  });

  it('joins a repeated signature header as node:http does, so it is refused as malformed', () => {
    expect(
      readWebhookRequestHead(
        head([...plain, 'X-Hub-Signature-256: sha256=a', 'X-Hub-Signature-256: sha256=b']),
        100,
      )?.signature,
    ).toBe('sha256=a, sha256=b');
  });

  it.each([
    ['HTTP/1.0', head(plain, `POST ${path} HTTP/1.0`)],
    ['another method', head(plain, `PUT ${path} HTTP/1.1`)],
    ['a lower-case method', head(plain, `post ${path} HTTP/1.1`)],
    ['a query string', head(plain, `POST ${path}?x=1 HTTP/1.1`)],
    ['another path', head(plain, 'POST /webhooks/whatsapp/ HTTP/1.1')],
    ['no Host', head(['Content-Length: 42'])],
    ['two Hosts', head([...plain, 'Host: other'])],
    ['no Content-Length', head(['Host: x'])],
    ['two Content-Lengths', head([...plain, 'Content-Length: 42'])],
    ['a signed Content-Length', head(['Host: x', 'Content-Length: +42'])],
    ['a body over the limit', head(['Host: x', 'Content-Length: 101'])],
    ['Transfer-Encoding', head([...plain, 'Transfer-Encoding: identity'])],
    ['Expect', head([...plain, 'Expect: 100-continue'])],
    ['Upgrade', head([...plain, 'Upgrade: websocket'])],
    ['Connection: close', head([...plain, 'Connection: close'])],
    ['a folded line', head([...plain, 'X-A: 1', ' folded'])],
    ['a bare LF in a value', head([...plain, 'X-A: 1\nX-B: 2'])],
    ['a NUL in a value', head([...plain, 'X-A: 1\u0000'])],
    ['a space in a name', head([...plain, 'X A: 1'])],
    ['a line without a colon', head([...plain, 'nonsense'])],
    ['an empty name', head([...plain, ': 1'])],
  ])('leaves %s to node:http', (_name, text) => {
    expect(readWebhookRequestHead(text, 100)).toBeUndefined();
  });
});
