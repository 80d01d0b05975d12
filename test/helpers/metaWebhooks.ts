// Builders for Meta-shaped webhook bodies (whatsapp-cloud-api.md §6), serialized and signed the way
// Meta does: non-ASCII escaped as \uXXXX (lowercase hex) before the HMAC.
import { request, Agent } from 'node:http';
import type { Logger } from '../../src-main/log';
import { createPrng } from '../../src-main/simulator/prng';
import { createWebhookIntake, type WebhookIntake } from '../../src-main/webhooks/intake';
import { startWebhookServer, type WebhookServer } from '../../src-main/webhooks/server';
import { signBody } from '../../src-main/webhooks/verify';

export function metaSerialize(payload: unknown): string {
  return JSON.stringify(payload).replace(
    /[\u0080-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

export function messagesEnvelope(
  value: Record<string, unknown>,
  wabaId = '102290129340398',
  phoneNumberId = '106540352242922',
) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

export function inboundText(
  from: string,
  wamid: string,
  body: string,
  timestampSec: number,
  name = 'Customer',
) {
  return messagesEnvelope({
    contacts: [{ profile: { name }, wa_id: from }],
    messages: [{ from, id: wamid, timestamp: String(timestampSec), type: 'text', text: { body } }],
  });
}

export function statusEvent(
  wamid: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  timestampSec: number,
  extra: Record<string, unknown> = {},
) {
  return messagesEnvelope({
    statuses: [
      {
        id: wamid,
        status,
        timestamp: String(timestampSec),
        recipient_id: '16505551234',
        ...(status === 'failed'
          ? {
              errors: [
                {
                  code: 131026,
                  title: 'Message undeliverable',
                  message: 'Message undeliverable',
                  error_data: { details: 'x' },
                },
              ],
            }
          : {}),
        ...extra,
      },
    ],
  });
}

export interface PostResult {
  status: number;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** POSTs raw bytes with a signature header (or a given one, or none). */
export function postWebhook(
  url: string,
  raw: string | Buffer,
  signature: string | null,
  headers: Record<string, string> = {},
): Promise<PostResult> {
  const body = typeof raw === 'string' ? Buffer.from(raw) : raw;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': body.length,
          ...(signature === null ? {} : { 'X-Hub-Signature-256': signature }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function signedPost(url: string, payload: unknown, appSecret: string): Promise<PostResult> {
  const raw = metaSerialize(payload);
  return postWebhook(url, raw, signBody(raw, appSecret));
}

/** Seeded randomness for repeatable storms: the simulator's own PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  const prng = createPrng(seed);
  return () => prng.next();
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The webhook server and intake of a test store, for the one seeded connection. */
export async function startTestWebhookServer(
  dbFile: string,
  conn: { connectionId: string; appSecret: string; verifyToken: string },
  log: Logger,
  onStored: (ids: string[]) => void,
): Promise<{ server: WebhookServer; intake: WebhookIntake; url: string }> {
  const intake = createWebhookIntake({ dbFile, log, onStored });
  const server = await startWebhookServer({
    intake,
    log,
    lookupConnection: (id) =>
      id === conn.connectionId ? { appSecret: conn.appSecret, verifyToken: conn.verifyToken } : undefined,
  });
  return { server, intake, url: `${server.localUrl}/webhooks/whatsapp/${conn.connectionId}` };
}
