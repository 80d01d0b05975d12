// Issue 7, the inbox over IPC with customer messages arriving through the simulator's signed webhooks:
// the list is newest first and keyset-paged, filters and search narrow it, opening a thread sends a read
// receipt and zeroes the unread count, close, reopen and bot pause show in the filters; a send interrupted after
// its claim (the app died mid-request) becomes unconfirmed instead of being sent again.
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationView, MessageView } from '../../src-preload/messaging.contract';
import { openMessagingHarness, type MessagingHarness } from '../helpers/messagingHarness';
import { waitFor } from '../helpers/waitFor';

let h: MessagingHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Page = { items: ConversationView[]; nextCursor: string | null };

describe('the inbox', () => {
  it('lists newest first with keyset paging, filters and search; mark-read sends a receipt and zeroes unread', async () => {
    h = await openMessagingHarness();
    const harness = h;
    const phones = ['+14155550201', '+14155550202', '+14155550203'];
    for (const [i, phone] of phones.entries()) {
      h.sim.control.injectInbound({ from: phone, type: 'text', text: { body: `question ${i}` } });
      await waitFor(
        () =>
          (harness.db.prepare('SELECT count(*) AS n FROM conversations').get() as { n: number }).n === i + 1,
        { what: `conversation ${i}` },
      );
    }
    const list = (payload: object) =>
      harness.value<Page>('conversations:list', { connectionId: harness.connectionId, ...payload });

    const first = await list({ limit: 2 });
    expect(first.items.map((c) => c.contact.phone)).toEqual(['+14155550203', '+14155550202']);
    expect(first.items[0]).toMatchObject({
      unreadCount: 1,
      lastMessagePreview: 'question 2',
      status: 'open',
    });
    expect(first.items[0]?.windowEndsAt).toBeGreaterThan(Date.now());
    const second = await list({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((c) => c.contact.phone)).toEqual(['+14155550201']);
    expect(second.nextCursor).toBeNull();
    expect((await list({ search: '0202' })).items.map((c) => c.contact.phone)).toEqual(['+14155550202']);
    expect((await list({ search: 'question 0' })).items).toHaveLength(1);

    const target = first.items[0];
    if (!target) throw new Error('no conversation');
    const read = await h.value<{ conversation: ConversationView; receipt: string }>(
      'conversations:mark-read',
      {
        conversationId: target.id,
      },
    );
    expect(read).toMatchObject({ receipt: 'sent', conversation: { unreadCount: 0 } });
    const receipts = h.sim.ledger
      .requests()
      .filter((r) => r.method === 'POST' && r.path.endsWith('/messages') && r.status === 200);
    expect(receipts).toHaveLength(1);
    expect(h.sim.ledger.messages()).toHaveLength(0);
    expect((await list({ filter: 'unread' })).items).toHaveLength(2);

    await h.value('conversations:set-status', { conversationId: target.id, status: 'closed' });
    await h.value('conversations:set-bot-paused', { conversationId: second.items[0]?.id, paused: true });
    expect((await list({ filter: 'closed' })).items.map((c) => c.id)).toEqual([target.id]);
    expect((await list({ filter: 'open' })).items).toHaveLength(2);
    expect((await list({ filter: 'bot_paused' })).items.map((c) => c.id)).toEqual([second.items[0]?.id]);

    // Reopening puts it back among the open ones, keeping its place (newest first) and its history.
    const reopened = await h.value<ConversationView>('conversations:set-status', {
      conversationId: target.id,
      status: 'open',
    });
    expect(reopened).toMatchObject({ id: target.id, status: 'open', lastMessagePreview: 'question 2' });
    expect((await list({ filter: 'closed' })).items).toHaveLength(0);
    expect((await list({ filter: 'open' })).items.map((c) => c.contact.phone)).toEqual([
      '+14155550203',
      '+14155550202',
      '+14155550201',
    ]);

    const bad = await h.call('conversations:list', { connectionId: h.connectionId, cursor: 'not-a-cursor' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('a send interrupted after its claim is unconfirmed and never sent again; a reply in the window goes out', async () => {
    h = await openMessagingHarness();
    const harness = h;
    h.sim.control.injectInbound({ from: '+14155550301', type: 'text', text: { body: 'hi' } });
    const conversation = await waitFor(
      () => harness.db.prepare('SELECT id FROM conversations').get() as { id: string } | undefined,
      { what: 'the conversation' },
    );
    h.queue.pause('default');
    const interrupted = await h.value<MessageView>('messages:send', {
      connectionId: h.connectionId,
      conversationId: conversation.id,
      clientId: 'interrupted-0001',
      content: { type: 'text', body: 'first' },
    });
    const reply = await h.value<MessageView>('messages:send', {
      connectionId: h.connectionId,
      conversationId: conversation.id,
      clientId: 'after-crash-0001',
      content: { type: 'text', body: 'second' },
    });
    // What a crash between the claim and the answer leaves behind.
    h.db.prepare('UPDATE messages SET send_started_at = ? WHERE id = ?').run(Date.now(), interrupted.id);
    h.queue.resume('default');
    await waitFor(
      () =>
        (harness.db.prepare('SELECT status FROM messages WHERE id = ?').get(reply.id) as { status: string })
          .status === 'read',
      { what: 'the second message to be read' },
    );
    const row = h.db
      .prepare('SELECT status, error_message FROM messages WHERE id = ?')
      .get(interrupted.id) as {
      status: string;
      error_message: string;
    };
    expect(row.status).toBe('unknown');
    expect(row.error_message).toMatch(/not sent again/);
    expect(h.sim.ledger.messages().map((e) => (e.payload.text as { body: string }).body)).toEqual(['second']);
  });
});
