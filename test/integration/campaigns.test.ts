// Campaigns over real parts (store, queue, lock registry, limiter, webhook server, simulator): preflight,
// exactly-once start under concurrent calls, the connection's shared limit with two campaigns and inbox
// traffic, pause / resume / cancel, auto-pause on 190 and on a PAUSED template webhook, the per-recipient
// delay after 131056, and opted-out contacts left out.
import { afterEach, describe, expect, it } from 'vitest';
import type { CampaignView, PreflightReport, RecipientsPage } from '../../src-preload/campaigns.contract';
import { campaignDraft, campaignTemplate, seedContacts } from '../helpers/campaignFixtures';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';
import { waitFor } from '../helpers/waitFor';

let h: CampaignHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const get = (c: CampaignHarness, campaignId: string) =>
  c.value<CampaignView>('campaigns:get', { campaignId });

async function create(
  c: CampaignHarness,
  name: string,
  audience: unknown = { kind: 'all' },
): Promise<CampaignView> {
  return c.value<CampaignView>('campaigns:create', campaignDraft(c.connectionId, name, audience));
}

function ledgerPhones(c: CampaignHarness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of c.sim.ledger.messages({ type: 'template' })) counts.set(e.to, (counts.get(e.to) ?? 0) + 1);
  return counts;
}

async function waitStatus(
  c: CampaignHarness,
  id: string,
  status: CampaignView['status'],
  timeoutMs = 60_000,
) {
  return waitFor(
    async () => {
      const v = await get(c, id);
      return v.status === status ? v : null;
    },
    { timeoutMs, intervalMs: 50, what: `campaign ${status}` },
  );
}

describe('campaigns', () => {
  it('preflight lists problems with counts and examples, an ETA and the cost category; the opted-out contact (STOP) is left out', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { messagingLimit: 'TIER_250' } });
    // 300 contacts: #0 has no name (fallback "there"), #1 sent STOP (opted out).
    const { phones } = seedContacts(h.db, h.workspaceId, 300, {
      unnamed: new Set([0]),
      optedOut: new Set([1]),
    });
    h.db.prepare(`UPDATE contacts SET attributes = '{}' WHERE phone_e164 = ?`).run(phones[2]);
    const campaign = await create(h, 'Spring');
    const report = await h.value<PreflightReport>('campaigns:preflight', { campaignId: campaign.id });
    expect(report.templateStatus).toBe('APPROVED');
    expect(report.costCategory).toBe('MARKETING');
    expect(report.exclusions).toEqual({ optedOut: 1, invalid: 0, duplicate: 0 });
    // #2 has no code and no fallback: skipped, shown with its number.
    const empty = report.problems.find((p) => p.code === 'EMPTY_VARIABLE');
    expect(empty?.count).toBe(1);
    expect(empty?.examples[0]).toContain(phones[2]);
    expect(report.problems.find((p) => p.code === 'OPTED_OUT')?.examples).toEqual([phones[1]]);
    // 300, less the opted-out contact and the one with an empty code (#0 gets the fallback name).
    expect(report.recipients).toBe(298);
    expect(report.ratePerSecond).toBe(50);
    expect(report.etaSeconds).toBe(Math.ceil(298 / 50));
    expect(report.messagingTier).toBe('TIER_250');
    expect(report.tierWarning).toContain('250');
    expect(report.samples[0]?.body).toMatch(/^Hello (Customer \d+|there), your spring code is C\d+\.$/);
    expect(report.canSend).toBe(true);

    await h.value('campaigns:start', { campaignId: campaign.id });
    // The tier refuses the 251st new customer with 131048: the campaign pauses with that reason.
    const paused = await waitStatus(h, campaign.id, 'paused');
    expect(paused.statusReason).toContain('131048');
    const sent = ledgerPhones(h);
    expect(sent.has(phones[1] as string)).toBe(false);
    expect(sent.has(phones[2] as string)).toBe(false);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    expect(sent.size).toBe(250);
    const failed = await h.value<RecipientsPage>('campaigns:recipients', {
      campaignId: campaign.id,
      state: 'failed',
    });
    expect(failed.total).toBe(0);
  });

  it('ten concurrent starts give one run; every recipient once; counters follow the webhooks', async () => {
    h = await openCampaignHarness({ ratePerSecond: 200, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const { phones } = seedContacts(h.db, h.workspaceId, 150);
    const campaign = await create(h, 'Twice');
    const runJobs = new Set<string>();
    h.queue.onEvent((e) => {
      if (e.type === 'job:started' && e.jobType === 'campaigns.run') runJobs.add(e.jobId);
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h!.call('campaigns:start', { campaignId: campaign.id })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    await waitStatus(h, campaign.id, 'completed', 40_000);
    await h.sim.control.settle();
    const done = await waitFor(
      async () => {
        const v = await get(h!, campaign.id);
        return v.counters.read === 150 ? v : null;
      },
      { timeoutMs: 20_000, what: 'every read status' },
    );
    expect(runJobs.size).toBe(1);
    const sent = ledgerPhones(h);
    expect(sent.size).toBe(150);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    expect(phones.every((p) => sent.has(p))).toBe(true);
    expect(done.counters).toMatchObject({
      total: 150,
      sent: 150,
      delivered: 150,
      read: 150,
      failed: 0,
      pending: 0,
    });
  });

  it("two campaigns on one connection plus inbox traffic never exceed the connection's limit", async () => {
    // The simulator enforces 20 messages/s for the number; the connection's limit is the same.
    h = await openCampaignHarness({
      ratePerSecond: 20,
      sim: { throughputMps: 20, messagingLimit: 'TIER_UNLIMITED' },
    });
    seedContacts(h.db, h.workspaceId, 60, { tags: ['a'] });
    seedContacts(h.db, h.workspaceId, 60, { from: 60, tags: ['b'] });
    const a = await create(h, 'A', { kind: 'filter', tags: ['a'], attributes: [] });
    const b = await create(h, 'B', { kind: 'filter', tags: ['b'], attributes: [] });
    await h.value('campaigns:start', { campaignId: a.id });
    await h.value('campaigns:start', { campaignId: b.id });
    for (let i = 0; i < 20; i++) {
      await h.value('messages:send-template-to-number', {
        connectionId: h.connectionId,
        clientId: `inbox-${i}-xxxxxx`,
        phone: `+4917012345${String(100 + i)}`,
        template: {
          name: campaignTemplate.name,
          language: campaignTemplate.language,
          params: { body: ['Bo', 'X'] },
        },
      });
    }
    await waitStatus(h, a.id, 'completed');
    await waitStatus(h, b.id, 'completed');
    await waitFor(() => h!.sim.ledger.messages({ type: 'template' }).length === 140, { timeoutMs: 30_000 });
    expect(h.sim.ledger.errorCount(130429)).toBe(0);
    const sends = (r: { path: string; method: string }) =>
      r.method === 'POST' && r.path.endsWith('/messages');
    expect(h.sim.ledger.maxRequestsInWindow(1_000, sends)).toBeLessThanOrEqual(20);
  });

  it('pause stops sending (in-flight requests finish), resume continues, cancel skips the rest', async () => {
    h = await openCampaignHarness({ ratePerSecond: 20, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    seedContacts(h.db, h.workspaceId, 200);
    const campaign = await create(h, 'Pausable');
    await h.value('campaigns:start', { campaignId: campaign.id });
    await waitFor(() => h!.sim.ledger.size >= 10, { what: 'ten sends' });
    await h.value('campaigns:pause', { campaignId: campaign.id });
    await waitFor(async () => ((await get(h!, campaign.id)).counters.sending === 0 ? true : null));
    const atPause = h.sim.ledger.size;
    const paused = await get(h, campaign.id);
    expect(paused.status).toBe('paused');
    expect(paused.statusReason).toBe('Paused by you.');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(h.sim.ledger.size).toBe(atPause);
    await h.value('campaigns:resume', { campaignId: campaign.id });
    await waitFor(() => h!.sim.ledger.size >= atPause + 20, { what: 'sending after resume' });
    const cancelled = await h.value<CampaignView>('campaigns:cancel', { campaignId: campaign.id });
    expect(cancelled.status).toBe('cancelled');
    await waitFor(async () => ((await get(h!, campaign.id)).counters.sending === 0 ? true : null));
    const atCancel = h.sim.ledger.size;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(h.sim.ledger.size).toBe(atCancel);
    const final = await get(h, campaign.id);
    expect(final.counters.skipped).toBe(200 - atCancel);
    expect([...ledgerPhones(h).values()].every((n) => n === 1)).toBe(true);
  });

  it('auto-pauses on 190 with a clear reason and loses no recipient', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    seedContacts(h.db, h.workspaceId, 200);
    const campaign = await create(h, 'Token');
    await h.value('campaigns:start', { campaignId: campaign.id });
    await waitFor(() => h!.sim.ledger.size >= 10, { what: 'ten sends' });
    h.sim.control.expireToken();
    const paused = await waitStatus(h, campaign.id, 'paused');
    expect(paused.statusReason).toContain('access token');
    await waitFor(async () => ((await get(h!, campaign.id)).counters.sending === 0 ? true : null));
    const v = await get(h, campaign.id);
    expect(v.counters.failed).toBe(0);
    expect(v.counters.pending + v.counters.accepted).toBe(200);
    expect(v.counters.accepted).toBe(h.sim.ledger.size);
  });

  it('auto-pauses running and scheduled campaigns when the template webhook says PAUSED', async () => {
    h = await openCampaignHarness({ ratePerSecond: 20, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    seedContacts(h.db, h.workspaceId, 200);
    const running = await create(h, 'Template running');
    const scheduled = await create(h, 'Template scheduled');
    await h.value('campaigns:schedule', { campaignId: scheduled.id, at: Date.now() + 3_600_000 });
    await h.value('campaigns:start', { campaignId: running.id });
    await waitFor(() => h!.sim.ledger.size >= 5, { what: 'five sends' });
    h.sim.control.setTemplateStatus(
      { name: campaignTemplate.name, language: campaignTemplate.language },
      'PAUSED',
    );
    // The scheduled one sends nothing, so only the webhook can have paused it.
    const pausedByWebhook = await waitStatus(h, scheduled.id, 'paused');
    expect(pausedByWebhook.statusReason).toContain('Meta paused the template spring_offer');
    // The running one stops too (by the webhook, or by Meta's 132015 if a send got there first).
    const paused = await waitStatus(h, running.id, 'paused');
    expect(paused.statusReason).toMatch(/paused the template|template is paused/);
    await waitFor(async () => ((await get(h!, running.id)).counters.sending === 0 ? true : null));
    expect(
      h.messaging.templates.repo.get(h.connectionId, campaignTemplate.name, campaignTemplate.language)
        ?.status,
    ).toBe('PAUSED');
    // Resuming is refused while the template cannot be sent.
    const resumed = await h.call('campaigns:resume', { campaignId: running.id });
    expect(resumed.ok).toBe(false);
  });

  it('131056 delays only that recipient, which is then sent once', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const { phones } = seedContacts(h.db, h.workspaceId, 5);
    h.sim.control.injectErrors({ code: 131056, count: 1, pathSuffix: '/messages' });
    const campaign = await create(h, 'Pair');
    await h.value('campaigns:start', { campaignId: campaign.id });
    await waitFor(() => h!.sim.ledger.size === 4, { what: 'the other four' });
    const delayed = await h.value<RecipientsPage>('campaigns:recipients', {
      campaignId: campaign.id,
      state: 'pending',
    });
    expect(delayed.total).toBe(1);
    expect(delayed.rows[0]?.errorCode).toBe(131056);
    await waitStatus(h, campaign.id, 'completed', 30_000);
    const sent = ledgerPhones(h);
    expect(phones.every((p) => sent.get(p) === 1)).toBe(true);
    const all = await h.value<RecipientsPage>('campaigns:recipients', { campaignId: campaign.id });
    expect(all.rows.filter((r) => r.attempts === 2)).toHaveLength(1);
  });

  it('a reply within 72 h counts for the campaign once; a schedule fires once, or waits for you when it came due while the app was closed', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const { phones } = seedContacts(h.db, h.workspaceId, 3);
    const scheduled = await create(h, 'Scheduled');
    await h.value('campaigns:schedule', { campaignId: scheduled.id, at: Date.now() + 1_500 });
    // Nobody presses anything: the durable schedule job starts it.
    await waitStatus(h, scheduled.id, 'completed', 30_000);
    expect(ledgerPhones(h).size).toBe(3);

    // The customer answers twice: one reply counted.
    h.sim.control.injectInbound({
      from: (phones[0] as string).slice(1),
      type: 'text',
      text: { body: 'Thanks!' },
    });
    h.sim.control.injectInbound({
      from: (phones[0] as string).slice(1),
      type: 'text',
      text: { body: 'Really' },
    });
    const replied = await waitFor(
      async () => {
        const v = await get(h!, scheduled.id);
        return v.counters.replied === 1 ? v : null;
      },
      { what: 'the reply to be counted' },
    );
    await h.sim.control.settle();
    await h.queue.whenIdle();
    expect((await get(h, scheduled.id)).counters.replied).toBe(1);
    const repliedRows = await h.value<RecipientsPage>('campaigns:recipients', {
      campaignId: scheduled.id,
      state: 'replied',
    });
    expect(repliedRows.rows.map((r) => r.phone)).toEqual([phones[0]]);
    expect(replied.counters.total).toBe(3);

    // A schedule whose time passed while the app was closed is not sent on its own.
    const missed = await create(h, 'Missed');
    const at = Date.now() + 60_000;
    await h.value('campaigns:schedule', { campaignId: missed.id, at });
    h.db.prepare('UPDATE campaigns SET scheduled_at = ? WHERE id = ?').run(at - 3_600_000, missed.id);
    h.campaigns.service.fireSchedule(missed.id, at - 3_600_000);
    const waiting = await get(h, missed.id);
    expect(waiting.status).toBe('scheduled');
    expect(waiting.lateSince).not.toBeNull();
    // Firing again (a second tick) changes nothing; the user's "Send now" starts it.
    h.campaigns.service.fireSchedule(missed.id, at - 3_600_000);
    expect((await get(h, missed.id)).status).toBe('scheduled');
    await h.value('campaigns:start', { campaignId: missed.id });
    await waitStatus(h, missed.id, 'completed', 30_000);
    expect((await get(h, missed.id)).lateSince).toBeNull();
  });
});
