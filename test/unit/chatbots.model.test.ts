// Save-time validation: Meta's interactive limits (§2) with the exact messages the editor shows, the
// go-to graph (cycles, missing targets, depth, sends), business hours, placeholders and regexes.
import { describe, expect, it } from 'vitest';
import { botSchema, engineMessageFromCloud, toIssues } from '../../src-main/chatbots/chatbots.model';
import { botDraft, keyword, makeBot, rule, say } from './chatbots.fixtures';

function issues(draft: Record<string, unknown>): { where: string; message: string }[] {
  const parsed = botSchema.safeParse(draft);
  if (parsed.success) return [];
  return toIssues(parsed.error).map(({ where, message }) => ({ where, message }));
}

const menu = (action: unknown) =>
  botDraft([rule('menu', keyword('exact', 'menu'), [action], { name: 'Menu' })]);
const buttons = (list: { id: string; title: string }[], body = 'Pick one') => ({
  type: 'reply_buttons',
  body,
  buttons: list,
});
const list = (sections: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'reply_list',
  body: 'Our menu',
  button: 'Options',
  sections,
  ...extra,
});
const rows = (n: number, prefix = 'r') =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${prefix}${i}` }));

describe('reply buttons limits (§2)', () => {
  it('accepts 1 to 3 buttons with unique titles up to 20 characters and ids up to 256', () => {
    expect(issues(menu(buttons([{ id: 'a', title: 'Sales' }])))).toEqual([]);
    expect(
      issues(
        menu(
          buttons(
            [
              { id: 'x'.repeat(256), title: 'A'.repeat(20) },
              { id: 'b', title: 'Support' },
              { id: 'c', title: 'Opening hours' },
            ],
            'B'.repeat(1024),
          ),
        ),
      ),
    ).toEqual([]);
  });

  it('refuses 0 and 4 buttons', () => {
    expect(issues(menu(buttons([])))).toEqual([
      { where: 'rule 1 › action 1 › buttons', message: 'Reply buttons need 1 to 3 buttons (got 0).' },
    ]);
    expect(issues(menu(buttons(rows(4))))).toEqual([
      { where: 'rule 1 › action 1 › buttons', message: 'Reply buttons need 1 to 3 buttons (got 4).' },
    ]);
  });

  it('refuses a title over 20, an id over 256, a body over 1024, empty and duplicate titles and ids', () => {
    expect(issues(menu(buttons([{ id: 'a', title: 'Talk to a human agent' }])))).toEqual([
      {
        where: 'rule 1 › action 1 › button 1 › title',
        message: 'Button title must be at most 20 characters (got 21).',
      },
    ]);
    expect(issues(menu(buttons([{ id: 'x'.repeat(257), title: 'Ok' }])))).toEqual([
      {
        where: 'rule 1 › action 1 › button 1 › id',
        message: 'Button id must be at most 256 characters (got 257).',
      },
    ]);
    expect(issues(menu(buttons([{ id: 'a', title: 'Ok' }], 'B'.repeat(1025))))).toEqual([
      {
        where: 'rule 1 › action 1 › body',
        message: 'Button message body must be at most 1024 characters (got 1025).',
      },
    ]);
    expect(issues(menu(buttons([{ id: 'a', title: '  ' }])))).toEqual([
      { where: 'rule 1 › action 1 › button 1 › title', message: 'Button title must not be empty.' },
    ]);
    expect(
      issues(
        menu(
          buttons([
            { id: 'a', title: 'Yes' },
            { id: 'a', title: 'Yes ' },
          ]),
        ),
      ),
    ).toEqual([
      {
        where: 'rule 1 › action 1 › buttons',
        message: 'Button titles must be unique: "Yes" is used more than once.',
      },
      {
        where: 'rule 1 › action 1 › buttons',
        message: 'Button ids must be unique: "a" is used more than once.',
      },
    ]);
  });

  it('refuses a header or footer over 60 characters', () => {
    expect(
      issues(
        menu({ ...buttons([{ id: 'a', title: 'Ok' }]), header: 'H'.repeat(61), footer: 'F'.repeat(61) }),
      ),
    ).toEqual([
      { where: 'rule 1 › action 1 › header', message: 'Header must be at most 60 characters (got 61).' },
      { where: 'rule 1 › action 1 › footer', message: 'Footer must be at most 60 characters (got 61).' },
    ]);
  });
});

describe('list limits (§2)', () => {
  it('accepts 10 rows in total, titles 24, descriptions 72, button 20', () => {
    expect(
      issues(
        menu(
          list(
            [
              {
                title: 'S'.repeat(24),
                rows: [{ id: 'a', title: 'T'.repeat(24), description: 'D'.repeat(72) }, ...rows(4)],
              },
              { title: 'Second', rows: rows(5, 's') },
            ],
            { button: 'B'.repeat(20) },
          ),
        ),
      ),
    ).toEqual([]);
  });

  it('refuses more than 10 rows across sections', () => {
    expect(
      issues(
        menu(
          list([
            { title: 'One', rows: rows(6) },
            { title: 'Two', rows: rows(5, 's') },
          ]),
        ),
      ),
    ).toEqual([
      {
        where: 'rule 1 › action 1 › sections',
        message: 'A list can have at most 10 rows in total across its sections (got 11).',
      },
    ]);
  });

  it('requires section titles when there are 2 or more sections, not with one', () => {
    expect(issues(menu(list([{ rows: rows(2) }])))).toEqual([]);
    expect(issues(menu(list([{ rows: rows(2) }, { title: 'Two', rows: rows(2, 's') }])))).toEqual([
      {
        where: 'rule 1 › action 1 › section 1 › title',
        message: 'Section title is required when a list has 2 or more sections.',
      },
    ]);
  });

  it('refuses long row titles, descriptions, ids, section titles and button text, and duplicate row ids', () => {
    expect(
      issues(
        menu(
          list(
            [
              {
                title: 'S'.repeat(25),
                rows: [{ id: 'i'.repeat(201), title: 'T'.repeat(25), description: 'D'.repeat(73) }],
              },
            ],
            { button: 'B'.repeat(21) },
          ),
        ),
      ),
    ).toEqual([
      {
        where: 'rule 1 › action 1 › button',
        message: 'List button text must be at most 20 characters (got 21).',
      },
      {
        where: 'rule 1 › action 1 › section 1 › title',
        message: 'Section title must be at most 24 characters (got 25).',
      },
      {
        where: 'rule 1 › action 1 › section 1 › row 1 › id',
        message: 'Row id must be at most 200 characters (got 201).',
      },
      {
        where: 'rule 1 › action 1 › section 1 › row 1 › title',
        message: 'Row title must be at most 24 characters (got 25).',
      },
      {
        where: 'rule 1 › action 1 › section 1 › row 1 › description',
        message: 'Row description must be at most 72 characters (got 73).',
      },
    ]);
    expect(
      issues(
        menu(
          list([
            { title: 'A', rows: rows(1) },
            { title: 'B', rows: rows(1) },
          ]),
        ),
      ),
    ).toEqual([
      {
        where: 'rule 1 › action 1 › sections',
        message: 'Row ids must be unique across the list: "r0" is used more than once.',
      },
    ]);
  });

  it('refuses more than 10 sections and an empty section', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({
      title: `S${i}`,
      rows: [{ id: `r${i}`, title: 'x' }],
    }));
    expect(issues(menu(list(eleven)))).toContainEqual({
      where: 'rule 1 › action 1 › sections',
      message: 'A list can have at most 10 sections (got 11).',
    });
    expect(issues(menu(list([{ rows: [] }])))).toEqual([
      { where: 'rule 1 › action 1 › section 1 › rows', message: 'A list section needs at least one row.' },
    ]);
  });
});

describe('other actions and triggers', () => {
  it('text replies: up to 4096 characters, known placeholders only', () => {
    expect(issues(menu(say('x'.repeat(4096))))).toEqual([]);
    expect(issues(menu(say('x'.repeat(4097))))).toEqual([
      {
        where: 'rule 1 › action 1 › text',
        message: 'Reply text must be at most 4096 characters (got 4097).',
      },
    ]);
    expect(issues(menu(say('Hi {{nome}}')))).toEqual([
      {
        where: 'rule 1 › action 1 › text',
        message:
          'Unknown placeholder {{nome}}: use {{name}}, {{phone}} or {{attribute.<key>}}, optionally with a fallback like {{name | there}}.',
      },
    ]);
  });

  it('templates: Meta-style name and language, parameters all named or all positional', () => {
    const template = (extra: Record<string, unknown>) => ({
      type: 'send_template',
      name: 'order_update',
      language: 'en_US',
      ...extra,
    });
    expect(issues(menu(template({ params: [{ text: '{{name | there}}' }] })))).toEqual([]);
    expect(issues(menu(template({ name: 'Order Update' })))).toEqual([
      {
        where: 'rule 1 › action 1 › name',
        message: 'Template name must be lowercase letters, digits and _ (as in Meta).',
      },
    ]);
    expect(issues(menu(template({ language: 'english' })))).toEqual([
      {
        where: 'rule 1 › action 1 › language',
        message: 'Template language must be a code like en or en_US.',
      },
    ]);
    expect(issues(menu(template({ params: [{ name: 'first_name', text: 'a' }, { text: 'b' }] })))).toEqual([
      {
        where: 'rule 1 › action 1 › params',
        message: 'Template parameters must be all named or all positional, not a mix.',
      },
    ]);
  });

  it('keywords: regex problems are reported on the keyword, punctuation-only keywords refused', () => {
    expect(issues(botDraft([rule('r', keyword('regex', 'ok', '(a+)+'), [say('x')])]))).toEqual([
      {
        where: 'rule 1 › trigger › keyword 2',
        message:
          'Regular expression /(a+)+/ repeats a group that itself contains a repetition or alternatives, like (a+)+ or (a|aa)*; ' +
          'such patterns can freeze the app on some messages. Rewrite it without the nesting, e.g. (a+)+ as a+.',
      },
    ]);
    expect(issues(botDraft([rule('r', keyword('contains', '?!'), [say('x')])]))).toEqual([
      {
        where: 'rule 1 › trigger › keyword 1',
        message: 'Keyword "?!" has only punctuation or spaces; it could never match.',
      },
    ]);
    expect(issues(botDraft([rule('r', keyword('fuzzy', 'x'), [say('x')])]))).toEqual([
      {
        where: 'rule 1 › trigger › match',
        message: 'Match must be one of exact, contains, starts_with or regex.',
      },
    ]);
    expect(issues(botDraft([rule('r', keyword('exact'), [say('x')])]))).toEqual([
      { where: 'rule 1 › trigger › keywords', message: 'Add at least one keyword.' },
    ]);
  });

  it('unknown trigger and action types name the valid ones', () => {
    expect(issues(botDraft([rule('r', { type: 'sometimes' }, [say('x')])]))).toEqual([
      {
        where: 'rule 1 › trigger › type',
        message:
          'Trigger type must be one of keyword, first_message, outside_business_hours, reply_id or fallback.',
      },
    ]);
    expect(issues(botDraft([rule('r', { type: 'fallback' }, [{ type: 'dance' }])]))[0]?.message).toMatch(
      /^Action type must be one of reply_text, reply_buttons/,
    );
  });

  it('an enabled rule needs an action; a disabled draft may have none', () => {
    expect(issues(botDraft([rule('r', { type: 'fallback' }, [])]))).toEqual([
      { where: 'rule 1 › actions', message: 'An enabled rule needs at least one action.' },
    ]);
    expect(issues(botDraft([rule('r', { type: 'fallback' }, [], { enabled: false })]))).toEqual([]);
  });

  it('only one enabled fallback', () => {
    expect(
      issues(
        botDraft([
          rule('a', { type: 'fallback' }, [say('1')], { name: 'First' }),
          rule('b', { type: 'fallback' }, [say('2')], { name: 'Second' }),
          rule('c', { type: 'fallback' }, [say('3')], { name: 'Off', enabled: false }),
        ]),
      ),
    ).toEqual([
      { where: 'rules', message: 'Only one enabled fallback rule is allowed (found 2: "First", "Second").' },
    ]);
  });
});

describe('go-to graph', () => {
  const goTo = (ruleId: string) => ({ type: 'go_to_rule', ruleId });

  it('accepts menus and sub-menus that return to the menu without a loop', () => {
    const bot = makeBot([
      rule('menu', keyword('exact', 'menu'), [buttons([{ id: 'sales', title: 'Sales' }])], { name: 'Menu' }),
      rule('sales', { type: 'reply_id', ids: ['sales'] }, [say('Sales here'), goTo('menu')], {
        name: 'Sales',
      }),
    ]);
    expect(bot.rules).toHaveLength(2);
  });

  it('rejects a cycle, naming the rules in order', () => {
    expect(
      issues(
        botDraft([
          rule('a', keyword('exact', 'a'), [goTo('b')], { name: 'A' }),
          rule('b', keyword('exact', 'b'), [goTo('c')], { name: 'B' }),
          rule('c', keyword('exact', 'c'), [say('c'), goTo('a')], { name: 'C' }),
        ]),
      ),
    ).toEqual([
      {
        where: 'rule 1 › actions',
        message: 'Go to rule makes a loop: "A" → "B" → "C" → "A". Remove one of the go-to actions.',
      },
    ]);
  });

  it('rejects a rule going to itself and a go-to whose target does not exist', () => {
    expect(
      issues(botDraft([rule('a', keyword('exact', 'a'), [say('x'), goTo('a')], { name: 'A' })])),
    ).toEqual([
      { where: 'rule 1 › action 2 › ruleId', message: 'Go to rule: rule "A" cannot go to itself.' },
    ]);
    expect(issues(botDraft([rule('a', keyword('exact', 'a'), [goTo('ghost')], { name: 'A' })]))).toEqual([
      {
        where: 'rule 1 › action 1 › ruleId',
        message: 'Go to rule: there is no rule with id "ghost" in this bot.',
      },
    ]);
  });

  it('rejects chains that would send more than 5 messages for one customer message', () => {
    expect(
      issues(
        botDraft([
          rule('a', keyword('exact', 'a'), [say('1'), say('2'), say('3'), goTo('b')], { name: 'A' }),
          rule('b', keyword('exact', 'b'), [say('4'), say('5'), say('6')], { name: 'B' }),
        ]),
      ),
    ).toEqual([
      {
        where: 'rule 1 › actions',
        message:
          'Rule "A" would send 6 messages to one customer message (go-to steps included); at most 5 are allowed.',
      },
    ]);
  });

  it('rejects duplicate rule ids', () => {
    expect(
      issues(
        botDraft([
          rule('a', keyword('exact', 'a'), [say('1')]),
          rule('a', keyword('exact', 'b'), [say('2')]),
        ]),
      ),
    ).toEqual([{ where: 'rule 2 › id', message: 'Rule id "a" is used twice.' }]);
  });
});

describe('business hours', () => {
  const away = [rule('away', { type: 'outside_business_hours' }, [say('We are closed')], { name: 'Away' })];
  const hours = (extra: Record<string, unknown>) => ({
    timeZone: 'America/Sao_Paulo',
    weekly: {},
    holidays: [],
    ...extra,
  });

  it('the away trigger needs business hours', () => {
    expect(issues(botDraft(away))).toEqual([
      {
        where: 'rule 1 › trigger',
        message: 'Rule "Away" fires outside business hours, but the bot has no business hours yet.',
      },
    ]);
  });

  it('accepts a valid schedule, fills missing days as closed and sorts and dedupes holidays', () => {
    const bot = makeBot(away, {
      businessHours: hours({
        weekly: { monday: [{ start: '09:00', end: '18:00' }], saturday: [{ start: '10:00', end: '24:00' }] },
        holidays: ['2025-12-25', '2025-01-01', '2025-12-25'],
      }),
    });
    expect(bot.businessHours?.weekly.sunday).toEqual([]);
    expect(bot.businessHours?.holidays).toEqual(['2025-01-01', '2025-12-25']);
  });

  it('refuses an unknown zone, a bad time, a range ending before it starts, and an impossible date', () => {
    expect(
      issues(
        botDraft(away, {
          businessHours: hours({
            timeZone: 'Brazil/Recife',
            weekly: {
              monday: [{ start: '9:00', end: '18:00' }],
              tuesday: [{ start: '22:00', end: '02:00' }],
            },
            holidays: ['2025-02-30'],
          }),
        }),
      ),
    ).toEqual([
      {
        where: 'businessHours › timeZone',
        message: 'Time zone "Brazil/Recife" is not an IANA time zone such as America/Sao_Paulo.',
      },
      { where: 'businessHours › weekly › monday › #1 › start', message: 'Start must be a time like 09:00.' },
      {
        where: 'businessHours › weekly › tuesday › #1',
        message: 'Time range 22:00–02:00 ends before it starts; split a range across midnight into two days.',
      },
      { where: 'businessHours › holiday 1', message: 'Holiday "2025-02-30" is not a date like 2025-12-25.' },
    ]);
  });
});

describe('engineMessageFromCloud (§6 inbound shapes)', () => {
  it('maps text, interactive replies and template quick-reply buttons', () => {
    expect(engineMessageFromCloud({ type: 'text', text: { body: 'menu' } })).toEqual({
      direction: 'inbound',
      type: 'text',
      text: 'menu',
    });
    expect(
      engineMessageFromCloud({
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'sales', title: 'Sales' } },
      }),
    ).toEqual({
      direction: 'inbound',
      type: 'interactive',
      reply: { kind: 'button_reply', id: 'sales', title: 'Sales' },
    });
    expect(
      engineMessageFromCloud({
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'r1', title: 'Row', description: 'd' } },
      }),
    ).toEqual({
      direction: 'inbound',
      type: 'interactive',
      reply: { kind: 'list_reply', id: 'r1', title: 'Row' },
    });
    expect(
      engineMessageFromCloud({
        type: 'button',
        button: { payload: 'STOP', text: 'Stop promotions' },
        context: { id: 'wamid.X' },
      }),
    ).toEqual({ direction: 'inbound', type: 'button', button: { payload: 'STOP', text: 'Stop promotions' } });
  });

  it('keeps only the type of other messages and survives junk', () => {
    expect(engineMessageFromCloud({ type: 'image', image: { id: '1', caption: 'stop' } })).toEqual({
      direction: 'inbound',
      type: 'image',
    });
    expect(engineMessageFromCloud(null)).toEqual({ direction: 'inbound', type: 'unknown' });
    expect(engineMessageFromCloud({ type: 'interactive', interactive: { type: 'nfm_reply' } })).toEqual({
      direction: 'inbound',
      type: 'interactive',
    });
  });
});
