// The wizard's words for the unconfirmed-resend wait and the audience: every wait it offers is one the
// contract accepts and reads as the user chose it; the summary says plainly whether a customer may get a
// message twice; every kind of audience is described.
import { describe, expect, it } from 'vitest';
import {
  campaignDraftSchema,
  unconfirmedResendChoicesMs,
  type Audience,
} from '../../../src-preload/campaigns.contract';
import { describeAudience, resendWaitText, waitLabel } from '../../../src-renderer/features/campaigns/format';

describe('campaign wizard words', () => {
  it('offers 30 min to 24 h, each accepted by the contract', () => {
    expect(unconfirmedResendChoicesMs.map(waitLabel)).toEqual([
      '30 min',
      '1 h',
      '2 h',
      '6 h',
      '12 h',
      '24 h',
    ]);
    for (const ms of unconfirmedResendChoicesMs) {
      const draft = {
        name: 'x',
        connectionId: 'c',
        templateName: 't',
        templateLanguage: 'en_US',
        content: { body: {} },
        audience: { kind: 'all' },
        unconfirmedResendAfterMs: ms,
      };
      expect(campaignDraftSchema.safeParse(draft).success).toBe(true);
    }
    expect(waitLabel(15_000)).toBe('15 s');
    expect(waitLabel(90 * 60_000)).toBe('1.5 h');
  });

  it('the summary says whether a customer may get the message twice', () => {
    expect(resendWaitText(null)).toBe(
      'Never sent again automatically: left for you to decide, so nobody gets it twice',
    );
    expect(resendWaitText(6 * 3_600_000)).toBe(
      'Sent again after 6 h without a status update (a customer may get it twice)',
    );
  });

  it('describes every kind of audience', () => {
    const cases: [Audience, string][] = [
      [{ kind: 'all' }, 'All contacts'],
      [{ kind: 'filter', tags: ['vip', 'new'], attributes: [] }, 'Contacts tagged vip or new'],
      [
        { kind: 'filter', tags: [], attributes: [{ key: 'plan', value: 'gold' }, { key: 'city' }] },
        'Contacts plan = gold, with city',
      ],
      [{ kind: 'contacts', contactIds: ['a', 'b'] }, '2 chosen contacts'],
      [
        { kind: 'retarget', campaignId: 'c', which: 'not_read' },
        'Recipients of an earlier campaign who did not read it',
      ],
      [{ kind: 'import', importId: 'i', fileName: 'fair.csv' }, 'Contacts from fair.csv'],
      [{ kind: 'import', importId: 'i' }, 'Contacts from a CSV file'],
    ];
    for (const [audience, words] of cases) expect(describeAudience(audience)).toBe(words);
  });
});
