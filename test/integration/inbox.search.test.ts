// Issue 7, the inbox's additions over IPC with customer messages arriving through the simulator's signed
// webhooks: full-text search finds text, captions, reply titles and template text (kept in step by the
// triggers of migration 0006, also for rows written before it), a thread opens around a hit, quick
// replies are saved per workspace with unique shortcuts, an attachment is uploaded in chunks, sent by
// media id once per client id, and kept for the thread; a bot handoff shows on the conversation until
// the bot is resumed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadState } from '../../src-preload/contacts.contract';
import type { MessageSearchHit, QuickReply, StoredMedia } from '../../src-preload/inbox.contract';
import type { ConversationView, MessageView } from '../../src-preload/messaging.contract';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { inboxSearch } from '../../src-main/db/migrations/0007-inbox-search';
import { openDatabase } from '../../src-main/db/open';
import { ftsQueryOf } from '../../src-main/conversations/inbox.service';
import { openMessagingHarness, type MessagingHarness } from '../helpers/messagingHarness';
import { seedConnection } from '../helpers/storeFixtures';
import { waitFor } from '../helpers/waitFor';

const orderUpdate = {
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY' as const,
  components: [{ type: 'BODY' as const, text: 'Hi {{1}}, your parcel {{2}} shipped.' }],
};

let h: MessagingHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Thread = {
  conversation: ConversationView;
  items: MessageView[];
  nextCursor: string | null;
  hasNewer: boolean;
};

async function inbound(harness: MessagingHarness, count: number): Promise<void> {
  await waitFor(
    () =>
      (
        harness.db.prepare(`SELECT count(*) AS n FROM messages WHERE direction = 'inbound'`).get() as {
          n: number;
        }
      ).n === count,
    { what: `${count} inbound messages stored` },
  );
}

describe('inbox search, quick replies, attachments', () => {
  it('finds text, captions, reply titles and template text, newest first, and opens the thread around a hit', async () => {
    h = await openMessagingHarness({ sim: { templates: [orderUpdate] } });
    const harness = h;
    await h.value('templates:sync', { connectionId: h.connectionId });
    const from = '+14155550301';
    h.sim.control.injectInbound({ from, type: 'text', text: { body: 'Where is my Crème brûlée order?' } });
    await inbound(h, 1);
    h.sim.control.injectInbound({ from, type: 'image', image: { caption: 'photo of the damaged box' } });
    await inbound(h, 2);
    h.sim.control.injectInbound({
      from,
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Refund please' } },
    });
    await inbound(h, 3);
    for (let i = 0; i < 30; i++) {
      h.sim.control.injectInbound({ from: '+14155550302', type: 'text', text: { body: `filler ${i}` } });
    }
    await inbound(h, 33);
    const [conversation] = (
      await h.value<{ items: ConversationView[] }>('conversations:list', {
        connectionId: h.connectionId,
        search: '0301',
      })
    ).items;
    if (!conversation) throw new Error('no conversation');
    const sent = await h.value<MessageView>('messages:send', {
      connectionId: h.connectionId,
      conversationId: conversation.id,
      clientId: 'search-template-1',
      content: {
        type: 'template',
        template: { name: 'order_update', language: 'en_US', params: { body: ['Ana', 'PX-77'] } },
      },
    });
    const search = async (query: string) =>
      (
        await harness.value<{ hits: MessageSearchHit[] }>('messages:search', {
          query,
          connectionId: harness.connectionId,
        })
      ).hits;

    // Diacritics folded, prefix matched, every word required.
    const [creme] = await search('creme brul');
    expect(creme).toMatchObject({
      conversationId: conversation.id,
      direction: 'inbound',
      contact: { phone: from },
    });
    expect(creme?.snippet).toContain('\u0002Crème\u0003');
    expect(await search('creme refund')).toEqual([]);
    expect((await search('damaged'))[0]?.snippet).toContain('damaged');
    expect(await search('refund')).toHaveLength(1);
    // The template's synced body text and its variables.
    expect((await search('parcel px')).map((x) => x.messageId)).toEqual([sent.id]);
    // FTS syntax typed by a user is plain words, never a query error.
    expect(await search('NEAR(" * ^ OR')).toEqual([]);
    expect(ftsQueryOf('"; DROP')).toBe('"DROP"*');
    expect(ftsQueryOf('  !!! ')).toBeNull();
    // Newest first.
    const fillers = await search('filler');
    expect(fillers).toHaveLength(30);
    expect(fillers.map((x) => x.createdAt)).toEqual(
      [...fillers.map((x) => x.createdAt)].sort((a, b) => b - a),
    );

    // Jump to a hit in a long thread: the hit, newer messages up to half the page, older ones after.
    const hit = fillers[20];
    if (!hit) throw new Error('no hit');
    const around = await h.value<Thread>('conversations:thread', {
      conversationId: hit.conversationId,
      aroundMessageId: hit.messageId,
      limit: 10,
    });
    const ids = around.items.map((m) => m.id);
    expect(ids).toContain(hit.messageId);
    expect(ids.indexOf(hit.messageId)).toBe(5);
    expect(around.hasNewer).toBe(true);
    expect(around.nextCursor).not.toBeNull();
    const older = await h.value<Thread>('conversations:thread', {
      conversationId: hit.conversationId,
      cursor: around.nextCursor,
      limit: 100,
    });
    expect(older.items).toHaveLength(30 - 10 - (20 - 5));
    const missing = await h.call('conversations:thread', {
      conversationId: conversation.id,
      aroundMessageId: hit.messageId,
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // Deleting a conversation takes its messages out of the index.
    h.db.prepare('DELETE FROM conversations WHERE id = ?').run(hit.conversationId);
    expect(await search('filler')).toEqual([]);
  });

  it('indexes messages stored before migration 0007 (the backfill)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bellhop-fts-backfill-'));
    const db = openDatabase(join(dir, 'bellhop.sqlite'));
    try {
      // The version before inbox-search, literally (the migrations guard looks for it); renumbering the
      // migration must update it, which the first assertion says.
      expect(inboxSearch.version - 1).toBe(6);
      migrate(db, migrations, { toVersion: 6 });
      const { connectionId, workspaceId } = seedConnection(db);
      const now = Date.now();
      db.prepare(
        `INSERT INTO contacts (id, workspace_id, phone_e164, source, created_at, updated_at)
         VALUES ('p', ?, '+14155550999', 'inbound', ?, ?)`,
      ).run(workspaceId, now, now);
      db.prepare(
        `INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at)
         VALUES ('c', ?, 'p', 'inbound', ?, ?)`,
      ).run(connectionId, now, now);
      db.prepare(
        `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, created_at, updated_at)
         VALUES ('m', 'c', 'inbound', 'customer', 'text', ?, 'received', 'wamid.1', ?, ?)`,
      ).run(JSON.stringify({ type: 'text', text: { body: 'backfilled words' } }), now, now);
      migrate(db, migrations);
      const match = (q: string) =>
        db
          .prepare(
            'SELECT m.id FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH ?',
          )
          .all(q);
      expect(match('"backfill"*')).toEqual([{ id: 'm' }]);
      // And the triggers keep it in step from now on.
      db.prepare('DELETE FROM messages WHERE id = ?').run('m');
      expect(match('"backfill"*')).toEqual([]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quick replies: saved per workspace, shortcuts unique and normalised, bad input changes nothing', async () => {
    h = await openMessagingHarness();
    const saved = await h.value<QuickReply>('quickReplies:save', {
      shortcut: '/Hours',
      text: 'We open 9–17.',
    });
    expect(saved).toMatchObject({ shortcut: 'hours', text: 'We open 9–17.' });
    const clash = await h.call('quickReplies:save', { shortcut: 'hours', text: 'other' });
    expect(clash).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const bad = await h.call('quickReplies:save', { shortcut: 'two words', text: 'x' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const other = await h.value<QuickReply>('quickReplies:save', { shortcut: 'address', text: 'Main St 1' });
    const renameClash = await h.call('quickReplies:save', {
      id: other.id,
      shortcut: 'hours',
      text: 'Main St 1',
    });
    expect(renameClash).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await h.value('quickReplies:save', { id: other.id, shortcut: 'addr', text: 'Main St 2' });
    const list = await h.value<QuickReply[]>('quickReplies:list', {});
    expect(list.map((q) => [q.shortcut, q.text])).toEqual([
      ['addr', 'Main St 2'],
      ['hours', 'We open 9–17.'],
    ]);
    expect(await h.value('quickReplies:delete', { id: saved.id })).toEqual({ deleted: true });
    expect(await h.value('quickReplies:delete', { id: saved.id })).toEqual({ deleted: false });
    expect(await h.value<QuickReply[]>('quickReplies:list', {})).toHaveLength(1);
  });

  it('an attachment is uploaded in chunks, sent by media id once per client id, and kept for the thread', async () => {
    h = await openMessagingHarness();
    const harness = h;
    h.sim.control.injectInbound({
      from: '+14155550401',
      type: 'text',
      text: { body: 'send me the invoice' },
    });
    await inbound(h, 1);
    const conversationId = (h.db.prepare('SELECT id FROM conversations').get() as { id: string }).id;
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1_500_000, 7)]);

    const refused = await h.call('media:upload-begin', {
      fileName: 'x.exe',
      mimeType: 'application/x-msdownload',
      size: 10,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const tooBig = await h.call('media:upload-begin', {
      fileName: 'a.png',
      mimeType: 'image/png',
      size: 6 * 1024 * 1024,
    });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const begun = await h.value<UploadState>('media:upload-begin', {
      fileName: 'invoice.pdf',
      mimeType: 'application/pdf',
      size: pdf.length,
    });
    const chunk = 1024 * 1024;
    for (let offset = 0; offset < pdf.length; offset += chunk) {
      await h.value('media:upload-chunk', {
        uploadId: begun.uploadId,
        offset,
        data: pdf.subarray(offset, offset + chunk).toString('base64'),
      });
    }
    const request = {
      connectionId: h.connectionId,
      conversationId,
      clientId: 'attach-0001',
      uploadId: begun.uploadId,
      caption: 'Your invoice',
    };
    // A double click: both calls share one upload and one message.
    const [a, b] = await Promise.all([
      h.value<MessageView>('messages:send-media', request),
      h.value<MessageView>('messages:send-media', request),
    ]);
    expect(a.id).toBe(b.id);
    expect(a.type).toBe('document');
    expect(a.mediaPath).not.toBeNull();
    const again = await h.value<MessageView>('messages:send-media', request);
    expect(again.id).toBe(a.id);
    await waitFor(() => harness.sim.ledger.messages({ type: 'document' }).length === 1, {
      what: 'the document sent',
    });
    await h.queue.whenIdle();
    const uploads = h.sim.ledger.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/media'));
    expect(uploads).toHaveLength(1);
    const [entry] = h.sim.ledger.messages({ type: 'document' });
    expect(entry?.payload.document).toMatchObject({ caption: 'Your invoice', filename: 'invoice.pdf' });
    const stored = await h.value<StoredMedia>('messages:media', { messageId: a.id });
    expect(stored.mimeType).toBe('application/pdf');
    expect(Buffer.from(stored.data, 'base64').equals(pdf)).toBe(true);
    // The upload is consumed: sending it again under a new client id is refused.
    const reused = await h.call('messages:send-media', { ...request, clientId: 'attach-0002' });
    expect(reused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('a waiting handoff shows on the conversation until the bot is resumed', async () => {
    h = await openMessagingHarness();
    h.sim.control.injectInbound({ from: '+14155550501', type: 'text', text: { body: 'human please' } });
    await inbound(h, 1);
    const conversationId = (h.db.prepare('SELECT id FROM conversations').get() as { id: string }).id;
    const at = Date.now();
    h.db
      .prepare(
        `INSERT INTO chatbot_conversation_state (conversation_id, handoff_requested_at, updated_at) VALUES (?, ?, ?)`,
      )
      .run(conversationId, at, at);
    h.db.prepare('UPDATE conversations SET bot_paused = 1 WHERE id = ?').run(conversationId);
    const list = await h.value<{ items: ConversationView[] }>('conversations:list', {
      connectionId: h.connectionId,
    });
    expect(list.items[0]).toMatchObject({ handoffRequestedAt: at, botPaused: true });
    const resumed = await h.value<ConversationView>('conversations:set-bot-paused', {
      conversationId,
      paused: false,
    });
    expect(resumed).toMatchObject({ handoffRequestedAt: null, botPaused: false });
  });
});
