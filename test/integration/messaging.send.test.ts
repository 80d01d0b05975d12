// Issue 7, sending without doubles (seed §5, §6) against the real simulator, real SQLite, the real queue
// and the real webhook path: concurrent TemplateSends from several processes converge on one contact and
// one conversation; one client id is one row and one API call however often it is sent; an unconfirmed
// send (timeout after the simulator accepted it) is never resent and is resolved by the status webhook;
// messages composed while the connection is rate limited, failing or unreachable go out in order; the
// 24 h window and opt-outs are enforced at the send point.
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageView } from '../../src-preload/messaging.contract';
import { exited, nextMessage, useChildren } from '../helpers/childProcess';
import { startSimulator } from '../../src-main/simulator/simulator';
import { openMessagingHarness, type MessagingHarness } from '../helpers/messagingHarness';
import { waitFor } from '../helpers/waitFor';

const orderUpdate = {
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY' as const,
  components: [{ type: 'BODY' as const, text: 'Hi {{1}}, order {{2}} shipped.' }],
};
const template = { name: 'order_update', language: 'en_US', params: { body: ['Ana', '42'] } };

const processes = useChildren();
let h: MessagingHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

function count(harness: MessagingHarness, sql: string, ...params: unknown[]): number {
  return (harness.db.prepare(sql).get(...params) as { n: number }).n;
}

function messageRow(harness: MessagingHarness, id: string) {
  return harness.db
    .prepare('SELECT status, wamid, error_code, error_message FROM messages WHERE id = ?')
    .get(id) as {
    status: string;
    wamid: string | null;
    error_code: number | null;
    error_message: string | null;
  };
}

async function runWorkers(
  harness: MessagingHarness,
  jobs: unknown[],
): Promise<{ messageIds: string[]; errors: string[] }[]> {
  const children = jobs.map((job) =>
    processes.forkTs('templateSendWorker.ts', [harness.file, JSON.stringify(job)]),
  );
  await Promise.all(children.map((c) => nextMessage(c)));
  for (const child of children) child.send('go');
  const reports = await Promise.all(
    children.map((c) => nextMessage<{ messageIds: string[]; errors: string[] }>(c)),
  );
  await Promise.all(children.map((c) => exited(c)));
  return reports;
}

/** A customer message through the simulator's webhook, so the 24 h window is open for that number. */
async function openWindow(harness: MessagingHarness, phone: string): Promise<string> {
  harness.sim.control.injectInbound({ from: phone, type: 'text', text: { body: 'hello' } });
  const row = await waitFor(
    () =>
      harness.db
        .prepare(
          `SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
           WHERE ct.phone_e164 = ? AND c.last_inbound_at IS NOT NULL`,
        )
        .get(phone) as { id: string } | undefined,
    { what: 'the inbound message to open the window' },
  );
  return row.id;
}

describe('the single send point', () => {
  it(
    '100 concurrent TemplateSends to one new number (4 processes, numbers in any format) make one contact, one conversation, 100 messages and 100 jobs, then 100 sends, each once',
    { timeout: 90_000 },
    async () => {
      // Meta paces one recipient at 1 message / 6 s after a burst of 45 (131056, which the app waits out).
      // The simulator's clock runs 60× fast so that pacing takes seconds, not minutes, of this test.
      const start = Date.now();
      h = await openMessagingHarness({
        sim: { templates: [orderUpdate], now: () => start + (Date.now() - start) * 60 },
        startQueue: false,
      });
      const spellings = ['+1 650-555-1234', '(650) 555-1234', '16505551234', '+16505551234'];
      const jobs = spellings.map((phone, p) => ({
        kind: 'to-number',
        connectionId: h?.connectionId,
        phones: Array.from({ length: 25 }, () => phone),
        clientIds: Array.from({ length: 25 }, (_, i) => `ts-${p}-${i}-abcdef`),
        template,
      }));
      const reports = await runWorkers(h, jobs);
      expect(reports.flatMap((r) => r.errors)).toEqual([]);
      expect(new Set(reports.flatMap((r) => r.messageIds)).size).toBe(100);

      expect(count(h, `SELECT count(*) AS n FROM contacts`)).toBe(1);
      expect(
        count(
          h,
          `SELECT count(*) AS n FROM contacts WHERE phone_e164 = '+16505551234' AND source = 'template_send'`,
        ),
      ).toBe(1);
      expect(count(h, `SELECT count(*) AS n FROM conversations WHERE source = 'template_send'`)).toBe(1);
      expect(count(h, `SELECT count(*) AS n FROM conversations`)).toBe(1);
      expect(
        count(h, `SELECT count(*) AS n FROM messages WHERE status = 'pending' AND origin = 'template_send'`),
      ).toBe(100);
      // Every message has its own position in the conversation, and its own send job.
      expect(count(h, `SELECT count(DISTINCT seq) AS n FROM messages WHERE seq BETWEEN 1 AND 100`)).toBe(100);
      expect(count(h, `SELECT outbound_seq AS n FROM conversations`)).toBe(100);
      expect(count(h, `SELECT count(*) AS n FROM jobs WHERE type = 'messages.send'`)).toBe(100);

      // Then the queue sends them: 100 API calls, each client id exactly once, every row sent.
      h.queue.start();
      const harness = h;
      await waitFor(
        () =>
          count(harness, `SELECT count(*) AS n FROM messages WHERE status IN ('sent','delivered','read')`) ===
          100,
        { what: 'all 100 template messages sent', timeoutMs: 60_000 },
      );
      await h.queue.whenIdle();
      const ledger = h.sim.ledger.messages();
      expect(ledger).toHaveLength(100);
      const clientIds = jobs.flatMap((job) => job.clientIds);
      expect(new Set(ledger.map((e) => e.bizOpaqueCallbackData))).toEqual(new Set(clientIds));
      expect(new Set(ledger.map((e) => e.to))).toEqual(new Set(['+16505551234']));
      expect(count(h, `SELECT count(DISTINCT wamid) AS n FROM messages WHERE wamid IS NOT NULL`)).toBe(100);
      expect(count(h, `SELECT count(*) AS n FROM jobs WHERE type = 'messages.send'`)).toBe(0);
    },
  );

  it(
    '50 concurrent sends with one client id (4 processes and 10 IPC calls) are one message row and one API call',
    { timeout: 40_000 },
    async () => {
      h = await openMessagingHarness({ sim: { templates: [orderUpdate] }, startQueue: false });
      const clientId = 'double-click-0001';
      const jobs = Array.from({ length: 4 }, () => ({
        kind: 'send',
        connectionId: h?.connectionId,
        to: '+14155550100',
        clientId,
        count: 10,
        template,
      }));
      const harness = h;
      const [reports, local] = await Promise.all([
        runWorkers(harness, jobs),
        Promise.all(
          Array.from({ length: 10 }, () =>
            harness.value<MessageView>('messages:send', {
              connectionId: harness.connectionId,
              to: '+14155550100',
              clientId,
              content: { type: 'template', template },
            }),
          ),
        ),
      ]);
      expect(reports.flatMap((r) => r.errors)).toEqual([]);
      const ids = new Set([...reports.flatMap((r) => r.messageIds), ...local.map((m) => m.id)]);
      expect(ids.size).toBe(1);
      expect(count(h, 'SELECT count(*) AS n FROM messages')).toBe(1);
      expect(count(h, `SELECT count(*) AS n FROM jobs WHERE type = 'messages.send'`)).toBe(1);

      h.queue.start();
      const [id] = [...ids];
      await waitFor(() => messageRow(harness, id ?? '').status === 'read', {
        what: 'the message to be read',
      });
      // A retry from the UI after it went out still returns the same row and sends nothing.
      const again = await h.value<MessageView>('messages:send', {
        connectionId: h.connectionId,
        to: '+14155550100',
        clientId,
        content: { type: 'template', template },
      });
      expect(again.id).toBe(id);
      await h.queue.whenIdle();
      expect(h.sim.ledger.messages({ bizOpaqueCallbackData: clientId })).toHaveLength(1);
      expect(h.sim.ledger.messages()).toHaveLength(1);
    },
  );

  it(
    'a send whose answer never comes (accepted, then a timeout) is unconfirmed, never resent, and resolved by the status webhook',
    { timeout: 30_000 },
    async () => {
      h = await openMessagingHarness({ sim: { templates: [orderUpdate] }, clientTimeoutMs: 400 });
      const harness = h;
      // Statuses come only after the client has given up, as when Meta is slow.
      h.sim.control.setStatusDelays({ sentMs: 1_500, deliveredMs: 1_700, readMs: null });
      h.sim.control.setFaults({ slowResponseRate: 1, slowResponseMs: 1_200 });
      const { message } = await h.value<{ message: MessageView }>('messages:send-template-to-number', {
        connectionId: h.connectionId,
        phone: '+14155550111',
        template,
        clientId: 'unconfirmed-0001',
      });
      await waitFor(() => messageRow(harness, message.id).status === 'unknown', { what: 'status unknown' });
      expect(messageRow(h, message.id).wamid).toBeNull();
      expect(h.sim.ledger.messages({ bizOpaqueCallbackData: 'unconfirmed-0001' })).toHaveLength(1);
      const thread = await h.value<{ items: MessageView[] }>('conversations:thread', {
        conversationId: message.conversationId,
      });
      expect(thread.items[0]?.status).toBe('unknown');

      h.sim.control.resetFaults();
      await waitFor(() => messageRow(harness, message.id).status === 'delivered', { what: 'delivered' });
      const [entry] = h.sim.ledger.messages({ bizOpaqueCallbackData: 'unconfirmed-0001' });
      expect(messageRow(h, message.id).wamid).toBe(entry?.wamid);
      await h.queue.whenIdle();
      expect(h.sim.ledger.messages()).toHaveLength(1);
      expect(count(h, `SELECT count(*) AS n FROM jobs WHERE type = 'messages.send'`)).toBe(0);
    },
  );

  it(
    'messages composed while the connection is rate limited, then failing with 5xx, wait and go out in composing order',
    { timeout: 30_000 },
    async () => {
      h = await openMessagingHarness({ sim: { templates: [orderUpdate] } });
      const harness = h;
      const conversationId = await openWindow(h, '+14155550122');
      // The next sends meet Meta's app rate limit (code 4, 2 s), then a burst of transient 5xx.
      h.sim.control.injectErrors({
        code: 4,
        count: 1,
        pathSuffix: '/messages',
        headers: { 'retry-after': '2' },
      });
      h.sim.control.injectErrors({ code: 131000, count: 3, pathSuffix: '/messages' });
      const sent: MessageView[] = [];
      for (let i = 0; i < 12; i++) {
        sent.push(
          await h.value<MessageView>('messages:send', {
            connectionId: h.connectionId,
            conversationId,
            clientId: `ordered-${String(i).padStart(4, '0')}`,
            content: { type: 'text', body: `message ${i}` },
          }),
        );
      }
      await waitFor(
        () => sent.every((m) => ['sent', 'delivered', 'read'].includes(messageRow(harness, m.id).status)),
        {
          what: 'all 12 messages sent',
          timeoutMs: 25_000,
        },
      );
      const bodies = h.sim.ledger
        .messages({ type: 'text' })
        .map((e) => (e.payload.text as { body: string }).body);
      expect(bodies).toEqual(Array.from({ length: 12 }, (_, i) => `message ${i}`));
      expect(h.sim.ledger.errorCount(4)).toBe(1);
      expect(h.sim.ledger.errorCount(131000)).toBe(3);
    },
  );

  it(
    'messages composed while WhatsApp is unreachable (connection refused) wait, then go out in composing order, each once',
    { timeout: 40_000 },
    async () => {
      h = await openMessagingHarness({ sim: { templates: [orderUpdate] } });
      const harness = h;
      const conversationId = await openWindow(h, '+14155550123');
      // The network goes: nothing listens on the simulator's port any more, so every call is refused.
      const port = Number(new URL(h.sim.baseUrl).port);
      const identity = {
        appSecret: h.sim.appSecret,
        verifyToken: h.sim.verifyToken,
        accessToken: h.sim.accessToken,
        wabaId: h.sim.wabaId,
        phoneNumberId: h.sim.phoneNumberId,
      };
      await h.sim.close();
      const sent: MessageView[] = [];
      for (let i = 0; i < 8; i++) {
        sent.push(
          await h.value<MessageView>('messages:send', {
            connectionId: h.connectionId,
            conversationId,
            clientId: `offline-${String(i).padStart(4, '0')}`,
            content: {
              type: 'template',
              template: { ...template, params: { body: ['Ana', `offline ${i}`] } },
            },
          }),
        );
      }
      const first = sent[0]?.id ?? '';
      // The first one was tried, refused, and is waiting to try again; none is lost or failed.
      await waitFor(
        () =>
          harness.db
            .prepare(
              `SELECT 1 AS x FROM messages WHERE id = ? AND status = 'pending' AND error_message LIKE ?`,
            )
            .get(first, '%Could not reach WhatsApp%'),
        { what: 'the first send to be refused and rescheduled', timeoutMs: 15_000 },
      );
      expect(sent.map((m) => messageRow(harness, m.id).status)).toEqual(sent.map(() => 'pending'));

      // The connection comes back: the same number on the same address.
      const back = await startSimulator({
        ...identity,
        port,
        templates: [orderUpdate],
        throughputMps: 10_000,
      });
      try {
        back.control.setCallbackUrl(h.webhooks.webhookUrlFor(h.connectionId));
        await waitFor(
          () => sent.every((m) => ['sent', 'delivered', 'read'].includes(messageRow(harness, m.id).status)),
          { what: 'all 8 messages sent after the outage', timeoutMs: 30_000 },
        );
        await h.queue.whenIdle();
        const entries = back.ledger.messages({ type: 'template' });
        expect(entries.map((e) => e.bizOpaqueCallbackData)).toEqual(
          Array.from({ length: 8 }, (_, i) => `offline-${String(i).padStart(4, '0')}`),
        );
        expect(sent.map((m) => messageRow(harness, m.id).wamid)).toEqual(entries.map((e) => e.wamid));
      } finally {
        await back.close();
      }
    },
  );

  it('outside the 24 h window a free-form message is refused up front (a template still goes); opted-out contacts get no template', async () => {
    h = await openMessagingHarness({ sim: { templates: [orderUpdate] } });
    const harness = h;
    const { conversation } = await h.value<{ conversation: { id: string; contact: { id: string } } }>(
      'messages:send-template-to-number',
      {
        connectionId: h.connectionId,
        phone: '4155550133',
        defaultCountry: 'US',
        template,
        clientId: 'first-template-01',
      },
    );
    const text = await h.call('messages:send', {
      connectionId: h.connectionId,
      conversationId: conversation.id,
      clientId: 'free-form-000001',
      content: { type: 'text', body: 'Hi!' },
    });
    expect(text).toMatchObject({ ok: false, error: { code: 'OUTSIDE_24H_WINDOW' } });
    if (!text.ok) expect(text.error.message).toMatch(/template/);

    // A customer message more than 24 h ago does not open it either.
    h.db
      .prepare('UPDATE conversations SET last_inbound_at = ? WHERE id = ?')
      .run(Date.now() - 25 * 3_600_000, conversation.id);
    const late = await h.call('messages:send', {
      connectionId: h.connectionId,
      conversationId: conversation.id,
      clientId: 'free-form-000002',
      content: { type: 'text', body: 'Hi again' },
    });
    expect(late).toMatchObject({ ok: false, error: { code: 'OUTSIDE_24H_WINDOW' } });
    expect(count(h, `SELECT count(*) AS n FROM messages WHERE client_id LIKE 'free-form-%'`)).toBe(0);

    h.db
      .prepare('UPDATE contacts SET opted_out_at = ? WHERE id = ?')
      .run(Date.now(), conversation.contact.id);
    const optedOut = await h.call('messages:send-template-to-number', {
      connectionId: h.connectionId,
      phone: '+14155550133',
      template,
      clientId: 'opted-out-000001',
    });
    expect(optedOut).toMatchObject({ ok: false, error: { code: 'CONTACT_OPTED_OUT' } });
    const badPhone = await h.call('messages:send-template-to-number', {
      connectionId: h.connectionId,
      phone: '12345',
      template,
      clientId: 'bad-phone-000001',
    });
    expect(badPhone).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(count(h, 'SELECT count(*) AS n FROM messages')).toBe(1);
    await waitFor(
      () =>
        count(harness, `SELECT count(*) AS n FROM messages WHERE status IN ('sent','delivered','read')`) ===
        1,
      {
        what: 'the first template to be sent',
      },
    );
  });

  it('a 131047 failure after a 200 is failed with its advice; wrong template variables fail with 132000, and once synced are refused before queueing', async () => {
    h = await openMessagingHarness({ sim: { templates: [orderUpdate] } });
    const harness = h;
    const { conversation } = await h.value<{ conversation: { id: string } }>(
      'messages:send-template-to-number',
      {
        connectionId: h.connectionId,
        phone: '+14155550144',
        template,
        clientId: 'window-template-1',
      },
    );
    const conversationId = conversation.id;
    // Our side believes the window is open; WhatsApp knows the customer never wrote (§3: 131047 arrives
    // as a 200 and then a failed status).
    h.db.prepare('UPDATE conversations SET last_inbound_at = ? WHERE id = ?').run(Date.now(), conversationId);
    const text = await h.value<MessageView>('messages:send', {
      connectionId: h.connectionId,
      conversationId,
      clientId: 'window-text-0001',
      content: { type: 'text', body: 'Are you there?' },
    });
    await waitFor(() => messageRow(harness, text.id).status === 'failed', { what: 'the 131047 failure' });
    expect(messageRow(h, text.id).error_code).toBe(131047);
    let thread = await h.value<{ items: MessageView[] }>('conversations:thread', { conversationId });
    expect(thread.items.find((m) => m.id === text.id)?.advice).toMatch(/send a template instead/);

    const wrongParams = {
      type: 'template',
      template: { name: 'order_update', language: 'en_US', params: { body: ['Ana'] } },
    };
    // Not synced yet: Meta judges the variables (132000) and the message fails with that advice.
    const wrong = await h.value<MessageView>('messages:send', {
      connectionId: h.connectionId,
      conversationId,
      clientId: 'wrong-params-001',
      content: wrongParams,
    });
    await waitFor(() => messageRow(harness, wrong.id).status === 'failed', { what: 'the 132000 failure' });
    expect(messageRow(h, wrong.id).error_code).toBe(132000);
    thread = await h.value<{ items: MessageView[] }>('conversations:thread', { conversationId });
    expect(thread.items.find((m) => m.id === wrong.id)?.advice).toMatch(/variables/);

    await h.value('templates:sync', { connectionId: h.connectionId });
    const refused = await h.call('messages:send', {
      connectionId: h.connectionId,
      conversationId,
      clientId: 'wrong-params-002',
      content: wrongParams,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'TEMPLATE_PARAM_MISMATCH' } });
    expect(count(h, `SELECT count(*) AS n FROM messages WHERE client_id = 'wrong-params-002'`)).toBe(0);
  });
});
