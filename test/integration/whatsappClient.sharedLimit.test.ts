// Seed §1: campaigns, the inbox, chatbots and TemplateSend (plus template sync) all use one connection at
// the same time. Because every request first takes a slot from the connection's limiter key, together
// they never exceed the limit. Judged where the pacing happens, not where requests happen to land:
// - the limiter's grant log holds at most `count` grants in every sliding window of the paced period
//   (the rule's period plus the client's jitter allowance), and
// - the simulator received exactly one request per grant, so no request left without its slot;
// with the simulator's own 130429 check (Meta's throughput GCRA) at zero. Arrival timestamps at the
// simulator are not the measure: client and simulator share one event loop, and on a loaded machine a
// request granted on time can be read by the server hundreds of ms late while the next one is not, so
// arrivals bunch past any fixed allowance without the client having sent faster (seen at load ~10: 52-54
// arrivals in one second with the grants at 50). A control run with one key per module shows the same
// load breaks the limit in the grant log, so the check can fail.
import { afterEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src-main/ratelimit/limiter';
import { whatsappApiLimitPerSecond } from '../../src-main/ratelimit/limits';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { WhatsAppClient } from '../../src-main/whatsapp/client';
import type { WaResult } from '../../src-main/whatsapp/errors';
import { busiestWindow } from '../helpers/busiestWindow';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// 10 per second, as a connection with a per-second rate has it, against 24 callers: the limit, not the
// machine, must be what holds them back, or "the limit was reached" cannot be shown. At 50/s and at 20/s
// with 12 callers, runs at load 12-18 on 2 cores sometimes could not generate the limit's worth of
// requests (the limit itself intact).
const { key, rule } = whatsappApiLimitPerSecond('conn-1', 10);
const runMs = 6_000;
/** The client paces over the rule's period plus this allowance (ConnectionRateLimit.jitterAllowanceMs). */
const jitterAllowanceMs = 100;

interface RunResult {
  sim: Simulator;
  /** When the limiter handed out each slot, over every key the clients used. */
  grants: number[];
  byModule: Record<string, number>;
  failures: string[];
}

async function hammer(sharedKey: boolean): Promise<RunResult> {
  const sim = await startSimulator({
    throughputMps: rule.count,
    statusDelays: { sentMs: 5, deliveredMs: 10, readMs: null },
    templates: [
      {
        name: 'campaign_promo',
        language: 'en',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'Hi {{1}}' }],
      },
      {
        name: 'order_ready',
        language: 'en',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Order {{1}} is ready' }],
      },
    ],
  });
  const grants: number[] = [];
  const limiter = createRateLimiter({ onGrant: (_key, at) => grants.push(at) });
  cleanups.push(
    () => sim.close(),
    () => limiter.close(),
  );
  const client = (module: string) => {
    const c = new WhatsAppClient({
      baseUrl: sim.baseUrl,
      apiVersion: 'v24.0',
      accessToken: sim.accessToken,
      phoneNumberId: sim.phoneNumberId,
      wabaId: sim.wabaId,
      limiter,
      // The product default allowance is 1 % of the period (50 ms on the seed's 60 s window). This test
      // squeezes the window to 1 s on a loaded 2-core machine where client and simulator share one event
      // loop, so it allows 100 ms: the property checked — arrivals per window ≤ limit — is unchanged.
      rateLimit: { key: sharedKey ? key : `${key}:${module}`, rule, jitterAllowanceMs },
    });
    cleanups.push(() => c.close());
    return c;
  };
  const campaigns = client('campaigns');
  const inbox = client('inbox');
  const chatbots = client('chatbots');
  const templateSend = client('templateSend');

  const customers = Array.from({ length: 40 }, (_, i) => `+1555030${String(i).padStart(4, '0')}`);
  const inbound = customers.map(
    (from) => sim.control.injectInbound({ from, type: 'text', text: { body: 'hi' } }).wamid,
  );

  const byModule: Record<string, number> = { campaigns: 0, inbox: 0, chatbots: 0, templateSend: 0 };
  const failures: string[] = [];
  const deadline = Date.now() + runMs;
  let seq = 0;
  const loop = async (module: string, step: (n: number) => Promise<WaResult<unknown>>) => {
    while (Date.now() < deadline) {
      const n = seq++;
      const result = await step(n);
      byModule[module] = (byModule[module] ?? 0) + 1;
      if (!result.ok) failures.push(`${module}: ${result.error.kind} ${String(result.error.code)}`);
    }
  };
  const workers = (count: number, module: string, step: (n: number) => Promise<WaResult<unknown>>) =>
    Array.from({ length: count }, () => loop(module, step));

  await Promise.all([
    // Campaign: template broadcast to fresh recipients, several sends in flight.
    ...workers(12, 'campaigns', (n) =>
      campaigns.sendTemplate(
        `+1555040${String(n).padStart(4, '0')}`,
        {
          name: 'campaign_promo',
          language: { code: 'en' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: `C${n}` }] }],
        },
        { bizOpaqueCallbackData: `campaign:${n}` },
      ),
    ),
    // Inbox: an agent marks read and replies inside the window.
    ...workers(4, 'inbox', (n) =>
      n % 2 === 0
        ? inbox.markRead(inbound[n % inbound.length]!)
        : inbox.sendText(customers[n % customers.length]!, `Reply ${n}`, {
            bizOpaqueCallbackData: `inbox:${n}`,
          }),
    ),
    // Chatbot: typing indicator, then a button menu.
    ...workers(4, 'chatbots', (n) =>
      n % 3 === 0
        ? chatbots.showTypingIndicator(inbound[(n + 7) % inbound.length]!)
        : chatbots.sendButtons(
            customers[(n + 7) % customers.length]!,
            {
              body: { text: 'Menu' },
              action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'Orders' } }] },
            },
            { bizOpaqueCallbackData: `bot:${n}` },
          ),
    ),
    // TemplateSend: one-off template sends, plus template sync.
    ...workers(4, 'templateSend', (n) =>
      n % 4 === 0
        ? templateSend.listAllTemplates()
        : templateSend.sendTemplate(
            `+1555050${String(n).padStart(4, '0')}`,
            {
              name: 'order_ready',
              language: { code: 'en' },
              components: [{ type: 'body', parameters: [{ type: 'text', text: `#${n}` }] }],
            },
            { bizOpaqueCallbackData: `ts:${n}` },
          ),
    ),
  ]);
  return { sim, grants, byModule, failures };
}

describe('seed §1: one connection limit shared by every module', () => {
  it('keeps every sliding window of grants at or under the limit, one request per grant, with no 130429 and no failure', async () => {
    const { sim, grants, byModule, failures } = await hammer(true);
    // Media downloads (the lookaside URL) are not Graph calls and take no slot; none happen here.
    const requests = sim.ledger.requests().filter((r) => r.path !== '/whatsapp_business/attachments/');
    expect(busiestWindow(grants, rule.periodMs + jitterAllowanceMs)).toBeLessThanOrEqual(rule.count);
    expect(requests.length).toBe(grants.length);
    expect(sim.ledger.errorCount(130429)).toBe(0);
    expect(failures).toEqual([]);
    // Every module took its turns on the connection during the run (FIFO: each caller about one grant in 24).
    for (const module of Object.keys(byModule)) expect(byModule[module], module).toBeGreaterThanOrEqual(3);
    // The limit was actually reached, not merely respected by idling: in the busiest window the limiter
    // handed out all of it. (A share of the nominal rate over the whole run is no measure on a loaded
    // machine: with the jitter allowance the most it can grant is count per 1.1 s, 91 % of nominal, and a
    // starved event loop sends fewer still without the limit being any less binding.)
    expect(busiestWindow(grants, rule.periodMs + jitterAllowanceMs)).toBe(rule.count);
  });

  it('control: with a key per module the same load exceeds the limit', async () => {
    const { sim, grants } = await hammer(false);
    expect(busiestWindow(grants, rule.periodMs + jitterAllowanceMs)).toBeGreaterThan(rule.count);
    expect(sim.ledger.maxRequestsInWindow(rule.periodMs)).toBeGreaterThan(rule.count);
  });
});
