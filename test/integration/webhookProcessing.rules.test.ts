// Issue 5, processing rules shown one at a time against the real processor and a real store:
// template status webhooks match a row by normalised language (en-US → en_US) and by numeric id, each
// on its own; `failed` is terminal and reordered statuses only move forward, for inbox and campaign
// messages; and the processor holds the seed design's named locks (seed §locks) around each item.
import { afterEach, describe, expect, it } from 'vitest';
import { createConversationsRepo } from '../../src-main/conversations/conversations.repo';
import { newId } from '../../src-main/db/ids';
import type { Db } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { lockKeys } from '../../src-main/locks/keys';
import { createLockRegistry, type LockRegistry } from '../../src-main/locks/registry';
import { createMemoryLogger } from '../../src-main/log';
import { createWebhookProcessor, type WebhookProcessor } from '../../src-main/webhooks/webhooks.processor';
import { inboundText, metaSerialize, statusEvent } from '../helpers/metaWebhooks';
import { openTempStore, seedConnection, type SeededConnection } from '../helpers/storeFixtures';
import { waitFor } from '../helpers/waitFor';

let db: Db | undefined;
let locks: LockRegistry | undefined;
afterEach(() => {
  locks?.close();
  locks = undefined;
  db?.close();
  db = undefined;
});

interface Fixture {
  db: Db;
  conn: SeededConnection;
  locks: LockRegistry;
  processor: WebhookProcessor;
  /** Stores a raw event as the intake would (pending) and returns its id. */
  store(payload: unknown): string;
  /** Stores and processes one event as the processing job does. */
  deliver(payload: unknown): Promise<void>;
}

function fixture(): Fixture {
  const store = openTempStore();
  db = store.db;
  const conn = seedConnection(store.db);
  locks = createLockRegistry();
  const processor = createWebhookProcessor({
    db: store.db,
    locks,
    events: createEventBus(),
    log: createMemoryLogger(),
  });
  const insert = store.db.prepare(
    `INSERT INTO webhook_events (id, connection_id, received_at, raw_body) VALUES (?, ?, ?, ?)`,
  );
  const storeEvent = (payload: unknown): string => {
    const id = newId();
    insert.run(id, conn.connectionId, Date.now(), Buffer.from(metaSerialize(payload)));
    return id;
  };
  return {
    db: store.db,
    conn,
    locks,
    processor,
    store: storeEvent,
    deliver: (payload) => processor.processAll([storeEvent(payload)]),
  };
}

function templateStatus(conn: SeededConnection, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      { id: conn.wabaId, time: 1_750_000_000, changes: [{ field: 'message_template_status_update', value }] },
    ],
  };
}

function seedTemplate(f: Fixture, name: string, language: string, metaId: string): void {
  const now = Date.now();
  f.db
    .prepare(
      `INSERT INTO templates (id, connection_id, meta_template_id, name, language, category, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'UTILITY', 'APPROVED', ?, ?)`,
    )
    .run(newId(), f.conn.connectionId, metaId, name, language, now, now);
}

const templateRow = (f: Fixture, name: string) =>
  f.db.prepare('SELECT status, rejected_reason FROM templates WHERE name = ?').get(name) as {
    status: string;
    rejected_reason: string | null;
  };

/** A contact of the fixture's workspace, its wa_id the number's digits. */
function seedContact(f: Fixture, phoneE164: string, source: 'manual' | 'import', now: number): string {
  return createConversationsRepo(f.db).getOrCreateContact({
    workspaceId: f.conn.workspaceId,
    phoneE164,
    waId: phoneE164.slice(1),
    name: null,
    source,
    now,
  });
}

/** An outbound inbox message the app sent, with its wamid known. */
function seedOutbound(f: Fixture, wamid: string): string {
  const now = Date.now();
  const contactId = seedContact(f, '+16505551234', 'manual', now);
  const conversationId = createConversationsRepo(f.db).getOrCreateConversation(
    f.conn.connectionId,
    contactId,
    'manual',
    now,
  );
  const id = newId();
  f.db
    .prepare(
      `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, client_id,
         created_at, updated_at)
       VALUES (?, ?, 'outbound', 'agent', 'text', '{}', 'accepted', ?, ?, ?, ?)`,
    )
    .run(id, conversationId, wamid, `client-${wamid}`, now, now);
  return id;
}

/** A campaign of one recipient whose message Meta accepted, with its wamid known. */
function seedCampaignMessage(f: Fixture, wamid: string): { campaignId: string; messageId: string } {
  const now = Date.now();
  const contactId = seedContact(f, '+14155550000', 'import', now);
  const campaignId = newId();
  f.db
    .prepare(
      `INSERT INTO campaigns (id, workspace_id, connection_id, template_name, template_language, name, status, total_count, created_at, updated_at)
       VALUES (?, ?, ?, 'promo', 'en_US', 'One', 'running', 1, ?, ?)`,
    )
    .run(campaignId, f.conn.workspaceId, f.conn.connectionId, now, now);
  const recipientId = newId();
  f.db
    .prepare(
      `INSERT INTO campaign_recipients (id, campaign_id, contact_id, phone_e164, status, created_at, updated_at)
       VALUES (?, ?, ?, '+14155550000', 'accepted', ?, ?)`,
    )
    .run(recipientId, campaignId, contactId, now, now);
  const messageId = newId();
  f.db
    .prepare(
      `INSERT INTO campaign_messages (id, campaign_id, campaign_recipient_id, client_id, biz_opaque_callback_data, wamid, status, created_at, updated_at)
       VALUES (?, ?, ?, 'cm-1', 'cm-1', ?, 'accepted', ?, ?)`,
    )
    .run(messageId, campaignId, recipientId, wamid, now, now);
  return { campaignId, messageId };
}

const messageStatus = (f: Fixture, id: string) =>
  f.db.prepare('SELECT status, error_code FROM messages WHERE id = ?').get(id) as {
    status: string;
    error_code: number | null;
  };

describe('template status webhooks', () => {
  it('match by language spelled with a hyphen (en-US → en_US) when the id does not match', async () => {
    const f = fixture();
    seedTemplate(f, 'order_update', 'en_US', '1111111111');
    seedTemplate(f, 'order_update_pt', 'pt_BR', '2222222222');
    await f.deliver(
      templateStatus(f.conn, {
        event: 'PAUSED',
        message_template_id: 9999999999,
        message_template_name: 'order_update',
        message_template_language: 'en-US',
        reason: null,
      }),
    );
    expect(templateRow(f, 'order_update').status).toBe('PAUSED');
    // Same name, a language no row has, an unknown id: nothing matches, nothing changes.
    await f.deliver(
      templateStatus(f.conn, {
        event: 'REJECTED',
        message_template_id: 9999999998,
        message_template_name: 'order_update',
        message_template_language: 'en-GB',
        reason: 'INVALID_FORMAT',
      }),
    );
    expect(templateRow(f, 'order_update').status).toBe('PAUSED');
    expect(templateRow(f, 'order_update_pt').status).toBe('APPROVED');
  });

  it('match by numeric id when the name and language do not', async () => {
    const f = fixture();
    seedTemplate(f, 'spring_sale', 'en_US', '1234567890123456');
    // Webhooks carry the id as a JSON number (§5); the row keeps the REST string.
    await f.deliver(
      templateStatus(f.conn, {
        event: 'REJECTED',
        message_template_id: 1234567890123456,
        message_template_name: 'spring_sale_renamed',
        message_template_language: 'es-MX',
        reason: 'INCORRECT_CATEGORY',
      }),
    );
    expect(templateRow(f, 'spring_sale')).toEqual({
      status: 'REJECTED',
      rejected_reason: 'INCORRECT_CATEGORY',
    });
  });
});

describe('status order', () => {
  it('failed is terminal: a later delivered or read never overwrites it, for inbox and campaign messages', async () => {
    const f = fixture();
    const inbox = seedOutbound(f, 'wamid.inbox.failed');
    const { campaignId, messageId } = seedCampaignMessage(f, 'wamid.camp.failed');
    const t0 = 1_750_000_000;
    for (const wamid of ['wamid.inbox.failed', 'wamid.camp.failed']) {
      await f.deliver(statusEvent(wamid, 'sent', t0));
      await f.deliver(statusEvent(wamid, 'failed', t0 + 1));
      // Late (and later-stamped) deliveries and reads, each twice, as Meta may send them.
      for (const status of ['delivered', 'read', 'delivered', 'read'] as const) {
        await f.deliver(statusEvent(wamid, status, t0 + 5));
      }
    }
    expect(messageStatus(f, inbox)).toEqual({ status: 'failed', error_code: 131026 });
    expect(f.db.prepare('SELECT status FROM campaign_messages WHERE id = ?').pluck().get(messageId)).toBe(
      'failed',
    );
    // The counters count each state the recipient was ever reported in, once however often it is
    // repeated (campaignStatus.repo.ts: order-independent funnel); the status column stays failed.
    expect(
      f.db
        .prepare('SELECT sent_count, delivered_count, read_count, failed_count FROM campaigns WHERE id = ?')
        .get(campaignId),
    ).toEqual({ sent_count: 1, delivered_count: 1, read_count: 1, failed_count: 1 });
  });

  it('reordered sent, delivered and read only move forward, for inbox and campaign messages', async () => {
    const f = fixture();
    const inbox = seedOutbound(f, 'wamid.inbox.order');
    const { messageId } = seedCampaignMessage(f, 'wamid.camp.order');
    const t0 = 1_750_000_000;
    for (const wamid of ['wamid.inbox.order', 'wamid.camp.order']) {
      await f.deliver(statusEvent(wamid, 'read', t0 + 2));
      await f.deliver(statusEvent(wamid, 'delivered', t0 + 1));
      await f.deliver(statusEvent(wamid, 'sent', t0));
    }
    expect({
      inbox: messageStatus(f, inbox).status,
      campaign: f.db.prepare('SELECT status FROM campaign_messages WHERE id = ?').pluck().get(messageId),
    }).toEqual({ inbox: 'read', campaign: 'read' });
  });
});

describe('seed locks', () => {
  // Per lock the seed design names: hold it from outside, process an event that needs it, see the
  // processing queue up behind the holder and change nothing, then release and see it apply.
  const cases = [
    {
      name: 'webhook_process:connection:{id}',
      key: (f: Fixture) => lockKeys.webhookProcess(f.conn.connectionId),
      payload: () => inboundText('16505550001', 'wamid.lock.conn', 'hi', 1_750_000_000),
      applied: (f: Fixture) =>
        f.db.prepare(`SELECT count(*) FROM messages WHERE wamid = 'wamid.lock.conn'`).pluck().get() === 1,
    },
    {
      name: 'webhook_message:{id}',
      key: () => lockKeys.webhookMessage('wamid.lock.msg'),
      payload: () => inboundText('16505550002', 'wamid.lock.msg', 'hi', 1_750_000_000),
      applied: (f: Fixture) =>
        f.db.prepare(`SELECT count(*) FROM messages WHERE wamid = 'wamid.lock.msg'`).pluck().get() === 1,
    },
    {
      name: 'webhook_status:{id}',
      key: () => lockKeys.webhookStatus('wamid.lock.status'),
      seed: (f: Fixture) => seedOutbound(f, 'wamid.lock.status'),
      payload: () => statusEvent('wamid.lock.status', 'delivered', 1_750_000_000),
      applied: (f: Fixture) =>
        f.db.prepare(`SELECT status FROM messages WHERE wamid = 'wamid.lock.status'`).pluck().get() ===
        'delivered',
    },
    {
      name: 'campaign_status_update:{wamid}',
      key: () => lockKeys.campaignStatusUpdate('wamid.lock.camp'),
      seed: (f: Fixture) => seedCampaignMessage(f, 'wamid.lock.camp'),
      payload: () => statusEvent('wamid.lock.camp', 'delivered', 1_750_000_000),
      applied: (f: Fixture) =>
        f.db.prepare(`SELECT status FROM campaign_messages WHERE wamid = 'wamid.lock.camp'`).pluck().get() ===
        'delivered',
    },
  ];

  it.each(cases)('processing waits for $name', async (c) => {
    const f = fixture();
    c.seed?.(f);
    const spec = c.key(f);
    const held = await f.locks.acquire(spec, { owner: 'the test' });
    if (!held.ok) throw new Error(held.message);
    let settled = false;
    const processing = f.processor.processAll([f.store(c.payload())]).finally(() => {
      settled = true;
    });
    await waitFor(() => (f.locks.holder(spec.key)?.waiting ?? 0) === 1, {
      what: `processing queued behind ${spec.key}`,
    });
    expect(settled).toBe(false);
    expect(c.applied(f)).toBe(false);
    expect(f.locks.release(spec.key, held.token)).toBe(true);
    await processing;
    expect(c.applied(f)).toBe(true);
  });
});
