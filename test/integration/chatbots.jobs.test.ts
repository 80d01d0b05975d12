// The `chatbots.reply` job end to end over real parts: the simulator delivers signed webhooks to the
// real webhook server, the processor stores the message and (through onInboundStored, as the core wires
// it) enqueues the job, the job decides and sends through the single send point, and the send job calls
// the simulator, whose ledger is the truth about what reached customers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfirmations } from '../../src-main/chatbots/chatbots.compliance';
import { createChatbotsService } from '../../src-main/chatbots/chatbots.service';
import {
  botReplyJobType,
  enqueueBotReply,
  registerChatbotJobs,
  type ChatbotJobs,
} from '../../src-main/chatbots/chatbots.jobs';
import { AppError } from '../../src-main/ipc/errors';
import { createMemoryLogger } from '../../src-main/log';
import type { JobQueue } from '../../src-main/queue/runner';
import { openMessagingHarness, type MessagingHarness } from '../helpers/messagingHarness';
import { messagesEnvelope, signedPost } from '../helpers/metaWebhooks';

const thanksTemplate = {
  name: 'thanks_again',
  language: 'en_US',
  category: 'MARKETING' as const,
  components: [{ type: 'BODY' as const, text: 'Thanks for shopping with us.' }],
};

let h: MessagingHarness;
let jobs: ChatbotJobs;
let botId = '';
let phoneSeq = 0;

/** A fresh customer per test, so conversations and their rate limits do not mix. */
function newCustomer(): { e164: string; waId: string } {
  phoneSeq += 1;
  const waId = `1650555${String(1000 + phoneSeq)}`;
  return { e164: `+${waId}`, waId };
}

function say(customer: { e164: string }, body: string): string {
  return h.sim.control.injectInbound({ from: customer.e164, type: 'text', text: { body } }).wamid;
}

/** What reached this customer at "Meta". */
function delivered(customer: { waId: string }) {
  return h.sim.ledger.messages({ waId: customer.waId });
}

function conversationOf(customer: { e164: string }): string | undefined {
  return h.db
    .prepare<[string], { id: string }>(
      `SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone_e164 = ?`,
    )
    .get(customer.e164)?.id;
}

function messageIdOf(wamid: string): string | undefined {
  return h.db
    .prepare<[string], { id: string }>(`SELECT id FROM messages WHERE wamid = ? AND direction = 'inbound'`)
    .get(wamid)?.id;
}

function runOf(wamid: string) {
  const id = messageIdOf(wamid);
  return id === undefined ? null : jobs.runFor(id);
}

function botRows(conversationId: string): number {
  return (
    h.db
      .prepare<[string], { n: number }>(
        `SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND origin = 'bot'`,
      )
      .get(conversationId)?.n ?? -1
  );
}

function contactRow(customer: { e164: string }) {
  return h.db
    .prepare<[string], { opted_out_at: number | null; opted_out_reason: string | null; tags: string }>(
      'SELECT opted_out_at, opted_out_reason, tags FROM contacts WHERE phone_e164 = ?',
    )
    .get(customer.e164);
}

/** Every job finished and every send reached the simulator (or failed): nothing more can arrive. */
async function settled(): Promise<void> {
  await h.queue.whenIdle();
  await h.sim.control.settle();
  await h.queue.whenIdle();
}

beforeAll(async () => {
  // The hook is built before the harness returns its queue; it only runs once webhooks arrive.
  const wiring: { queue?: JobQueue } = {};
  h = await openMessagingHarness({
    sim: { templates: [thanksTemplate] },
    startQueue: false,
    // Exactly the hook the core must pass to the webhook module.
    onInboundStored: (message) => {
      if (wiring.queue) enqueueBotReply(wiring.queue, message);
    },
  });
  wiring.queue = h.queue;
  jobs = registerChatbotJobs({
    db: h.db,
    queue: h.queue,
    limiter: h.limiter,
    events: h.events,
    log: createMemoryLogger(),
    messages: h.messaging.messages,
  });
  h.queue.start();
  const bots = createChatbotsService({ db: h.db });
  const bot = bots.createBot({
    workspaceId: h.workspaceId,
    connectionId: h.connectionId,
    name: 'Shop bot',
    enabled: true,
    rules: [
      {
        name: 'Menu',
        enabled: true,
        trigger: { type: 'keyword', match: 'exact', keywords: ['menu'] },
        actions: [
          {
            type: 'reply_buttons',
            body: 'How can we help?',
            buttons: [
              { id: 'hours', title: 'Opening hours' },
              { id: 'agent', title: 'Talk to a person' },
            ],
          },
          { type: 'add_tag', tag: 'saw-menu' },
        ],
      },
      {
        name: 'Human',
        enabled: true,
        trigger: { type: 'keyword', match: 'exact', keywords: ['agent'] },
        actions: [
          { type: 'reply_text', text: 'A person will answer you shortly.' },
          { type: 'handoff', note: 'Customer asked for a person' },
        ],
      },
      {
        name: 'Fallback',
        enabled: true,
        trigger: { type: 'fallback' },
        actions: [{ type: 'reply_text', text: 'Thanks! Type menu to see what we can do.' }],
      },
    ],
  });
  botId = bot.id;
}, 20_000);

afterAll(async () => {
  await h?.close();
});

describe('chatbots.reply', () => {
  it('registers on the chatbots queue and the bot exists', () => {
    expect(botId).not.toBe('');
    const job = h.queue.enqueue(botReplyJobType, { messageId: 'no-such-message' });
    expect(job.created).toBe(true);
    expect(() => h.queue.enqueue(botReplyJobType, { messageId: '' })).toThrow(/Invalid payload/);
  });

  it('the same inbound delivered 3 times (concurrently) gets one bot reply', async () => {
    const customer = newCustomer();
    const wamid = `wamid.dup.${Date.now()}`;
    const body = messagesEnvelope(
      {
        contacts: [{ profile: { name: 'Ana' }, wa_id: customer.waId }],
        messages: [
          {
            from: customer.waId,
            id: wamid,
            timestamp: String(Math.floor(Date.now() / 1000)),
            type: 'text',
            text: { body: 'menu' },
          },
        ],
      },
      h.sim.wabaId,
      h.sim.phoneNumberId,
    );
    const url = h.webhooks.webhookUrlFor(h.connectionId);
    const posts = await Promise.all([1, 2, 3].map(() => signedPost(url, body, h.sim.appSecret)));
    expect(posts.map((post) => post.status)).toEqual([200, 200, 200]);

    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(1);
    await settled();
    const sent = delivered(customer);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.type).toBe('interactive');
    const conversationId = conversationOf(customer)!;
    expect(botRows(conversationId)).toBe(1);
    expect(jobs.runsOfConversation(conversationId)).toHaveLength(1);
    expect(runOf(wamid)).toMatchObject({ outcome: 'rule', messagesSent: 1, problems: [] });
    expect(JSON.parse(contactRow(customer)!.tags)).toEqual(['saw-menu']);
  });

  it('20 customer messages in one minute get at most 5 bot replies; the rest are recorded as rate limited', async () => {
    const customer = newCustomer();
    const wamids = Array.from({ length: 20 }, (_, i) => say(customer, `hello ${i + 1}`));
    await expect
      .poll(() => wamids.filter((wamid) => runOf(wamid) !== null).length, { timeout: 15_000 })
      .toBe(20);
    await settled();
    const replies = delivered(customer).length;
    expect(replies).toBeGreaterThanOrEqual(1);
    expect(replies).toBeLessThanOrEqual(5);
    const runs = wamids.map((wamid) => runOf(wamid)!);
    const limited = runs.filter((run) => run.outcome === 'silent' && run.silentReason === 'rate_limited');
    const answered = runs.filter((run) => run.outcome === 'rule' && run.messagesSent === 1);
    expect(answered.length).toBe(replies);
    expect(limited.length).toBe(20 - replies);
    expect(botRows(conversationOf(customer)!)).toBe(replies);
  });

  it('a handoff pauses the bot for that conversation until an agent resumes it', async () => {
    const customer = newCustomer();
    const handoff = say(customer, 'agent');
    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(1);
    const conversationId = conversationOf(customer)!;
    await expect.poll(() => runOf(handoff)?.outcome).toBe('rule');
    expect(
      h.db
        .prepare<[string], { bot_paused: number }>('SELECT bot_paused FROM conversations WHERE id = ?')
        .get(conversationId)?.bot_paused,
    ).toBe(1);
    expect(
      h.db
        .prepare<[string], { handoff_note: string | null }>(
          'SELECT handoff_note FROM chatbot_conversation_state WHERE conversation_id = ?',
        )
        .get(conversationId)?.handoff_note,
    ).toBe('Customer asked for a person');

    const ignored = say(customer, 'hello?');
    await expect.poll(() => runOf(ignored)?.silentReason, { timeout: 10_000 }).toBe('bot_paused');
    await settled();
    expect(delivered(customer)).toHaveLength(1);

    h.messaging.conversations.setBotPaused(conversationId, false);
    const resumed = say(customer, 'hello again');
    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(2);
    expect(runOf(resumed)).toMatchObject({ outcome: 'rule', messagesSent: 1 });
    expect(delivered(customer)[1]!.payload).toMatchObject({
      type: 'text',
      text: { body: 'Thanks! Type menu to see what we can do.' },
    });
  });

  it('STOP opts the contact out and confirms once; templates are then refused; START opts back in', async () => {
    const customer = newCustomer();
    say(customer, 'hi');
    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(1);
    const conversationId = conversationOf(customer)!;

    // Two opt-out words racing: one opt-out, one confirmation.
    const stops = [say(customer, 'STOP'), say(customer, 'unsubscribe')];
    await expect
      .poll(() => stops.filter((wamid) => runOf(wamid) !== null).length, { timeout: 10_000 })
      .toBe(2);
    await settled();
    const optedOut = contactRow(customer)!;
    expect(optedOut.opted_out_at).not.toBeNull();
    expect(optedOut.opted_out_reason).toMatch(/STOP|unsubscribe/i);
    expect(delivered(customer)).toHaveLength(2);
    expect(delivered(customer)[1]!.type).toBe('text');
    expect(stops.map((wamid) => runOf(wamid)!.messagesSent).sort()).toEqual([0, 1]);

    // An ordinary message from an opted-out contact gets nothing.
    const quiet = say(customer, 'menu');
    await expect.poll(() => runOf(quiet)?.silentReason, { timeout: 10_000 }).toBe('contact_opted_out');

    const refused = (() => {
      try {
        h.messaging.messages.send({
          connectionId: h.connectionId,
          conversationId,
          clientId: `test-template-${customer.waId}-1`,
          content: { type: 'template', template: { name: thanksTemplate.name, language: 'en_US' } },
        });
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('CONTACT_OPTED_OUT');

    const start = say(customer, 'START');
    await expect.poll(() => runOf(start)?.outcome, { timeout: 10_000 }).toBe('compliance');
    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(3);
    expect(contactRow(customer)!.opted_out_at).toBeNull();

    h.messaging.messages.send({
      connectionId: h.connectionId,
      conversationId,
      clientId: `test-template-${customer.waId}-2`,
      content: { type: 'template', template: { name: thanksTemplate.name, language: 'en_US' } },
    });
    await expect
      .poll(() => delivered(customer).filter((entry) => entry.templateName === thanksTemplate.name).length, {
        timeout: 10_000,
      })
      .toBe(1);
    await settled();
    expect(delivered(customer)).toHaveLength(4);
  });

  it('START twice at once opts back in once and confirms once', async () => {
    const customer = newCustomer();
    const stop = say(customer, 'STOP');
    await expect.poll(() => runOf(stop)?.outcome, { timeout: 10_000 }).toBe('compliance');
    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(1);
    const starts = [say(customer, 'START'), say(customer, 'start')];
    await expect
      .poll(() => starts.filter((wamid) => runOf(wamid) !== null).length, { timeout: 10_000 })
      .toBe(2);
    await settled();
    expect(contactRow(customer)!.opted_out_at).toBeNull();
    // One of the two opted the contact in and confirmed. The other either lost the race (its UPDATE
    // changed nothing, so no confirmation) or ran after it, when START from a subscribed contact is an
    // ordinary message for the rules (here the fallback).
    const confirmations = delivered(customer).filter(
      (entry) =>
        (entry.payload.text as { body?: string } | undefined)?.body === defaultConfirmations.opt_in.en,
    );
    expect(confirmations).toHaveLength(1);
    const runs = starts.map((wamid) => runOf(wamid)!);
    expect(runs.filter((run) => run.outcome === 'compliance' && run.messagesSent === 1)).toHaveLength(1);
    expect(
      runs.filter(
        (run) =>
          (run.outcome === 'compliance' && run.messagesSent === 0) ||
          (run.outcome === 'rule' && run.ruleId !== null),
      ),
    ).toHaveLength(1);
  });

  it('never reacts to outbound messages: its own replies, their statuses, or an agent’s message', async () => {
    const customer = newCustomer();
    const menu = say(customer, 'menu');
    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(1);
    const conversationId = conversationOf(customer)!;
    // An agent answers from the inbox through the same send point.
    h.messaging.messages.send({
      connectionId: h.connectionId,
      conversationId,
      clientId: `agent-${customer.waId}-1`,
      content: { type: 'text', body: 'menu' },
    });
    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(2);
    await settled();
    // sent/delivered/read webhooks for both outbound messages have been processed by now.
    const outbound = h.db
      .prepare<[string], { id: string }>(
        `SELECT id FROM messages WHERE conversation_id = ? AND direction = 'outbound' ORDER BY created_at`,
      )
      .all(conversationId);
    expect(outbound).toHaveLength(2);
    expect(jobs.runsOfConversation(conversationId).map((run) => run.messageId)).toEqual([messageIdOf(menu)]);

    // Even a job that names an outbound row (a bug elsewhere) makes the bot say nothing.
    for (const row of outbound) h.queue.enqueue(botReplyJobType, { messageId: row.id });
    await settled();
    for (const row of outbound) {
      expect(jobs.runFor(row.id)).toMatchObject({ outcome: 'silent', silentReason: 'outbound_message' });
    }
    expect(delivered(customer)).toHaveLength(2);
    expect(botRows(conversationId)).toBe(1);
  });

  it('a job re-run for a message already handled sends nothing more', async () => {
    const customer = newCustomer();
    const wamid = say(customer, 'menu');
    await expect.poll(() => delivered(customer).length, { timeout: 10_000 }).toBe(1);
    await settled();
    // The unique key is free once the first job finished: this is the "run again" a crash would cause.
    const again = h.queue.enqueue(botReplyJobType, { messageId: messageIdOf(wamid)! });
    expect(again.created).toBe(true);
    await settled();
    expect(delivered(customer)).toHaveLength(1);
    expect(botRows(conversationOf(customer)!)).toBe(1);
  });
});
