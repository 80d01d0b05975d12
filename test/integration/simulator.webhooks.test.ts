// The simulator's webhooks (whatsapp-cloud-api.md §6, §12): statuses with callback data, asynchronous
// failures, inbound messages of every type, raw-byte signatures with Meta's \uXXXX escaping, the
// subscribed_apps override handshake, and the fault switches (duplicates, reordering, batching, dropped
// `delivered`, retries while the receiver answers 500, 5xx bursts, slow responses) — seeded and repeatable.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type InboundSpec,
  type Simulator,
  type SimulatorOptions,
} from '../../src-main/simulator/simulator';
import { errorOf, graph, sendRaw } from '../helpers/simulatorGraph';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/simulatorWebhookReceiver';

let sims: Simulator[] = [];
let receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all([...sims.map((s) => s.close()), ...receivers.map((r) => r.close())]);
  sims = [];
  receivers = [];
});

/** An inbound spec minus `from`, distributed over the union. */
type SpecWithoutSender = InboundSpec extends infer T ? (T extends unknown ? Omit<T, 'from'> : never) : never;

const fast = { sentMs: 5, deliveredMs: 15, readMs: 25 };

async function setup(options: SimulatorOptions = {}): Promise<{ sim: Simulator; receiver: WebhookReceiver }> {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  const sim = await startSimulator({
    callbackUrl: receiver.url,
    statusDelays: fast,
    throughputMps: 10_000,
    ...options,
  });
  sims.push(sim);
  return { sim, receiver };
}

/** Opens a window for `to` (so free-form sends deliver) and sends a text with callback data. */
async function sendText(sim: Simulator, to: string, tag: string): Promise<string> {
  const res = await sendRaw(
    sim,
    { type: 'text', text: { body: tag }, biz_opaque_callback_data: tag },
    { to },
  );
  expect(res.status).toBe(200);
  return (res.body.messages as { id: string }[])[0]!.id;
}

function verifies(secret: string, raw: Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

describe('statuses', () => {
  it('sends sent → delivered → read for each message, echoing biz_opaque_callback_data', async () => {
    const { sim, receiver } = await setup();
    sim.control.injectInbound({ from: '+15550001000', type: 'text', text: { body: 'hi' } });
    const wamid = await sendText(sim, '+15550001000', 'order-42');
    await sim.control.settle();
    const statuses = receiver.statuses().filter((s) => s.id === wamid);
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    for (const s of statuses) {
      expect(s).toMatchObject({ recipient_id: '15550001000', biz_opaque_callback_data: 'order-42' });
      expect(s.timestamp).toMatch(/^\d{10}$/);
    }
    expect(statuses[0]?.pricing).toMatchObject({ pricing_model: 'PMP', category: 'service' });
    expect(statuses[2]?.pricing).toBeUndefined();
    const value = receiver.changes('messages').find((v) => v.statuses !== undefined);
    expect(value?.metadata).toEqual({
      display_phone_number: sim.displayPhoneNumber,
      phone_number_id: sim.phoneNumberId,
    });
  });

  it('reports 131026 for an undeliverable number and 131049 for a capped marketing recipient', async () => {
    const { sim, receiver } = await setup();
    sim.control.seedTemplate({
      name: 'promo',
      language: 'en',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Sale' }],
    });
    sim.control.setRecipient('+15550002000', { undeliverable: true });
    sim.control.setRecipient('+15550003000', { marketingCapped: true });
    const promo = (tag: string) => ({
      type: 'template',
      template: { name: 'promo', language: { code: 'en' } },
      biz_opaque_callback_data: tag,
    });
    expect((await sendRaw(sim, promo('a'), { to: '+15550002000' })).status).toBe(200);
    expect((await sendRaw(sim, promo('b'), { to: '+15550003000' })).status).toBe(200);
    await sim.control.settle();
    const failed = (tag: string) => receiver.statuses().filter((s) => s.biz_opaque_callback_data === tag);
    expect(failed('a').map((s) => [s.status, s.errors?.[0]?.code])).toEqual([['failed', 131026]]);
    expect(failed('b').map((s) => [s.status, s.errors?.[0]?.code])).toEqual([['failed', 131049]]);
    expect(failed('b')[0]?.errors?.[0]).toMatchObject({
      title: expect.any(String) as string,
      error_data: { details: expect.any(String) as string },
    });
  });

  it('sends only `sent` for a reaction, and 131009 for a reaction to an unknown message', async () => {
    const { sim, receiver } = await setup();
    const { wamid } = sim.control.injectInbound({ from: '+15550004000', type: 'text', text: { body: 'hi' } });
    await sendRaw(
      sim,
      { type: 'reaction', reaction: { message_id: wamid, emoji: '❤️' }, biz_opaque_callback_data: 'ok' },
      { to: '+15550004000' },
    );
    await sendRaw(
      sim,
      {
        type: 'reaction',
        reaction: { message_id: 'wamid.GONE', emoji: '❤️' },
        biz_opaque_callback_data: 'bad',
      },
      { to: '+15550004000' },
    );
    await sim.control.settle();
    expect(
      receiver
        .statuses()
        .filter((s) => s.biz_opaque_callback_data === 'ok')
        .map((s) => s.status),
    ).toEqual(['sent']);
    const bad = receiver.statuses().filter((s) => s.biz_opaque_callback_data === 'bad');
    expect(bad.map((s) => [s.status, s.errors?.[0]?.code])).toEqual([['failed', 131009]]);
  });
});

describe('signatures', () => {
  it('signs the raw bytes; non-ASCII is escaped as lowercase \\uXXXX; a re-serialized body does not verify', async () => {
    const { sim, receiver } = await setup({ appSecret: 'shh-app-secret' });
    const text = 'Olá! Café ☕ — ¿qué tal? 😀';
    sim.control.injectInbound({
      from: '+5511987654321',
      profileName: 'João Ñandú',
      type: 'text',
      text: { body: text },
    });
    await sim.control.settle();
    const webhook = receiver.received.at(-1)!;
    const raw = webhook.raw;
    // Meta's bytes are pure ASCII with escapes such as \u00e1 and a surrogate pair for the emoji.
    expect([...raw].every((b) => b < 0x80)).toBe(true);
    expect(raw.toString('latin1')).toContain('Ol\\u00e1');
    expect(raw.toString('latin1')).toContain('\\ud83d\\ude00');
    expect(raw.toString('latin1')).not.toMatch(/\\u[0-9a-f]*[A-F]/);
    expect(webhook.headers['content-type']).toBe('application/json');
    expect(webhook.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifies('shh-app-secret', raw, webhook.headers['x-hub-signature-256'] as string)).toBe(true);
    expect(verifies('another-secret', raw, webhook.headers['x-hub-signature-256'] as string)).toBe(false);
    // The parsed text is intact...
    const parsed = webhook.json;
    const message = (parsed.entry[0]?.changes[0]?.value.messages as { text: { body: string } }[])[0];
    expect(message?.text.body).toBe(text);
    // ...but JSON.stringify writes UTF-8, so a re-serialized body no longer matches the signature.
    const reserialized = Buffer.from(JSON.stringify(parsed), 'utf8');
    expect(verifies('shh-app-secret', reserialized, webhook.headers['x-hub-signature-256'] as string)).toBe(
      false,
    );
  });
});

describe('inbound messages of every §6 type', () => {
  it('delivers each type with the fields Meta sends and opens the 24 h window', async () => {
    const { sim, receiver } = await setup();
    const from = '+447700900123';
    const outbound = await sendText(sim, from, 'first');
    const specs: SpecWithoutSender[] = [
      { type: 'text', text: { body: 'hello' } },
      { type: 'image', image: { caption: 'look' } },
      { type: 'video', video: {} },
      { type: 'sticker', sticker: { animated: true } },
      { type: 'document', document: { filename: 'a.pdf' } },
      { type: 'audio', audio: { voice: true } },
      { type: 'location', location: { latitude: 51.5, longitude: -0.12, name: 'Office' } },
      {
        type: 'contacts',
        contacts: [
          { name: { formatted_name: 'Ann' }, phones: [{ phone: '+44 7700 900000', wa_id: '447700900000' }] },
        ],
      },
      {
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } },
      },
      {
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'tea', title: 'Tea', description: 'Green' } },
      },
      {
        type: 'button',
        button: { payload: 'STOP', text: 'Stop promotions' },
        context: { from: sim.displayPhoneNumber, id: outbound },
      },
      { type: 'reaction', reaction: { message_id: outbound, emoji: '👍' } },
      {
        type: 'order',
        order: { catalog_id: 'cat1', product_items: [{ product_retailer_id: 'sku1', quantity: 2 }] },
      },
      { type: 'system', system: { body: 'User changed number', wa_id: '447700900999' } },
      { type: 'unsupported' },
    ];
    const ids: string[] = [];
    for (const spec of specs)
      ids.push(sim.control.injectInbound({ from, profileName: 'Ann', ...spec }).wamid);
    await sim.control.settle();
    const byId = new Map(receiver.messages().map((m) => [m.id as string, m]));
    specs.forEach((spec, i) => {
      const m = byId.get(ids[i]!);
      expect(m, spec.type).toMatchObject({ from: '447700900123', type: spec.type });
      expect(m?.timestamp).toMatch(/^\d{10}$/);
    });
    expect(byId.get(ids[1]!)?.image).toMatchObject({
      mime_type: 'image/jpeg',
      caption: 'look',
      id: expect.stringMatching(/^\d+$/) as string,
    });
    expect(byId.get(ids[3]!)?.sticker).toMatchObject({ mime_type: 'image/webp', animated: true });
    expect(byId.get(ids[5]!)?.audio).toMatchObject({ mime_type: 'audio/ogg', voice: true });
    expect(byId.get(ids[10]!)?.context).toEqual({ from: sim.displayPhoneNumber, id: outbound });
    expect(byId.get(ids[13]!)?.system).toMatchObject({ type: 'user_changed_number' });
    expect(byId.get(ids[14]!)?.errors).toEqual([expect.objectContaining({ code: 131051 })]);
    const contacts = receiver
      .changes('messages')
      .flatMap((v) => (v.contacts as { wa_id: string; profile: { name: string } }[] | undefined) ?? []);
    expect(contacts).toContainEqual({ profile: { name: 'Ann' }, wa_id: '447700900123' });
    // The window is open now: a free-form send is delivered, not failed with 131047.
    await sendText(sim, from, 'after');
    await sim.control.settle();
    expect(
      receiver
        .statuses()
        .filter((s) => s.biz_opaque_callback_data === 'after')
        .map((s) => s.status),
    ).toContain('delivered');
  });
});

describe('subscribed_apps override (§12)', () => {
  it('runs the GET handshake against the new URL before accepting it; messages follow it, template events do not', async () => {
    const defaultReceiver = await startWebhookReceiver();
    receivers.push(defaultReceiver);
    const { sim, receiver: override } = await setup({ callbackUrl: defaultReceiver.url });
    const res = await graph(sim, 'POST', `/${sim.wabaId}/subscribed_apps`, {
      override_callback_uri: override.url,
      verify_token: override.verifyToken,
    });
    expect(res.body).toEqual({ success: true });
    expect(override.handshakes).toBe(1);
    const read = await graph<{
      data: { override_callback_uri?: string; whatsapp_business_api_data: { id: string } }[];
    }>(sim, 'GET', `/${sim.wabaId}/subscribed_apps`);
    expect(read.body.data[0]?.override_callback_uri).toBe(override.url);

    sim.control.injectInbound({ from: '+15550005000', type: 'text', text: { body: 'hi' } });
    sim.control.seedTemplate({
      name: 't',
      language: 'en',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'x' }],
    });
    sim.control.setTemplateStatus({ name: 't', language: 'en' }, 'DISABLED');
    await sim.control.settle();
    expect(override.messages()).toHaveLength(1);
    expect(defaultReceiver.messages()).toHaveLength(0);
    expect(defaultReceiver.changes('message_template_status_update')).toHaveLength(1);
    expect(override.changes('message_template_status_update')).toHaveLength(0);
  });

  it('refuses the override when the handshake fails (wrong verify token) and keeps the old URL', async () => {
    const { sim, receiver } = await setup();
    const res = await graph(sim, 'POST', `/${sim.wabaId}/subscribed_apps`, {
      override_callback_uri: receiver.url,
      verify_token: 'not-the-token',
    });
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe(2200);
    expect(errorOf(res).message).toMatch(/403/);
    expect(receiver.handshakes).toBe(1);
    expect(sim.control.callbackUrls().wabaOverride).toBeNull();
  });

  it('refuses an unreachable URL and one over 200 characters', async () => {
    const { sim } = await setup();
    const unreachable = await graph(sim, 'POST', `/${sim.wabaId}/subscribed_apps`, {
      override_callback_uri: 'http://127.0.0.1:1/webhooks',
      verify_token: 'x',
    });
    expect(errorOf(unreachable).code).toBe(2200);
    const long = await graph(sim, 'POST', `/${sim.wabaId}/subscribed_apps`, {
      override_callback_uri: `https://example.com/${'a'.repeat(200)}`,
      verify_token: 'x',
    });
    expect(errorOf(long).code).toBe(100);
  });
});

describe('fault switches', () => {
  it('duplicates deliveries byte for byte', async () => {
    const { sim, receiver } = await setup({
      faults: { duplicateRate: 1 },
      statusDelays: { sentMs: 5, deliveredMs: 10, readMs: null },
    });
    sim.control.injectInbound({ from: '+15550006000', type: 'text', text: { body: 'dup' } });
    await sim.control.settle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.raw.equals(receiver.received[1]!.raw)).toBe(true);
    expect(receiver.received[0]?.headers['x-hub-signature-256']).toBe(
      receiver.received[1]?.headers['x-hub-signature-256'],
    );
  });

  it('drops `delivered` but still sends sent and read', async () => {
    const { sim, receiver } = await setup({ faults: { dropDeliveredRate: 1 } });
    sim.control.injectInbound({ from: '+15550007000', type: 'text', text: { body: 'x' } });
    const wamid = await sendText(sim, '+15550007000', 'nodeliver');
    await sim.control.settle();
    expect(
      receiver
        .statuses()
        .filter((s) => s.id === wamid)
        .map((s) => s.status),
    ).toEqual(['sent', 'read']);
  });

  it('batches many updates into few POSTs, several statuses sharing one value', async () => {
    const { sim, receiver } = await setup({
      faults: { batch: true, batchWindowMs: 200 },
      statusDelays: { sentMs: 5, deliveredMs: 10, readMs: null },
    });
    for (let i = 0; i < 30; i++)
      sim.control.injectInbound({
        from: `+1555001${String(i).padStart(4, '0')}`,
        type: 'text',
        text: { body: 'x' },
      });
    await sim.control.settle();
    expect(receiver.messages()).toHaveLength(30);
    expect(receiver.received.length).toBeLessThanOrEqual(3);
    const biggest = Math.max(...receiver.changes('messages').map((v) => (v.messages as unknown[]).length));
    expect(biggest).toBeGreaterThan(1);
  });

  it('reorders deliveries, the same way for the same seed', async () => {
    const arrival = async (seed: number) => {
      const { sim, receiver } = await setup({ faults: { seed, reorder: true, reorderWindowMs: 100 } });
      const ids: string[] = [];
      for (let i = 0; i < 20; i++)
        ids.push(
          sim.control.injectInbound({ from: '+15550008000', type: 'text', text: { body: `m${i}` } }).wamid,
        );
      await sim.control.settle();
      const got = receiver.messages().map((m) => ids.indexOf(m.id as string));
      expect([...got].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
      return got;
    };
    const first = await arrival(42);
    const again = await arrival(42);
    const other = await arrival(7);
    expect(first).not.toEqual([...first].sort((a, b) => a - b));
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('retries with backoff while the receiver answers 500, then stops when it answers 200', async () => {
    const { sim, receiver } = await setup({ webhookRetry: { maxAttempts: 10, baseDelayMs: 20, factor: 2 } });
    receiver.respondWith(500);
    sim.control.injectInbound({ from: '+15550009000', type: 'text', text: { body: 'retry me' } });
    await receiver.waitFor(() => receiver.received.length >= 3);
    receiver.respondWith(200);
    await sim.control.settle();
    const deliveries = sim.ledger.webhookDeliveries();
    expect(deliveries.map((d) => d.attempt)).toEqual(deliveries.map((_, i) => i + 1));
    expect(deliveries.at(-1)?.status).toBe(200);
    expect(deliveries.slice(0, -1).every((d) => d.status === 500)).toBe(true);
    const gaps = deliveries.slice(1).map((d, i) => d.at - deliveries[i]!.at);
    // Exponential backoff: the n-th retry waits at least 20 ms × 2^(n-1) after the previous answer.
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(20 * 2 ** i - 1));
    expect(new Set(receiver.received.map((r) => r.raw.toString())).size).toBe(1);
  });

  it('gives up after maxAttempts', async () => {
    const { sim, receiver } = await setup({ webhookRetry: { maxAttempts: 3, baseDelayMs: 5 } });
    receiver.respondWith(503);
    sim.control.injectInbound({ from: '+15550009100', type: 'text', text: { body: 'lost' } });
    await sim.control.settle();
    expect(receiver.received).toHaveLength(3);
  });

  it('answers bursts of transient 5xx, repeatably for a seed', async () => {
    const codes = async (seed: number) => {
      const { sim } = await setup({ faults: { seed, serverErrorRate: 0.2, serverErrorBurst: 3 } });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await sendRaw(
          sim,
          { type: 'text', text: { body: 'x' } },
          { to: `+1555002${String(i).padStart(4, '0')}` },
        );
        out.push(res.status === 200 ? 0 : errorOf(res).code);
        if (res.status !== 200) {
          expect(res.status).toBeGreaterThanOrEqual(500);
          expect(errorOf(res).is_transient).toBe(true);
        }
      }
      return out;
    };
    const a = await codes(3);
    expect(a.filter((c) => c !== 0).length).toBeGreaterThanOrEqual(3);
    expect(a.some((c, i) => c !== 0 && a[i + 1] !== 0 && a[i + 2] !== 0)).toBe(true);
    expect(await codes(3)).toEqual(a);
  });

  it('injects exact errors on demand', async () => {
    const { sim } = await setup();
    sim.control.injectErrors({ code: 131057, count: 2, pathSuffix: '/messages' });
    expect((await graph(sim, 'GET', `/${sim.phoneNumberId}`)).status).toBe(200);
    const first = await sendRaw(sim, { type: 'text', text: { body: 'x' } });
    expect(first.status).toBe(500);
    expect(errorOf(first).code).toBe(131057);
    expect(errorOf(await sendRaw(sim, { type: 'text', text: { body: 'x' } })).code).toBe(131057);
    expect((await sendRaw(sim, { type: 'text', text: { body: 'x' } })).status).toBe(200);
  });

  it('holds the response of an accepted send past the caller timeout: the ledger has it, the caller does not', async () => {
    const { sim } = await setup({ faults: { slowResponseRate: 1, slowResponseMs: 400 } });
    const attempt = sendRaw(sim, {
      type: 'text',
      text: { body: 'slow' },
      biz_opaque_callback_data: 'slow-1',
    });
    await expect(
      Promise.race([
        attempt,
        new Promise((_, reject) => setTimeout(() => reject(new Error('caller timeout')), 100)),
      ]),
    ).rejects.toThrow('caller timeout');
    expect(sim.ledger.messages({ bizOpaqueCallbackData: 'slow-1' })).toHaveLength(1);
    expect((await attempt).status).toBe(200);
  });
});
