// Builders for Meta-shaped webhook bodies (whatsapp-cloud-api.md §6), serialized and signed the way
// Meta does: non-ASCII escaped as \uXXXX (lowercase hex) before the HMAC.
import { request, Agent } from 'node:http';
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

/** A small seeded PRNG (mulberry32) so generated storms are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
