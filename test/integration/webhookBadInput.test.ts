// Issue 5's bad input: over 10,000 generated requests — malformed JSON, wrong types, missing fields,
// unknown message types, huge bodies, bad / missing / truncated signatures, a signature over
// re-serialized JSON — against the real intake. No crash, the right status code for each, nothing
// unsigned stored, and every signed event processed or marked unparseable with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { createLockRegistry } from '../../src-main/locks/registry';
import { createMemoryLogger } from '../../src-main/log';
import type { WebhookServer } from '../../src-main/webhooks/server';
import { createWebhookProcessor } from '../../src-main/webhooks/webhooks.processor';
import { signBody } from '../../src-main/webhooks/verify';
import {
  inboundText,
  messagesEnvelope,
  metaSerialize,
  postWebhook,
  seededRandom,
  startTestWebhookServer,
  statusEvent,
} from '../helpers/metaWebhooks';
import { openTempStore, seedConnection, type SeededConnection } from '../helpers/storeFixtures';

interface Case {
  kind: string;
  body: Buffer;
  signature: string | null;
  path?: string;
  expectStatus: number;
  /** Stored (signed) cases: whether processing finds the envelope acceptable. */
  stored?: 'pending' | 'unparseable';
}

const CASES = 10_500;

function generateCases(conn: SeededConnection): Case[] {
  const random = seededRandom(4242);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const secret = conn.appSecret;
  const signed = (raw: string | Buffer): string => signBody(raw, secret);
  const valid = (i: number): string =>
    metaSerialize(inboundText('16505551234', `wamid.bad.${i}`, `héllo ${i} — ✓`, 1_750_000_000 + i));
  const cases: Case[] = [];
  const weird: unknown[] = [
    null,
    0,
    -1,
    1e308,
    '',
    'x'.repeat(300),
    [],
    {},
    true,
    { nested: { deep: [1, 2] } },
  ];

  for (let i = 0; cases.length < CASES; i++) {
    const body = valid(i);
    switch (i % 14) {
      case 0: {
        // Truncated JSON, validly signed: stored as unparseable, answered 200 (else Meta retries for a week).
        const cut = body.slice(0, Math.floor(random() * (body.length - 1)));
        cases.push({
          kind: 'truncated-json',
          body: Buffer.from(cut),
          signature: signed(cut),
          expectStatus: 200,
          stored: 'unparseable',
        });
        break;
      }
      case 1: {
        const bytes = Buffer.from(
          Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)),
        );
        cases.push({
          kind: 'random-bytes',
          body: bytes,
          signature: signed(bytes),
          expectStatus: 200,
          stored: 'unparseable',
        });
        break;
      }
      case 2: {
        // Wrong type at the envelope level.
        const env = JSON.parse(body) as Record<string, unknown>;
        const key = pick(['object', 'entry']);
        env[key] = pick(weird);
        const raw = JSON.stringify(env);
        cases.push({
          kind: `wrong-${key}`,
          body: Buffer.from(raw),
          signature: signed(raw),
          expectStatus: 200,
          stored: 'unparseable',
        });
        break;
      }
      case 3: {
        // Wrong types inside an item: the envelope is fine, the item is reported as a problem.
        const env = messagesEnvelope({
          messages: [
            { from: pick(weird), id: pick([null, 5, '']), timestamp: pick(weird), type: pick(weird) },
          ],
        });
        const raw = metaSerialize(env);
        cases.push({
          kind: 'bad-item',
          body: Buffer.from(raw),
          signature: signed(raw),
          expectStatus: 200,
          stored: 'pending',
        });
        break;
      }
      case 4: {
        // Missing fields in a status.
        const env = statusEvent(`wamid.missing.${i}`, 'delivered', 1_750_000_000);
        const status = (env.entry[0]!.changes[0]!.value as unknown as { statuses: Record<string, unknown>[] })
          .statuses[0]!;
        delete status[pick(['id', 'status', 'timestamp'])];
        const raw = metaSerialize(env);
        cases.push({
          kind: 'status-missing-field',
          body: Buffer.from(raw),
          signature: signed(raw),
          expectStatus: 200,
          stored: 'pending',
        });
        break;
      }
      case 5: {
        // Unknown message type: kept raw, shown as unsupported.
        const env = messagesEnvelope({
          messages: [
            {
              from: '16505550000',
              id: `wamid.unknown.${i}`,
              timestamp: '1750000000',
              type: `hologram_${i % 7}`,
              hologram: { x: 1 },
            },
          ],
        });
        const raw = metaSerialize(env);
        cases.push({
          kind: 'unknown-type',
          body: Buffer.from(raw),
          signature: signed(raw),
          expectStatus: 200,
          stored: 'pending',
        });
        break;
      }
      case 6:
        cases.push({
          kind: 'missing-signature',
          body: Buffer.from(body),
          signature: null,
          expectStatus: 401,
        });
        break;
      case 7: {
        const good = signed(body);
        cases.push({
          kind: 'truncated-signature',
          body: Buffer.from(body),
          signature: good.slice(0, 7 + Math.floor(random() * 63)),
          expectStatus: 401,
        });
        break;
      }
      case 8:
        cases.push({
          kind: 'wrong-secret',
          body: Buffer.from(body),
          signature: signBody(body, `not-${secret}`),
          expectStatus: 401,
        });
        break;
      case 9: {
        // Signed over re-serialized JSON (non-ASCII unescaped): must not verify against the raw bytes.
        const reserialized = JSON.stringify(JSON.parse(body));
        cases.push({
          kind: 'reserialized-signature',
          body: Buffer.from(body),
          signature: signed(reserialized),
          expectStatus: 401,
        });
        break;
      }
      case 10: {
        // A valid signature for another body.
        cases.push({
          kind: 'signature-of-other-body',
          body: Buffer.from(body),
          signature: signed(valid(i + 1)),
          expectStatus: 401,
        });
        break;
      }
      case 11:
        cases.push({
          kind: 'garbage-signature',
          body: Buffer.from(body),
          signature: pick([
            'sha1=abc',
            'sha256=',
            'sha256=zz',
            'SHA256 ' + 'a'.repeat(64),
            'sha256=' + 'g'.repeat(64),
          ]),
          expectStatus: 401,
        });
        break;
      case 12:
        cases.push({
          kind: 'unknown-connection',
          body: Buffer.from(body),
          signature: signed(body),
          path: `/webhooks/whatsapp/nope${i}`,
          expectStatus: 404,
        });
        break;
      case 13:
        cases.push({
          kind: 'other-path',
          body: Buffer.from(body),
          signature: signed(body),
          path: pick(['/', '/ws', '/webhooks', '/webhooks/whatsapp/', '/../etc/passwd']),
          expectStatus: 404,
        });
        break;
    }
  }
  // A few bodies over the limit, signed or not: 413 before anything is read in full or stored.
  for (let i = 0; i < 6; i++) {
    const huge = Buffer.alloc(4 * 1024 * 1024 + 1 + i * 1000, 0x20);
    cases.push({
      kind: 'huge-body',
      body: huge,
      signature: i % 2 ? signBody(huge, secret) : null,
      expectStatus: 413,
    });
  }
  return cases;
}

describe('webhook intake under bad input', () => {
  let db: Db;
  let dbFile = '';
  let conn: SeededConnection;
  let server: WebhookServer;
  const storedIds: string[] = [];
  const log = createMemoryLogger();

  beforeAll(async () => {
    ({ db, file: dbFile } = openTempStore());
    conn = seedConnection(db);
    ({ server } = await startTestWebhookServer(dbFile, conn, log, (ids) => storedIds.push(...ids)));
  });

  afterAll(async () => {
    await server?.close();
    db?.close();
  });

  it(
    'answers every case with the right status, stores only signed ones, and processes them all',
    { timeout: 240_000 },
    async () => {
      const cases = generateCases(conn);
      expect(cases.length).toBeGreaterThanOrEqual(10_000);
      const base = `${server.localUrl}/webhooks/whatsapp/${conn.connectionId}`;
      const wrong: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < cases.length) {
            const c = cases[next++]!;
            const url = c.path ? `${server.localUrl}${c.path}` : base;
            const res = await postWebhook(url, c.body, c.signature).catch((e: Error) => ({
              status: -1,
              body: e.message,
            }));
            // A 413 may also surface as a reset connection once the server stops reading: never a 200.
            const ok = res.status === c.expectStatus || (c.expectStatus === 413 && res.status === -1);
            if (!ok) wrong.push(`${c.kind}: expected ${c.expectStatus}, got ${res.status}`);
          }
        }),
      );
      expect(wrong.slice(0, 10)).toEqual([]);

      const signedCases = cases.filter((c) => c.stored !== undefined);
      const countByState = (): Record<string, number> =>
        Object.fromEntries(
          (
            db.prepare('SELECT state, count(*) AS n FROM webhook_events GROUP BY state').all() as {
              state: string;
              n: number;
            }[]
          ).map((r) => [r.state, r.n]),
        );
      // Every signed body is stored as it came, with its processing job; nothing unsigned is stored.
      expect(countByState()).toEqual({ pending: signedCases.length });
      expect(storedIds.length).toBe(signedCases.length);
      expect(server.stats.badSignature).toBe(cases.filter((c) => c.expectStatus === 401).length);

      const processor = createWebhookProcessor({
        db,
        locks: createLockRegistry(),
        events: createEventBus(),
        log,
      });
      await processor.processAll(storedIds);
      // Processing sorts them: a body that is not a WhatsApp webhook is 'unparseable', with the reason.
      expect(countByState()).toEqual({
        processed: signedCases.filter((c) => c.stored === 'pending').length,
        unparseable: signedCases.filter((c) => c.stored === 'unparseable').length,
      });
      const unparseableReasons = db
        .prepare(`SELECT reason FROM webhook_events WHERE state = 'unparseable'`)
        .all() as { reason: string }[];
      expect(unparseableReasons.every((r) => r.reason.length > 0)).toBe(true);
      const unknownTypes = db
        .prepare(`SELECT count(*) AS n FROM messages WHERE type LIKE 'hologram_%'`)
        .get() as { n: number };
      expect(unknownTypes.n).toBe(cases.filter((c) => c.kind === 'unknown-type').length);
      const withProblems = db
        .prepare(`SELECT count(*) AS n FROM webhook_events WHERE state = 'processed' AND reason IS NOT NULL`)
        .get() as { n: number };
      expect(withProblems.n).toBe(
        cases.filter((c) => c.kind === 'bad-item' || c.kind === 'status-missing-field').length,
      );
    },
  );
});
