// The preflight names who each problem concerns (issue 8): for an empty variable, a message that is too
// long, an opted-out contact, an invalid number, a contact listed twice and a paused template, up to five
// recipients with their name, number and the offending value, beside the count.
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src-main/db/ids';
import type { CampaignView, PreflightReport } from '../../src-preload/campaigns.contract';
import { campaignDraft, campaignTemplate, seedContacts } from '../helpers/campaignFixtures';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';
import { waitFor } from '../helpers/waitFor';

let h: CampaignHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const problem = (report: PreflightReport, code: string) => {
  const found = report.problems.find((p) => p.code === code);
  if (!found) throw new Error(`no ${code} in ${report.problems.map((p) => p.code).join(', ')}`);
  return found;
};

describe('preflight examples', () => {
  it('lists up to five recipients per problem with name, number and the offending value', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    const c = h;
    // 0–7: no code (empty {{2}}, no fallback); 8: a 1,100-character code; 9–10 opted out; 11–14 fine.
    const { ids, phones } = seedContacts(c.db, c.workspaceId, 15, { optedOut: new Set([9, 10]) });
    for (let i = 0; i < 8; i++) {
      c.db.prepare(`UPDATE contacts SET attributes = '{}' WHERE id = ?`).run(ids[i]);
    }
    c.db
      .prepare('UPDATE contacts SET attributes = ? WHERE id = ?')
      .run(JSON.stringify({ code: 'x'.repeat(1_100) }), ids[8]);
    // A number that is not a phone number (stored before validation existed, say).
    const invalidId = newId();
    c.db
      .prepare(
        `INSERT INTO contacts (id, workspace_id, phone_e164, name, attributes, source, created_at, updated_at)
         VALUES (?, ?, '+1234', 'Broken Number', '{"code":"B1"}', 'import', 0, 0)`,
      )
      .run(invalidId, c.workspaceId);
    const audience = { kind: 'contacts', contactIds: [...ids, invalidId, ids[12]] };
    const campaign = await c.value<CampaignView>(
      'campaigns:create',
      campaignDraft(c.connectionId, 'Examples', audience),
    );
    const report = await c.value<PreflightReport>('campaigns:preflight', { campaignId: campaign.id });

    const empty = problem(report, 'EMPTY_VARIABLE');
    expect(empty.count).toBe(8);
    expect(empty.recipients).toHaveLength(5);
    for (const r of empty.recipients) {
      const i = phones.indexOf(r.phone);
      expect(i >= 0 && i < 8, r.phone).toBe(true);
      expect(r).toEqual({
        name: `Customer ${i}`,
        phone: r.phone,
        value: '{{2}} is empty (attribute “code”, no fallback)',
      });
    }

    const long = problem(report, 'TOO_LONG');
    expect(long.recipients.map((r) => [r.name, r.phone])).toEqual([['Customer 8', phones[8]]]);
    expect(long.recipients[0]?.value).toBe('the message is 1139 characters (at most 1024)');

    const optedOut = problem(report, 'OPTED_OUT');
    expect(optedOut.count).toBe(2);
    expect(new Set(optedOut.recipients.map((r) => `${r.name} ${r.phone}`))).toEqual(
      new Set([`Customer 9 ${phones[9]}`, `Customer 10 ${phones[10]}`]),
    );
    expect(optedOut.recipients[0]?.value).toMatch(/^opted out on \d{4}-\d{2}-\d{2} \(Sent STOP\)$/);

    const invalid = problem(report, 'INVALID_NUMBER');
    expect(invalid.recipients.map((r) => [r.name, r.phone])).toEqual([['Broken Number', '+1234']]);
    expect(invalid.recipients[0]?.value).not.toBe('');

    const duplicate = problem(report, 'DUPLICATE');
    expect(duplicate.recipients).toEqual([
      { name: 'Customer 12', phone: phones[12], value: 'listed more than once; sent once' },
    ]);
    // 15 listed, less 8 empty, 1 too long, 2 opted out.
    expect(report.recipients).toBe(4);

    // A paused template blocks everyone: the first recipients show it.
    c.sim.control.setTemplateStatus(
      { name: campaignTemplate.name, language: campaignTemplate.language },
      'PAUSED',
    );
    // Meta's template webhook (§5) brings the status here.
    await waitFor(
      () =>
        c.messaging.templates.repo.get(c.connectionId, campaignTemplate.name, campaignTemplate.language)
          ?.status === 'PAUSED' || null,
      { what: 'the PAUSED template webhook' },
    );
    const blocked = await c.value<PreflightReport>('campaigns:preflight', { campaignId: campaign.id });
    const paused = problem(blocked, 'TEMPLATE_PAUSED');
    expect(paused.severity).toBe('error');
    expect(paused.recipients).toHaveLength(5);
    for (const r of paused.recipients) {
      expect(phones).toContain(r.phone);
      expect(r.name).toMatch(/^Customer \d+$/);
      expect(r.value).toBe('template spring_offer is PAUSED');
    }
    expect(blocked.canSend).toBe(false);
  });
});
