// Meta's limits as the simulator enforces them when hammered directly, without the client's limiter
// (whatsapp-cloud-api.md §4, §7, §11): throughput → 130429 (counted), pair rate → 131056, messaging
// tier → 131048 (the real code is unverified), 24 h window → 200 then `failed` 131047, token expiry → 190.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src-main/simulator/simulator';
import { errorOf, graph, manualClock, sendRaw } from '../helpers/simulatorGraph';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/simulatorWebhookReceiver';

let sims: Simulator[] = [];
let receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all([...sims.map((s) => s.close()), ...receivers.map((r) => r.close())]);
  sims = [];
  receivers = [];
});

async function sim(options: SimulatorOptions = {}): Promise<Simulator> {
  const s = await startSimulator(options);
  sims.push(s);
  return s;
}

const text = { type: 'text', text: { body: 'hi' } };
const phone = (i: number) => `+1555${String(i).padStart(7, '0')}`;

describe('throughput per number', () => {
  it('answers 130429 (HTTP 400) to sends beyond one second’s quota at once, and counts them', async () => {
    // A frozen clock: all 200 sends arrive at the same logical instant, however loaded the machine is.
    const clock = manualClock();
    const s = await sim({ throughputMps: 20, now: clock.now });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => sendRaw(s, text, { to: phone(i) })),
    );
    const accepted = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 400 && errorOf(r).code === 130429);
    // 20 mps is a bucket of one second's worth: 20 go at once, the other 180 are refused.
    expect(accepted).toBe(20);
    expect(limited).toHaveLength(180);
    expect(errorOf(limited[0]!).is_transient).toBe(true);
    expect(s.ledger.size).toBe(20);
    expect(s.ledger.errorCount(130429)).toBe(180);
    clock.advance(500);
    const later = await Promise.all(
      Array.from({ length: 40 }, (_, i) => sendRaw(s, text, { to: phone(1000 + i) })),
    );
    expect(later.filter((r) => r.status === 200)).toHaveLength(10);
  });

  it('lets a paced sender through without a single 130429', async () => {
    const clock = manualClock();
    const s = await sim({ throughputMps: 80, now: clock.now });
    for (let i = 0; i < 400; i++) {
      const res = await sendRaw(s, text, { to: phone(i) });
      expect(res.status).toBe(200);
      clock.advance(12.5);
    }
    expect(s.ledger.errorCount(130429)).toBe(0);
  });
});

describe('pair rate limit (1 per 6 s per recipient, bursts of 45)', () => {
  it('allows a burst of 45, refuses the 46th with 131056, then one per 6 s; other recipients are unaffected', async () => {
    const clock = manualClock();
    const s = await sim({ now: clock.now, throughputMps: 10_000 });
    for (let i = 0; i < 45; i++) expect((await sendRaw(s, text, { to: '+15551230000' })).status).toBe(200);
    const over = await sendRaw(s, text, { to: '+15551230000' });
    expect(over.status).toBe(400);
    expect(errorOf(over).code).toBe(131056);
    expect((await sendRaw(s, text, { to: '+15551230001' })).status).toBe(200);
    clock.advance(6_000);
    expect((await sendRaw(s, text, { to: '+15551230000' })).status).toBe(200);
    expect(errorOf(await sendRaw(s, text, { to: '+15551230000' })).code).toBe(131056);
    // The burst was borrowed: 45 messages cost 45 × 6 s of quota (§4: "a burst of 20 means ~2 min").
    expect(s.ledger.messages({ waId: '15551230000' })).toHaveLength(46);
  });
});

describe('messaging limit (unique users outside a window per 24 h)', () => {
  it('refuses the 251st new customer on TIER_250 until 24 h pass; known and in-window customers still go', async () => {
    const clock = manualClock();
    const s = await sim({ now: clock.now, throughputMps: 10_000, messagingLimit: 'TIER_250' });
    s.control.seedTemplate({
      name: 'promo',
      language: 'en',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Sale' }],
    });
    const template = { type: 'template', template: { name: 'promo', language: { code: 'en' } } };
    for (let i = 0; i < 250; i++) expect((await sendRaw(s, template, { to: phone(i) })).status).toBe(200);
    const over = await sendRaw(s, template, { to: phone(250) });
    expect(over.status).toBe(400);
    expect(errorOf(over).code).toBe(131048);
    clock.advance(7_000);
    expect((await sendRaw(s, template, { to: phone(3) })).status).toBe(200);
    s.control.injectInbound({ from: phone(900), type: 'text', text: { body: 'hello' } });
    expect((await sendRaw(s, template, { to: phone(900) })).status).toBe(200);
    clock.advance(24 * 60 * 60 * 1000);
    expect((await sendRaw(s, template, { to: phone(250) })).status).toBe(200);
  });
});

describe('24 h customer-service window (§7)', () => {
  it('accepts a late free-form send (200 + wamid) and reports failed 131047; templates still go', async () => {
    const clock = manualClock();
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const s = await sim({
      now: clock.now,
      callbackUrl: receiver.url,
      statusDelays: { sentMs: 1, deliveredMs: 2, readMs: null },
    });
    s.control.seedTemplate({
      name: 'reengage',
      language: 'en',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Still there?' }],
    });
    s.control.injectInbound({ from: '+15550009999', type: 'text', text: { body: 'hi' } });
    clock.advance(23 * 60 * 60 * 1000);
    const inside = await sendRaw(s, { ...text, biz_opaque_callback_data: 'inside' }, { to: '+15550009999' });
    expect(inside.status).toBe(200);
    clock.advance(2 * 60 * 60 * 1000);
    const outside = await sendRaw(
      s,
      { ...text, biz_opaque_callback_data: 'outside' },
      { to: '+15550009999' },
    );
    expect(outside.status).toBe(200);
    const template = await sendRaw(
      s,
      {
        type: 'template',
        template: { name: 'reengage', language: { code: 'en' } },
        biz_opaque_callback_data: 'template',
      },
      { to: '+15550009999' },
    );
    expect(template.status).toBe(200);
    await s.control.settle();
    const byTag = (tag: string) => receiver.statuses().filter((st) => st.biz_opaque_callback_data === tag);
    expect(byTag('inside').map((st) => st.status)).toEqual(['sent', 'delivered']);
    expect(byTag('outside').map((st) => st.status)).toEqual(['failed']);
    expect(byTag('outside')[0]?.errors?.[0]?.code).toBe(131047);
    expect(byTag('outside')[0]?.id).toBe((outside.body.messages as { id: string }[])[0]?.id);
    expect(byTag('template').map((st) => st.status)).toEqual(['sent', 'delivered']);
  });

  it('can answer 131047 synchronously instead (the rarer S form)', async () => {
    const s = await sim({ outsideWindowErrors: 'response' });
    const res = await sendRaw(s, text);
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe(131047);
    expect(s.ledger.size).toBe(0);
  });
});

describe('access token', () => {
  it('answers HTTP 401 code 190 on every call once expired, until a new token is installed', async () => {
    const s = await sim();
    s.control.expireToken();
    for (const [method, path] of [
      ['POST', `/${s.phoneNumberId}/messages`],
      ['GET', `/${s.wabaId}/message_templates`],
      ['GET', `/${s.phoneNumberId}`],
      ['GET', `/${s.wabaId}/subscribed_apps`],
    ] as const) {
      const res = await graph(
        s,
        method,
        path,
        method === 'POST' ? { messaging_product: 'whatsapp', to: '+15550001', ...text } : undefined,
      );
      expect(res.status).toBe(401);
      expect(errorOf(res)).toMatchObject({ code: 190, type: 'OAuthException', error_subcode: 463 });
    }
    expect(s.ledger.size).toBe(0);
    s.control.setAccessToken('fresh-token');
    expect((await graph(s, 'GET', `/${s.phoneNumberId}`, undefined, { token: 'fresh-token' })).status).toBe(
      200,
    );
    expect((await graph(s, 'GET', `/${s.phoneNumberId}`, undefined, { token: 'wrong' })).status).toBe(401);
    expect((await graph(s, 'GET', `/${s.phoneNumberId}`, undefined, { token: null })).status).toBe(401);
  });
});

describe('recipient rules', () => {
  it('refuses the business number itself (131021) and, on a test number, anyone off the allow-list (131030)', async () => {
    const s = await sim({ allowedRecipients: ['15550001111'] });
    expect(errorOf(await sendRaw(s, text, { to: `+${s.displayPhoneNumber}` })).code).toBe(131021);
    expect(errorOf(await sendRaw(s, text, { to: '+15550002222' })).code).toBe(131030);
    expect((await sendRaw(s, text, { to: '+15550001111' })).status).toBe(200);
  });
});

describe('ledger bound for a long-running Sandbox', () => {
  it('keeps at most maxLedgerRecords of each list while error counters keep counting', async () => {
    const clock = manualClock();
    const s = await sim({ maxLedgerRecords: 50, throughputMps: 20, now: clock.now });
    let lastAccepted = '';
    for (let i = 0; i < 200; i++) {
      const res = await sendRaw(s, text, { to: phone(i) });
      if (res.status === 200) lastAccepted = phone(i).slice(1);
      clock.advance(10);
    }
    expect(s.ledger.size).toBeLessThanOrEqual(50);
    expect(s.ledger.requests().length).toBeLessThanOrEqual(50);
    expect(s.ledger.messages().at(-1)?.waId).toBe(lastAccepted);
    expect(s.ledger.errorCount(130429)).toBeGreaterThan(50);
  });
});
