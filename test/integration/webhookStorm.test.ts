// Issue 5's storm: 10,000 webhook events (inbound messages, and statuses for inbox and campaign
// messages), each delivered 3 times, shuffled, from 8 concurrent senders, through the real HTTP intake
// (signature, durable group commit) and the processor. Nothing may be lost or doubled: one message row
// per inbound wamid, every final status equal to the truth, campaign counters equal to the truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src-main/db/ids';
import type { Db } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { createLockRegistry } from '../../src-main/locks/registry';
import { createMemoryLogger } from '../../src-main/log';
import { createConversationsRepo } from '../../src-main/conversations/conversations.repo';
import type { WebhookIntake } from '../../src-main/webhooks/intake';
import type { WebhookServer } from '../../src-main/webhooks/server';
import { createWebhookProcessor } from '../../src-main/webhooks/webhooks.processor';
import {
  inboundText,
  metaSerialize,
  postWebhook,
  seededRandom,
  startTestWebhookServer,
  shuffle,
  statusEvent,
} from '../helpers/metaWebhooks';
import { signBody } from '../../src-main/webhooks/verify';
import { openTempStore, seedConnection, type SeededConnection } from '../helpers/storeFixtures';

const TOTAL_EVENTS = Number(process.env.STORM_EVENTS ?? 10_000);
const COPIES = 3;
const SENDERS = 8;

type Final = 'sent' | 'delivered' | 'read' | 'failed';

interface Truth {
  inboundWamids: Set<string>;
  inboxFinal: Map<string, Final>; // message row id → final status
  campaignFinal: Map<string, Final>; // campaign message id → final status
  campaignCounts: { sent: number; delivered: number; read: number; failed: number };
}

/** Which statuses Meta reports for one message: always sent, then delivered/read, or failed. */
function statusPath(random: () => number): Final[] {
  const r = random();
  if (r < 0.1) return ['sent', 'failed'];
  if (r < 0.35) return ['sent'];
  if (r < 0.65) return ['sent', 'delivered'];
  if (r < 0.8) return ['sent', 'read']; // delivered skipped: read on arrival (§6)
  return ['sent', 'delivered', 'read'];
}

function finalOf(path: Final[]): Final {
  return path.includes('failed') ? 'failed' : path[path.length - 1]!;
}

describe('webhook storm', () => {
  let db: Db;
  let dbFile = '';
  let conn: SeededConnection;
  let server: WebhookServer;
  let intake: WebhookIntake;
  const stored: string[] = [];
  /** The ids of each committed batch: what one processing job carries. */
  const batches: string[][] = [];
  const truth: Truth = {
    inboundWamids: new Set(),
    inboxFinal: new Map(),
    campaignFinal: new Map(),
    campaignCounts: { sent: 0, delivered: 0, read: 0, failed: 0 },
  };
  let campaignId = '';
  const events: string[] = []; // serialized bodies, one per distinct event
  const log = createMemoryLogger();

  beforeAll(async () => {
    ({ db, file: dbFile } = openTempStore());
    conn = seedConnection(db);
    const random = seededRandom(20261128);
    const now = Date.now();
    const repo = createConversationsRepo(db);
    const t0 = Math.floor(now / 1000) - 3600;

    // Outbound inbox messages already sent by the app; some wamids were never learned (timeout after
    // send), so their statuses match by biz_opaque_callback_data only.
    const insertOutbound = db.prepare(
      `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, client_id,
         biz_opaque_callback_data, created_at, updated_at)
       VALUES (?, ?, 'outbound', 'agent', 'text', '{}', ?, ?, ?, ?, ?, ?)`,
    );
    const statusBodies: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < 1200; i++) {
        const phone = `1650555${String(i % 300).padStart(4, '0')}`;
        const contactId = repo.getOrCreateContact({
          workspaceId: conn.workspaceId,
          phoneE164: `+${phone}`,
          waId: phone,
          name: null,
          source: 'manual',
          now,
        });
        const conversationId = repo.getOrCreateConversation(conn.connectionId, contactId, 'manual', now);
        const id = newId();
        const clientId = `client-${i}`;
        const wamid = `wamid.out.${i}`;
        const knowsWamid = random() > 0.1;
        insertOutbound.run(
          id,
          conversationId,
          knowsWamid ? 'accepted' : 'unknown',
          knowsWamid ? wamid : null,
          clientId,
          clientId,
          now,
          now,
        );
        const path = statusPath(random);
        truth.inboxFinal.set(id, finalOf(path));
        path.forEach((status, k) =>
          statusBodies.push(
            metaSerialize(statusEvent(wamid, status, t0 + i + k, { biz_opaque_callback_data: clientId })),
          ),
        );
      }

      // A campaign whose messages were accepted by Meta.
      campaignId = newId();
      db.prepare(
        `INSERT INTO campaigns (id, workspace_id, connection_id, template_name, template_language, name, status, total_count, created_at, updated_at)
         VALUES (?, ?, ?, 'promo', 'en_US', 'Storm', 'running', 1500, ?, ?)`,
      ).run(campaignId, conn.workspaceId, conn.connectionId, now, now);
      const insertRecipient = db.prepare(
        `INSERT INTO campaign_recipients (id, campaign_id, contact_id, phone_e164, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'accepted', ?, ?)`,
      );
      const insertCampaignMessage = db.prepare(
        `INSERT INTO campaign_messages (id, campaign_id, campaign_recipient_id, client_id, biz_opaque_callback_data, wamid, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'accepted', ?, ?)`,
      );
      for (let i = 0; i < 1500; i++) {
        const phone = `1415555${String(i).padStart(4, '0')}`;
        const contactId = repo.getOrCreateContact({
          workspaceId: conn.workspaceId,
          phoneE164: `+${phone}`,
          waId: phone,
          name: null,
          source: 'import',
          now,
        });
        const recipientId = newId();
        insertRecipient.run(recipientId, campaignId, contactId, `+${phone}`, now, now);
        const messageId = newId();
        const wamid = `wamid.camp.${i}`;
        insertCampaignMessage.run(messageId, campaignId, recipientId, `cm-${i}`, `cm-${i}`, wamid, now, now);
        const path = statusPath(random);
        truth.campaignFinal.set(messageId, finalOf(path));
        if (path.includes('sent')) truth.campaignCounts.sent++;
        if (path.includes('delivered') || path.includes('read')) truth.campaignCounts.delivered++;
        if (path.includes('read')) truth.campaignCounts.read++;
        if (path.includes('failed')) truth.campaignCounts.failed++;
        path.forEach((status, k) => statusBodies.push(metaSerialize(statusEvent(wamid, status, t0 + i + k))));
      }
    })();

    // Inbound customer messages fill the rest, with non-ASCII text to exercise Meta's escaping.
    events.push(...statusBodies);
    for (let i = 0; events.length < TOTAL_EVENTS; i++) {
      const from = `4477009${String(i % 700).padStart(5, '0')}`;
      const wamid = `wamid.in.${i}`;
      truth.inboundWamids.add(wamid);
      events.push(
        metaSerialize(
          inboundText(from, wamid, `Olá, quero saber o preço ${i} ✓`, t0 + i, `Cliente ${i % 700}`),
        ),
      );
    }
    expect(events).toHaveLength(TOTAL_EVENTS);

    ({ server, intake } = await startTestWebhookServer(dbFile, conn, log, (ids) => {
      stored.push(...ids);
      batches.push(ids);
    }));
  });

  afterAll(async () => {
    await server?.close();
    db?.close();
  });

  it(
    'stores each delivery durably, then processing converges on the truth',
    { timeout: 300_000 },
    async () => {
      const url = `${server.localUrl}/webhooks/whatsapp/${conn.connectionId}`;
      const deliveries = shuffle(
        events.flatMap((body) => Array.from({ length: COPIES }, () => body)),
        seededRandom(7),
      );
      let next = 0;
      const statuses = new Map<number, number>();
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          while (next < deliveries.length) {
            const body = deliveries[next++]!;
            const res = await postWebhook(url, body, signBody(body, conn.appSecret));
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          }
        }),
      );
      expect(Object.fromEntries(statuses)).toEqual({ 200: TOTAL_EVENTS * COPIES });
      expect(stored).toHaveLength(TOTAL_EVENTS * COPIES);
      const rows = (db.prepare('SELECT count(*) AS n FROM webhook_events').get() as { n: number }).n;
      expect(rows).toBe(TOTAL_EVENTS * COPIES);
      // Group commit really grouped: fewer fsynced transactions than events.
      expect(intake.stats.batches).toBeLessThan(TOTAL_EVENTS * COPIES);

      // Process with 8 concurrent workers, batch by batch in the order they were stored, as the queue
      // runs the batches' jobs: half the workers take a batch together (processAll, one transaction
      // per connection), the other half event by event (process, the path a failed batch falls back
      // to), so both paths race each other over the same locks and rows.
      const processor = createWebhookProcessor({
        db,
        locks: createLockRegistry(),
        events: createEventBus(),
        log,
      });
      let cursor = 0;
      await Promise.all(
        Array.from({ length: 8 }, async (_, worker) => {
          while (cursor < batches.length) {
            const batch = batches[cursor++]!;
            if (worker % 2 === 0) await processor.processAll(batch);
            else for (const id of batch) await processor.process(id);
          }
        }),
      );

      const inbound = db.prepare(`SELECT wamid FROM messages WHERE direction = 'inbound'`).all() as {
        wamid: string;
      }[];
      expect(inbound).toHaveLength(truth.inboundWamids.size);
      expect(new Set(inbound.map((r) => r.wamid))).toEqual(truth.inboundWamids);

      const outbound = db.prepare(`SELECT id, status FROM messages WHERE direction = 'outbound'`).all() as {
        id: string;
        status: string;
      }[];
      const wrongInbox = outbound.filter((r) => r.status !== truth.inboxFinal.get(r.id));
      expect(wrongInbox).toEqual([]);

      const campaignMessages = db.prepare('SELECT id, status FROM campaign_messages').all() as {
        id: string;
        status: string;
      }[];
      expect(campaignMessages.filter((r) => r.status !== truth.campaignFinal.get(r.id))).toEqual([]);
      const counters = db
        .prepare(
          'SELECT sent_count AS sent, delivered_count AS delivered, read_count AS read, failed_count AS failed FROM campaigns WHERE id = ?',
        )
        .get(campaignId);
      expect(counters).toEqual(truth.campaignCounts);

      // Every inbound customer got one contact and one conversation, whatever the duplicates.
      const conversations = db
        .prepare(`SELECT count(*) AS n FROM conversations WHERE source = 'inbound'`)
        .get() as { n: number };
      expect(conversations.n).toBe(700);
      const unread = db
        .prepare(`SELECT sum(unread_count) AS n FROM conversations WHERE source = 'inbound'`)
        .get() as { n: number };
      expect(unread.n).toBe(truth.inboundWamids.size);
      const states = db.prepare('SELECT state, count(*) AS n FROM webhook_events GROUP BY state').all();
      expect(states).toEqual([{ state: 'processed', n: TOTAL_EVENTS * COPIES }]);
    },
  );
});
