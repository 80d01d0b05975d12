// Issue 8: "header media where the template has one". A template with an IMAGE header cannot start without
// its image (the preflight says so), and with it every recipient's send carries the uploaded image's id.
import { afterEach, describe, expect, it } from 'vitest';
import type { CampaignView, PreflightReport, RecipientsPage } from '../../src-preload/campaigns.contract';
import { campaignDraft, campaignTemplate, seedContacts } from '../helpers/campaignFixtures';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';
import { jpegBytes } from '../helpers/simulatorGraph';
import { waitFor } from '../helpers/waitFor';

let h: CampaignHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const imageTemplate = {
  ...campaignTemplate,
  name: 'spring_photo',
  components: [
    { type: 'HEADER' as const, format: 'IMAGE' as const, example: { header_handle: ['4::aW1hZ2U='] } },
    ...campaignTemplate.components,
  ],
};

describe('campaign header media', () => {
  it('an image-header template needs its image in the preflight; with it, every send carries the image', async () => {
    // Seeded before the harness's template sync (which is rate-limited), so that one sync brings it.
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { templates: [imageTemplate] } });
    const c = h;
    seedContacts(c.db, c.workspaceId, 5);
    const draft = (content: Record<string, unknown>) => ({
      ...campaignDraft(c.connectionId, 'Photo', { kind: 'all' }),
      templateName: imageTemplate.name,
      content: { ...(campaignDraft(c.connectionId, 'x', {}).content as object), ...content },
    });

    const without = await c.value<CampaignView>('campaigns:create', draft({}));
    const refused = await c.value<PreflightReport>('campaigns:preflight', { campaignId: without.id });
    expect(refused.problems.map((p) => p.code)).toContain('MISSING_HEADER_MEDIA');

    const uploaded = await c.connections
      .clientFor(c.connectionId)
      .uploadMedia({ data: jpegBytes, mimeType: 'image/jpeg', filename: 'spring.jpg' });
    if (!uploaded.ok) throw new Error(uploaded.error.message);
    const campaign = await c.value<CampaignView>(
      'campaigns:create',
      draft({ headerMedia: { type: 'image', mediaId: uploaded.value.id } }),
    );
    const report = await c.value<PreflightReport>('campaigns:preflight', { campaignId: campaign.id });
    expect(report.problems.map((p) => p.code)).not.toContain('MISSING_HEADER_MEDIA');
    await c.value('campaigns:start', { campaignId: campaign.id });
    await waitFor(() => c.sim.ledger.messages({ templateName: imageTemplate.name }).length === 5 || null, {
      timeoutMs: 30_000,
      what: 'five sends',
    });
    for (const sent of c.sim.ledger.messages({ templateName: imageTemplate.name })) {
      const components = (sent.payload.template as { components: { type: string; parameters: unknown[] }[] })
        .components;
      expect(components.find((x) => x.type === 'header')?.parameters).toEqual([
        { type: 'image', image: { id: uploaded.value.id } },
      ]);
    }
  });

  it('an image that no longer exists fails each recipient with 131053, the reason and the advice', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { templates: [imageTemplate] } });
    const c = h;
    seedContacts(c.db, c.workspaceId, 3);
    const client = c.connections.clientFor(c.connectionId);
    const uploaded = await client.uploadMedia({
      data: jpegBytes,
      mimeType: 'image/jpeg',
      filename: 'spring.jpg',
    });
    if (!uploaded.ok) throw new Error(uploaded.error.message);
    const campaign = await c.value<CampaignView>('campaigns:create', {
      ...campaignDraft(c.connectionId, 'Photo gone', { kind: 'all' }),
      templateName: imageTemplate.name,
      content: {
        ...(campaignDraft(c.connectionId, 'x', {}).content as object),
        headerMedia: { type: 'image', mediaId: uploaded.value.id },
      },
    });
    // Deleted (or expired: uploads last 30 days, §8) after the campaign was written.
    expect((await client.deleteMedia(uploaded.value.id)).ok).toBe(true);
    await c.value('campaigns:start', { campaignId: campaign.id });
    const finished = await waitFor(
      async () => {
        const v = await c.value<CampaignView>('campaigns:get', { campaignId: campaign.id });
        return v.status !== 'running' && v.counters.sending === 0 ? v : null;
      },
      { timeoutMs: 30_000, what: 'the campaign to finish' },
    );
    expect(finished.counters).toMatchObject({ total: 3, failed: 3, accepted: 0 });
    const failed = await c.value<RecipientsPage>('campaigns:recipients', {
      campaignId: campaign.id,
      state: 'failed',
    });
    expect(failed.rows).toHaveLength(3);
    for (const row of failed.rows) {
      expect(row.errorCode).toBe(131053);
      expect(row.errorMessage).toBe(
        `Media ${uploaded.value.id} does not exist or was uploaded on another phone number.`,
      );
      expect(row.advice).toMatch(/upload it again/);
    }
    expect(c.sim.ledger.messages({ templateName: imageTemplate.name })).toHaveLength(0);
  });
});
