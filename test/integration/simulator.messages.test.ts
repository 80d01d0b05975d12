// The simulator's POST /{pnid}/messages behaves like Meta's (whatsapp-cloud-api.md §2, §3): every message
// type is accepted and recorded once, malformed ones get Meta's codes and are NOT recorded, template
// sends are checked against the template store, and the envelope is Meta's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { errorOf, graph, jpegBytes, sendRaw } from '../helpers/simulatorGraph';

let sim: Simulator;
let imageId: string;

beforeAll(async () => {
  sim = await startSimulator({
    throughputMps: 10_000,
    templates: [
      {
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Hi {{1}}, order {{2}} shipped.' }],
      },
      {
        name: 'promo_image',
        language: 'en_US',
        category: 'MARKETING',
        components: [
          { type: 'HEADER', format: 'IMAGE' },
          { type: 'BODY', text: 'Deal for {{1}}: {{2}}' },
          {
            type: 'BUTTONS',
            buttons: [
              { type: 'QUICK_REPLY', text: 'Stop' },
              { type: 'URL', text: 'Open', url: 'https://shop.example/o/{{1}}' },
            ],
          },
        ],
      },
      ...(['VIDEO', 'DOCUMENT'] as const).map((format) => ({
        name: `promo_${format.toLowerCase()}`,
        language: 'en_US',
        category: 'MARKETING',
        components: [
          { type: 'HEADER', format },
          { type: 'BODY', text: 'Deal for {{1}}' },
        ],
      })),
      {
        name: 'named_greeting',
        language: 'pt_BR',
        category: 'UTILITY',
        parameter_format: 'named',
        components: [{ type: 'BODY', text: 'Olá {{first_name}}, pedido {{order_number}}.' }],
      },
      {
        name: 'waiting_review',
        language: 'en_US',
        category: 'UTILITY',
        status: 'PENDING',
        components: [{ type: 'BODY', text: 'x' }],
      },
      {
        name: 'paused_one',
        language: 'en_US',
        category: 'MARKETING',
        status: 'PAUSED',
        components: [{ type: 'BODY', text: 'x' }],
      },
      {
        name: 'disabled_one',
        language: 'en_US',
        category: 'MARKETING',
        status: 'DISABLED',
        components: [{ type: 'BODY', text: 'x' }],
      },
    ].map((t) => t as Parameters<Simulator['control']['seedTemplate']>[0]),
  });
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', 'image/jpeg');
  form.set('file', new Blob([jpegBytes], { type: 'image/jpeg' }), 'photo.jpg');
  const upload = await fetch(`${sim.baseUrl}/v24.0/${sim.phoneNumberId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.accessToken}` },
    body: form,
  });
  imageId = ((await upload.json()) as { id: string }).id;
});

afterAll(async () => {
  await sim.close();
});

describe('accepted message types', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['text', { type: 'text', text: { body: 'Hello', preview_url: true } }],
    ['image by id', { type: 'image', image: { id: 'IMAGE_ID', caption: 'A photo' } }],
    ['image by link', { type: 'image', image: { link: 'https://cdn.example/p.jpg' } }],
    [
      'document',
      {
        type: 'document',
        document: { link: 'https://cdn.example/a.pdf', filename: 'a.pdf', caption: 'Invoice' },
      },
    ],
    ['audio voice', { type: 'audio', audio: { link: 'https://cdn.example/a.ogg', voice: true } }],
    ['video', { type: 'video', video: { link: 'https://cdn.example/v.mp4', caption: 'Clip' } }],
    ['sticker', { type: 'sticker', sticker: { link: 'https://cdn.example/s.webp' } }],
    [
      'location',
      { type: 'location', location: { latitude: 38.7, longitude: -9.1, name: 'Shop', address: 'Main St' } },
    ],
    [
      'contacts',
      {
        type: 'contacts',
        contacts: [
          { name: { formatted_name: 'Ana Lima' }, phones: [{ phone: '+351911111111', type: 'CELL' }] },
        ],
      },
    ],
    [
      'interactive buttons',
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          header: { type: 'text', text: 'Pick one' },
          body: { text: 'Which size?' },
          footer: { text: 'Thanks' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 's', title: 'Small' } },
              { type: 'reply', reply: { id: 'l', title: 'Large' } },
            ],
          },
        },
      },
    ],
    [
      'interactive list',
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Menu' },
          action: {
            button: 'Choose',
            sections: [
              { title: 'Drinks', rows: [{ id: 'tea', title: 'Tea', description: 'Green tea' }] },
              { title: 'Food', rows: [{ id: 'cake', title: 'Cake' }] },
            ],
          },
        },
      },
    ],
    [
      'template',
      {
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Ana' },
                { type: 'text', text: '123' },
              ],
            },
          ],
        },
      },
    ],
  ];

  it.each(cases)(
    '%s is accepted, answered with a wamid and recorded once with its callback data',
    async (label, message) => {
      const body = JSON.parse(JSON.stringify(message).replace('IMAGE_ID', imageId)) as Record<
        string,
        unknown
      >;
      const before = sim.ledger.size;
      const res = await sendRaw(
        sim,
        { ...body, biz_opaque_callback_data: `case:${label}`, context: { message_id: 'wamid.PREVIOUS' } },
        { to: '+1 (650) 555-1234' },
      );
      expect(res.status).toBe(200);
      const messages = res.body.messages as { id: string; message_status?: string }[];
      const contacts = res.body.contacts as { input: string; wa_id: string }[];
      expect(res.body.messaging_product).toBe('whatsapp');
      expect(contacts).toEqual([{ input: '+1 (650) 555-1234', wa_id: '16505551234' }]);
      expect(messages[0]?.id).toMatch(/^wamid\./);
      expect(messages[0]?.message_status).toBe(body.type === 'template' ? 'accepted' : undefined);
      expect(sim.ledger.size).toBe(before + 1);
      const entry = sim.ledger.get(messages[0]?.id ?? '');
      expect(entry).toMatchObject({
        type: body.type,
        waId: '16505551234',
        bizOpaqueCallbackData: `case:${label}`,
      });
      if (body.type === 'template')
        expect(entry).toMatchObject({ templateName: 'order_update', templateLanguage: 'en_US' });
    },
  );

  it('accepts a reaction to a message it sent, without context', async () => {
    const first = await sendRaw(sim, { type: 'text', text: { body: 'hi' } });
    const target = (first.body.messages as { id: string }[])[0]?.id;
    const res = await sendRaw(sim, { type: 'reaction', reaction: { message_id: target, emoji: '👍' } });
    expect(res.status).toBe(200);
  });

  it('accepts named template parameters in any order', async () => {
    const res = await sendRaw(sim, {
      type: 'template',
      template: {
        name: 'named_greeting',
        language: { code: 'pt_BR' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'order_number', text: '860198' },
              { type: 'text', parameter_name: 'first_name', text: 'Pablo' },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(200);
  });

  it('accepts an image-header template with its URL button filled', async () => {
    const res = await sendRaw(sim, {
      type: 'template',
      template: {
        name: 'promo_image',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/p.jpg' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'currency', currency: { fallback_value: '$10', code: 'USD', amount_1000: 10000 } },
            ],
          },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'abc' }] },
        ],
      },
    });
    expect(res.status).toBe(200);
  });
});

describe('template header media', () => {
  const headerSend = (format: 'image' | 'video' | 'document', id: string, body: string[]) =>
    sendRaw(sim, {
      type: 'template',
      template: {
        name: `promo_${format}`,
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: format, [format]: { id } }] },
          { type: 'body', parameters: body.map((text) => ({ type: 'text', text })) },
          ...(format === 'image'
            ? [{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'x' }] }]
            : []),
        ],
      },
    });
  const bodyFor = (format: 'image' | 'video' | 'document') => (format === 'image' ? ['Ana', 'B'] : ['Ana']);

  it('accepts a header naming media uploaded on this number', async () => {
    const res = await headerSend('image', imageId, bodyFor('image'));
    expect(res.status).toBe(200);
  });

  it.each(['image', 'video', 'document'] as const)(
    'a %s header naming media that does not exist → 131053 (HTTP 400), nothing recorded',
    async (format) => {
      const before = sim.ledger.size;
      const res = await headerSend(format, '999999', bodyFor(format));
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatchObject({
        code: 131053,
        message: '(#131053) Media upload error',
        type: 'OAuthException',
        is_transient: false,
        error_data: {
          messaging_product: 'whatsapp',
          details: 'Media 999999 does not exist or was uploaded on another phone number.',
        },
      });
      expect(sim.ledger.size).toBe(before);
    },
  );
});

describe('read receipts and typing indicators', () => {
  it('marks an inbound message read and shows typing; an unknown id is rejected', async () => {
    const { wamid } = sim.control.injectInbound({
      from: '+15550001111',
      type: 'text',
      text: { body: 'hello' },
    });
    const read = await graph(sim, 'POST', `/${sim.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: wamid,
    });
    expect(read).toMatchObject({ status: 200, body: { success: true } });
    const typing = await graph(sim, 'POST', `/${sim.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: wamid,
      typing_indicator: { type: 'text' },
    });
    expect(typing).toMatchObject({ status: 200, body: { success: true } });
    const unknown = await graph(sim, 'POST', `/${sim.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.NOPE',
    });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown).code).toBe(131009);
  });
});

describe('rejected requests change nothing', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: [string, Record<string, unknown>, number, RegExp?][] = [
    [
      'text over 4096',
      { type: 'text', text: { body: long(4097) } },
      100,
      /text\['body'\] must be at most 4096/,
    ],
    ['missing text object', { type: 'text' }, 131008, /text is required/],
    ['empty text body', { type: 'text', text: { body: '' } }, 100],
    [
      'caption over 1024',
      { type: 'image', image: { link: 'https://a.example/i.jpg', caption: long(1025) } },
      100,
      /caption/,
    ],
    [
      'image with id and link',
      { type: 'image', image: { id: '1', link: 'https://a.example/i.jpg' } },
      131009,
    ],
    ['plain-http media link', { type: 'image', image: { link: 'http://a.example/i.jpg' } }, 131009, /https/],
    ['unknown media id', { type: 'image', image: { id: '999999' } }, 131053],
    [
      'audio with caption',
      { type: 'audio', audio: { link: 'https://a.example/a.ogg', caption: 'no' } },
      131009,
    ],
    ['latitude out of range', { type: 'location', location: { latitude: 91, longitude: 0 } }, 131009],
    [
      'six contacts',
      { type: 'contacts', contacts: Array.from({ length: 6 }, () => ({ name: { formatted_name: 'A' } })) },
      131009,
    ],
    [
      'button title over 20',
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'b' },
          action: { buttons: [{ type: 'reply', reply: { id: '1', title: long(21) } }] },
        },
      },
      100,
      /title/,
    ],
    [
      'four buttons',
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'b' },
          action: {
            buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: String(i), title: `T${i}` } })),
          },
        },
      },
      131009,
    ],
    [
      'duplicate button titles',
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'b' },
          action: {
            buttons: [1, 2].map((i) => ({ type: 'reply', reply: { id: String(i), title: 'Same' } })),
          },
        },
      },
      131009,
      /unique/,
    ],
    [
      'eleven list rows',
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'b' },
          action: {
            button: 'Go',
            sections: [
              { title: 'A', rows: Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, title: `A${i}` })) },
              { title: 'B', rows: Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, title: `B${i}` })) },
            ],
          },
        },
      },
      131009,
      /10 rows/,
    ],
    [
      'two sections without titles',
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'b' },
          action: {
            button: 'Go',
            sections: [{ rows: [{ id: 'a', title: 'A' }] }, { rows: [{ id: 'b', title: 'B' }] }],
          },
        },
      },
      131008,
    ],
    [
      'list button over 20',
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'b' },
          action: { button: long(21), sections: [{ rows: [{ id: 'a', title: 'A' }] }] },
        },
      },
      100,
    ],
    [
      'reaction with context',
      {
        type: 'reaction',
        reaction: { message_id: 'wamid.X', emoji: '👍' },
        context: { message_id: 'wamid.Y' },
      },
      131009,
    ],
    [
      'callback data over 512',
      { type: 'text', text: { body: 'x' }, biz_opaque_callback_data: long(513) },
      100,
    ],
    ['unsupported type', { type: 'hologram', hologram: {} }, 131051],
    ['bad recipient', { type: 'text', text: { body: 'x' }, to: 'call me maybe' }, 100],
    [
      'missing messaging_product',
      { type: 'text', text: { body: 'x' }, messaging_product: undefined },
      100,
      /messaging_product is required/,
    ],
  ];

  it.each(cases)('%s → code %i, nothing recorded', async (_label, message, code, pattern) => {
    const before = sim.ledger.size;
    const res = await sendRaw(sim, message, message.to !== undefined ? { to: message.to as string } : {});
    expect(res.status).toBe(400);
    const error = errorOf(res);
    expect(error.code).toBe(code);
    expect(error.type).toBe('OAuthException');
    expect(error.fbtrace_id).toMatch(/^[A-Za-z0-9_-]{23}$/);
    expect(error.is_transient).toBe(false);
    if (pattern) expect(`${error.message} ${error.error_data?.details ?? ''}`).toMatch(pattern);
    expect(sim.ledger.size).toBe(before);
  });
});

describe('template sends are checked against the templates', () => {
  const send = (template: Record<string, unknown>) => sendRaw(sim, { type: 'template', template });
  const body = (...texts: string[]) => [
    { type: 'body', parameters: texts.map((text) => ({ type: 'text', text })) },
  ];

  it.each([
    ['unknown name', { name: 'nope', language: { code: 'en_US' } }, 132001, 404],
    [
      'language must match exactly (en ≠ en_US)',
      { name: 'order_update', language: { code: 'en' }, components: body('a', 'b') },
      132001,
      404,
    ],
    ['PENDING is not sendable', { name: 'waiting_review', language: { code: 'en_US' } }, 132001, 404],
    ['PAUSED', { name: 'paused_one', language: { code: 'en_US' } }, 132015, 400],
    ['DISABLED', { name: 'disabled_one', language: { code: 'en_US' } }, 132016, 400],
    [
      'too few body parameters',
      { name: 'order_update', language: { code: 'en_US' }, components: body('a') },
      132000,
      400,
    ],
    [
      'too many body parameters',
      { name: 'order_update', language: { code: 'en_US' }, components: body('a', 'b', 'c') },
      132000,
      400,
    ],
    [
      'header expects an IMAGE, got text',
      {
        name: 'promo_image',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'hi' }] },
          ...body('a', 'b'),
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'x' }] },
        ],
      },
      132012,
      400,
    ],
    [
      'body parameter of a header-only type',
      {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'image', image: { link: 'https://a.example/i.jpg' } },
              { type: 'text', text: 'b' },
            ],
          },
        ],
      },
      132012,
      400,
    ],
    [
      'dynamic URL button left empty',
      {
        name: 'promo_image',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://a.example/i.jpg' } }] },
          ...body('a', 'b'),
        ],
      },
      132000,
      400,
    ],
    [
      'named parameter with a wrong name',
      {
        name: 'named_greeting',
        language: { code: 'pt_BR' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'first_name', text: 'A' },
              { type: 'text', parameter_name: 'order_id', text: '1' },
            ],
          },
        ],
      },
      132000,
      400,
    ],
    [
      'hydrated body over 1024',
      {
        name: 'order_update',
        language: { code: 'en_US' },
        components: body('a'.repeat(600), 'b'.repeat(600)),
      },
      132005,
      400,
    ],
  ])('%s → %i (HTTP %i), nothing recorded', async (_label, template, code, httpStatus) => {
    const before = sim.ledger.size;
    const res = await send(template);
    expect(res.status).toBe(httpStatus);
    expect(errorOf(res).code).toBe(code);
    expect(sim.ledger.size).toBe(before);
  });
});

describe('Graph basics', () => {
  it('serves any vNN.0 version prefix and says which one answered', async () => {
    const res = await graph(sim, 'GET', `/${sim.phoneNumberId}?fields=verified_name`, undefined, {
      version: 'v19.0',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('facebook-api-version')).toBe('v19.0');
    const bare = await fetch(`${sim.baseUrl}/${sim.phoneNumberId}`, {
      headers: { authorization: `Bearer ${sim.accessToken}` },
    });
    expect(bare.status).toBe(400);
  });

  it('answers unknown objects with code 100 / subcode 33', async () => {
    const res = await graph(sim, 'GET', '/123456789');
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('returns the phone number fields the client asks for', async () => {
    const res = await graph(
      sim,
      'GET',
      `/${sim.phoneNumberId}?fields=throughput,quality_rating,whatsapp_business_manager_messaging_limit,verified_name,display_phone_number,status`,
    );
    expect(res.body).toEqual({
      id: sim.phoneNumberId,
      throughput: { level: 'HIGH' },
      quality_rating: 'GREEN',
      whatsapp_business_manager_messaging_limit: 'TIER_2K',
      verified_name: 'Bellhop Sandbox',
      display_phone_number: sim.displayPhoneNumber,
      status: 'CONNECTED',
    });
    const bad = await graph(sim, 'GET', `/${sim.phoneNumberId}?fields=secret_sauce`);
    expect(errorOf(bad).code).toBe(100);
  });
});
