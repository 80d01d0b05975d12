// The wait before an unconfirmed send is sent again (campaigns.unconfirmed_resend_after_ms): absent or
// null means never (the default, nothing is sent twice); the wizard's choices (30 min – 24 h) are valid;
// anything else is refused by the contract with a clear message and saves nothing. The saved value is
// what the campaign view shows, an edit changes it, and a retarget keeps it.
import { afterEach, describe, expect, it } from 'vitest';
import {
  campaignDraftSchema,
  unconfirmedResendChoicesMs,
  type CampaignView,
} from '../../src-preload/campaigns.contract';
import { campaignDraft, seedContacts } from '../helpers/campaignFixtures';
import { messagesEnvelope, signedPost } from '../helpers/metaWebhooks';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';
import { waitFor } from '../helpers/waitFor';

let h: CampaignHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOUR = 3_600_000;

describe('unconfirmed resend wait', () => {
  it('the contract takes null, nothing, and every wait the wizard offers; refuses the rest with a clear message', () => {
    const base = campaignDraft('c1', 'Spring', { kind: 'all' });
    expect(campaignDraftSchema.safeParse(base).success).toBe(true);
    expect(campaignDraftSchema.safeParse({ ...base, unconfirmedResendAfterMs: null }).success).toBe(true);
    expect(unconfirmedResendChoicesMs[0]).toBe(HOUR / 2);
    expect(unconfirmedResendChoicesMs[unconfirmedResendChoicesMs.length - 1]).toBe(24 * HOUR);
    for (const ms of unconfirmedResendChoicesMs) {
      const parsed = campaignDraftSchema.safeParse({ ...base, unconfirmedResendAfterMs: ms });
      expect(parsed.success, String(ms)).toBe(true);
    }
    const refused: [unknown, string][] = [
      [0, 'at least 1 second'],
      [-HOUR, 'at least 1 second'],
      [999, 'at least 1 second'],
      [HOUR + 0.5, 'whole milliseconds'],
      [8 * 24 * HOUR, 'at most 7 days'],
      ['3600000', 'a number of milliseconds'],
      [Number.NaN, 'a number of milliseconds'],
    ];
    for (const [value, words] of refused) {
      const parsed = campaignDraftSchema.safeParse({ ...base, unconfirmedResendAfterMs: value });
      expect(parsed.success, String(value)).toBe(false);
      expect(parsed.error?.issues[0]?.message, String(value)).toContain(words);
    }
  });

  it('is saved, shown, edited and kept by a retarget; a refused value creates or changes nothing', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    const plain = await h.value<CampaignView>(
      'campaigns:create',
      campaignDraft(h.connectionId, 'Default', { kind: 'all' }),
    );
    expect(plain.unconfirmedResendAfterMs).toBeNull();

    const twoHours = await h.value<CampaignView>('campaigns:create', {
      ...campaignDraft(h.connectionId, 'Two hours', { kind: 'all' }),
      unconfirmedResendAfterMs: 2 * HOUR,
    });
    expect(twoHours.unconfirmedResendAfterMs).toBe(2 * HOUR);
    expect(
      h.db.prepare('SELECT unconfirmed_resend_after_ms FROM campaigns WHERE id = ?').pluck().get(twoHours.id),
    ).toBe(2 * HOUR);

    const refused = await h.call('campaigns:create', {
      ...campaignDraft(h.connectionId, 'Refused', { kind: 'all' }),
      unconfirmedResendAfterMs: 500,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(refused.ok ? '' : refused.error.message).toContain('at least 1 second');
    expect((await h.value<CampaignView[]>('campaigns:list', {})).map((c) => c.name).sort()).toEqual([
      'Default',
      'Two hours',
    ]);

    const refusedEdit = await h.call('campaigns:update', {
      campaignId: twoHours.id,
      draft: { ...campaignDraft(h.connectionId, 'Two hours', { kind: 'all' }), unconfirmedResendAfterMs: -1 },
    });
    expect(refusedEdit).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(
      (await h.value<CampaignView>('campaigns:get', { campaignId: twoHours.id })).unconfirmedResendAfterMs,
    ).toBe(2 * HOUR);

    const turnedOff = await h.value<CampaignView>('campaigns:update', {
      campaignId: twoHours.id,
      draft: {
        ...campaignDraft(h.connectionId, 'Two hours', { kind: 'all' }),
        unconfirmedResendAfterMs: null,
      },
    });
    expect(turnedOff.unconfirmedResendAfterMs).toBeNull();
    const day = await h.value<CampaignView>('campaigns:update', {
      campaignId: twoHours.id,
      draft: {
        ...campaignDraft(h.connectionId, 'Two hours', { kind: 'all' }),
        unconfirmedResendAfterMs: 24 * HOUR,
      },
    });
    expect(day.unconfirmedResendAfterMs).toBe(24 * HOUR);

    h.db.prepare(`UPDATE campaigns SET status = 'completed' WHERE id = ?`).run(day.id);
    const retarget = await h.value<CampaignView>('campaigns:retarget', {
      campaignId: day.id,
      which: 'failed',
    });
    expect(retarget.unconfirmedResendAfterMs).toBe(24 * HOUR);
  });

  it('the campaign page changes it while the campaign can send (validated); a finished campaign keeps its setting', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    const c = h;
    const draft = await c.value<CampaignView>(
      'campaigns:create',
      campaignDraft(c.connectionId, 'Editable', { kind: 'all' }),
    );
    const set = (campaignId: string, unconfirmedResendAfterMs: unknown) =>
      c.call('campaigns:set-resend-wait', { campaignId, unconfirmedResendAfterMs });
    const stored = (id: string) =>
      c.db.prepare('SELECT unconfirmed_resend_after_ms FROM campaigns WHERE id = ?').pluck().get(id);

    const halfHour = await c.value<CampaignView>('campaigns:set-resend-wait', {
      campaignId: draft.id,
      unconfirmedResendAfterMs: HOUR / 2,
    });
    expect(halfHour.unconfirmedResendAfterMs).toBe(HOUR / 2);
    expect(stored(draft.id)).toBe(HOUR / 2);

    // Refused by the contract with its words; nothing changes.
    for (const [value, words] of [
      [500, 'at least 1 second'],
      [8 * 24 * HOUR, 'at most 7 days'],
      ['1h', 'a number of milliseconds'],
      [undefined, 'a number of milliseconds'],
    ] as const) {
      const refused = await set(draft.id, value);
      expect(refused, String(value)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(refused.ok ? '' : refused.error.message).toContain(words);
    }
    expect(stored(draft.id)).toBe(HOUR / 2);
    expect(await set('no-such-campaign', null)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    for (const status of ['scheduled', 'running', 'paused'] as const) {
      c.db.prepare('UPDATE campaigns SET status = ? WHERE id = ?').run(status, draft.id);
      const changed = await set(draft.id, status === 'paused' ? null : 24 * HOUR);
      expect(changed, status).toMatchObject({ ok: true });
    }
    expect(stored(draft.id)).toBeNull();
    for (const status of ['completed', 'cancelled', 'failed'] as const) {
      c.db.prepare('UPDATE campaigns SET status = ? WHERE id = ?').run(status, draft.id);
      const refused = await set(draft.id, HOUR);
      expect(refused, status).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(refused.ok ? '' : refused.error.message).toContain(`This campaign is ${status}`);
      expect(stored(draft.id)).toBeNull();
    }
  });

  it('a wait set on a paused campaign is what the runner applies when it resumes: an old unconfirmed send goes again once; off, it never does', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    const { phones } = seedContacts(c.db, c.workspaceId, 2);
    const sendsTo = (phone: string) =>
      c.sim.ledger.messages({ type: 'template' }).filter((m) => m.to === phone.slice(1) || m.to === phone)
        .length;
    const completed = async (id: string) =>
      waitFor(
        async () => {
          const v = await c.value<CampaignView>('campaigns:get', { campaignId: id });
          return v.status === 'completed' ? v : null;
        },
        { timeoutMs: 30_000, what: 'campaign completed' },
      );
    // The state a crash mid-request leaves (§10): the recipient unconfirmed for two hours, campaign paused.
    const leaveUnconfirmed = (campaignId: string) => {
      const twoHoursAgo = Date.now() - 2 * HOUR;
      c.db
        .prepare(
          `UPDATE campaign_recipients SET status = 'unknown', status_at = ? WHERE campaign_id = ? AND phone_e164 = ?`,
        )
        .run(twoHoursAgo, campaignId, phones[0]);
      c.db.prepare(`UPDATE campaigns SET status = 'paused' WHERE id = ?`).run(campaignId);
    };

    const off = await c.value<CampaignView>('campaigns:create', {
      ...campaignDraft(c.connectionId, 'Off', { kind: 'all' }),
      unconfirmedResendAfterMs: HOUR / 2,
    });
    await c.value('campaigns:start', { campaignId: off.id });
    await completed(off.id);
    await c.sim.control.settle();
    leaveUnconfirmed(off.id);
    await c.value('campaigns:set-resend-wait', { campaignId: off.id, unconfirmedResendAfterMs: null });
    await c.value('campaigns:resume', { campaignId: off.id });
    const offDone = await completed(off.id);
    expect(offDone.counters.unconfirmed).toBe(1);
    expect(sendsTo(phones[0]!)).toBe(1);

    const on = await c.value<CampaignView>(
      'campaigns:create',
      campaignDraft(c.connectionId, 'On', { kind: 'all' }),
    );
    await c.value('campaigns:start', { campaignId: on.id });
    await completed(on.id);
    await c.sim.control.settle();
    leaveUnconfirmed(on.id);
    await c.value('campaigns:set-resend-wait', { campaignId: on.id, unconfirmedResendAfterMs: HOUR / 2 });
    await c.value('campaigns:resume', { campaignId: on.id });
    const onDone = await completed(on.id);
    expect(onDone.counters.unconfirmed).toBe(0);
    // Once from 'Off', twice from 'On' (its first send, and the resend after the wait).
    expect(sendsTo(phones[0]!)).toBe(3);
    expect(sendsTo(phones[1]!)).toBe(2);
  });
});

describe('a resend wait shortened on a running campaign', () => {
  it('wakes the runner sleeping on the old wait: the unconfirmed send past the new one goes again within seconds; the one a status webhook resolved never does', async () => {
    // Every send is taken into the simulator's ledger and its connection reset before the answer (§10):
    // the app cannot know it went out, so both recipients are unconfirmed. Their status webhooks are lost
    // (no callback URL), so only the webhook posted below resolves one of them.
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    const { phones } = seedContacts(c.db, c.workspaceId, 2);
    const [resolvedPhone, silentPhone] = phones as [string, string];
    const webhookUrl = c.webhooks.webhookUrlFor(c.connectionId);
    c.sim.control.setCallbackUrl(null);
    c.sim.control.setFaults({ resetAfterAcceptRate: 1 });
    const sendsTo = (phone: string) =>
      c.sim.ledger.messages({ type: 'template' }).filter((m) => m.to === phone.slice(1) || m.to === phone);

    const campaign = await c.value<CampaignView>('campaigns:create', {
      ...campaignDraft(c.connectionId, 'Long wait', { kind: 'all' }),
      unconfirmedResendAfterMs: 24 * HOUR,
    });
    await c.value('campaigns:start', { campaignId: campaign.id });
    // The runner has nothing left but the two unconfirmed sends: it sleeps until the 24 h wait is over.
    const runJob = () =>
      c.db
        .prepare<[string], { run_at: number }>(
          `SELECT run_at FROM jobs WHERE unique_key = ? AND state = 'queued'`,
        )
        .get(`campaigns.run:${campaign.id}`);
    await waitFor(
      async () => {
        const v = await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id });
        const job = runJob();
        return v.counters.unconfirmed === 2 && job !== undefined && job.run_at > Date.now() + 23 * HOUR
          ? true
          : null;
      },
      { timeoutMs: 30_000, what: 'both sends unconfirmed and the runner asleep for 24 h' },
    );
    expect(sendsTo(resolvedPhone)).toHaveLength(1);
    expect(sendsTo(silentPhone)).toHaveLength(1);

    // Every status the simulator had for them is gone (no callback URL). Then one recipient's status
    // webhook arrives late, carrying its biz_opaque_callback_data (§10).
    await c.sim.control.settle();
    c.sim.control.resetFaults();
    c.sim.control.setCallbackUrl(webhookUrl);
    const recipientId = c.db
      .prepare<[string, string], string>(
        'SELECT id FROM campaign_recipients WHERE campaign_id = ? AND phone_e164 = ?',
      )
      .pluck()
      .get(campaign.id, resolvedPhone)!;
    const posted = await signedPost(
      webhookUrl,
      messagesEnvelope(
        {
          statuses: [
            {
              id: sendsTo(resolvedPhone)[0]!.wamid,
              status: 'sent',
              timestamp: String(Math.floor(Date.now() / 1000)),
              recipient_id: resolvedPhone.slice(1),
              biz_opaque_callback_data: `campaign:${recipientId}`,
            },
          ],
        },
        c.sim.wabaId,
        c.sim.phoneNumberId,
      ),
      c.sim.appSecret,
    );
    expect(posted.status).toBe(200);
    const recipientStatus = (phone: string) =>
      c.db
        .prepare<[string, string], string>(
          'SELECT status FROM campaign_recipients WHERE campaign_id = ? AND phone_e164 = ?',
        )
        .pluck()
        .get(campaign.id, phone);
    await waitFor(() => recipientStatus(resolvedPhone) === 'sent' || null, {
      timeoutMs: 20_000,
      what: 'the status webhook to resolve the first send',
    });

    // The shortest wait the contract allows: the silent send has been unconfirmed for longer than that.
    await waitFor(
      () =>
        c.db
          .prepare<[string, string], number>(
            `SELECT status_at FROM campaign_recipients WHERE campaign_id = ? AND phone_e164 = ?`,
          )
          .pluck()
          .get(campaign.id, silentPhone)! <
          Date.now() - 1_000 || null,
      { what: 'the silent send to be unconfirmed for over a second' },
    );
    const changedAt = Date.now();
    await c.value('campaigns:set-resend-wait', { campaignId: campaign.id, unconfirmedResendAfterMs: 1_000 });
    const done = await waitFor(
      async () => {
        const v = await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id });
        return v.status === 'completed' ? v : null;
      },
      { timeoutMs: 20_000, what: 'the campaign to complete after the wait was shortened' },
    );
    // Handled promptly, not after the old 24 h (the bound is loose for a loaded machine).
    expect(Date.now() - changedAt).toBeLessThan(20_000);
    expect(sendsTo(silentPhone)).toHaveLength(2);
    expect(sendsTo(resolvedPhone)).toHaveLength(1);
    expect(done.counters.unconfirmed).toBe(0);
    expect(recipientStatus(resolvedPhone)).toBe('sent');
  });
});

describe('a resend wait shortened while the runner is busy sending', () => {
  it('the unconfirmed send past the new wait goes again among the remaining recipients, not after all of them', async () => {
    // 150 recipients at 10/s: about 15 s of sending. The first sends lose their answer (§10), and no
    // status webhook comes for any (no callback URL): those stay unconfirmed.
    h = await openCampaignHarness({ ratePerSecond: 10, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    const c = h;
    seedContacts(c.db, c.workspaceId, 150);
    c.sim.control.setCallbackUrl(null);
    c.sim.control.setFaults({ resetAfterAcceptRate: 1 });
    const campaign = await c.value<CampaignView>('campaigns:create', {
      ...campaignDraft(c.connectionId, 'Busy', { kind: 'all' }),
      unconfirmedResendAfterMs: 24 * HOUR,
    });
    await c.value('campaigns:start', { campaignId: campaign.id });
    const unconfirmed = await waitFor(
      () => {
        const rows = c.db
          .prepare<[string], { phone_e164: string; status_at: number }>(
            `SELECT phone_e164, status_at FROM campaign_recipients WHERE campaign_id = ? AND status = 'unknown'`,
          )
          .all(campaign.id);
        return rows.length > 0 ? rows : null;
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'a send unconfirmed' },
    );
    c.sim.control.resetFaults();
    const phone = unconfirmed[0]!.phone_e164;
    await waitFor(() => Date.now() - unconfirmed[0]!.status_at > 1_000 || null, { what: 'a second' });
    await c.value('campaigns:set-resend-wait', { campaignId: campaign.id, unconfirmedResendAfterMs: 1_000 });
    const sends = (p: string) =>
      c.sim.ledger.messages({ type: 'template' }).filter((m) => m.to === p.slice(1) || m.to === p).length;
    await waitFor(() => sends(phone) === 2 || null, {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: 'the unconfirmed send to go again',
    });
    const left = c.db
      .prepare<[string], number>(
        `SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending' AND send_started_at IS NULL`,
      )
      .pluck()
      .get(campaign.id)!;
    expect(left, 'recipients still waiting for their first send').toBeGreaterThan(0);
  });
});
