// decide(): which rule fires, what is sent (Cloud API §2 shapes), built-in STOP/START, away once a day,
// menus with go-to, placeholders, and the gates (outbound, opted out, paused).
import { describe, expect, it } from 'vitest';
import { complianceKeywords, defaultConfirmations } from '../../src-main/chatbots/chatbots.compliance';
import { decide } from '../../src-main/chatbots/chatbots.engine';
import { engineMessageSchema } from '../../src-main/chatbots/chatbots.model';
import {
  buttonReply,
  contact,
  conversation,
  keyword,
  listReply,
  makeBot,
  quickReply,
  rule,
  run,
  say,
  sentTexts,
  text,
} from './chatbots.fixtures';

const goTo = (ruleId: string) => ({ type: 'go_to_rule', ruleId });

const shopBot = makeBot([
  rule('greet', { type: 'first_message' }, [say('Welcome, {{name | friend}}!')], { name: 'Greeting' }),
  rule('price', keyword('contains', 'price', 'preço', 'precio'), [say('Prices: see our catalog')], {
    name: 'Prices',
  }),
  rule('order', keyword('starts_with', 'order'), [say('Tell me your order number')], { name: 'Orders' }),
  rule('code', keyword('regex', '^#?\\d{5}$'), [say('Looking up {{attribute.last_order | your order}}')], {
    name: 'Code',
  }),
  rule(
    'menu',
    keyword('exact', 'menu', 'menú'),
    [
      {
        type: 'reply_buttons',
        header: 'Hi {{name}}',
        body: 'How can we help?',
        footer: 'Shop',
        buttons: [
          { id: 'sales', title: 'Sales' },
          { id: 'support', title: 'Support' },
        ],
      },
    ],
    { name: 'Menu' },
  ),
  rule('sales', { type: 'reply_id', ids: ['sales'] }, [say('Sales team here.'), goTo('catalog')], {
    name: 'Sales',
  }),
  rule(
    'catalog',
    { type: 'reply_id', ids: ['catalog'] },
    [
      {
        type: 'reply_list',
        body: 'Pick a category',
        button: 'Categories',
        sections: [
          { title: 'Clothes', rows: [{ id: 'shirts', title: 'Shirts', description: 'All sizes' }] },
          { title: 'Shoes', rows: [{ id: 'boots', title: 'Boots' }] },
        ],
      },
    ],
    { name: 'Catalog' },
  ),
  rule(
    'support',
    { type: 'reply_id', ids: ['support', 'HELP_PAYLOAD'] },
    [say('An agent will answer soon.'), { type: 'handoff', note: 'Asked for support' }],
    {
      name: 'Support',
    },
  ),
  rule('fallback', { type: 'fallback' }, [say("Sorry, I didn't get that. Type MENU.")], { name: 'Fallback' }),
]);

describe('rule matching', () => {
  it('keyword modes, accents and case pick the first matching rule in order', () => {
    expect(run(shopBot, text('What is the PRICE?')).rule?.id).toBe('price');
    expect(run(shopBot, text('qual o preco?')).rule?.id).toBe('price');
    expect(run(shopBot, text('Precio, por favor')).rule?.id).toBe('price');
    expect(run(shopBot, text('ORDER 55')).rule?.id).toBe('order');
    expect(run(shopBot, text('#12345')).rule?.id).toBe('code');
    expect(run(shopBot, text('Menú')).rule?.id).toBe('menu');
    // "price" also appears, but "order ..." is checked after "price": order matters.
    expect(run(shopBot, text('order price')).rule?.id).toBe('price');
  });

  it('first message of a new conversation fires the greeting rule (in its position)', () => {
    const decision = run(shopBot, text('hello'), { conversation: { isFirstMessage: true } });
    expect(decision.rule).toEqual({ id: 'greet', name: 'Greeting' });
    expect(sentTexts(decision)).toEqual(['Welcome, Ana!']);
    expect(run(shopBot, text('hello')).rule?.id).toBe('fallback');
  });

  it('fallback only when nothing else matched, wherever it sits in the list', () => {
    const bot = makeBot([
      rule('fb', { type: 'fallback' }, [say('fallback')]),
      rule('hi', keyword('exact', 'hi'), [say('hello!')]),
    ]);
    expect(run(bot, text('hi')).rule?.id).toBe('hi');
    expect(run(bot, text('something else')).rule?.id).toBe('fb');
  });

  it('no rule and no fallback: silent, with the reason', () => {
    const bot = makeBot([rule('hi', keyword('exact', 'hi'), [say('hello!')])]);
    const decision = run(bot, text('bye'));
    expect(decision).toMatchObject({ outcome: 'silent', silentReason: 'no_rule_matched', effects: [] });
    expect(decision.trace.map((line) => line.message)).toContain('"hi": no keyword (exact) matched');
  });

  it('disabled rules are skipped', () => {
    const bot = makeBot([
      rule('off', keyword('exact', 'hi'), [say('off')], { enabled: false }),
      rule('on', keyword('contains', 'hi'), [say('on')]),
    ]);
    expect(run(bot, text('hi')).rule?.id).toBe('on');
  });

  it('button and list reply ids fire reply_id rules; a quick-reply payload does too', () => {
    expect(run(shopBot, buttonReply('support', 'Support')).rule?.id).toBe('support');
    expect(run(shopBot, listReply('catalog', 'Catalog')).rule?.id).toBe('catalog');
    expect(run(shopBot, quickReply('HELP_PAYLOAD', 'Need help')).rule?.id).toBe('support');
    expect(run(shopBot, buttonReply('unknown-id', 'Other')).rule?.id).toBe('fallback');
  });

  it('keyword rules read a button title or a quick-reply label when no reply id rule took it', () => {
    expect(run(shopBot, buttonReply('x1', 'Menu')).rule?.id).toBe('menu');
    expect(run(shopBot, quickReply('PAYLOAD_1', 'Menu')).rule?.id).toBe('menu');
  });

  it('media messages reach first-message, away and fallback rules but not keyword rules', () => {
    const image = engineMessageSchema.parse({ type: 'image' });
    expect(run(shopBot, image).rule?.id).toBe('fallback');
    expect(run(shopBot, image, { conversation: { isFirstMessage: true } }).rule?.id).toBe('greet');
  });
});

describe('effects in the Cloud API shape (§2)', () => {
  it('reply buttons become an interactive button message with placeholders filled', () => {
    const decision = run(shopBot, text('menu'));
    expect(decision.effects).toEqual([
      {
        kind: 'send',
        ruleId: 'menu',
        message: {
          type: 'interactive',
          interactive: {
            type: 'button',
            header: { type: 'text', text: 'Hi Ana' },
            body: { text: 'How can we help?' },
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
    ]);
  });

  it('go-to runs the sub-menu after the reply: text, then the list', () => {
    const decision = run(shopBot, buttonReply('sales', 'Sales'));
    expect(decision.rule?.id).toBe('sales');
    expect(decision.effects).toEqual([
      {
        kind: 'send',
        ruleId: 'sales',
        message: { type: 'text', text: { body: 'Sales team here.', preview_url: false } },
      },
      {
        kind: 'send',
        ruleId: 'catalog',
        message: {
          type: 'interactive',
          interactive: {
            type: 'list',
            body: { text: 'Pick a category' },
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
    ]);
  });

  it('handoff comes after the reply, in action order', () => {
    const decision = run(shopBot, buttonReply('support'));
    expect(decision.effects.map((effect) => effect.kind)).toEqual(['send', 'handoff']);
    expect(decision.effects[1]).toEqual({ kind: 'handoff', note: 'Asked for support' });
  });

  it('templates with positional and named parameters', () => {
    const bot = makeBot([
      rule('t', keyword('exact', 'status'), [
        {
          type: 'send_template',
          name: 'order_update',
          language: 'pt_BR',
          params: [{ text: '{{name}}' }, { text: '{{attribute.order | ?}}' }],
        },
        {
          type: 'send_template',
          name: 'welcome',
          language: 'en',
          params: [{ name: 'first_name', text: '{{name}}' }],
        },
        { type: 'send_template', name: 'hello_world', language: 'en_US' },
      ]),
    ]);
    expect(run(bot, text('status'), { contact: { attributes: { order: '#991' } } }).effects).toEqual([
      {
        kind: 'send',
        ruleId: 't',
        message: {
          type: 'template',
          template: {
            name: 'order_update',
            language: { code: 'pt_BR' },
            components: [
              {
                type: 'body',
                parameters: [
                  { type: 'text', text: 'Ana' },
                  { type: 'text', text: '#991' },
                ],
              },
            ],
          },
        },
      },
      {
        kind: 'send',
        ruleId: 't',
        message: {
          type: 'template',
          template: {
            name: 'welcome',
            language: { code: 'en' },
            components: [
              { type: 'body', parameters: [{ type: 'text', text: 'Ana', parameter_name: 'first_name' }] },
            ],
          },
        },
      },
      {
        kind: 'send',
        ruleId: 't',
        message: { type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
      },
    ]);
  });

  it('tags and attributes; later actions see the attribute an earlier one set', () => {
    const bot = makeBot([
      rule('vip', keyword('exact', 'vip'), [
        { type: 'add_tag', tag: 'vip' },
        { type: 'remove_tag', tag: 'lead' },
        { type: 'set_attribute', key: 'tier', value: 'gold for {{name}}' },
        say('You are {{attribute.tier | nothing}}'),
      ]),
    ]);
    expect(run(bot, text('vip'), { contact: { tags: ['lead'] } }).effects).toEqual([
      { kind: 'add_tag', tag: 'vip' },
      { kind: 'remove_tag', tag: 'lead' },
      { kind: 'set_attribute', key: 'tier', value: 'gold for Ana' },
      {
        kind: 'send',
        ruleId: 'vip',
        message: { type: 'text', text: { body: 'You are gold for Ana', preview_url: false } },
      },
    ]);
  });

  it('placeholder fallbacks when the contact has no name or attribute', () => {
    const decision = run(shopBot, text('12345'), { contact: { name: null } });
    expect(sentTexts(decision)).toEqual(['Looking up your order']);
    expect(
      sentTexts(
        run(shopBot, text('hi'), { contact: { name: '  ' }, conversation: { isFirstMessage: true } }),
      ),
    ).toEqual(['Welcome, friend!']);
  });

  it('a rendered text over Meta’s limit is cut to it, with a warning in the trace', () => {
    const bot = makeBot([rule('long', keyword('exact', 'x'), [say('{{attribute.bio}}')])]);
    const decision = run(bot, text('x'), { contact: { attributes: { bio: 'b'.repeat(5000) } } });
    expect(sentTexts(decision)[0]).toHaveLength(4096);
    expect(sentTexts(decision)[0]?.endsWith('…')).toBe(true);
    expect(
      decision.trace.some((line) => line.step === 'warning' && line.message.includes('cut to Meta')),
    ).toBe(true);
  });

  it('a rule opt-out: later messages of the rule are not sent, the confirmation rides on the opt-out', () => {
    const bot = makeBot([
      rule('bye', keyword('exact', 'no more'), [
        { type: 'opt_out', confirmation: 'Done, {{name}}.' },
        say('this must not be sent'),
        { type: 'add_tag', tag: 'unsubscribed' },
      ]),
    ]);
    expect(run(bot, text('No more!')).effects).toEqual([
      {
        kind: 'opt_out',
        source: 'rule',
        confirmation: { type: 'text', text: { body: 'Done, Ana.', preview_url: false } },
      },
      { kind: 'add_tag', tag: 'unsubscribed' },
    ]);
  });
});

describe('go-to at run time', () => {
  it('a cycle in stored rules (bypassing validation) stops without looping', () => {
    const base = makeBot([
      rule('a', keyword('exact', 'a'), [say('A')]),
      rule('b', keyword('exact', 'b'), [say('B')]),
    ]);
    // Rows edited outside the app: a → b → a. The engine must still terminate.
    const broken = {
      ...base,
      rules: [
        {
          ...base.rules[0]!,
          actions: [...base.rules[0]!.actions, { type: 'go_to_rule' as const, ruleId: 'b' }],
        },
        {
          ...base.rules[1]!,
          actions: [...base.rules[1]!.actions, { type: 'go_to_rule' as const, ruleId: 'a' }],
        },
      ],
    };
    const decision = run(broken, text('a'));
    expect(sentTexts(decision)).toEqual(['A', 'B']);
    expect(decision.trace.some((line) => line.message.includes('already running (a loop)'))).toBe(true);
  });

  it('at most 50 steps and 5 messages per customer message', () => {
    const base = makeBot([rule('a', keyword('exact', 'a'), [say('x')])]);
    const many = {
      ...base,
      rules: [
        {
          ...base.rules[0]!,
          actions: Array.from(
            { length: 60 },
            () => say('x') as { type: 'reply_text'; text: string; previewUrl: boolean },
          ).map((a) => ({ ...a, previewUrl: false })),
        },
      ],
    };
    const decision = run(many, text('a'));
    expect(sentTexts(decision)).toHaveLength(5);
    expect(decision.trace.filter((line) => line.message.includes('Stopped after 50 actions'))).toHaveLength(
      1,
    );
  });

  it('a go-to to a disabled rule is skipped', () => {
    const bot = makeBot([
      rule('a', keyword('exact', 'a'), [say('A'), goTo('b')]),
      rule('b', keyword('exact', 'b'), [say('B')], { enabled: false }),
    ]);
    expect(sentTexts(run(bot, text('a')))).toEqual(['A']);
  });
});

describe('built-in STOP / START', () => {
  const languages = ['en', 'es', 'pt', 'hi', 'id'] as const;

  it('every listed opt-out word, in every language, opts out and confirms in that language', () => {
    for (const language of languages) {
      for (const word of complianceKeywords.opt_out[language]) {
        const decision = run(shopBot, text(word.toUpperCase()));
        expect(decision.outcome, word).toBe('compliance');
        expect(decision.compliance?.action, word).toBe('opt_out');
        expect(decision.effects, word).toHaveLength(1);
        expect(decision.effects[0]?.kind, word).toBe('opt_out');
        // Shared words (parar, cancelar) answer in the first language that lists them.
        const answered = decision.compliance!.language;
        expect(sentTexts(decision), word).toEqual([defaultConfirmations.opt_out[answered]]);
      }
    }
  });

  it('the words the issue names are all understood', () => {
    const optOut = [
      'stop',
      'unsubscribe',
      'parar',
      'cancelar',
      'baja',
      'sair',
      'descadastrar',
      'band karo',
      'berhenti',
    ];
    const optIn = ['start', 'comenzar', 'voltar', 'shuru', 'mulai'];
    for (const word of optOut) expect(run(null, text(word)).compliance?.action, word).toBe('opt_out');
    for (const word of optIn) {
      expect(run(null, text(word), { contact: { optedOut: true } }).compliance?.action, word).toBe('opt_in');
    }
    expect(run(null, text('Baja')).compliance?.language).toBe('es');
    expect(run(null, text('descadastrar')).compliance?.language).toBe('pt');
    expect(run(null, text('Band Karo')).compliance?.language).toBe('hi');
    expect(run(null, text('berhenti')).compliance?.language).toBe('id');
  });

  it('case, accents, spacing and surrounding punctuation do not matter; a sentence is not a STOP', () => {
    for (const variant of ['STOP', ' Stop! ', 'stop.', 'Começar', 'COMECAR', 'band   karo']) {
      expect(run(null, text(variant), { contact: { optedOut: true } }).outcome, variant).toBe('compliance');
    }
    expect(run(shopBot, text('please stop by the shop')).outcome).toBe('rule');
    expect(run(shopBot, text('do not stop')).outcome).toBe('rule');
  });

  it('every listed opt-in word opts an opted-out contact back in with a confirmation', () => {
    for (const language of languages) {
      for (const word of complianceKeywords.opt_in[language]) {
        const decision = run(shopBot, text(word), { contact: { optedOut: true } });
        expect(decision.compliance?.action, word).toBe('opt_in');
        expect(decision.effects[0]?.kind, word).toBe('opt_in');
        expect(sentTexts(decision), word).toEqual([
          defaultConfirmations.opt_in[decision.compliance!.language],
        ]);
      }
    }
  });

  it('confirms once: STOP from an opted-out contact sends nothing', () => {
    const decision = run(shopBot, text('STOP'), { contact: { optedOut: true } });
    expect(decision).toMatchObject({ outcome: 'compliance', effects: [] });
    expect(decision.trace.at(-1)?.message).toContain('already opted out: no second confirmation');
  });

  it('START from a subscribed contact is an ordinary message for the rules', () => {
    const bot = makeBot([rule('start', keyword('exact', 'start'), [say('Let us start!')])]);
    const decision = run(bot, text('start'));
    expect(decision.rule?.id).toBe('start');
    expect(sentTexts(decision)).toEqual(['Let us start!']);
  });

  it('the template quick-reply "Stop" payload or label opts out (Meta type button, §6)', () => {
    for (const [payload, label] of [
      ['STOP', 'Stop'],
      ['Stop', 'Stop promotions'],
      ['promo_off', 'Stop promotions'],
      ['STOP_PROMOTIONS', 'Not interested'],
      ['x', 'Parar promoções'],
    ] as const) {
      const decision = run(shopBot, quickReply(payload, label));
      expect(decision.compliance?.action, `${payload}/${label}`).toBe('opt_out');
      expect(decision.effects[0], `${payload}/${label}`).toMatchObject({
        kind: 'opt_out',
        source: 'quick_reply',
      });
    }
    // A label that merely contains the word later on is not an opt-out; neither is an opt-in prefix.
    expect(run(shopBot, quickReply('p', "Don't stop")).outcome).toBe('rule');
    expect(run(shopBot, quickReply('p', 'Start order'), { contact: { optedOut: true } }).outcome).toBe(
      'silent',
    );
  });

  it('an interactive reply titled "Stop" is not the template quick-reply and not a typed STOP', () => {
    expect(run(shopBot, buttonReply('stop-id', 'Stop')).outcome).toBe('rule');
  });

  it('works with no bot, with a disabled bot and in a paused conversation', () => {
    expect(run(null, text('stop')).effects[0]?.kind).toBe('opt_out');
    expect(run({ ...shopBot, enabled: false }, text('stop')).effects[0]?.kind).toBe('opt_out');
    expect(run(shopBot, text('stop'), { conversation: { botPaused: true } }).effects[0]?.kind).toBe(
      'opt_out',
    );
  });

  it('custom confirmations replace the built-in ones, placeholders filled', () => {
    const bot = makeBot([], {
      compliance: { optOutConfirmation: 'Bye {{name}}, no more messages.', optInConfirmation: null },
    });
    expect(sentTexts(run(bot, text('baja')))).toEqual(['Bye Ana, no more messages.']);
    expect(sentTexts(run(bot, text('start'), { contact: { optedOut: true } }))).toEqual([
      defaultConfirmations.opt_in.en,
    ]);
  });
});

describe('gates', () => {
  it('never reacts to outbound messages, not even a STOP typed by an agent', () => {
    const outbound = engineMessageSchema.parse({ direction: 'outbound', type: 'text', text: 'stop' });
    expect(run(shopBot, outbound)).toMatchObject({
      outcome: 'silent',
      silentReason: 'outbound_message',
      effects: [],
    });
    const menuEcho = engineMessageSchema.parse({ direction: 'outbound', type: 'text', text: 'menu' });
    expect(run(shopBot, menuEcho).effects).toEqual([]);
  });

  it('ignores reactions and system notices', () => {
    expect(run(shopBot, engineMessageSchema.parse({ type: 'reaction' })).silentReason).toBe(
      'ignored_message_type',
    );
    expect(run(shopBot, engineMessageSchema.parse({ type: 'system' })).silentReason).toBe(
      'ignored_message_type',
    );
  });

  it('an opted-out contact gets nothing but START', () => {
    expect(run(shopBot, text('menu'), { contact: { optedOut: true } })).toMatchObject({
      outcome: 'silent',
      silentReason: 'contact_opted_out',
    });
  });

  it('a paused conversation (handoff) and a disabled or missing bot stay silent', () => {
    expect(run(shopBot, text('menu'), { conversation: { botPaused: true } }).silentReason).toBe('bot_paused');
    expect(run({ ...shopBot, enabled: false }, text('menu')).silentReason).toBe('bot_disabled');
    expect(run(null, text('menu')).silentReason).toBe('no_bot');
  });

  it('is pure: the same input gives the same decision and the input is not changed', () => {
    const input = {
      bot: shopBot,
      message: text('vip'),
      contact: contact({ attributes: { a: '1' }, tags: ['t'] }),
      conversation: conversation(),
      now: Date.parse('2025-06-02T10:00:00Z'),
    };
    const snapshot = JSON.stringify(input);
    expect(decide(input)).toEqual(decide(input));
    expect(JSON.stringify(input)).toBe(snapshot);
  });
});

describe('away message (outside business hours)', () => {
  const weekdays = [{ start: '09:00', end: '18:00' }];
  const awayBot = makeBot(
    [
      rule('away', { type: 'outside_business_hours' }, [say("We're closed, back at 9.")], { name: 'Away' }),
      rule('menu', keyword('exact', 'menu'), [say('menu')], { name: 'Menu' }),
    ],
    {
      businessHours: {
        timeZone: 'America/Sao_Paulo',
        weekly: {
          monday: weekdays,
          tuesday: weekdays,
          wednesday: weekdays,
          thursday: weekdays,
          friday: weekdays,
        },
        holidays: ['2025-06-19'],
      },
    },
  );
  const at = (iso: string) => Date.parse(iso);

  it('fires outside hours and asks the caller to claim the local date', () => {
    // Monday 2025-06-02 22:00 in São Paulo (UTC-3) = 01:00 UTC Tuesday.
    const decision = run(awayBot, text('hello?'), { now: at('2025-06-03T01:00:00Z') });
    expect(decision.rule?.id).toBe('away');
    expect(decision.awayClaim).toEqual({ localDate: '2025-06-02' });
    expect(sentTexts(decision)).toEqual(["We're closed, back at 9."]);
  });

  it('does not fire inside hours', () => {
    const decision = run(awayBot, text('menu'), { now: at('2025-06-02T15:00:00Z') }); // 12:00 local
    expect(decision.rule?.id).toBe('menu');
    expect(decision.awayClaim).toBeNull();
  });

  it('at most once per conversation per local day; other rules still answer meanwhile', () => {
    const night = at('2025-06-03T01:00:00Z'); // Monday 22:00 local
    const first = run(awayBot, text('hello?'), { now: night });
    const later = run(awayBot, text('menu'), {
      now: night + 60 * 60 * 1000,
      conversation: { awayMessageLastLocalDate: first.awayClaim!.localDate },
    });
    expect(later.rule?.id).toBe('menu');
    expect(later.trace.some((line) => line.message.includes('already sent today'))).toBe(true);
    const silent = run(awayBot, text('anyone?'), {
      now: night + 60 * 60 * 1000,
      conversation: { awayMessageLastLocalDate: '2025-06-02' },
    });
    expect(silent.silentReason).toBe('no_rule_matched');
  });

  it('the next local day (not the next UTC day) sends it again', () => {
    // 23:30 local Monday = 02:30 UTC Tuesday: a new UTC day but the same local day.
    const sameLocalDay = run(awayBot, text('hi'), {
      now: at('2025-06-03T02:30:00Z'),
      conversation: { awayMessageLastLocalDate: '2025-06-02' },
    });
    expect(sameLocalDay.rule).toBeNull();
    // 06:00 local Tuesday: a new local day, still before opening.
    const nextDay = run(awayBot, text('hi'), {
      now: at('2025-06-03T09:00:00Z'),
      conversation: { awayMessageLastLocalDate: '2025-06-02' },
    });
    expect(nextDay.awayClaim).toEqual({ localDate: '2025-06-03' });
  });

  it('holidays and weekends are outside hours', () => {
    expect(run(awayBot, text('hi'), { now: at('2025-06-19T15:00:00Z') }).rule?.id).toBe('away'); // Thursday holiday, 12:00
    expect(run(awayBot, text('hi'), { now: at('2025-06-07T15:00:00Z') }).rule?.id).toBe('away'); // Saturday
  });
});
