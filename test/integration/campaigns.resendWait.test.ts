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
import { campaignDraft } from '../helpers/campaignFixtures';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';

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
});
