// A real webhook endpoint for simulator tests: answers Meta's GET handshake for one verify token, keeps
// every POST's raw bytes and headers, and answers with a status the test can change (to provoke
// retries). Tests wait on `waitFor`, which re-checks on every delivery instead of sleeping.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  raw: Buffer;
  headers: IncomingHttpHeaders;
  /** Parsed body. */
  json: WebhookBody;
  answeredWith: number;
}

export interface WebhookBody {
  object: string;
  entry: { id: string; time?: number; changes: { field: string; value: Record<string, unknown> }[] }[];
}

export interface StatusItem {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  biz_opaque_callback_data?: string;
  errors?: { code: number; title: string; message: string; error_data?: { details: string } }[];
  pricing?: Record<string, unknown>;
}

export interface WebhookReceiver {
  url: string;
  verifyToken: string;
  received: ReceivedWebhook[];
  handshakes: number;
  /** Status answered to the next POSTs (default 200). */
  respondWith(status: number): void;
  /** Every status item received, in arrival order (duplicates included). */
  statuses(): StatusItem[];
  messages(): Record<string, unknown>[];
  changes(field: string): Record<string, unknown>[];
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(verifyToken = 'receiver-verify-token'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const listeners = new Set<() => void>();
  let status = 200;
  let handshakes = 0;
  const notify = () => {
    for (const l of [...listeners]) l();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver.local');
    if (req.method === 'GET') {
      handshakes += 1;
      const ok =
        url.searchParams.get('hub.mode') === 'subscribe' &&
        url.searchParams.get('hub.verify_token') === verifyToken;
      res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' });
      res.end(ok ? (url.searchParams.get('hub.challenge') ?? '') : 'Forbidden');
      notify();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const answeredWith = status;
      received.push({
        raw,
        headers: req.headers,
        json: JSON.parse(raw.toString('utf8')) as WebhookBody,
        answeredWith,
      });
      res.writeHead(answeredWith);
      res.end();
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const values = (field: string) =>
    received.flatMap((r) =>
      r.json.entry.flatMap((e) => e.changes.filter((c) => c.field === field).map((c) => c.value)),
    );

  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    verifyToken,
    received,
    get handshakes() {
      return handshakes;
    },
    respondWith(next) {
      status = next;
    },
    statuses: () => values('messages').flatMap((v) => (v.statuses as StatusItem[] | undefined) ?? []),
    messages: () =>
      values('messages').flatMap((v) => (v.messages as Record<string, unknown>[] | undefined) ?? []),
    changes: values,
    waitFor(predicate, timeoutMs = 10_000) {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(`Condition not met within ${timeoutMs} ms (${received.length} webhooks received)`),
          );
        }, timeoutMs);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
