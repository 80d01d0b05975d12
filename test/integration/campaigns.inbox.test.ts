// A campaign's messages in the inbox (issue 8): the contact's thread shows the campaign message (its text
// as the customer read it, the campaign's name, the ticks the status webhooks moved, a failure's advice)
// in time order with the conversation's own messages, and the customer's reply beside it. Paging over the
// merged thread is stable (every message once, in order, ties on the time included) and index-backed. A
// finished campaign opens a conversation for each recipient WhatsApp took the message of — one per
// contact, even while replies create the same conversations and a second pass runs on another connection.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createCampaignConversations } from '../../src-main/campaigns/campaignConversations';
import { createCampaignConversationsRepo } from '../../src-main/campaigns/campaignConversations.repo';
import { createCampaignsRepo } from '../../src-main/campaigns/campaigns.repo';
import { createConversationsRepo } from '../../src-main/conversations/conversations.repo';
import { newId } from '../../src-main/db/ids';
import type { Db } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { createMemoryLogger } from '../../src-main/log';
import type { CampaignView } from '../../src-preload/campaigns.contract';
import type { ConversationView, MessageView } from '../../src-preload/messaging.contract';
import { campaignDraft, seedContacts } from '../helpers/campaignFixtures';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';
import { waitFor } from '../helpers/waitFor';

let h: CampaignHarness | undefined;
const extraDbs: Database.Database[] = [];
afterEach(async () => {
  for (const db of extraDbs.splice(0)) db.close();
  await h?.close();
  h = undefined;
});

type Thread = { conversation: ConversationView; items: MessageView[]; nextCursor: string | null };

const conversationOf = (c: CampaignHarness, contactId: string) =>
  c.db
    .prepare<[string, string], { id: string; source: string }>(
      'SELECT id, source FROM conversations WHERE connection_id = ? AND contact_id = ?',
    )
    .all(c.connectionId, contactId);

/** How many conversations each contact has on the harness's connection. */
const conversationsPerContact = (c: CampaignHarness) =>
  c.db
    .prepare<[string], { contact_id: string; n: number }>(
      'SELECT contact_id, count(*) AS n FROM conversations WHERE connection_id = ? GROUP BY contact_id',
    )
    .all(c.connectionId);

async function runCampaign(c: CampaignHarness, name: string, audience: unknown): Promise<CampaignView> {
  const campaign = await c.value<CampaignView>(
    'campaigns:create',
    campaignDraft(c.connectionId, name, audience),
  );
  await c.value('campaigns:start', { campaignId: campaign.id });
  return waitFor(
    async () => {
      const v = await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id });
      return v.status === 'completed' ? v : null;
    },
    { timeoutMs: 30_000, what: `campaign ${name} completed` },
  );
}

describe('campaign messages in the inbox', () => {
  it('the thread shows the campaign message in time order with its text, campaign, ticks and the reply; a failure carries its advice', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    const { ids, phones } = seedContacts(c.db, c.workspaceId, 3);
    // Customer 0 wrote before the campaign: its conversation exists already.
    c.sim.control.injectInbound({
      from: phones[0]!.slice(1),
      type: 'text',
      text: { body: 'Opening hours?' },
    });
    await waitFor(() => conversationOf(c, ids[0]!)[0] ?? null, { what: 'the first conversation' });
    c.sim.control.setRecipient(phones[2]!, { undeliverable: true });

    const campaign = await runCampaign(c, 'Spring sale', { kind: 'all' });
    await c.sim.control.settle();
    await waitFor(
      async () => {
        const v = await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id });
        return v.counters.read === 2 && v.counters.failed === 1 ? v : null;
      },
      { timeoutMs: 20_000, what: 'the status webhooks' },
    );
    c.sim.control.injectInbound({
      from: phones[0]!.slice(1),
      type: 'text',
      text: { body: 'Is C0 valid online?' },
    });
    await waitFor(
      async () =>
        (await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id })).counters.replied === 1
          ? true
          : null,
      { what: 'the reply' },
    );

    const conversationId = conversationOf(c, ids[0]!)[0]!.id;
    const thread = await c.value<Thread>('conversations:thread', { conversationId, limit: 50 });
    expect(thread.items.map((m) => [m.origin, m.direction])).toEqual([
      ['customer', 'inbound'],
      ['campaign', 'outbound'],
      ['customer', 'inbound'],
    ]);
    const [reply, sent, first] = thread.items as [MessageView, MessageView, MessageView];
    expect(first.createdAt).toBeLessThanOrEqual(sent.createdAt);
    expect(sent.createdAt).toBeLessThanOrEqual(reply.createdAt);
    expect(sent).toMatchObject({
      conversationId,
      type: 'template',
      status: 'read',
      campaign: { id: campaign.id, name: 'Spring sale' },
      text: 'Hello Customer 0, your spring code is C0.',
      errorCode: null,
    });
    expect(sent.sentAt).not.toBeNull();
    expect(sent.deliveredAt).not.toBeNull();
    expect(sent.readAt).not.toBeNull();
    expect(sent.wamid).toMatch(/^wamid\./);
    expect(reply.body).toMatchObject({ text: { body: 'Is C0 valid online?' } });

    // Customer 1 never wrote: the finished campaign opened its conversation, the message is its preview.
    const opened = await waitFor(
      () => (conversationOf(c, ids[1]!).length === 1 ? conversationOf(c, ids[1]!) : null),
      {
        what: 'the campaign conversation',
      },
    );
    expect(opened[0]!.source).toBe('campaign');
    const list = await c.value<{ items: ConversationView[] }>('conversations:list', {
      connectionId: c.connectionId,
      limit: 50,
    });
    const listed = list.items.find((v) => v.contact.id === ids[1]);
    expect(listed?.lastMessagePreview).toBe('Hello Customer 1, your spring code is C1.');
    expect(listed?.unreadCount).toBe(0);
    // Customer 0's newer reply stays the preview.
    expect(list.items.find((v) => v.contact.id === ids[0])?.lastMessagePreview).toBe('Is C0 valid online?');
    const onlyCampaign = await c.value<Thread>('conversations:thread', {
      conversationId: opened[0]!.id,
      limit: 50,
    });
    expect(onlyCampaign.items.map((m) => m.text)).toEqual(['Hello Customer 1, your spring code is C1.']);

    // Customer 2's number cannot get messages: WhatsApp took the send (so its conversation was opened)
    // and failed it later; the thread shows the failure with Meta's code and the advice.
    const failedConversation = await waitFor(() => conversationOf(c, ids[2]!)[0] ?? null, {
      what: 'the failed recipient’s conversation',
    });
    const failedThread = await c.value<Thread>('conversations:thread', {
      conversationId: failedConversation.id,
      limit: 50,
    });
    const failed = failedThread.items.find((m) => m.campaign !== null);
    expect(failed).toMatchObject({ status: 'failed', errorCode: 131026 });
    expect(failed?.advice).toBeTruthy();
    expect(failed?.failedAt).not.toBeNull();
  });

  it('pages the merged thread with a stable cursor: every message once, newest first, ties on the time included; the campaign side reads through indexes', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    const c = h;
    const { ids } = seedContacts(c.db, c.workspaceId, 1);
    const contactId = ids[0]!;
    const repo = createConversationsRepo(c.db);
    const conversationId = repo.getOrCreateConversation(c.connectionId, contactId, 'inbound', 1_000);
    const templateId = c.db
      .prepare<[string], string>('SELECT id FROM templates WHERE connection_id = ?')
      .pluck()
      .get(c.connectionId)!;
    // 9 inbound messages at t = 10, 20 … 90, and 6 campaign messages at t = 15, 30, 30, 45, 60, 90 (ties
    // with each other and with inbound messages).
    const insertInbound = c.db.prepare(
      `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, created_at, updated_at)
       VALUES (?, ?, 'inbound', 'customer', 'text', ?, 'received', ?, ?, ?)`,
    );
    for (let i = 1; i <= 9; i++) {
      insertInbound.run(
        newId(),
        conversationId,
        JSON.stringify({ text: { body: `m${i}` } }),
        `wamid.in${i}`,
        i * 10,
        i * 10,
      );
    }
    for (const [n, at] of [15, 30, 30, 45, 60, 90].entries()) {
      const campaignId = newId();
      const recipientId = newId();
      c.db
        .prepare(
          `INSERT INTO campaigns (id, workspace_id, connection_id, template_id, template_name, template_language, name,
             status, created_at, updated_at) VALUES (?, ?, ?, ?, 'spring_offer', 'en_US', ?, 'completed', 0, 0)`,
        )
        .run(campaignId, c.workspaceId, c.connectionId, templateId, `Campaign ${n}`);
      c.db
        .prepare(
          `INSERT INTO campaign_recipients (id, campaign_id, contact_id, phone_e164, params, status, created_at, updated_at)
           VALUES (?, ?, ?, '+4915110000000', ?, 'sent', 0, 0)`,
        )
        .run(recipientId, campaignId, contactId, JSON.stringify({ body: ['Ana', `K${n}`] }));
      c.db
        .prepare(
          `INSERT INTO campaign_messages (id, campaign_id, campaign_recipient_id, client_id, status, wamid, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'sent', ?, ?, ?)`,
        )
        .run(newId(), campaignId, recipientId, `campaign:${recipientId}`, `wamid.c${n}`, at, at);
    }
    const full = await c.value<Thread>('conversations:thread', { conversationId, limit: 100 });
    expect(full.items).toHaveLength(15);
    expect(full.nextCursor).toBeNull();
    for (let i = 1; i < full.items.length; i++) {
      const [newer, older] = [full.items[i - 1]!, full.items[i]!];
      expect(
        newer.createdAt > older.createdAt || (newer.createdAt === older.createdAt && newer.id > older.id),
      ).toBe(true);
    }
    expect(new Set(full.items.filter((m) => m.campaign !== null).map((m) => m.text))).toEqual(
      new Set([0, 1, 2, 3, 4, 5].map((n) => `Hello Ana, your spring code is K${n}.`)),
    );
    for (const size of [1, 2, 4, 7]) {
      const seen: string[] = [];
      let cursor: string | null | undefined;
      do {
        const page: Thread = await c.value<Thread>('conversations:thread', {
          conversationId,
          limit: size,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(size);
        seen.push(...page.items.map((m) => m.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen, `page size ${size}`).toEqual(full.items.map((m) => m.id));
    }

    // The campaign side of a page: the contact's recipients by index, each message by its unique key.
    const plan = c.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT cm.id FROM campaign_recipients r
           JOIN campaign_messages cm ON cm.campaign_recipient_id = r.id
           JOIN campaigns k ON k.id = r.campaign_id
           LEFT JOIN templates t ON t.id = k.template_id
         WHERE r.contact_id = ? AND k.connection_id = ?
           AND (? IS NULL OR cm.created_at < ? OR (cm.created_at = ? AND cm.id < ?))
         ORDER BY cm.created_at DESC, cm.id DESC LIMIT 10`,
      )
      .all(contactId, c.connectionId, null, null, null, '') as { detail: string }[];
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toContain('USING INDEX campaign_recipients_contact');
    expect(details).toMatch(/SEARCH cm USING INDEX sqlite_autoindex_campaign_messages_\d/);
    expect(details).not.toMatch(/SCAN (r|cm|k)\b/);
  });

  it('opening the conversations races replies and a second pass on another connection: one conversation per contact', async () => {
    h = await openCampaignHarness({ ratePerSecond: 100, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    const { ids, phones } = seedContacts(c.db, c.workspaceId, 60);
    // The module's own pass is held back (closed) so the race below is between the passes the test starts.
    c.campaigns.conversations.close();
    const campaign = await runCampaign(c, 'Race', { kind: 'all' });
    expect(createCampaignsRepo(c.db).needsConversations(campaign.id)).toBe(true);

    const passOn = (db: Db) =>
      createCampaignConversations({
        db,
        campaigns: createCampaignsRepo(db),
        sends: createCampaignConversationsRepo(db),
        conversations: createConversationsRepo(db),
        events: createEventBus(),
        log: createMemoryLogger(),
        now: Date.now,
        chunkSize: 7,
      });
    const second = new Database(c.file);
    second.pragma('busy_timeout = 10000');
    extraDbs.push(second);
    // Replies from every third customer arrive while both passes run.
    for (let i = 0; i < phones.length; i += 3) {
      c.sim.control.injectInbound({ from: phones[i]!.slice(1), type: 'text', text: { body: `reply ${i}` } });
    }
    await Promise.all([passOn(c.db).open(campaign.id), passOn(second).open(campaign.id)]);
    await c.sim.control.settle();
    await c.queue.whenIdle();

    const perContact = conversationsPerContact(c);
    expect(perContact).toHaveLength(60);
    expect(perContact.every((r) => r.n === 1)).toBe(true);
    expect(new Set(perContact.map((r) => r.contact_id))).toEqual(new Set(ids));
    expect(createCampaignsRepo(c.db).needsConversations(campaign.id)).toBe(false);
    // A replying customer's thread: the campaign message, then the reply.
    const replied = await c.value<Thread>('conversations:thread', {
      conversationId: conversationOf(c, ids[3]!)[0]!.id,
      limit: 10,
    });
    expect(replied.items.map((m) => m.origin)).toEqual(['customer', 'campaign']);
  });

  it('while the campaign sends, each recipient’s conversation appears within seconds of the accepted send, announced to the inbox list, newest first', async () => {
    // 120 recipients at 10/s: about 12 s of sending, so the list can be watched while it runs.
    h = await openCampaignHarness({ ratePerSecond: 10, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    const { ids } = seedContacts(c.db, c.workspaceId, 120);
    const announced = new Set<string>();
    c.events.subscribe((event, payload) => {
      if (event === 'conversations:changed') {
        for (const id of (payload as { conversationIds: string[] }).conversationIds) announced.add(id);
      }
    });
    const campaign = await c.value<CampaignView>(
      'campaigns:create',
      campaignDraft(c.connectionId, 'Live', { kind: 'all' }),
    );
    await c.value('campaigns:start', { campaignId: campaign.id });
    const opened = () =>
      c.db
        .prepare<[string], { id: string; contact_id: string; created_at: number }>(
          `SELECT id, contact_id, created_at FROM conversations WHERE connection_id = ? AND source = 'campaign'`,
        )
        .all(c.connectionId);
    const pendingCount = () =>
      c.db
        .prepare<[string], number>(
          `SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending'`,
        )
        .pluck()
        .get(campaign.id)!;
    // Still sending (recipients left, the campaign running) and at least 20 conversations there already.
    const midway = await waitFor(
      async () => {
        const rows = opened();
        const v = await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id });
        return rows.length >= 20 && v.status === 'running' && pendingCount() > 0 ? rows : null;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'conversations while the campaign runs' },
    );
    expect(midway.every((row) => announced.has(row.id))).toBe(true);
    // Each one soon after WhatsApp took its message (a loose bound: the pass runs every second).
    const acceptedAt = new Map<string, number>(
      c.sim.ledger.messages({ type: 'template' }).map((m) => ['+' + m.waId, m.acceptedAt]),
    );
    const phoneOf = new Map(
      c.db
        .prepare<[string], { id: string; phone_e164: string }>(
          'SELECT id, phone_e164 FROM contacts WHERE workspace_id = ?',
        )
        .all(c.workspaceId)
        .map((r) => [r.id, r.phone_e164] as const),
    );
    for (const row of midway) {
      const sentAt = acceptedAt.get(phoneOf.get(row.contact_id)!);
      expect(sentAt, 'accepted before its conversation opened').toBeDefined();
      expect(row.created_at - sentAt!).toBeLessThan(8_000);
    }
    // The inbox list shows them newest send first, each with its campaign message as the preview.
    const list = await c.value<{ items: ConversationView[] }>('conversations:list', {
      connectionId: c.connectionId,
      limit: 50,
    });
    const listed = list.items.filter((v) => midway.some((row) => row.id === v.id));
    expect(listed.length).toBeGreaterThanOrEqual(Math.min(20, midway.length));
    for (const v of listed) {
      expect(v.lastMessagePreview).toMatch(/^Hello Customer \d+, your spring code is C\d+\.$/);
    }
    const times = listed.map((v) => v.lastMessageAt ?? 0);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    await waitFor(
      async () =>
        (await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id })).status === 'completed' ||
        null,
      { timeoutMs: 60_000, what: 'the campaign to complete' },
    );
    await waitFor(() => !createCampaignsRepo(c.db).needsConversations(campaign.id) || null, {
      what: 'the final pass',
    });
    const perContact = conversationsPerContact(c);
    expect(perContact.every((r) => r.n === 1)).toBe(true);
    expect(new Set(perContact.map((r) => r.contact_id))).toEqual(new Set(ids));
  });

  it('an unconfirmed send the watermark passed gets its conversation once its status webhook resolves it, while the campaign still sends', async () => {
    // 100 recipients at 10/s. The first send's answer is lost (§10: unconfirmed), and its status webhook
    // comes 3 s later: meanwhile the live passes move their watermark past it.
    h = await openCampaignHarness({ ratePerSecond: 10, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    seedContacts(c.db, c.workspaceId, 100);
    c.sim.control.setStatusDelays({ sentMs: 3_000, deliveredMs: 3_100 });
    c.sim.control.setFaults({ resetAfterAcceptRate: 1 });
    const campaign = await c.value<CampaignView>(
      'campaigns:create',
      campaignDraft(c.connectionId, 'Resolved later', { kind: 'all' }),
    );
    await c.value('campaigns:start', { campaignId: campaign.id });
    const unconfirmed = await waitFor(
      () =>
        c.db
          .prepare<[string], { contact_id: string; seq: number }>(
            `SELECT r.contact_id, cm.rowid AS seq FROM campaign_recipients r
               JOIN campaign_messages cm ON cm.campaign_recipient_id = r.id
             WHERE r.campaign_id = ? AND r.status = 'unknown' ORDER BY cm.rowid LIMIT 1`,
          )
          .get(campaign.id) ?? null,
      { timeoutMs: 30_000, intervalMs: 5, what: 'an unconfirmed send' },
    );
    c.sim.control.resetFaults();
    const row = () =>
      c.db
        .prepare<[string, string], { wamid: string | null; through: number }>(
          `SELECT cm.wamid, k.conversations_through AS through FROM campaign_messages cm
             JOIN campaign_recipients r ON r.id = cm.campaign_recipient_id JOIN campaigns k ON k.id = r.campaign_id
           WHERE r.campaign_id = ? AND r.contact_id = ?`,
        )
        .get(campaign.id, unconfirmed.contact_id)!;
    const passed = await waitFor(() => (row().through > unconfirmed.seq ? row() : null), {
      timeoutMs: 30_000,
      intervalMs: 20,
      what: 'the watermark past the unconfirmed send',
    });
    expect(passed.wamid, 'still unresolved when the watermark passed it').toBeNull();
    expect(conversationOf(c, unconfirmed.contact_id)).toEqual([]);
    const { pending } = await waitFor(
      () =>
        conversationOf(c, unconfirmed.contact_id).length > 0
          ? {
              pending: c.db
                .prepare<[string], number>(
                  `SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending'`,
                )
                .pluck()
                .get(campaign.id)!,
            }
          : null,
      { timeoutMs: 60_000, intervalMs: 20, what: 'the resolved send’s conversation' },
    );
    expect(pending, 'opened before the campaign finished').toBeGreaterThan(0);
    expect(row().wamid).toMatch(/^wamid\./);
  });

  it('live passes race replies while the campaign sends, then the final pass and a second pass on another connection: one conversation per contact', async () => {
    h = await openCampaignHarness({ ratePerSecond: 30, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    const { ids, phones } = seedContacts(c.db, c.workspaceId, 90);
    const campaign = await c.value<CampaignView>(
      'campaigns:create',
      campaignDraft(c.connectionId, 'Live race', { kind: 'all' }),
    );
    await c.value('campaigns:start', { campaignId: campaign.id });
    const replied = new Set<number>();
    // Every third customer replies as soon as the campaign reached them, while the live passes run.
    await waitFor(
      () => {
        for (const m of c.sim.ledger.messages({ type: 'template' })) {
          const i = phones.indexOf('+' + m.waId);
          if (i % 3 === 0 && !replied.has(i)) {
            replied.add(i);
            c.sim.control.injectInbound({ from: m.waId, type: 'text', text: { body: `reply ${i}` } });
          }
        }
        return replied.size === 30 || null;
      },
      { timeoutMs: 60_000, intervalMs: 20, what: 'the replies' },
    );
    const second = new Database(c.file);
    second.pragma('busy_timeout = 10000');
    extraDbs.push(second);
    const otherPass = createCampaignConversations({
      db: second,
      campaigns: createCampaignsRepo(second),
      sends: createCampaignConversationsRepo(second),
      conversations: createConversationsRepo(second),
      events: createEventBus(),
      log: createMemoryLogger(),
      now: Date.now,
      chunkSize: 7,
    });
    await waitFor(
      async () =>
        (await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id })).status === 'completed' ||
        null,
      { timeoutMs: 60_000, what: 'the campaign to complete' },
    );
    await Promise.all([otherPass.open(campaign.id), c.campaigns.conversations.open(campaign.id)]);
    await c.sim.control.settle();
    await c.queue.whenIdle();
    await waitFor(() => !createCampaignsRepo(c.db).needsConversations(campaign.id) || null, {
      what: 'the final pass',
    });
    const perContact = conversationsPerContact(c);
    expect(perContact.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Set(perContact.map((r) => r.contact_id))).toEqual(new Set(ids));
    // A replying customer's one conversation holds both: the campaign message and the reply.
    const thread = await c.value<Thread>('conversations:thread', {
      conversationId: conversationOf(c, ids[0]!)[0]!.id,
      limit: 10,
    });
    expect(thread.items.map((m) => m.origin).sort()).toEqual(['campaign', 'customer']);
  });

  it('a pass a crash cut short is finished at start-up (resume); a reopen of the campaign clears the mark for the next finish', async () => {
    h = await openCampaignHarness({ ratePerSecond: 100, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    const { ids } = seedContacts(c.db, c.workspaceId, 12);
    const campaign = await runCampaign(c, 'Resumed', { kind: 'all' });
    const repo = createCampaignsRepo(c.db);
    await waitFor(() => !repo.needsConversations(campaign.id) || null, { what: 'the first pass' });
    // The state after a crash between chunks: some conversations written, the campaign not marked.
    c.db.prepare('UPDATE campaigns SET conversations_opened_at = NULL WHERE id = ?').run(campaign.id);
    c.db
      .prepare(`DELETE FROM conversations WHERE connection_id = ? AND contact_id IN (?, ?, ?, ?, ?)`)
      .run(c.connectionId, ...ids.slice(0, 5));
    expect(repo.conversationsToOpen()).toEqual([campaign.id]);
    await c.campaigns.conversations.resume();
    expect(repo.conversationsToOpen()).toEqual([]);
    expect(ids.every((id) => conversationOf(c, id).length === 1)).toBe(true);

    // A reopen (resend of unconfirmed sends) runs the campaign again: the next finish opens again.
    expect(repo.reopen(campaign.id, Date.now())).toBe(true);
    expect(repo.needsConversations(campaign.id)).toBe(false);
    expect(
      c.db.prepare('SELECT conversations_opened_at FROM campaigns WHERE id = ?').pluck().get(campaign.id),
    ).toBeNull();
  });
});
