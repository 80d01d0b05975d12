// The webhook server reads webhook POSTs straight off the socket and hands everything else, with the
// rest of its connection, to node:http (webhookConnection.ts). Over raw sockets: requests sent ahead
// of their answers are answered in order; a GET handshake or a chunked POST after fast-path POSTs on
// one connection is served by node:http, and so is the connection's next POST; a request arriving a
// byte at a time is read whole; ambiguous heads are refused by node:http and store nothing; a client
// that half-closes still hears its answers; an idle connection is closed.
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/open';
import { createMemoryLogger } from '../../src-main/log';
import type { WebhookServer } from '../../src-main/webhooks/server';
import { signBody } from '../../src-main/webhooks/verify';
import { inboundText, metaSerialize, startTestWebhookServer } from '../helpers/metaWebhooks';
import { openTempStore, seedConnection, type SeededConnection } from '../helpers/storeFixtures';
import { waitFor } from '../helpers/waitFor';

interface RawClient {
  socket: Socket;
  /** Everything received so far, as latin1. */
  received(): string;
  closed(): boolean;
}

function openClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => text, closed: () => closed }));
    socket.once('error', reject);
  });
}

/** The status codes of the complete responses in `text`, in order. */
function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

describe('webhook server connections', () => {
  let db: Db;
  let conn: SeededConnection;
  let server: WebhookServer;
  let path = '';
  const clients: RawClient[] = [];

  const body = (i: number): string =>
    metaSerialize(inboundText('16505551234', `wamid.conn.${i}`, `héllo ${i}`, 1_750_000_000 + i));
  const post = (raw: string, signature: string | null, extra = ''): Buffer => {
    const bytes = Buffer.from(raw);
    return Buffer.concat([
      Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${bytes.length}\r\n` +
          (signature === null ? '' : `X-Hub-Signature-256: ${signature}\r\n`) +
          `${extra}\r\n`,
        'latin1',
      ),
      bytes,
    ]);
  };
  const signedPost = (i: number): Buffer => post(body(i), signBody(body(i), conn.appSecret));
  const storedBodies = (): string[] =>
    (db.prepare('SELECT raw_body FROM webhook_events ORDER BY id').all() as { raw_body: Buffer }[]).map((r) =>
      r.raw_body.toString(),
    );
  const client = async (): Promise<RawClient> => {
    const c = await openClient(server.port);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    const store = openTempStore();
    db = store.db;
    conn = seedConnection(db);
    ({ server } = await startTestWebhookServer(store.file, conn, createMemoryLogger(), () => undefined));
    path = `/webhooks/whatsapp/${conn.connectionId}`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await server.close();
    db.close();
  });

  it('answers requests sent ahead of their answers in order, each after its own outcome', async () => {
    const c = await client();
    c.socket.write(
      Buffer.concat([
        signedPost(1),
        signedPost(2),
        post(body(3), null),
        signedPost(4),
        post(body(5), 'sha256=00'),
      ]),
    );
    await waitFor(() => statuses(c.received()).length === 5, { what: 'five answers' });
    expect(statuses(c.received())).toEqual([200, 200, 401, 200, 401]);
    expect(storedBodies().sort()).toEqual([body(1), body(2), body(4)].sort());
    expect(server.stats.accepted).toBe(3);
    expect(server.stats.badSignature).toBe(2);
  });

  it('hands a GET handshake and a chunked POST to node:http, with the rest of their connection', async () => {
    const c = await client();
    c.socket.write(signedPost(1));
    await waitFor(() => statuses(c.received()).length === 1, { what: 'the first answer' });
    c.socket.write(
      `GET ${path}?hub.mode=subscribe&hub.verify_token=${conn.verifyToken}&hub.challenge=ch4ll3nge HTTP/1.1\r\n` +
        'Host: 127.0.0.1\r\n\r\n',
    );
    await waitFor(() => c.received().endsWith('ch4ll3nge'), { what: 'the challenge echoed' });
    // A chunked body (a reverse proxy may send one): node:http reads it, the same bytes are stored.
    const raw = Buffer.from(body(2));
    const signature = signBody(raw, conn.appSecret);
    c.socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n` +
        `X-Hub-Signature-256: ${signature}\r\n\r\n` +
        `${(20).toString(16)}\r\n${raw.subarray(0, 20).toString('latin1')}\r\n` +
        `${(raw.length - 20).toString(16)}\r\n${raw.subarray(20).toString('latin1')}\r\n0\r\n\r\n`,
    );
    c.socket.write(signedPost(3));
    await waitFor(() => statuses(c.received()).length === 4, { what: 'four answers' });
    expect(statuses(c.received())).toEqual([200, 200, 200, 200]);
    expect(storedBodies().sort()).toEqual([body(1), body(2), body(3)].sort());
    expect(server.stats.handshakesOk).toBe(1);
    expect(c.closed()).toBe(false);
  });

  it('reads a request that arrives a byte at a time', async () => {
    const c = await client();
    const bytes = signedPost(7);
    for (let i = 0; i < bytes.length; i++) {
      c.socket.write(bytes.subarray(i, i + 1));
      // Let some bytes go out on their own so the server sees many small reads.
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => statuses(c.received()).length === 1, { what: 'the answer' });
    expect(statuses(c.received())).toEqual([200]);
    expect(storedBodies()).toEqual([body(7)]);
  });

  it.each([
    ['two Content-Length headers', 'Content-Length: 10\r\n'],
    ['Content-Length beside Transfer-Encoding', 'Transfer-Encoding: chunked\r\n'],
    ['a folded header line', 'X-Note: a\r\n folded\r\n'],
    ['a space before the colon', 'X-Note : a\r\n'],
  ])('refuses %s through node:http and stores nothing', async (_name, extra) => {
    const c = await client();
    c.socket.write(post(body(1), signBody(body(1), conn.appSecret), extra));
    await waitFor(() => c.closed(), { what: 'the connection closed' });
    expect(statuses(c.received())).toEqual([400]);
    // A request that goes through the writer is answered only after its commit: give a stored one time.
    c.socket.destroy();
    const probe = await client();
    probe.socket.write(signedPost(2));
    await waitFor(() => statuses(probe.received()).length === 1, { what: 'the probe answered' });
    expect(storedBodies()).toEqual([body(2)]);
  });

  it('answers a client that half-closes after sending, then closes', async () => {
    const c = await client();
    c.socket.end(Buffer.concat([signedPost(1), signedPost(2)]));
    await waitFor(() => c.closed(), { what: 'the connection closed' });
    expect(statuses(c.received())).toEqual([200, 200]);
    expect(storedBodies().sort()).toEqual([body(1), body(2)].sort());
  });

  it('closes a connection left idle past the keep-alive time, as node:http does', async () => {
    const c = await client();
    c.socket.write(signedPost(1));
    await waitFor(() => statuses(c.received()).length === 1, { what: 'the answer' });
    await waitFor(() => c.closed(), { what: 'the idle connection closed', timeoutMs: 20_000 });
    expect(c.received()).toContain('Keep-Alive: timeout=5');
  }, 30_000);

  it('answers a head that does not finish in time with 408 and closes, as node:http does', async () => {
    const c = await client();
    c.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le`);
    await waitFor(() => c.closed(), { what: 'the slow connection closed', timeoutMs: 25_000 });
    expect(statuses(c.received())).toEqual([408]);
    expect(storedBodies()).toEqual([]);
  }, 30_000);
});
