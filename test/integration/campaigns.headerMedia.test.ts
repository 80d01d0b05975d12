// Issue 8: "header media where the template has one". A template with an IMAGE header cannot start without
// its image (the preflight says so), and with it every recipient's send carries the uploaded image's id.
import { afterEach, describe, expect, it } from 'vitest';
import type { CampaignView, PreflightReport } from '../../src-preload/campaigns.contract';
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
});
