// WhatsAppClient against the real simulator: every message type, templates, media, subscriptions and
// phone fields, and every error class of errors.ts provoked for real — including UNKNOWN_OUTCOME when
// the response is lost after the simulator accepted the message (the ledger proves it was accepted).
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src-main/simulator/simulator';
import type { WhatsAppClient } from '../../src-main/whatsapp/client';
import type { WaResult, WhatsAppError, WhatsAppErrorKind } from '../../src-main/whatsapp/errors';
import type { TemplateMessage } from '../../src-main/whatsapp/types';
import { jpegBytes, manualClock } from '../helpers/simulatorGraph';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/simulatorWebhookReceiver';
import { clientFor } from '../helpers/whatsappClientSetup';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  simOptions: SimulatorOptions = {},
  clientOptions: Parameters<typeof clientFor>[1] = {},
): Promise<{ sim: Simulator; client: WhatsAppClient }> {
  const sim = await startSimulator({ throughputMps: 10_000, ...simOptions });
  const { client, limiter } = clientFor(sim, clientOptions);
  cleanups.push(
    () => sim.close(),
    () => client.close(),
    () => limiter.close(),
  );
  return { sim, client };
}

function errorOf<T>(result: WaResult<T>): WhatsAppError {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

function valueOf<T>(result: WaResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

/** A local port nothing listens on (a server bound it, then closed): connections to it are refused. */
function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const templates: NonNullable<SimulatorOptions['templates']> = [
  {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hi {{1}}, order {{2}}.' }],
  },
  {
    name: 'image_promo',
    language: 'en_US',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'IMAGE' },
      { type: 'BODY', text: 'Deal: {{1}}' },
    ],
  },
  {
    name: 'paused_promo',
    language: 'en_US',
    category: 'MARKETING',
    status: 'PAUSED',
    components: [{ type: 'BODY', text: 'x' }],
  },
  {
    name: 'disabled_promo',
    language: 'en_US',
    category: 'MARKETING',
    status: 'DISABLED',
    components: [{ type: 'BODY', text: 'x' }],
  },
];

describe('sending every message type', () => {
  it('sends each type with callback data and an optional quote; the simulator records each once', async () => {
    const { sim, client } = await setup({ templates });
    const to = '+15550100200';
    const { wamid: inbound } = sim.control.injectInbound({ from: to, type: 'text', text: { body: 'hello' } });
    const image = valueOf(
      await client.uploadMedia({ data: jpegBytes, mimeType: 'image/jpeg', filename: 'p.jpg' }),
    );
    const o = (tag: string) => ({ bizOpaqueCallbackData: tag, replyTo: inbound });
    const sends: [
      string,
      string,
      Promise<WaResult<{ wamid: string; waId?: string; messageStatus?: string }>>,
    ][] = [
      ['text', 'text', client.sendText(to, 'Hello', { ...o('text'), previewUrl: true })],
      ['image', 'image', client.sendImage(to, { id: image.id, caption: 'Photo' }, o('image'))],
      ['video', 'video', client.sendVideo(to, { link: 'https://cdn.example/v.mp4' }, o('video'))],
      [
        'document',
        'document',
        client.sendDocument(to, { link: 'https://cdn.example/a.pdf', filename: 'a.pdf' }, o('document')),
      ],
      [
        'audio',
        'audio',
        client.sendAudio(to, { link: 'https://cdn.example/a.ogg', voice: true }, o('audio')),
      ],
      ['sticker', 'sticker', client.sendSticker(to, { link: 'https://cdn.example/s.webp' }, o('sticker'))],
      [
        'location',
        'location',
        client.sendLocation(to, { latitude: 1, longitude: 2, name: 'Here' }, o('location')),
      ],
      [
        'contacts',
        'contacts',
        client.sendContacts(
          to,
          [{ name: { formatted_name: 'Ann' }, phones: [{ phone: '+15550001', type: 'CELL' }] }],
          o('contacts'),
        ),
      ],
      [
        'buttons',
        'interactive',
        client.sendButtons(
          to,
          {
            body: { text: 'Size?' },
            action: {
              buttons: [
                { type: 'reply', reply: { id: 's', title: 'Small' } },
                { type: 'reply', reply: { id: 'l', title: 'Large' } },
              ],
            },
          },
          o('buttons'),
        ),
      ],
      [
        'list',
        'interactive',
        client.sendList(
          to,
          {
            body: { text: 'Menu' },
            action: { button: 'Pick', sections: [{ title: 'A', rows: [{ id: 'a', title: 'Apple' }] }] },
          },
          o('list'),
        ),
      ],
      [
        'template',
        'template',
        client.sendTemplate(
          to,
          {
            name: 'order_update',
            language: { code: 'en_US' },
            components: [
              {
                type: 'body',
                parameters: [
                  { type: 'text', text: 'Ann' },
                  { type: 'text', text: '42' },
                ],
              },
            ],
          },
          o('template'),
        ),
      ],
      ['reaction', 'reaction', client.sendReaction(to, inbound, '👍', { bizOpaqueCallbackData: 'reaction' })],
    ];
    for (const [tag, type, pending] of sends) {
      const sent = valueOf(await pending);
      expect(sent.wamid).toMatch(/^wamid\./);
      expect(sent.waId).toBe('15550100200');
      expect(sent.messageStatus).toBe(type === 'template' ? 'accepted' : undefined);
      const entry = sim.ledger.get(sent.wamid);
      expect(entry, tag).toMatchObject({ type, bizOpaqueCallbackData: tag, to });
      if (tag !== 'reaction') expect(entry?.payload.context).toEqual({ message_id: inbound });
    }
    expect(sim.ledger.size).toBe(sends.length);
    expect(valueOf(await client.markRead(inbound))).toEqual({ success: true });
    expect(valueOf(await client.showTypingIndicator(inbound))).toEqual({ success: true });
  });

  it('refuses, without calling Meta, a number without + and a quoted reaction', async () => {
    const { sim, client } = await setup();
    expect(errorOf(await client.sendText('15550100200', 'x', { bizOpaqueCallbackData: 'a' }))).toMatchObject({
      kind: 'FATAL',
      code: null,
    });
    expect(
      errorOf(
        await client.sendReaction('+15550100200', 'wamid.X', '👍', {
          bizOpaqueCallbackData: 'a',
          replyTo: 'wamid.Y',
        }),
      ).kind,
    ).toBe('FATAL');
    expect(errorOf(await client.sendText('+15550100200', 'x', { bizOpaqueCallbackData: '' })).kind).toBe(
      'FATAL',
    );
    expect(sim.ledger.requests()).toHaveLength(0);
  });

  it('reuses keep-alive connections', async () => {
    const { sim, client } = await setup();
    sim.control.injectInbound({ from: '+15550100300', type: 'text', text: { body: 'hi' } });
    for (let i = 0; i < 30; i++)
      valueOf(
        await client.sendText(`+1555010${String(i).padStart(4, '0')}`, 'x', {
          bizOpaqueCallbackData: `k${i}`,
        }),
      );
    expect(sim.control.connectionsAccepted()).toBe(1);
  });
});

describe('error classes', () => {
  it('RATE_LIMITED for 130429 when the number is hammered past its throughput', async () => {
    const clock = manualClock();
    const { sim, client } = await setup({ throughputMps: 5, now: clock.now });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.sendText(`+1555020${String(i).padStart(4, '0')}`, 'x', { bizOpaqueCallbackData: `r${i}` }),
      ),
    );
    const errors = results.filter((r) => !r.ok).map(errorOf);
    // A bucket of one second's worth at 5 mps: 5 go, 7 are refused.
    expect(errors).toHaveLength(7);
    for (const e of errors) {
      expect(e).toMatchObject({
        kind: 'RATE_LIMITED',
        code: 130429,
        httpStatus: 400,
        retry: 'backoff',
        retryAfterMs: 1000,
      });
      expect(e.fbtraceId).toMatch(/^[A-Za-z0-9_-]{23}$/);
      expect(e.advice).toMatch(/throughput/);
    }
    expect(sim.ledger.errorCount(130429)).toBe(7);
  });

  it('RATE_LIMITED for 80007 with the wait from estimated_time_to_regain_access (minutes)', async () => {
    const { client } = await setup({ managementCallsPerHour: 1 });
    valueOf(await client.listTemplates());
    const e = errorOf(await client.listTemplates());
    expect(e).toMatchObject({ kind: 'RATE_LIMITED', code: 80007 });
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(59 * 60_000);
  });

  it('RATE_LIMITED for code 4 with the wait from Retry-After', async () => {
    const { sim, client } = await setup();
    sim.control.injectErrors({ code: 4, count: 1, headers: { 'retry-after': '30' } });
    expect(errorOf(await client.getPhoneNumber())).toMatchObject({
      kind: 'RATE_LIMITED',
      code: 4,
      retryAfterMs: 30_000,
    });
  });

  it('PAIR_RATE_LIMITED for 131056 when one customer gets more than the burst', async () => {
    const clock = manualClock();
    const { client } = await setup({ now: clock.now });
    const to = '+15550300000';
    for (let i = 0; i < 45; i++)
      valueOf(await client.sendText(to, `m${i}`, { bizOpaqueCallbackData: `p${i}` }));
    const e = errorOf(await client.sendText(to, 'one too many', { bizOpaqueCallbackData: 'p46' }));
    expect(e).toMatchObject({
      kind: 'PAIR_RATE_LIMITED',
      code: 131056,
      retryAfterMs: 6000,
      retry: 'backoff',
    });
    expect(e.advice).toMatch(/this customer/);
  });

  it('AUTH on 190: onAuthFailure fires once and no further request leaves until the token is replaced', async () => {
    const failures: WhatsAppError[] = [];
    const { sim, client } = await setup({}, { onAuthFailure: (e) => failures.push(e) });
    sim.control.expireToken();
    const first = errorOf(await client.sendText('+15550400000', 'x', { bizOpaqueCallbackData: 'a1' }));
    expect(first).toMatchObject({ kind: 'AUTH', code: 190, httpStatus: 401, retry: 'never' });
    expect(first.advice).toMatch(/reconnect/);
    const requestsAfterFirst = sim.ledger.requests().length;
    expect(errorOf(await client.listTemplates()).kind).toBe('AUTH');
    expect(errorOf(await client.sendText('+15550400000', 'x', { bizOpaqueCallbackData: 'a2' })).kind).toBe(
      'AUTH',
    );
    expect(sim.ledger.requests()).toHaveLength(requestsAfterFirst);
    expect(failures).toHaveLength(1);
    expect(client.needsReauthentication).toBe(true);
    sim.control.setAccessToken('renewed-token');
    client.updateAccessToken('renewed-token');
    expect(client.needsReauthentication).toBe(false);
    valueOf(await client.getPhoneNumber());
  });

  it('AUTH on code 0 as well', async () => {
    const { sim, client } = await setup();
    sim.control.injectErrors({ code: 0, count: 1 });
    expect(errorOf(await client.getPhoneNumber())).toMatchObject({ kind: 'AUTH', code: 0, httpStatus: 401 });
  });

  it('OUTSIDE_WINDOW for a synchronous 131047', async () => {
    const { client } = await setup({ outsideWindowErrors: 'response' });
    const e = errorOf(await client.sendText('+15550500000', 'late', { bizOpaqueCallbackData: 'w' }));
    expect(e).toMatchObject({ kind: 'OUTSIDE_WINDOW', code: 131047, retry: 'never' });
    expect(e.advice).toBe('More than 24 hours since the customer last wrote: send a template instead.');
  });

  it.each<[WhatsAppErrorKind, number, number, TemplateMessage]>([
    ['TEMPLATE_NOT_FOUND', 132001, 404, { name: 'order_update', language: { code: 'en' } }],
    [
      'TEMPLATE_PARAM_MISMATCH',
      132000,
      400,
      {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'a' }] }],
      },
    ],
    [
      'TEMPLATE_FORMAT_MISMATCH',
      132012,
      400,
      {
        name: 'image_promo',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'not an image' }] },
          { type: 'body', parameters: [{ type: 'text', text: 'a' }] },
        ],
      },
    ],
    [
      'TEMPLATE_TEXT_TOO_LONG',
      132005,
      400,
      {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'a'.repeat(700) },
              { type: 'text', text: 'b'.repeat(700) },
            ],
          },
        ],
      },
    ],
    ['TEMPLATE_PAUSED', 132015, 400, { name: 'paused_promo', language: { code: 'en_US' } }],
    ['TEMPLATE_DISABLED', 132016, 400, { name: 'disabled_promo', language: { code: 'en_US' } }],
  ])('%s for %i', async (kind, code, httpStatus, template) => {
    const { sim, client } = await setup({ templates });
    const e = errorOf(await client.sendTemplate('+15550600000', template, { bizOpaqueCallbackData: 't' }));
    expect(e).toMatchObject({ kind, code, httpStatus });
    expect(e.advice.length).toBeGreaterThan(10);
    expect(sim.ledger.size).toBe(0);
  });

  it.each([
    [131000, 500, undefined],
    [2, 503, undefined],
    [1, 400, undefined],
    [131016, 500, undefined],
    [131057, 500, 60_000],
  ])('TRANSIENT for %i (HTTP %i)', async (code, httpStatus, retryAfterMs) => {
    const { sim, client } = await setup();
    sim.control.injectErrors({ code, count: 1, pathSuffix: '/messages' });
    const e = errorOf(await client.sendText('+15550700000', 'x', { bizOpaqueCallbackData: 'tr' }));
    expect(e).toMatchObject({ kind: 'TRANSIENT', code, httpStatus, retry: 'backoff', isTransient: true });
    expect(e.retryAfterMs).toBe(retryAfterMs);
    expect(sim.ledger.size).toBe(0);
  });

  it('TRANSIENT when Meta flags an otherwise final code is_transient', async () => {
    const { sim, client } = await setup();
    sim.control.injectErrors({ code: 131026, count: 1, isTransient: true });
    expect(errorOf(await client.getPhoneNumber())).toMatchObject({ kind: 'TRANSIENT', code: 131026 });
  });

  it('TRANSIENT during a seeded burst of 5xx, then success', async () => {
    const { sim, client } = await setup({ faults: { seed: 9, serverErrorRate: 1, serverErrorBurst: 2 } });
    const first = errorOf(await client.getPhoneNumber());
    expect(first.kind).toBe('TRANSIENT');
    expect(first.httpStatus).toBeGreaterThanOrEqual(500);
    expect(errorOf(await client.getPhoneNumber()).kind).toBe('TRANSIENT');
    sim.control.setFaults({ serverErrorRate: 0 });
    valueOf(await client.getPhoneNumber());
  });

  it('FATAL for final codes (368 policy block, 131009 invalid value, 131030 allow-list)', async () => {
    const { sim, client } = await setup({ allowedRecipients: ['15550800000'] });
    sim.control.injectErrors({ code: 368, count: 1 });
    expect(errorOf(await client.getPhoneNumber())).toMatchObject({
      kind: 'FATAL',
      code: 368,
      httpStatus: 403,
      retry: 'after_fix',
    });
    const dup = await client.sendButtons(
      '+15550800000',
      {
        body: { text: 'b' },
        action: { buttons: [1, 2].map((i) => ({ type: 'reply', reply: { id: `${i}`, title: 'Same' } })) },
      },
      { bizOpaqueCallbackData: 'f' },
    );
    expect(errorOf(dup)).toMatchObject({ kind: 'FATAL', code: 131009, retry: 'never' });
    expect(
      errorOf(await client.sendText('+15550800001', 'x', { bizOpaqueCallbackData: 'f2' })),
    ).toMatchObject({ kind: 'FATAL', code: 131030 });
  });

  it('UNKNOWN_OUTCOME when the response is held past the timeout after the message was accepted', async () => {
    const { sim, client } = await setup(
      { faults: { slowResponseRate: 1, slowResponseMs: 1500 } },
      { timeoutMs: 300 },
    );
    const e = errorOf(await client.sendText('+15550900000', 'maybe', { bizOpaqueCallbackData: 'uo-1' }));
    expect(e).toMatchObject({ kind: 'UNKNOWN_OUTCOME', code: null, httpStatus: null, retry: 'never' });
    expect(e.advice).toMatch(/may have gone out/);
    // It was sent: the simulator accepted it exactly once.
    expect(sim.ledger.messages({ bizOpaqueCallbackData: 'uo-1' })).toHaveLength(1);
  });

  it('UNKNOWN_OUTCOME when the connection resets after acceptance', async () => {
    const { sim, client } = await setup({ faults: { resetAfterAcceptRate: 1 } });
    const e = errorOf(await client.sendText('+15550900001', 'maybe', { bizOpaqueCallbackData: 'uo-2' }));
    expect(e.kind).toBe('UNKNOWN_OUTCOME');
    expect(sim.ledger.messages({ bizOpaqueCallbackData: 'uo-2' })).toHaveLength(1);
  });

  it('TRANSIENT (not UNKNOWN_OUTCOME) when nothing could be sent: connection refused', async () => {
    const port = await closedPort();
    const { client } = await setup({}, { baseUrl: `http://127.0.0.1:${port}` });
    const e = errorOf(await client.sendText('+15550900002', 'x', { bizOpaqueCallbackData: 'nc' }));
    expect(e).toMatchObject({ kind: 'TRANSIENT', code: null, httpStatus: null });
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it('a timeout on a read-only call is TRANSIENT, not UNKNOWN_OUTCOME', async () => {
    const { client } = await setup(
      { faults: { slowResponseRate: 1, slowResponseMs: 1000 } },
      { timeoutMs: 200 },
    );
    const e = errorOf(await client.getPhoneNumber());
    expect(e).toMatchObject({ kind: 'TRANSIENT', code: null, httpStatus: null });
    expect(e.message).toMatch(/timeout/);
  });

  it('a call aborted while waiting for the limiter sends nothing', async () => {
    const { sim, client } = await setup({}, { rule: { count: 1, periodMs: 60_000 } });
    valueOf(await client.getPhoneNumber());
    const controller = new AbortController();
    const pending = client.sendText('+15550900004', 'x', {
      bizOpaqueCallbackData: 'ab',
      signal: controller.signal,
    });
    controller.abort();
    expect(errorOf(await pending)).toMatchObject({ kind: 'TRANSIENT', code: null });
    expect(sim.ledger.requests()).toHaveLength(1);
  });
});

// Campaign sends go through the bulk transport (bulkHttp.ts, undici) instead of node:http: the same
// outcomes, and above all the same line between "not sent" and "unknown outcome".
describe('bulk sends (campaigns)', () => {
  const bulk = (callbackData: string) => ({ bizOpaqueCallbackData: callbackData, bulk: true });

  it('sends templates, reuses one connection, and maps errors with their headers', async () => {
    const { sim, client } = await setup({ templates });
    const template: TemplateMessage = {
      name: 'order_update',
      language: { code: 'en_US' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ann' },
            { type: 'text', text: '7' },
          ],
        },
      ],
    };
    for (let i = 0; i < 20; i++) {
      const sent = valueOf(
        await client.sendTemplate(`+1555060${String(i).padStart(4, '0')}`, template, bulk(`b${i}`)),
      );
      expect(sent.wamid).toMatch(/^wamid\./);
      expect(sent.messageStatus).toBe('accepted');
    }
    expect(sim.ledger.messages({ templateName: 'order_update' })).toHaveLength(20);
    // Keep-alive: a send that follows a response at once may find its connection not yet released and
    // open a second one, never one per send.
    expect(sim.control.connectionsAccepted()).toBeLessThanOrEqual(2);
    sim.control.injectErrors({ code: 4, count: 1, headers: { 'retry-after': '30' } });
    expect(errorOf(await client.sendTemplate('+15550600099', template, bulk('b-limited')))).toMatchObject({
      kind: 'RATE_LIMITED',
      code: 4,
      retryAfterMs: 30_000,
    });
    expect(
      errorOf(
        await client.sendTemplate('+15550600098', { ...template, name: 'paused_promo' }, bulk('b-paused')),
      ),
    ).toMatchObject({ kind: 'TEMPLATE_PAUSED' });
  });

  it('UNKNOWN_OUTCOME when the response is held past the timeout after the message was accepted', async () => {
    const { sim, client } = await setup(
      { faults: { slowResponseRate: 1, slowResponseMs: 1500 } },
      { timeoutMs: 300 },
    );
    const e = errorOf(await client.sendText('+15550900010', 'maybe', bulk('bulk-uo-1')));
    expect(e).toMatchObject({ kind: 'UNKNOWN_OUTCOME', code: null, httpStatus: null, retry: 'never' });
    expect(sim.ledger.messages({ bizOpaqueCallbackData: 'bulk-uo-1' })).toHaveLength(1);
  });

  it('UNKNOWN_OUTCOME when the connection resets after acceptance', async () => {
    const { sim, client } = await setup({ faults: { resetAfterAcceptRate: 1 } });
    const e = errorOf(await client.sendText('+15550900011', 'maybe', bulk('bulk-uo-2')));
    expect(e.kind).toBe('UNKNOWN_OUTCOME');
    expect(sim.ledger.messages({ bizOpaqueCallbackData: 'bulk-uo-2' })).toHaveLength(1);
  });

  it('TRANSIENT (not UNKNOWN_OUTCOME) when nothing could be sent: connection refused', async () => {
    const port = await closedPort();
    const { client } = await setup({}, { baseUrl: `http://127.0.0.1:${port}` });
    const e = errorOf(await client.sendText('+15550900012', 'x', bulk('bulk-nc')));
    expect(e).toMatchObject({ kind: 'TRANSIENT', code: null, httpStatus: null });
    expect(e.message).toMatch(/ECONNREFUSED/);
  });
});

describe('templates', () => {
  it('lists every page of 250 templates, creates and deletes', async () => {
    const { sim, client } = await setup();
    for (let i = 0; i < 250; i++) {
      sim.control.seedTemplate({
        name: `t_${i}`,
        language: 'en_US',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: `Body ${i}` }],
      });
    }
    const all = valueOf(await client.listAllTemplates({ limit: 100 }));
    expect(all).toHaveLength(250);
    expect(new Set(all.map((t) => t.id)).size).toBe(250);
    expect(all[0]).toMatchObject({ status: 'APPROVED', language: 'en_US', category: 'UTILITY' });
    expect(sim.ledger.requests().filter((r) => r.path.endsWith('/message_templates'))).toHaveLength(3);

    const page = valueOf(await client.listTemplates({ limit: 10, name: 't_24' }));
    // Newest first: 11 names contain "t_24"; the first page of 10 holds t_249 … t_240.
    expect(page.templates.map((t) => t.name)).toEqual(Array.from({ length: 10 }, (_, i) => `t_${249 - i}`));
    expect(page.next).toBeTypeOf('string');

    const created = valueOf(
      await client.createTemplate({
        name: 'new_one',
        language: 'en',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'New!' }],
      }),
    );
    expect(created).toMatchObject({ status: 'PENDING', category: 'MARKETING' });
    expect(valueOf(await client.getTemplate(created.id))).toMatchObject({
      name: 'new_one',
      status: 'PENDING',
    });
    expect(valueOf(await client.deleteTemplate({ name: 'new_one', hsmId: created.id }))).toEqual({
      success: true,
    });
    expect(errorOf(await client.deleteTemplate({ name: 'new_one' }))).toMatchObject({
      kind: 'FATAL',
      code: 100,
    });
  });
});

describe('media', () => {
  it('uploads, downloads with the Bearer token, and re-fetches an expired URL once', async () => {
    const { sim, client } = await setup();
    const { id } = valueOf(
      await client.uploadMedia({ data: jpegBytes, mimeType: 'image/jpeg', filename: 'x.jpg' }),
    );
    const first = valueOf(await client.downloadMedia(id));
    expect(first.data.equals(jpegBytes)).toBe(true);
    expect(first.mimeType).toBe('image/jpeg');

    sim.control.expireNextMediaUrls(1);
    const before = sim.ledger.requests().length;
    const second = valueOf(await client.downloadMedia(id));
    expect(second.data.equals(jpegBytes)).toBe(true);
    const paths = sim.ledger
      .requests()
      .slice(before)
      .map((r) => `${r.status} ${r.path.startsWith('/whatsapp_business') ? 'download' : 'url'}`);
    expect(paths).toEqual(['200 url', '404 download', '200 url', '200 download']);

    sim.control.expireNextMediaUrls(2);
    expect(errorOf(await client.downloadMedia(id))).toMatchObject({ kind: 'FATAL', httpStatus: 404 });

    expect(
      errorOf(await client.uploadMedia({ data: jpegBytes, mimeType: 'image/png', filename: 'x.png' })),
    ).toMatchObject({ kind: 'FATAL', code: 131053 });
    valueOf(await client.deleteMedia(id));
    expect(errorOf(await client.downloadMedia(id))).toMatchObject({ kind: 'FATAL', code: 100 });
  });
});

describe('phone number and subscriptions', () => {
  let receiver: WebhookReceiver;

  it('reads the phone number fields', async () => {
    const { sim, client } = await setup({ messagingLimit: 'TIER_10K' });
    sim.control.setThroughput(80);
    expect(valueOf(await client.getPhoneNumber())).toEqual({
      id: sim.phoneNumberId,
      verified_name: 'Bellhop Sandbox',
      display_phone_number: sim.displayPhoneNumber,
      quality_rating: 'GREEN',
      status: 'CONNECTED',
      throughput: { level: 'STANDARD' },
      whatsapp_business_manager_messaging_limit: 'TIER_10K',
    });
  });

  it('sets the callback override after the handshake, reads it back, and reports a failed handshake', async () => {
    receiver = await startWebhookReceiver('verify-me');
    cleanups.push(() => receiver.close());
    const { client } = await setup();
    expect(valueOf(await client.subscribeApp())).toEqual({ success: true });
    expect(valueOf(await client.getSubscribedApps()).data[0]?.override_callback_uri).toBeUndefined();
    expect(valueOf(await client.setCallbackOverride(receiver.url, 'verify-me'))).toEqual({ success: true });
    expect(receiver.handshakes).toBe(1);
    expect(valueOf(await client.getSubscribedApps()).data[0]?.override_callback_uri).toBe(receiver.url);
    const wrong = errorOf(await client.setCallbackOverride(`${receiver.url}?v=2`, 'wrong-token'));
    expect(wrong).toMatchObject({ kind: 'FATAL', code: 2200 });
    expect(wrong.advice).toMatch(/verify token/);
    expect(valueOf(await client.getSubscribedApps()).data[0]?.override_callback_uri).toBe(receiver.url);
  });
});
