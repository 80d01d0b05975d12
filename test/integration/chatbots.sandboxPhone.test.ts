// The whole core, Sandbox included, driven only through IPC as the Chatbots screen drives it: build a
// bot, play the customer on the Sandbox phone (typed text, a tapped reply button, a picked list row),
// and read what reached the phone from the embedded simulator. Also the away message: once per
// conversation per local day, however many messages arrive while closed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeChannel } from '../../src-preload/channels';
import type { BotView } from '../../src-preload/chatbots.contract';
import type { PhoneThread } from '../../src-preload/connections.contract';
import type { Result } from '../../src-preload/contract';
import { createCore, type Core } from '../../src-main/core';
import { createMemoryLogger } from '../../src-main/log';
import { useTempDirs } from '../helpers/tempDir';
import { waitFor } from '../helpers/waitFor';

const temp = useTempDirs();
let core: Core;
let sandboxId = '';

async function call(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>> {
  return core.router.dispatch(channel, payload, { trusted: true, description: 'test' });
}

async function value<T>(channel: InvokeChannel, payload: unknown): Promise<T> {
  const result = await call(channel, payload);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

function thread(customer: string): Promise<PhoneThread> {
  return value<PhoneThread>('sandbox:phone-thread', { customer });
}

async function waitForBusinessMessages(customer: string, count: number): Promise<PhoneThread> {
  return waitFor(
    async () => {
      const current = await thread(customer);
      return current.messages.filter((m) => m.from === 'business').length >= count ? current : null;
    },
    { timeoutMs: 20_000, intervalMs: 50, what: `${count} business message(s) on ${customer}'s phone` },
  );
}

/** Every bot job has run and every send reached the simulator: nothing more can arrive. */
async function settled(): Promise<void> {
  await core.queue.whenIdle();
  await core.sandbox!.simulator.control.settle();
  await core.queue.whenIdle();
}

beforeAll(async () => {
  core = await createCore({ dataDir: temp.dir(), hostKind: 'browser', log: createMemoryLogger() });
  if (!core.sandbox) throw new Error('the Sandbox did not start');
  sandboxId = core.sandbox.connectionId;
}, 30_000);

afterEach(async () => {
  // Only the first enabled bot of a number answers: each test starts with none.
  for (const bot of await value<{ id: string }[]>('chatbots:list', { connectionId: sandboxId })) {
    await value('chatbots:delete', { botId: bot.id });
  }
});

afterAll(async () => {
  await core?.close();
});

describe('Sandbox phone with a chatbot', () => {
  it('menu → buttons arrive → a tap → the next step; a list row pick works the same way', async () => {
    const bot = await value<BotView>('chatbots:create', { connectionId: sandboxId, name: 'Menu bot' });
    await value('chatbots:save-rules', {
      botId: bot.id,
      rules: [
        {
          name: 'Menu',
          enabled: true,
          trigger: { type: 'keyword', match: 'exact', keywords: ['menu'] },
          actions: [
            {
              type: 'reply_buttons',
              body: 'What do you need?',
              buttons: [
                { id: 'hours', title: 'Opening hours' },
                { id: 'more', title: 'More' },
              ],
            },
          ],
        },
        {
          name: 'Hours',
          enabled: true,
          trigger: { type: 'reply_id', ids: ['hours'] },
          actions: [{ type: 'reply_text', text: 'We open at 9.' }],
        },
        {
          name: 'More',
          enabled: true,
          trigger: { type: 'reply_id', ids: ['more'] },
          actions: [
            {
              type: 'reply_list',
              body: 'Pick a topic',
              button: 'Topics',
              sections: [{ rows: [{ id: 'delivery', title: 'Delivery', description: 'Where we ship' }] }],
            },
          ],
        },
        {
          name: 'Delivery',
          enabled: true,
          trigger: { type: 'reply_id', ids: ['delivery'] },
          actions: [{ type: 'reply_text', text: 'We deliver city-wide.' }],
        },
      ],
    });
    await value('chatbots:set-enabled', { botId: bot.id, enabled: true });

    const customer = '+14155550160';
    expect((await thread(customer)).messages).toEqual([]);
    await value('sandbox:simulate-message', { type: 'text', from: customer, text: 'Menu' });

    const withButtons = await waitForBusinessMessages(customer, 1);
    expect(withButtons.customer).toBe(customer);
    expect(withButtons.messages.map((m) => [m.from, m.type])).toEqual([
      ['customer', 'text'],
      ['business', 'interactive'],
    ]);
    expect(withButtons.messages[0]).toMatchObject({ text: 'Menu' });
    const buttons = withButtons.messages[1]!;
    expect(buttons).toMatchObject({
      text: 'What do you need?',
      buttons: [
        { id: 'hours', title: 'Opening hours' },
        { id: 'more', title: 'More' },
      ],
    });

    await value('sandbox:simulate-message', {
      type: 'interactive',
      reply: 'button_reply',
      from: customer,
      id: 'hours',
      title: 'Opening hours',
      contextWamid: buttons.wamid,
    });
    const afterTap = await waitForBusinessMessages(customer, 2);
    expect(afterTap.messages.slice(2)).toEqual([
      expect.objectContaining({
        from: 'customer',
        type: 'interactive',
        reply: { kind: 'button_reply', id: 'hours', title: 'Opening hours' },
      }),
      expect.objectContaining({ from: 'business', type: 'text', text: 'We open at 9.' }),
    ]);
    // Meta's shape (§6): the tap carries the message it answers.
    const delivered = core.sandbox!.simulator.ledger.inbound({ waId: '14155550160' });
    expect(delivered.at(-1)?.message).toMatchObject({
      type: 'interactive',
      context: { id: buttons.wamid },
      interactive: { type: 'button_reply', button_reply: { id: 'hours', title: 'Opening hours' } },
    });

    await settled();
    expect((await thread(customer)).messages).toHaveLength(4);

    // A second customer taps "More" and picks a row of the list. (A fresh conversation: the first one
    // has used the burst of bot_rate_limit — 3 at once, then one every 12 s.)
    const second = '+14155550161';
    await value('sandbox:simulate-message', {
      type: 'interactive',
      reply: 'button_reply',
      from: second,
      id: 'more',
      title: 'More',
    });
    const withList = await waitForBusinessMessages(second, 1);
    expect(withList.messages.at(-1)).toMatchObject({
      list: {
        button: 'Topics',
        sections: [{ rows: [{ id: 'delivery', title: 'Delivery', description: 'Where we ship' }] }],
      },
    });
    await value('sandbox:simulate-message', {
      type: 'interactive',
      reply: 'list_reply',
      from: second,
      id: 'delivery',
      title: 'Delivery',
      description: 'Where we ship',
      contextWamid: withList.messages.at(-1)!.wamid,
    });
    const afterPick = await waitForBusinessMessages(second, 2);
    expect(afterPick.messages.slice(2)).toEqual([
      expect.objectContaining({
        from: 'customer',
        reply: { kind: 'list_reply', id: 'delivery', title: 'Delivery' },
      }),
      expect.objectContaining({ from: 'business', text: 'We deliver city-wide.' }),
    ]);
    await settled();
    expect((await thread(second)).messages).toHaveLength(4);

    // Another customer's phone shows only their own chat.
    expect((await thread('+14155550162')).messages).toEqual([]);
  });

  it('outside business hours the away message goes once per conversation per day', async () => {
    const bot = await value<BotView>('chatbots:create', { connectionId: sandboxId, name: 'Away bot' });
    // No opening hours on any day: "now" is always outside them.
    await value('chatbots:update-settings', {
      botId: bot.id,
      businessHours: { timeZone: 'UTC', weekly: {}, holidays: [] },
    });
    await value('chatbots:save-rules', {
      botId: bot.id,
      rules: [
        {
          name: 'Away',
          enabled: true,
          trigger: { type: 'outside_business_hours' },
          actions: [{ type: 'reply_text', text: 'We are closed right now.' }],
        },
      ],
    });
    await value('chatbots:set-enabled', { botId: bot.id, enabled: true });

    const customer = '+14155550170';
    await value('sandbox:simulate-message', { type: 'text', from: customer, text: 'Hello?' });
    await value('sandbox:simulate-message', { type: 'text', from: customer, text: 'Anyone there?' });
    await value('sandbox:simulate-message', { type: 'text', from: customer, text: 'Hello??' });
    await waitForBusinessMessages(customer, 1);
    const runsOfCustomer = core.db.prepare<[string], { n: number }>(
      `SELECT count(*) AS n FROM chatbot_runs r JOIN conversations c ON c.id = r.conversation_id
           JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone_e164 = ?`,
    );
    await waitFor(() => runsOfCustomer.get(customer)?.n === 3, {
      what: 'the bot to handle all three messages',
    });
    await settled();
    const phone = await thread(customer);
    expect(phone.messages.filter((m) => m.from === 'customer')).toHaveLength(3);
    expect(phone.messages.filter((m) => m.from === 'business')).toEqual([
      expect.objectContaining({ type: 'text', text: 'We are closed right now.' }),
    ]);
  });

  it('refuses bad simulated taps and phone requests for other numbers, sending nothing', async () => {
    const before = core.sandbox!.simulator.ledger.inbound().length;
    expect(
      await call('sandbox:simulate-message', {
        type: 'interactive',
        reply: 'radio_reply',
        id: 'x',
        title: 'X',
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: expect.stringContaining('button_reply or list_reply') as string,
      },
    });
    expect(
      await call('sandbox:simulate-message', {
        type: 'interactive',
        reply: 'button_reply',
        id: '',
        title: 'X',
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: expect.stringContaining('Choose the button or row that was tapped.') as string,
      },
    });
    expect(await call('sandbox:phone-thread', { customer: '12' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('international number') as string },
    });
    expect(
      await call('sandbox:phone-thread', { connectionId: 'another', customer: '+14155550123' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('Only the Sandbox') as string },
    });
    expect(core.sandbox!.simulator.ledger.inbound()).toHaveLength(before);
  });
});
