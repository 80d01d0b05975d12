// Chatbot persistence and editing on real SQLite: CRUD, reorder, enable/disable, whole-bot validation
// that leaves the store untouched on error, the rule tester, and the per-conversation state (away
// message claimed once per day even by racing processes, handoff flag).
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decide } from '../../src-main/chatbots/chatbots.engine';
import {
  engineContactSchema,
  engineConversationSchema,
  engineMessageSchema,
} from '../../src-main/chatbots/chatbots.model';
import { createChatbotsRepo } from '../../src-main/chatbots/chatbots.repo';
import {
  ChatbotValidationError,
  createChatbotsService,
  type ChatbotsService,
} from '../../src-main/chatbots/chatbots.service';
import { newId } from '../../src-main/db/ids';
import type { Db } from '../../src-main/db/open';
import { AppError } from '../../src-main/ipc/errors';
import { openTempStore, seedConnection, type SeededConnection } from '../helpers/storeFixtures';

let db: Db;
let dir: string;
let file: string;
let seeded: SeededConnection;
let service: ChatbotsService;
let clock: number;

beforeEach(() => {
  ({ db, dir, file } = openTempStore('bellhop-chatbots-'));
  seeded = seedConnection(db);
  clock = Date.parse('2025-06-02T13:00:00Z');
  service = createChatbotsService({ db, now: () => clock++ });
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const say = (text: string) => ({ type: 'reply_text', text });
const rule = (id: string, trigger: unknown, actions: unknown[], extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  enabled: true,
  trigger,
  actions,
  ...extra,
});
const exact = (...keywords: string[]) => ({ type: 'keyword', match: 'exact', keywords });

function menuBot(extra: Record<string, unknown> = {}) {
  return service.createBot({
    workspaceId: seeded.workspaceId,
    connectionId: seeded.connectionId,
    name: 'Shop bot',
    enabled: true,
    rules: [
      rule('menu', exact('menu'), [
        {
          type: 'reply_buttons',
          body: 'Hi {{name | there}}, pick one',
          buttons: [
            { id: 'sales', title: 'Sales' },
            { id: 'human', title: 'Talk to us' },
          ],
        },
      ]),
      rule('sales', { type: 'reply_id', ids: ['sales'] }, [
        say('Our prices: …'),
        { type: 'go_to_rule', ruleId: 'menu' },
      ]),
      rule('human', { type: 'reply_id', ids: ['human'] }, [say('An agent will reply.'), { type: 'handoff' }]),
      rule('fallback', { type: 'fallback' }, [say('Type MENU')]),
    ],
    ...extra,
  });
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function tableCounts(): Record<string, number> {
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  return { chatbots: count('chatbots'), chatbot_rules: count('chatbot_rules') };
}

describe('create and read', () => {
  it('stores a bot with its ordered rules and reads it back identically', () => {
    const bot = menuBot();
    expect(bot.rules.map((r) => r.id)).toEqual(['menu', 'sales', 'human', 'fallback']);
    expect(service.getBot(bot.id)).toEqual(bot);
    expect(bot).toMatchObject({
      workspaceId: seeded.workspaceId,
      connectionId: seeded.connectionId,
      enabled: true,
      businessHours: null,
    });
    expect(bot.compliance).toEqual({ optOutConfirmation: null, optInConfirmation: null });
    expect(service.listBots(seeded.workspaceId)).toEqual([
      expect.objectContaining({ id: bot.id, name: 'Shop bot', ruleCount: 4, enabled: true }),
    ]);
  });

  it('gives new rules an id and starts new bots disabled', () => {
    const bot = service.createBot({
      workspaceId: seeded.workspaceId,
      name: 'Draft',
      rules: [{ name: 'Hi', enabled: true, trigger: exact('hi'), actions: [say('hello')] }],
    });
    expect(bot.enabled).toBe(false);
    expect(bot.rules[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an invalid bot with the editor messages and stores nothing', () => {
    const error = caught(() =>
      service.createBot({
        workspaceId: seeded.workspaceId,
        name: ' ',
        rules: [
          rule('r', exact('x'), [
            { type: 'reply_buttons', body: 'b', buttons: [{ id: 'a', title: 'Twenty-one characters' }] },
          ]),
        ],
      }),
    );
    expect(error).toBeInstanceOf(ChatbotValidationError);
    expect((error as ChatbotValidationError).code).toBe('BAD_REQUEST');
    expect((error as ChatbotValidationError).message).toBe(
      'name: Bot name must not be empty.\nrule 1 › action 1 › button 1 › title: Button title must be at most 20 characters (got 21).',
    );
    expect(tableCounts()).toEqual({ chatbots: 0, chatbot_rules: 0 });
  });

  it('unknown workspace or connection: NOT_FOUND; a number of another workspace: BAD_REQUEST', () => {
    expect(caught(() => service.createBot({ workspaceId: 'nope', name: 'x' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Workspace nope was not found.',
    });
    expect(
      caught(() => service.createBot({ workspaceId: seeded.workspaceId, connectionId: 'ghost', name: 'x' })),
    ).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Connection ghost was not found.',
    });
    const other = seedConnection(db, { phoneNumberId: 'OTHER' });
    expect(
      caught(() =>
        service.createBot({ workspaceId: seeded.workspaceId, connectionId: other.connectionId, name: 'x' }),
      ),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'The bot and its WhatsApp number must belong to the same workspace.',
    });
    expect(tableCounts()).toEqual({ chatbots: 0, chatbot_rules: 0 });
  });

  it('a rule id owned by another bot is a CONFLICT and the whole save rolls back', () => {
    const first = menuBot();
    const second = service.createBot({
      workspaceId: seeded.workspaceId,
      name: 'Other',
      rules: [rule('own', exact('x'), [say('x')])],
    });
    const error = caught(() =>
      service.saveBot(second.id, {
        rules: [rule('own', exact('y'), [say('y')]), rule('menu', exact('z'), [say('z')])],
      }),
    );
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'Rule id "menu" belongs to another bot.' });
    expect(service.getBot(second.id)).toEqual(second);
    expect(service.getBot(first.id)).toEqual(first);
  });
});

describe('edit rules', () => {
  it('adds a rule at a position, updates it, and deletes it', () => {
    const bot = menuBot();
    const added = service.addRule(bot.id, rule('hours', exact('hours'), [say('9 to 6')]), 1);
    expect(added.rules.map((r) => r.id)).toEqual(['menu', 'hours', 'sales', 'human', 'fallback']);
    const updated = service.updateRule(bot.id, rule('hours', exact('hours', 'horário'), [say('9h às 18h')]));
    expect(updated.rules[1]).toEqual(
      rule('hours', exact('hours', 'horário'), [
        { type: 'reply_text', text: '9h às 18h', previewUrl: false },
      ]),
    );
    const deleted = service.deleteRule(bot.id, 'hours');
    expect(deleted.rules.map((r) => r.id)).toEqual(['menu', 'sales', 'human', 'fallback']);
    expect(service.getBot(bot.id)).toEqual(deleted);
  });

  it('refuses to delete a rule another rule goes to, and changes nothing', () => {
    const bot = menuBot();
    expect(caught(() => service.deleteRule(bot.id, 'menu'))).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'rule 1 › action 2 › ruleId: Go to rule: there is no rule with id "menu" in this bot.',
    });
    expect(service.getBot(bot.id)).toEqual(bot);
  });

  it('refuses an update that creates a go-to loop, and changes nothing', () => {
    const bot = menuBot();
    const loop = rule('menu', exact('menu'), [say('menu'), { type: 'go_to_rule', ruleId: 'sales' }]);
    expect((caught(() => service.updateRule(bot.id, loop)) as Error).message).toBe(
      'rule 1 › actions: Go to rule makes a loop: "menu" → "sales" → "menu". Remove one of the go-to actions.',
    );
    expect(service.getBot(bot.id)).toEqual(bot);
  });

  it('reorders rules; positions persist and a bad permutation is refused', () => {
    const bot = menuBot();
    const reordered = service.reorderRules(bot.id, ['fallback', 'human', 'sales', 'menu']);
    expect(reordered.rules.map((r) => r.id)).toEqual(['fallback', 'human', 'sales', 'menu']);
    expect(
      db.prepare('SELECT id, position FROM chatbot_rules WHERE chatbot_id = ? ORDER BY position').all(bot.id),
    ).toEqual([
      { id: 'fallback', position: 0 },
      { id: 'human', position: 1 },
      { id: 'sales', position: 2 },
      { id: 'menu', position: 3 },
    ]);
    for (const bad of [
      ['menu', 'sales', 'human'],
      ['menu', 'menu', 'sales', 'human'],
      ['menu', 'sales', 'human', 'ghost'],
    ]) {
      expect(caught(() => service.reorderRules(bot.id, bad))).toMatchObject({
        code: 'BAD_REQUEST',
        message: `Reorder must list each of the bot's 4 rules exactly once (got ${bad.length} ids).`,
      });
    }
    expect(service.getBot(bot.id).rules.map((r) => r.id)).toEqual(['fallback', 'human', 'sales', 'menu']);
  });

  it('enables and disables rules and bots; enabling a second fallback is refused', () => {
    const bot = menuBot();
    expect(service.setRuleEnabled(bot.id, 'sales', false).rules[1]!.enabled).toBe(false);
    expect(service.getBot(bot.id).rules[1]!.enabled).toBe(false);
    expect(service.setBotEnabled(bot.id, false).enabled).toBe(false);
    expect(service.getBot(bot.id).enabled).toBe(false);
    service.addRule(bot.id, rule('fb2', { type: 'fallback' }, [say('other')], { enabled: false }));
    expect(caught(() => service.setRuleEnabled(bot.id, 'fb2', true))).toMatchObject({
      message: 'rules: Only one enabled fallback rule is allowed (found 2: "fallback", "fb2").',
    });
    expect(caught(() => service.setRuleEnabled(bot.id, 'ghost', true))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('updates settings (business hours, confirmations) without touching rules', () => {
    const bot = menuBot();
    const updated = service.updateSettings(bot.id, {
      name: 'Renamed',
      businessHours: {
        timeZone: 'Asia/Jakarta',
        weekly: { monday: [{ start: '08:00', end: '16:00' }] },
        holidays: ['2025-08-17'],
      },
      compliance: { optOutConfirmation: 'Bye {{name}}' },
    });
    expect(updated).toMatchObject({
      name: 'Renamed',
      compliance: { optOutConfirmation: 'Bye {{name}}', optInConfirmation: null },
    });
    expect(updated.businessHours?.weekly.monday).toEqual([{ start: '08:00', end: '16:00' }]);
    expect(updated.rules).toEqual(bot.rules);
    expect(service.getBot(bot.id)).toEqual(updated);
    expect(
      caught(() =>
        service.updateSettings(bot.id, {
          businessHours: { timeZone: 'Nowhere/City', weekly: {}, holidays: [] },
        }),
      ),
    ).toMatchObject({
      message:
        'businessHours › timeZone: Time zone "Nowhere/City" is not an IANA time zone such as America/Sao_Paulo.',
    });
  });

  it('deletes a bot with its rules; unknown ids are NOT_FOUND', () => {
    const bot = menuBot();
    service.deleteBot(bot.id);
    expect(tableCounts()).toEqual({ chatbots: 0, chatbot_rules: 0 });
    expect(caught(() => service.getBot(bot.id))).toBeInstanceOf(AppError);
    expect(caught(() => service.deleteBot(bot.id))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('bots for a number: its own first, then workspace-wide; disabled ones left out', () => {
    const own = menuBot();
    const everywhere = service.createBot({
      workspaceId: seeded.workspaceId,
      name: 'Everywhere',
      enabled: true,
      rules: [],
    });
    service.createBot({ workspaceId: seeded.workspaceId, name: 'Off', enabled: false, rules: [] });
    const elsewhere = seedConnection(db, { phoneNumberId: 'ELSEWHERE' });
    service.createBot({ workspaceId: elsewhere.workspaceId, name: 'Foreign', enabled: true, rules: [] });
    expect(service.botsForConnection(seeded.connectionId).map((b) => b.id)).toEqual([own.id, everywhere.id]);
  });

  it('a row edited outside the app is reported with its id, not passed to the engine', () => {
    const bot = menuBot();
    db.prepare(`UPDATE chatbot_rules SET actions = '[{"type":"reply_text"}]' WHERE id = 'sales'`).run();
    expect(() => service.getBot(bot.id)).toThrow(
      /Stored chatbot data does not fit the model \(rule sales actions\)/,
    );
  });
});

describe('rule tester', () => {
  it('shows which rule fires and what would be sent, without sending or storing anything', () => {
    const bot = menuBot();
    const before = db.prepare('SELECT count(*) FROM messages').pluck().get();
    const decision = service.test(bot.id, {
      message: { type: 'text', text: 'MENU' },
      contact: { name: 'Rita', phone: '+5511987654321' },
    });
    expect(decision.rule).toEqual({ id: 'menu', name: 'menu' });
    expect(decision.effects).toEqual([
      {
        kind: 'send',
        ruleId: 'menu',
        message: {
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text: 'Hi Rita, pick one' },
            action: {
              buttons: [
                { type: 'reply', reply: { id: 'sales', title: 'Sales' } },
                { type: 'reply', reply: { id: 'human', title: 'Talk to us' } },
              ],
            },
          },
        },
      },
    ]);
    // Tapping a button: the sub-menu reply, then back to the menu.
    const tap = service.test(bot.id, {
      message: { type: 'interactive', reply: { kind: 'button_reply', id: 'sales', title: 'Sales' } },
    });
    expect(tap.effects.map((e) => (e.kind === 'send' ? e.ruleId : e.kind))).toEqual(['sales', 'menu']);
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(before);
    expect(db.prepare('SELECT count(*) FROM chatbot_conversation_state').pluck().get()).toBe(0);
  });

  it('tests a disabled bot as if enabled, and says so', () => {
    const bot = menuBot({ enabled: false });
    const decision = service.test(bot.id, { message: { type: 'text', text: 'menu' } });
    expect(decision.rule?.id).toBe('menu');
    expect(decision.trace[0]).toEqual({
      step: 'gate',
      message: 'Bot "Shop bot" is disabled; tested as if it were enabled.',
    });
  });

  it('can simulate a time, an opted-out contact and a paused conversation', () => {
    const bot = menuBot();
    service.updateSettings(bot.id, {
      businessHours: {
        timeZone: 'Europe/Lisbon',
        weekly: { monday: [{ start: '09:00', end: '18:00' }] },
        holidays: [],
      },
    });
    service.addRule(bot.id, rule('away', { type: 'outside_business_hours' }, [say('Closed')]), 0);
    expect(
      service.test(bot.id, {
        message: { type: 'text', text: 'menu' },
        at: Date.parse('2025-06-02T22:00:00Z'),
      }).rule?.id,
    ).toBe('away');
    expect(
      service.test(bot.id, {
        message: { type: 'text', text: 'menu' },
        at: Date.parse('2025-06-02T10:00:00Z'),
      }).rule?.id,
    ).toBe('menu');
    expect(
      service.test(bot.id, {
        message: { type: 'text', text: 'menu' },
        contact: { phone: '+15550001111', optedOut: true },
      }).silentReason,
    ).toBe('contact_opted_out');
    expect(
      service.test(bot.id, { message: { type: 'text', text: 'menu' }, conversation: { botPaused: true } })
        .silentReason,
    ).toBe('bot_paused');
  });

  it('refuses a malformed simulated message or contact', () => {
    const bot = menuBot();
    expect(
      (
        caught(() =>
          service.test(bot.id, { message: { type: 'text', text: 'x' }, contact: { phone: '5511' } }),
        ) as Error
      ).message,
    ).toBe('contact › phone: Phone must be E.164, like +16505551234.');
  });
});

describe('per-conversation state', () => {
  let phones = 0;
  function seedConversation(): string {
    const contactId = newId();
    const conversationId = newId();
    db.prepare(
      `INSERT INTO contacts (id, workspace_id, phone_e164, source, created_at, updated_at) VALUES (?, ?, ?, 'inbound', 1, 1)`,
    ).run(contactId, seeded.workspaceId, `+1650555${String((phones += 1)).padStart(4, '0')}`);
    db.prepare(
      `INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at) VALUES (?, ?, ?, 'inbound', 1, 1)`,
    ).run(conversationId, seeded.connectionId, contactId);
    return conversationId;
  }

  it('claims the away message once per local date', () => {
    const repo = createChatbotsRepo(db);
    const id = seedConversation();
    expect(repo.conversationState(id)).toBeNull();
    expect(repo.claimAwayMessage(id, '2025-06-02', 100)).toBe(true);
    expect(repo.claimAwayMessage(id, '2025-06-02', 200)).toBe(false);
    expect(repo.conversationState(id)).toMatchObject({ awaySentLocalDate: '2025-06-02', awaySentAt: 100 });
    expect(repo.claimAwayMessage(id, '2025-06-03', 300)).toBe(true);
    expect(repo.conversationState(id)).toMatchObject({ awaySentLocalDate: '2025-06-03', awaySentAt: 300 });
  });

  it('handoff flag: set with a note, cleared once, and it does not disturb the away date', () => {
    const repo = createChatbotsRepo(db);
    const id = seedConversation();
    repo.markHandoff(id, 'Asked for a human', 10);
    expect(repo.claimAwayMessage(id, '2025-06-02', 20)).toBe(true);
    expect(repo.conversationState(id)).toEqual({
      conversationId: id,
      awaySentLocalDate: '2025-06-02',
      awaySentAt: 20,
      handoffRequestedAt: 10,
      handoffNote: 'Asked for a human',
    });
    expect(repo.clearHandoff(id, 30)).toBe(true);
    expect(repo.clearHandoff(id, 40)).toBe(false);
    expect(repo.conversationState(id)).toMatchObject({
      handoffRequestedAt: null,
      handoffNote: null,
      awaySentLocalDate: '2025-06-02',
    });
  });

  it('engine + store: over two nights of messages the away message goes out once per local day', () => {
    const bot = service.createBot({
      workspaceId: seeded.workspaceId,
      name: 'Away bot',
      enabled: true,
      businessHours: {
        timeZone: 'America/Mexico_City',
        weekly: Object.fromEntries(
          ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => [
            day,
            [{ start: '09:00', end: '18:00' }],
          ]),
        ),
        holidays: [],
      },
      rules: [rule('away', { type: 'outside_business_hours' }, [say('Closed, back at 9.')])],
    });
    const repo = createChatbotsRepo(db);
    const id = seedConversation();
    const sent: string[] = [];
    // Mexico City is UTC-6. Messages every 30 minutes from Monday 17:00 to Wednesday 10:00 local.
    const start = Date.parse('2025-06-02T23:00:00Z');
    for (let at = start; at <= Date.parse('2025-06-04T16:00:00Z'); at += 30 * 60 * 1000) {
      const state = repo.conversationState(id);
      const decision = decide({
        bot: service.getBot(bot.id),
        message: engineMessageSchema.parse({ type: 'text', text: 'hello?' }),
        contact: engineContactSchema.parse({ phone: '+5215512345678' }),
        conversation: engineConversationSchema.parse({
          awayMessageLastLocalDate: state?.awaySentLocalDate ?? null,
        }),
        now: at,
      });
      if (decision.awayClaim && repo.claimAwayMessage(id, decision.awayClaim.localDate, at)) {
        sent.push(`${decision.awayClaim.localDate} ${new Date(at).toISOString()}`);
      }
    }
    // Monday 18:00 local (closed) and Tuesday 00:00 local (a new local day); nothing Tuesday evening
    // after 18:00 is new until Wednesday 00:00 local.
    expect(sent).toEqual([
      '2025-06-02 2025-06-03T00:00:00.000Z',
      '2025-06-03 2025-06-03T06:00:00.000Z',
      '2025-06-04 2025-06-04T06:00:00.000Z',
    ]);
  });

  it('four processes racing for the same conversations: each away message is claimed exactly once', async () => {
    const ids = Array.from({ length: 40 }, () => seedConversation());
    const children: ChildProcess[] = [];
    try {
      const ready: Promise<unknown>[] = [];
      const results: Promise<{ won: string[] }>[] = [];
      for (let n = 0; n < 4; n++) {
        // Each process walks the conversations in its own order, so claims collide all along.
        const order = [...ids].sort(() => Math.random() - 0.5);
        const child = fork(
          join(__dirname, 'chatbots.awayClaimWorker.ts'),
          [file, '2025-06-02', order.join(',')],
          {
            execArgv: ['--import', 'tsx'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          },
        );
        children.push(child);
        const messages: unknown[] = [];
        const waiters: ((value: unknown) => void)[] = [];
        child.on('message', (message) => {
          const waiter = waiters.shift();
          if (waiter) waiter(message);
          else messages.push(message);
        });
        const next = () =>
          new Promise<unknown>((resolve) =>
            messages.length ? resolve(messages.shift()) : waiters.push(resolve),
          );
        ready.push(next());
        results.push(ready[n]!.then(() => next() as Promise<{ won: string[] }>));
      }
      await Promise.all(ready);
      for (const child of children) child.send('go');
      const won = (await Promise.all(results)).flatMap((result) => result.won);
      expect(won.length).toBe(ids.length);
      expect(new Set(won)).toEqual(new Set(ids));
      expect(
        db
          .prepare(
            `SELECT count(*) FROM chatbot_conversation_state WHERE away_sent_local_date = '2025-06-02'`,
          )
          .pluck()
          .get(),
      ).toBe(40);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
