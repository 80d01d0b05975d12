// Writing a campaign's audience as recipient rows, once, when it starts: each contact rendered against
// the synced template and inserted with its parameters (INSERT ... ON CONFLICT (campaign_id, contact_id)
// DO NOTHING, so a runner that crashed half-way and starts again adds only what is missing). Chunks of
// rows per fenced transaction keep the thread responsive for very large audiences; the marker
// materialized_at is written last, with the total.
import type { CampaignContent, Audience } from '../../src-preload/campaigns.contract';
import { newId } from '../db/ids';
import type { Db } from '../db/open';
import { normaliseLanguage } from '../templates/templates.service';
import { createTemplatesRepo } from '../templates/templates.repo';
import { resolveAudience } from './audience';
import type { CampaignRow, CampaignsRepo } from './campaigns.repo';
import { campaignProblems, renderFor, templateShape } from './render';

const CHUNK = 2_000;

export interface MaterialiseInput {
  db: Db;
  repo: CampaignsRepo;
  campaign: CampaignRow;
  fenced: <T>(fn: () => T) => T;
  now: () => number;
  shouldStop: () => boolean;
}

export async function materialise(input: MaterialiseInput): Promise<void> {
  const { db, repo, campaign, fenced, now } = input;
  const templates = createTemplatesRepo(db);
  const template = templates.get(
    campaign.connection_id,
    campaign.template_name,
    normaliseLanguage(campaign.template_language),
  );
  const pause = (reason: string): void => {
    fenced(() => repo.pause(campaign.id, reason, now()));
  };
  if (!template) {
    pause(
      `The template ${campaign.template_name} (${campaign.template_language}) is not in the synced list; sync templates and resume.`,
    );
    return;
  }
  const content = JSON.parse(campaign.params) as CampaignContent;
  const shape = templateShape(template);
  const blocking = campaignProblems(shape, content);
  if (blocking.length > 0) {
    pause(blocking.map((p) => p.message).join(' '));
    return;
  }
  const audience = resolveAudience(db, campaign.workspace_id, JSON.parse(campaign.audience) as Audience);
  for (let i = 0; i < audience.contacts.length; i += CHUNK) {
    if (input.shouldStop()) return;
    const chunk = audience.contacts.slice(i, i + CHUNK);
    fenced(() => {
      const at = now();
      for (const contact of chunk) {
        const rendered = renderFor(shape, content, contact);
        repo.insertRecipient(
          campaign.id,
          {
            id: newId(at),
            contactId: contact.id,
            phone: contact.phone_e164,
            params: rendered.ok ? JSON.stringify(rendered.params) : '{}',
            skipReason: rendered.ok
              ? null
              : `Not sent: ${rendered.problem.detail}. Fill it in on the contact or set a fallback.`,
          },
          at,
        );
      }
    });
    // Let webhooks and the UI in between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  fenced(() => repo.markMaterialized(campaign.id, JSON.stringify(audience.exclusions), now()));
}
