// The chatbots channels through the real IPC router (zod envelope check, then the service's whole-bot
// check) on a migrated SQLite store: what the editor can do, the errors it shows, and that a refused
// request changes nothing and announces nothing. The tester answers without sending or storing.
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvokeChannel } from '../../src-preload/channels';
import type { BotTestResult, BotView, BotSummaryView } from '../../src-preload/chatbots.contract';
import type { Result } from '../../src-preload/contract';
import { bindChatbots } from '../../src-main/chatbots/chatbots.ipc';
import { createChatbotsService } from '../../src-main/chatbots/chatbots.service';
import type { Db } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { createIpcRouter } from '../../src-main/ipc/router';
import { createMemoryLogger } from '../../src-main/log';
import { openTempStore, seedConnection, type SeededConnection } from '../helpers/storeFixtures';

let db: Db;
let dir: string;
let seeded: SeededConnection;
let announced: { connectionId: string | null; botId: string }[];
let call: (channel: InvokeChannel, payload: unknown) => Promise<Result<unknown>>;
// Monday 2 June 2025, 13:00 UTC = 10:00 in São Paulo.
const mondayMorning = Date.parse('2025-06-02T13:00:00Z');

beforeEach(() => {
  ({ db, dir } = openTempStore('bellhop-chatbots-ipc-'));
  seeded = seedConnection(db);
  const events = createEventBus();
  announced = [];
  events.subscribe((event, payload) => {
    if (event === 'chatbots:changed')
      announced.push(payload as { connectionId: string | null; botId: string });
  });
  let clock = mondayMorning;
  const router = createIpcRouter(
    bindChatbots(createChatbotsService({ db, now: () => clock++ }), events),
    createMemoryLogger(),
  );
  call = (channel, payload) => router.dispatch(channel, payload, { trusted: true, description: 'test' });
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function value<T>(channel: InvokeChannel, payload: unknown): Promise<T> {
  const result = await call(channel, payload);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

async function refused(channel: InvokeChannel, payload: unknown) {
  const result = await call(channel, payload);
  if (result.ok) throw new Error(`${channel} was expected to fail`);
  return result.error;
}

/** Every row of the chatbot tables: a refused request must leave this exactly as it was. */
function snapshot(): string {
  const rows = (table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY id`).all();
  return JSON.stringify({ bots: rows('chatbots'), rules: rows('chatbot_rules') });
}

const menuRules = [
  {
    name: 'Menu',
    enabled: true,
    trigger: { type: 'keyword', match: 'exact', keywords: ['menu'] },
    actions: [
      {
        type: 'reply_buttons',
        body: 'Hi {{name | there}}, what do you need?',
        buttons: [
          { id: 'hours', title: 'Opening hours' },
          { id: 'human', title: 'Talk to a person' },
        ],
      },
    ],
  },
  {
    name: 'Hours',
    enabled: true,
    trigger: { type: 'reply_id', ids: ['hours'] },
    actions: [{ type: 'reply_text', text: 'We open 9–18, Monday to Friday.' }],
  },
  {
    name: 'Fallback',
    enabled: true,
    trigger: { type: 'fallback' },
    actions: [{ type: 'reply_text', text: 'Type menu.' }],
  },
];

async function newBot(name = 'Shop bot'): Promise<BotView> {
  return value<BotView>('chatbots:create', { connectionId: seeded.connectionId, name });
}

describe('bots per connection', () => {
  it('creates a switched-off bot on a number, lists it, renames, enables and deletes it', async () => {
    const bot = await newBot();
    expect(bot).toMatchObject({
      workspaceId: seeded.workspaceId,
      connectionId: seeded.connectionId,
      name: 'Shop bot',
      enabled: false,
      rules: [],
      businessHours: null,
    });
    expect(await value<BotSummaryView[]>('chatbots:list', { connectionId: seeded.connectionId })).toEqual([
      expect.objectContaining({ id: bot.id, name: 'Shop bot', enabled: false, ruleCount: 0 }),
    ]);
    expect(await value<BotView>('chatbots:rename', { botId: bot.id, name: '  Night bot ' })).toMatchObject({
      name: 'Night bot',
    });
    expect(await value<BotView>('chatbots:set-enabled', { botId: bot.id, enabled: true })).toMatchObject({
      enabled: true,
    });
    expect(await value('chatbots:delete', { botId: bot.id })).toEqual({ botId: bot.id });
    expect(await value('chatbots:list', { connectionId: seeded.connectionId })).toEqual([]);
    expect(announced.map((a) => a.botId)).toEqual([bot.id, bot.id, bot.id, bot.id]);
    expect(announced.every((a) => a.connectionId === seeded.connectionId)).toBe(true);
  });

  it('bad names, unknown numbers and unknown bots are refused with clear errors and change nothing', async () => {
    const bot = await newBot();
    announced = [];
    const before = snapshot();
    expect(await refused('chatbots:create', { connectionId: seeded.connectionId, name: '   ' })).toEqual({
      code: 'BAD_REQUEST',
      message: 'Invalid request for chatbots:create at name: Give the chatbot a name.',
    });
    expect(
      await refused('chatbots:create', { connectionId: seeded.connectionId, name: 'x'.repeat(101) }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('at most 100 characters') as string,
    });
    expect(await refused('chatbots:create', { connectionId: 'nope', name: 'Bot' })).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Connection nope was not found.',
    });
    expect(await refused('chatbots:list', { connectionId: 'nope' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refused('chatbots:rename', { botId: 'nope', name: 'Bot' })).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Chatbot nope was not found.',
    });
    expect(await refused('chatbots:set-enabled', { botId: bot.id, enabled: 'yes' })).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('at enabled') as string,
    });
    expect(await refused('chatbots:delete', { botId: bot.id, force: true })).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(snapshot()).toBe(before);
    expect(announced).toEqual([]);
  });
});

describe('rules', () => {
  it('saves the whole ordered list, gives new rules ids, reorders and switches single rules', async () => {
    const bot = await newBot();
    const saved = await value<BotView>('chatbots:save-rules', { botId: bot.id, rules: menuRules });
    expect(saved.rules.map((r) => r.name)).toEqual(['Menu', 'Hours', 'Fallback']);
    expect(saved.rules.every((r) => r.id.length > 0)).toBe(true);
    const ids = saved.rules.map((r) => r.id);

    const reordered = await value<BotView>('chatbots:reorder-rules', {
      botId: bot.id,
      ruleIds: [ids[2], ids[0], ids[1]],
    });
    expect(reordered.rules.map((r) => r.name)).toEqual(['Fallback', 'Menu', 'Hours']);
    expect((await value<BotView>('chatbots:get', { botId: bot.id })).rules.map((r) => r.name)).toEqual([
      'Fallback',
      'Menu',
      'Hours',
    ]);

    const off = await value<BotView>('chatbots:set-rule-enabled', {
      botId: bot.id,
      ruleId: ids[1],
      enabled: false,
    });
    expect(off.rules.find((r) => r.id === ids[1])?.enabled).toBe(false);

    // Saving again with the ids keeps them (an edit, not new rules); a go-to to a saved rule is fine.
    const edited = await value<BotView>('chatbots:save-rules', {
      botId: bot.id,
      rules: [
        ...reordered.rules,
        {
          name: 'Back',
          enabled: true,
          trigger: { type: 'keyword', match: 'contains', keywords: ['back'] },
          actions: [{ type: 'go_to_rule', ruleId: ids[0] }],
        },
      ],
    });
    expect(edited.rules.slice(0, 3).map((r) => r.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect(edited.rules[3]).toMatchObject({
      name: 'Back',
      actions: [{ type: 'go_to_rule', ruleId: ids[0] }],
    });
  });

  it('refuses rules over Meta’s limits or with broken go-tos, naming each place, and stores nothing', async () => {
    const bot = await newBot();
    await value('chatbots:save-rules', { botId: bot.id, rules: menuRules });
    announced = [];
    const before = snapshot();
    const error = await refused('chatbots:save-rules', {
      botId: bot.id,
      rules: [
        {
          name: 'Menu',
          enabled: true,
          trigger: { type: 'keyword', match: 'exact', keywords: ['menu'] },
          actions: [
            {
              type: 'reply_buttons',
              body: 'Pick one',
              buttons: [
                { id: 'a', title: 'This title is far too long' },
                { id: 'b', title: 'B' },
                { id: 'c', title: 'C' },
                { id: 'd', title: 'D' },
              ],
            },
          ],
        },
        {
          name: 'Jump',
          enabled: true,
          trigger: { type: 'fallback' },
          actions: [{ type: 'go_to_rule', ruleId: 'missing-rule' }],
        },
      ],
    });
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain(
      'rule 1 › action 1 › button 1 › title: Button title must be at most 20 characters (got 26).',
    );
    expect(error.message).toContain('Reply buttons need 1 to 3 buttons (got 4).');
    expect(error.message).toContain('Go to rule: there is no rule with id "missing-rule" in this bot.');
    expect(snapshot()).toBe(before);
    expect(announced).toEqual([]);
  });

  it('refuses a malformed envelope before it reaches the service', async () => {
    const bot = await newBot();
    const before = snapshot();
    expect(await refused('chatbots:save-rules', { botId: bot.id, rules: 'all of them' })).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^Invalid request for chatbots:save-rules at rules: /) as string,
    });
    expect(
      await refused('chatbots:save-rules', {
        botId: bot.id,
        rules: [{ ...menuRules[0], colour: 'green' }],
      }),
    ).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('at rules.0') as string });
    expect(
      await refused('chatbots:save-rules', {
        botId: bot.id,
        rules: [{ ...menuRules[0], trigger: { type: 'sometimes' } }],
      }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Trigger type must be one of keyword') as string,
    });
    expect(snapshot()).toBe(before);
  });

  it('a reorder that does not name every rule exactly once is refused and changes nothing', async () => {
    const bot = await newBot();
    const saved = await value<BotView>('chatbots:save-rules', { botId: bot.id, rules: menuRules });
    const before = snapshot();
    const ids = saved.rules.map((r) => r.id);
    expect(
      await refused('chatbots:reorder-rules', { botId: bot.id, ruleIds: [ids[0], ids[0], ids[1]] }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: "Reorder must list each of the bot's 3 rules exactly once (got 3 ids).",
    });
    expect(await refused('chatbots:reorder-rules', { botId: bot.id, ruleIds: [ids[0]] })).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(snapshot()).toBe(before);
  });
});

describe('business hours and confirmations', () => {
  const weekdays9to18 = {
    timeZone: 'America/Sao_Paulo',
    weekly: {
      monday: [{ start: '09:00', end: '18:00' }],
      tuesday: [{ start: '09:00', end: '18:00' }],
      wednesday: [{ start: '09:00', end: '18:00' }],
      thursday: [{ start: '09:00', end: '18:00' }],
      friday: [{ start: '09:00', end: '18:00' }],
      saturday: [],
      sunday: [],
    },
    holidays: ['2025-12-25'],
  };

  it('saves the weekly schedule, time zone and holidays, and merges the confirmations', async () => {
    const bot = await newBot();
    const withHours = await value<BotView>('chatbots:update-settings', {
      botId: bot.id,
      businessHours: weekdays9to18,
    });
    expect(withHours.businessHours).toEqual(weekdays9to18);
    await value('chatbots:update-settings', {
      botId: bot.id,
      compliance: { optOutConfirmation: 'Done, {{name | friend}}. Reply START to come back.' },
    });
    const both = await value<BotView>('chatbots:update-settings', {
      botId: bot.id,
      compliance: { optInConfirmation: 'Welcome back!' },
    });
    expect(both.compliance).toEqual({
      optOutConfirmation: 'Done, {{name | friend}}. Reply START to come back.',
      optInConfirmation: 'Welcome back!',
    });
    expect(both.businessHours).toEqual(weekdays9to18);
    const cleared = await value<BotView>('chatbots:update-settings', { botId: bot.id, businessHours: null });
    expect(cleared.businessHours).toBeNull();
  });

  it('refuses a wrong time zone, a backwards range, a bad holiday or placeholder, and changes nothing', async () => {
    const bot = await newBot();
    await value('chatbots:update-settings', { botId: bot.id, businessHours: weekdays9to18 });
    const before = snapshot();
    expect(
      await refused('chatbots:update-settings', {
        botId: bot.id,
        businessHours: { ...weekdays9to18, timeZone: 'Mars/Olympus' },
      }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Time zone "Mars/Olympus" is not an IANA time zone') as string,
    });
    expect(
      await refused('chatbots:update-settings', {
        botId: bot.id,
        businessHours: {
          ...weekdays9to18,
          weekly: { ...weekdays9to18.weekly, monday: [{ start: '18:00', end: '09:00' }] },
        },
      }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('ends before it starts') as string,
    });
    expect(
      await refused('chatbots:update-settings', {
        botId: bot.id,
        businessHours: { ...weekdays9to18, holidays: ['2025-02-30'] },
      }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('"2025-02-30" is not a date') as string,
    });
    expect(
      await refused('chatbots:update-settings', {
        botId: bot.id,
        compliance: { optOutConfirmation: 'Bye {{nickname}}' },
      }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Unknown placeholder {{nickname}}') as string,
    });
    expect(snapshot()).toBe(before);
  });

  it('an away rule needs business hours first', async () => {
    const bot = await newBot();
    expect(
      await refused('chatbots:save-rules', {
        botId: bot.id,
        rules: [
          {
            name: 'Away',
            enabled: true,
            trigger: { type: 'outside_business_hours' },
            actions: [{ type: 'reply_text', text: 'We are closed.' }],
          },
        ],
      }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining(
        'fires outside business hours, but the bot has no business hours yet',
      ) as string,
    });
  });
});

describe('chatbots:test', () => {
  function storedMessages(): number {
    return db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  }
  function queuedJobs(): number {
    return db.prepare('SELECT count(*) FROM jobs').pluck().get() as number;
  }

  it('shows the firing rule and the exact messages, for text and for a button tap, without sending', async () => {
    const bot = await newBot();
    const saved = await value<BotView>('chatbots:save-rules', { botId: bot.id, rules: menuRules });
    const before = { messages: storedMessages(), jobs: queuedJobs(), bots: snapshot() };

    const menu = await value<BotTestResult>('chatbots:test', {
      botId: bot.id,
      message: { kind: 'text', text: '  MENÚ ' },
    });
    expect(menu.outcome).toBe('rule');
    expect(menu.rule).toEqual({ id: saved.rules[0]!.id, name: 'Menu' });
    expect(menu.messages).toEqual([
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Hi Test customer, what do you need?' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'hours', title: 'Opening hours' } },
              { type: 'reply', reply: { id: 'human', title: 'Talk to a person' } },
            ],
          },
        },
      },
    ]);
    // The bot is still switched off: the tester says it tested as if it were on.
    expect(menu.trace[0]?.message).toMatch(/disabled; tested as if it were enabled/);

    const tap = await value<BotTestResult>('chatbots:test', {
      botId: bot.id,
      message: { kind: 'button_reply', id: 'hours', title: 'Opening hours' },
    });
    expect(tap.rule?.name).toBe('Hours');
    expect(tap.messages).toEqual([
      { type: 'text', text: { body: 'We open 9–18, Monday to Friday.', preview_url: false } },
    ]);

    const other = await value<BotTestResult>('chatbots:test', {
      botId: bot.id,
      message: { kind: 'list_reply', id: 'unknown-row' },
    });
    expect(other.rule?.name).toBe('Fallback');

    const stop = await value<BotTestResult>('chatbots:test', {
      botId: bot.id,
      message: { kind: 'text', text: 'Berhenti' },
    });
    expect(stop).toMatchObject({ outcome: 'compliance', compliance: { action: 'opt_out', language: 'id' } });
    expect(stop.messages).toHaveLength(1);

    const optedOut = await value<BotTestResult>('chatbots:test', {
      botId: bot.id,
      message: { kind: 'text', text: 'menu' },
      optedOut: true,
    });
    expect(optedOut).toMatchObject({ outcome: 'silent', silentReason: 'contact_opted_out', messages: [] });

    expect({ messages: storedMessages(), jobs: queuedJobs(), bots: snapshot() }).toEqual(before);
  });

  it('tests the away rule at a chosen time and once per local day', async () => {
    const bot = await newBot();
    await value('chatbots:update-settings', {
      botId: bot.id,
      businessHours: {
        timeZone: 'America/Sao_Paulo',
        weekly: { monday: [{ start: '09:00', end: '18:00' }] },
        holidays: [],
      },
    });
    await value('chatbots:save-rules', {
      botId: bot.id,
      rules: [
        {
          name: 'Away',
          enabled: true,
          trigger: { type: 'outside_business_hours' },
          actions: [{ type: 'reply_text', text: 'We are closed; back at 9.' }],
        },
        ...menuRules,
      ],
    });
    // Monday 22:00 in São Paulo (Tuesday 01:00 UTC).
    const night = Date.parse('2025-06-03T01:00:00Z');
    const away = await value<BotTestResult>('chatbots:test', {
      botId: bot.id,
      message: { kind: 'text', text: 'menu' },
      at: night,
    });
    expect(away.rule?.name).toBe('Away');
    expect(away.messages).toEqual([
      { type: 'text', text: { body: 'We are closed; back at 9.', preview_url: false } },
    ]);
    const again = await value<BotTestResult>('chatbots:test', {
      botId: bot.id,
      message: { kind: 'text', text: 'menu' },
      at: night,
      awaySentOn: '2025-06-02',
    });
    expect(again.rule?.name).toBe('Menu');
    const open = await value<BotTestResult>('chatbots:test', {
      botId: bot.id,
      message: { kind: 'text', text: 'menu' },
      at: mondayMorning,
    });
    expect(open.rule?.name).toBe('Menu');
  });

  it('refuses an empty or malformed test message with the reason', async () => {
    const bot = await newBot();
    expect(
      await refused('chatbots:test', { botId: bot.id, message: { kind: 'text', text: '' } }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Invalid request for chatbots:test at message.text: Type the customer message to test.',
    });
    expect(await refused('chatbots:test', { botId: bot.id, message: { kind: 'voice' } })).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('button_reply') as string,
    });
    expect(
      await refused('chatbots:test', {
        botId: bot.id,
        message: { kind: 'text', text: 'hi' },
        awaySentOn: 'today',
      }),
    ).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('2025-12-24') as string });
    expect(
      await refused('chatbots:test', { botId: 'nope', message: { kind: 'text', text: 'hi' } }),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });
});
