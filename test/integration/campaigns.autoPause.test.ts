// Issue 8: "auto-pause with a clear reason on account-level failures (368, 131031, 131042 …) and when the
// template becomes PAUSED or DISABLED" (§10 "Campaigns"). 190, 131048 and the PAUSED webhook are in
// campaigns.test.ts; this file covers the other account codes and DISABLED, each provoked through the
// simulator's real HTTP answers or its signed template webhook.
// Each case is small (a few dozen recipients) and waits only on conditions, so it stays fast on a loaded
// machine; a case whose code left the runner's pause table fails at once (the campaign completes with
// every recipient failed instead of pausing).
import { afterEach, describe, expect, it } from 'vitest';
import type { CampaignView } from '../../src-preload/campaigns.contract';
import { campaignDraft, campaignTemplate, seedContacts } from '../helpers/campaignFixtures';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';
import { waitFor } from '../helpers/waitFor';

let h: CampaignHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const RATE = 10;
const template = { name: campaignTemplate.name, language: campaignTemplate.language };

const get = (c: CampaignHarness, campaignId: string) =>
  c.value<CampaignView>('campaigns:get', { campaignId });

/**
 * Waits until the campaign has left `from` (e.g. running → paused, or completed when nothing paused it)
 * with no send in flight.
 */
function waitLeft(
  c: CampaignHarness,
  campaignId: string,
  from: CampaignView['status'] = 'running',
): Promise<CampaignView> {
  return waitFor(
    async () => {
      const v = await get(c, campaignId);
      return v.status !== from && v.counters.sending === 0 ? v : null;
    },
    { timeoutMs: 60_000, intervalMs: 20, what: `the campaign to leave ${from}` },
  );
}

function sendRequests(c: CampaignHarness): number {
  return c.sim.ledger.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).length;
}

/** Every phone the simulator accepted a template for, with how many times. */
function acceptedPerPhone(c: CampaignHarness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of c.sim.ledger.messages({ type: 'template' })) counts.set(e.to, (counts.get(e.to) ?? 0) + 1);
  return counts;
}

async function startAndSendSome(c: CampaignHarness, name: string, recipients: number): Promise<CampaignView> {
  const campaign = await c.value<CampaignView>(
    'campaigns:create',
    campaignDraft(c.connectionId, name, { kind: 'all' }),
  );
  await c.value('campaigns:start', { campaignId: campaign.id });
  await waitFor(() => c.sim.ledger.size >= 2 || null, { timeoutMs: 30_000, what: 'two sends' });
  expect(c.sim.ledger.size).toBeLessThan(recipients);
  return campaign;
}

async function openWithContacts(total: number): Promise<{ c: CampaignHarness; phones: string[] }> {
  h = await openCampaignHarness({ ratePerSecond: RATE, sim: { messagingLimit: 'TIER_UNLIMITED' } });
  return { c: h, phones: seedContacts(h.db, h.workspaceId, total).phones };
}

/** `total` contacts, one campaign to all of them scheduled an hour ahead and one part-way through sending. */
async function scheduledAndRunning(total: number, name: string) {
  const { c } = await openWithContacts(total);
  const scheduled = await c.value<CampaignView>(
    'campaigns:create',
    campaignDraft(c.connectionId, `${name} scheduled`, { kind: 'all' }),
  );
  await c.value('campaigns:schedule', { campaignId: scheduled.id, at: Date.now() + 3_600_000 });
  const running = await startAndSendSome(c, `${name} running`, total);
  return { c, scheduled, running };
}

describe('campaign auto-pause', () => {
  it.each([
    { code: 368, reason: /blocked this account for policy violations \(368\)/ },
    { code: 131031, reason: /account is locked \(131031\)/ },
    { code: 131042, reason: /billing or eligibility problem.*\(131042\)/ },
  ])(
    'pauses on $code with its reason, sends nothing more while blocked, and resumes once Meta lifts it',
    async ({ code, reason }) => {
      const total = 30;
      const { c, phones } = await openWithContacts(total);
      // Paused by the user after a few sends, so the block lands on a campaign that is part-way through
      // whatever the machine's load (a running campaign could otherwise finish before the block).
      const campaign = await startAndSendSome(c, `Blocked ${code}`, total);
      await c.value('campaigns:pause', { campaignId: campaign.id });
      const before = await waitLeft(c, campaign.id);
      expect(before.status).toBe('paused');
      const sentBefore = before.counters.accepted;

      // The account-level block: Meta answers every send with `code` until it is lifted.
      c.sim.control.injectErrors({ code, count: Number.POSITIVE_INFINITY, pathSuffix: '/messages' });
      await c.value('campaigns:resume', { campaignId: campaign.id });
      const paused = await waitLeft(c, campaign.id);
      expect(paused.status).toBe('paused');
      expect(paused.statusReason).toMatch(reason);
      // The runner is gone (nothing left in the queue to send) and stopped after the sends already in
      // flight: far fewer attempts than recipients left, none of them lost or marked failed.
      await c.queue.whenIdle();
      const refused = c.sim.ledger.errorCount(code);
      expect(refused).toBeGreaterThanOrEqual(1);
      expect(refused).toBeLessThan(total - sentBefore);
      expect(paused.counters.failed).toBe(0);
      expect(paused.counters.accepted).toBe(sentBefore);
      expect(paused.counters.pending).toBe(total - sentBefore);
      const requestsWhilePaused = sendRequests(c);
      expect((await get(c, campaign.id)).status).toBe('paused');
      expect(sendRequests(c)).toBe(requestsWhilePaused);

      // Meta lifts the block; resuming sends the rest, each recipient exactly once.
      c.sim.control.resetFaults();
      await c.value('campaigns:resume', { campaignId: campaign.id });
      const done = await waitLeft(c, campaign.id);
      expect(done.status).toBe('completed');
      expect(done.counters).toMatchObject({ total, accepted: total, failed: 0, pending: 0 });
      const sent = acceptedPerPhone(c);
      expect(phones.every((p) => sent.get(p) === 1)).toBe(true);
      expect(sent.size).toBe(total);
    },
  );

  it('a DISABLED template webhook pauses running and scheduled campaigns, and resuming is refused', async () => {
    const total = 50;
    const { c, scheduled, running } = await scheduledAndRunning(total, 'Disabled');
    c.sim.control.setTemplateStatus(template, 'DISABLED');

    // The campaigns follow the stored template's status change at once (templates:status-changed).
    await waitFor(
      () =>
        c.messaging.templates.repo.get(c.connectionId, template.name, template.language)?.status ===
        'DISABLED',
      { timeoutMs: 30_000, what: 'the template webhook to be processed' },
    );
    // The scheduled campaign sends nothing, so only the webhook can have paused it.
    const byWebhook = await get(c, scheduled.id);
    expect(byWebhook.status).toBe('paused');
    expect(byWebhook.statusReason).toContain('Meta disabled the template spring_offer for good');
    // The running one stops too: by the webhook, or by Meta's 132016 if a send got there first.
    const stopped = await waitLeft(c, running.id);
    expect(stopped.status).toBe('paused');
    expect(stopped.statusReason).toMatch(/disabled the template|disabled for good/);
    expect(stopped.counters.failed).toBe(0);
    expect(stopped.counters.pending + stopped.counters.accepted).toBe(total);
    await c.queue.whenIdle();
    const requestsWhilePaused = sendRequests(c);
    // A disabled template never comes back (§3 132016): resuming is refused with the reason.
    for (const campaign of [running, scheduled]) {
      const resumed = await c.call('campaigns:resume', { campaignId: campaign.id });
      expect(resumed.ok).toBe(false);
      if (!resumed.ok) expect(resumed.error.message).toMatch(/DISABLED|disabled/);
      expect((await get(c, campaign.id)).status).toBe('paused');
    }
    expect(sendRequests(c)).toBe(requestsWhilePaused);
  });

  it("a send refused with 132016 pauses the campaign when the template's webhook never came", async () => {
    const total = 30;
    const { c, scheduled, running } = await scheduledAndRunning(total, 'Unwarned');
    await c.value('campaigns:pause', { campaignId: running.id });
    const before = await waitLeft(c, running.id);
    expect(before.status).toBe('paused');
    // No callback URL: Meta disables the template but its webhook reaches nobody, so only the send's
    // answer (132016) can tell the runner.
    c.sim.control.setCallbackUrl(null);
    c.sim.control.setTemplateStatus(template, 'DISABLED');
    await c.value('campaigns:resume', { campaignId: running.id });
    const paused = await waitLeft(c, running.id);
    expect(paused.status).toBe('paused');
    expect(paused.statusReason).toMatch(/disabled for good.*\(132016\)/);
    expect(c.sim.ledger.errorCount(132016)).toBeGreaterThanOrEqual(1);
    expect(c.sim.ledger.errorCount(132016)).toBeLessThan(total - before.counters.accepted);
    expect(paused.counters.failed).toBe(0);
    expect(paused.counters.accepted).toBe(before.counters.accepted);
    expect(paused.counters.pending).toBe(total - before.counters.accepted);
    // The webhook really did not arrive: the scheduled campaign is untouched.
    expect((await get(c, scheduled.id)).status).toBe('scheduled');
  });
});
