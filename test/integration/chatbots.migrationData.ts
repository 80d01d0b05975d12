// The data test of migration 0003 (chatbot-rules-v2): seeds v1 chatbot rules at version 2, migrates to 3,
// and checks every row landed in the v2 shape (or in the archive, with its reason). Run by
// chatbots.migration.test.ts, which the migration ledger's guard finds by the migration's name.
import { expect } from 'vitest';
import { createChatbotsRepo } from '../../src-main/chatbots/chatbots.repo';
import { botSchema } from '../../src-main/chatbots/chatbots.model';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { schemaVersionOf, type Db } from '../../src-main/db/open';

interface V1 {
  id: string;
  bot?: string;
  position: number;
  match: string;
  keywords: unknown[];
  caseSensitive?: boolean;
  reply: unknown;
  enabled?: boolean;
  createdAt?: number;
}

function seedV1(db: Db): void {
  db.exec(`
    INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('w1', 'Shop', 1, 1);
    INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
                             app_secret_enc, verify_token, created_at, updated_at)
      VALUES ('c1', 'w1', 'sandbox', 'Main', 'SANDBOX-1', 'WABA-1', 'v24.0', x'01', x'02', 'vt', 1, 1);
    INSERT INTO chatbots (id, workspace_id, connection_id, name, enabled, created_at, updated_at)
      VALUES ('b1', 'w1', 'c1', 'Shop bot', 1, 10, 20), ('b2', 'w1', NULL, 'Everywhere', 0, 11, 21);
  `);
  const insert = db.prepare(
    `INSERT INTO chatbot_rules (id, chatbot_id, position, match_type, keywords, case_sensitive, reply, enabled, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const rows: V1[] = [
    {
      id: 'r-text',
      position: 0,
      match: 'exact',
      keywords: ['menu', ' Menú ', 'menu', ''],
      reply: { type: 'text', text: { body: 'Our menu: …', preview_url: true } },
    },
    // Same position as r-text but created later: ties keep creation order.
    {
      id: 'r-buttons',
      position: 0,
      createdAt: 5,
      match: 'contains',
      keywords: ['help'],
      caseSensitive: true,
      reply: {
        messaging_product: 'whatsapp',
        type: 'interactive',
        interactive: {
          type: 'button',
          header: { type: 'text', text: 'Help' },
          body: { text: 'What do you need?' },
          footer: { text: 'Shop' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'sales', title: 'Sales' } },
              { type: 'reply', reply: { id: 'support', title: 'Support' } },
            ],
          },
        },
      },
    },
    {
      id: 'r-list',
      position: 3,
      match: 'starts_with',
      keywords: ['catalog'],
      reply: {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Pick one' },
          action: {
            button: 'Categories',
            sections: [
              { title: 'Clothes', rows: [{ id: 'shirts', title: 'Shirts', description: 'All sizes' }] },
              { title: 'Shoes', rows: [{ id: 'boots', title: 'Boots' }] },
            ],
          },
        },
      },
    },
    {
      id: 'r-template',
      position: 4,
      match: 'regex',
      keywords: ['^order\\s*\\d+$'],
      enabled: false,
      reply: {
        type: 'template',
        template: {
          name: 'order_status',
          language: { code: 'pt_BR' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Ana' },
                { type: 'text', text: '#12' },
              ],
            },
          ],
        },
      },
    },
    {
      id: 'r-any-1',
      position: 5,
      match: 'any',
      keywords: [],
      reply: { type: 'text', text: { body: 'Type MENU' } },
    },
    {
      id: 'r-any-2',
      position: 6,
      match: 'any',
      keywords: [],
      reply: { type: 'text', text: { body: 'Never seen' } },
    },
    {
      id: 'r-image',
      position: 7,
      match: 'exact',
      keywords: ['photo'],
      reply: { type: 'image', image: { id: 'MEDIA1' } },
    },
    {
      id: 'r-redos',
      position: 8,
      match: 'regex',
      keywords: ['(a+)+$'],
      reply: { type: 'text', text: { body: 'x' } },
    },
    {
      id: 'r-braces',
      position: 9,
      match: 'exact',
      keywords: ['hi'],
      reply: { type: 'text', text: { body: 'Hi {{1}}' } },
    },
    {
      id: 'r-four',
      position: 10,
      match: 'exact',
      keywords: ['four'],
      reply: {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'b' },
          action: {
            buttons: [1, 2, 3, 4].map((n) => ({ type: 'reply', reply: { id: `i${n}`, title: `T${n}` } })),
          },
        },
      },
    },
    {
      id: 'r-other-bot',
      bot: 'b2',
      position: 7,
      match: 'any',
      keywords: [],
      reply: { type: 'text', text: { body: 'Hello from b2' } },
    },
  ];
  for (const row of rows) {
    insert.run(
      row.id,
      row.bot ?? 'b1',
      row.position,
      row.match,
      JSON.stringify(row.keywords),
      row.caseSensitive ? 1 : 0,
      JSON.stringify(row.reply),
      row.enabled === false ? 0 : 1,
      row.createdAt ?? 1,
      2,
    );
  }
}

export function checkChatbotRulesV2Migration(open: () => Db): void {
  const db = open();
  try {
    // Version 2 is the schema just before chatbot-rules-v2 (3).
    migrate(db, migrations, { toVersion: 2 });
    seedV1(db);
    const result = migrate(db, migrations, { toVersion: 3 });
    expect(result.applied).toEqual(['3-chatbot-rules-v2']);
    expect(schemaVersionOf(db)).toBe(3);

    const rules = db
      .prepare<
        [],
        {
          id: string;
          chatbot_id: string;
          position: number;
          name: string;
          enabled: number;
          trigger: string;
          actions: string;
          created_at: number;
          updated_at: number;
        }
      >('SELECT * FROM chatbot_rules ORDER BY chatbot_id, position')
      .all()
      .map((row) => ({
        ...row,
        trigger: JSON.parse(row.trigger) as unknown,
        actions: JSON.parse(row.actions) as unknown,
      }));

    expect(rules).toEqual([
      {
        id: 'r-text',
        chatbot_id: 'b1',
        position: 0,
        name: 'Keyword: menu, Menú',
        enabled: 1,
        trigger: { type: 'keyword', match: 'exact', keywords: ['menu', 'Menú'] },
        actions: [{ type: 'reply_text', text: 'Our menu: …', previewUrl: true }],
        created_at: 1,
        updated_at: 2,
      },
      {
        id: 'r-buttons',
        chatbot_id: 'b1',
        position: 1,
        name: 'Keyword: help',
        enabled: 1,
        trigger: { type: 'keyword', match: 'contains', keywords: ['help'] },
        actions: [
          {
            type: 'reply_buttons',
            header: 'Help',
            footer: 'Shop',
            body: 'What do you need?',
            buttons: [
              { id: 'sales', title: 'Sales' },
              { id: 'support', title: 'Support' },
            ],
          },
        ],
        created_at: 5,
        updated_at: 2,
      },
      {
        id: 'r-list',
        chatbot_id: 'b1',
        position: 2,
        name: 'Keyword: catalog',
        enabled: 1,
        trigger: { type: 'keyword', match: 'starts_with', keywords: ['catalog'] },
        actions: [
          {
            type: 'reply_list',
            body: 'Pick one',
            button: 'Categories',
            sections: [
              { title: 'Clothes', rows: [{ id: 'shirts', title: 'Shirts', description: 'All sizes' }] },
              { title: 'Shoes', rows: [{ id: 'boots', title: 'Boots' }] },
            ],
          },
        ],
        created_at: 1,
        updated_at: 2,
      },
      {
        id: 'r-template',
        chatbot_id: 'b1',
        position: 3,
        name: 'Keyword: ^order\\s*\\d+$',
        enabled: 0,
        trigger: { type: 'keyword', match: 'regex', keywords: ['^order\\s*\\d+$'] },
        actions: [
          {
            type: 'send_template',
            name: 'order_status',
            language: 'pt_BR',
            params: [{ text: 'Ana' }, { text: '#12' }],
          },
        ],
        created_at: 1,
        updated_at: 2,
      },
      {
        id: 'r-any-1',
        chatbot_id: 'b1',
        position: 4,
        name: 'Any message',
        enabled: 1,
        trigger: { type: 'fallback' },
        actions: [{ type: 'reply_text', text: 'Type MENU', previewUrl: false }],
        created_at: 1,
        updated_at: 2,
      },
      {
        id: 'r-any-2',
        chatbot_id: 'b1',
        position: 5,
        name: 'Any message',
        enabled: 0,
        trigger: { type: 'fallback' },
        actions: [{ type: 'reply_text', text: 'Never seen', previewUrl: false }],
        created_at: 1,
        updated_at: 2,
      },
      {
        id: 'r-other-bot',
        chatbot_id: 'b2',
        position: 0,
        name: 'Any message',
        enabled: 1,
        trigger: { type: 'fallback' },
        actions: [{ type: 'reply_text', text: 'Hello from b2', previewUrl: false }],
        created_at: 1,
        updated_at: 2,
      },
    ]);

    const archive = db
      .prepare<
        [],
        { rule_id: string; chatbot_id: string; original: string; converted: number; reason: string }
      >(
        'SELECT rule_id, chatbot_id, original, converted, reason FROM chatbot_rules_v1_archive ORDER BY rule_id',
      )
      .all();
    expect(archive.map(({ rule_id, converted, reason }) => ({ rule_id, converted, reason }))).toEqual([
      {
        rule_id: 'r-any-2',
        converted: 1,
        reason: 'Moved with changes: a second match-any rule could never fire; it was disabled.',
      },
      {
        rule_id: 'r-braces',
        converted: 0,
        reason: 'Not moved: text reply contains {{ or }}, which v2 reads as a placeholder.',
      },
      {
        rule_id: 'r-buttons',
        converted: 1,
        reason: 'Moved with changes: it was case-sensitive; v2 matching ignores case and accents.',
      },
      { rule_id: 'r-four', converted: 0, reason: 'Not moved: reply buttons need 1 to 3 buttons (got 4).' },
      { rule_id: 'r-image', converted: 0, reason: 'Not moved: reply type "image" has no v2 action.' },
      {
        rule_id: 'r-redos',
        converted: 0,
        reason:
          'Not moved: Regular expression /(a+)+$/ repeats a group that itself contains a repetition or alternatives, ' +
          'like (a+)+ or (a|aa)*; such patterns can freeze the app on some messages. Rewrite it without the nesting, ' +
          'e.g. (a+)+ as a+.',
      },
    ]);
    // The archive keeps the v1 row verbatim.
    const image = JSON.parse(archive.find((row) => row.rule_id === 'r-image')!.original) as Record<
      string,
      unknown
    >;
    expect(image).toMatchObject({
      id: 'r-image',
      chatbot_id: 'b1',
      position: 7,
      match_type: 'exact',
      keywords: '["photo"]',
    });
    expect(JSON.parse(image.reply as string)).toEqual({ type: 'image', image: { id: 'MEDIA1' } });

    // Bots gained the new columns with empty settings, and read back as valid v2 bots.
    expect(db.prepare('SELECT id, business_hours, compliance FROM chatbots ORDER BY id').all()).toEqual([
      { id: 'b1', business_hours: null, compliance: '{}' },
      { id: 'b2', business_hours: null, compliance: '{}' },
    ]);
    const repo = createChatbotsRepo(db);
    for (const id of ['b1', 'b2']) {
      const bot = repo.getBot(id)!;
      expect(botSchema.safeParse(bot).success).toBe(true);
    }
    expect(repo.getBot('b1')!.rules.map((rule) => rule.id)).toEqual([
      'r-text',
      'r-buttons',
      'r-list',
      'r-template',
      'r-any-1',
      'r-any-2',
    ]);

    // The per-conversation state table and the rule order index exist.
    const names = db
      .prepare(`SELECT name FROM sqlite_schema WHERE name LIKE 'chatbot%' ORDER BY name`)
      .pluck()
      .all();
    expect(names).toEqual(
      expect.arrayContaining([
        'chatbot_conversation_state',
        'chatbot_rules',
        'chatbot_rules_order',
        'chatbot_rules_v1_archive',
      ]),
    );
    expect(names).not.toContain('chatbot_rules_v2');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
}
