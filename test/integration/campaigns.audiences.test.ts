// Who a campaign goes to, with the exact members and the exact counts of who is left out, for every kind
// of audience: "contacts from this CSV" through the real contacts import (upload → preview → import and
// writer threads → SQLite), attribute filters, an explicit list of contacts, and a previous campaign's
// failed / not-read / not-replied recipients. The CSV audience is then sent: the simulator's ledger shows
// the file's valid numbers once each and nobody else.
import { afterEach, describe, expect, it } from 'vitest';
import type { AudiencePreview, CampaignView, PreflightReport } from '../../src-preload/campaigns.contract';
import type { ImportSummary } from '../../src-preload/contacts.contract';
import { resolveAudience } from '../../src-main/campaigns/audience';
import { createContactsService, type ContactsService } from '../../src-main/contacts/contacts.service';
import { newId } from '../../src-main/db/ids';
import { createMemoryLogger } from '../../src-main/log';
import { campaignDraft, phoneOf, seedContacts } from '../helpers/campaignFixtures';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';
import { settingsFor, upload } from '../helpers/contactsCsv';
import { waitFor } from '../helpers/waitFor';

let h: CampaignHarness | undefined;
let contacts: ContactsService | undefined;
afterEach(async () => {
  await contacts?.close();
  contacts = undefined;
  await h?.close();
  h = undefined;
});

/** A number that passes the table's E.164 check but is no valid phone number for libphonenumber. */
const INVALID_NUMBER = '+12345';

function openContacts(c: CampaignHarness): ContactsService {
  return createContactsService({
    db: c.db,
    dbFile: c.file,
    dataDir: c.dir,
    locks: c.locks,
    events: c.events,
    log: createMemoryLogger(),
    currentWorkspaceId: () => c.workspaceId,
    importRunRows: 3,
  });
}

function insertContact(
  c: CampaignHarness,
  phone: string,
  options: {
    attributes?: Record<string, string>;
    tags?: string[];
    optedOut?: boolean;
    workspaceId?: string;
  } = {},
): string {
  const id = newId();
  const now = Date.now();
  c.db
    .prepare(
      `INSERT INTO contacts (id, workspace_id, phone_e164, name, tags, attributes, opted_out_at, source, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'manual', ?, ?)`,
    )
    .run(
      id,
      options.workspaceId ?? c.workspaceId,
      phone,
      `Name ${phone}`,
      JSON.stringify(options.tags ?? []),
      JSON.stringify({ code: 'X1', ...options.attributes }),
      options.optedOut ? now : null,
      now,
      now,
    );
  return id;
}

/** The phone numbers an audience resolves to (the literals below are read-only, hence the cast). */
function members(c: CampaignHarness, audience: unknown): string[] {
  return resolveAudience(c.db, c.workspaceId, audience as Parameters<typeof resolveAudience>[2])
    .contacts.map((contact) => contact.phone_e164)
    .sort();
}

async function preview(c: CampaignHarness, audience: unknown): Promise<AudiencePreview> {
  return c.value<AudiencePreview>('campaigns:audience-preview', { connectionId: c.connectionId, audience });
}

async function importCsv(
  service: ContactsService,
  text: string,
  options: { remember: boolean; mode?: 'add-and-update' | 'add-new' | 'update-existing' },
): Promise<ImportSummary> {
  const uploadId = await upload(service, Buffer.from(text, 'utf8'), 'customers.csv');
  const filePreview = await service.preview(uploadId);
  const settings = settingsFor(filePreview.suggested.columns, {
    delimiter: filePreview.delimiter,
    hasHeader: filePreview.hasHeader,
    defaultCountry: 'DE',
    mode: options.mode ?? 'add-and-update',
  });
  const started = await service.startImport(undefined, uploadId, settings, {
    rememberContacts: options.remember,
  });
  return service.whenImportFinished(started.importId);
}

// phoneOf(i) is +49151 1000000i: valid German mobiles. 2, 4 and 7 are contacts already (7 opted out),
// 9 is a contact the file does not name.
const customersCsv = [
  'phone,name,email,code',
  `${phoneOf(1)},Ana,,C1`,
  `+49 151 ${phoneOf(2).slice(6)},Bo,,C2`,
  `0${phoneOf(3).slice(3)},Cy,,C3`,
  `${phoneOf(1)},Ana again,,C1`,
  '12345,Too short,,C5',
  ',No number,,C6',
  `${phoneOf(4)},Customer 4,,C4`,
  `${phoneOf(7)},Opted,,C7`,
  `${phoneOf(8)},Bad email,not-an-email,C8`,
].join('\n');

describe('campaign audiences', () => {
  it('"contacts from this CSV": the file’s valid numbers through the contacts import; opted-out, invalid, duplicate and rejected rows left out with counts; sent once each', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50, sim: { messagingLimit: 'TIER_UNLIMITED' } });
    contacts = openContacts(h);
    seedContacts(h.db, h.workspaceId, 1, { from: 2 });
    seedContacts(h.db, h.workspaceId, 1, { from: 4 });
    seedContacts(h.db, h.workspaceId, 1, { from: 7, optedOut: new Set([7]) });
    seedContacts(h.db, h.workspaceId, 1, { from: 9 });

    const summary = await importCsv(contacts, customersCsv, { remember: true });
    expect(summary.phase).toBe('done');
    expect(summary.counts).toMatchObject({ rows: 9, created: 2, updated: 2, unchanged: 1, rejected: 4 });
    expect(summary.rejectedByReason).toEqual({
      DUPLICATE_IN_FILE: 1,
      INVALID_PHONE: 1,
      MISSING_PHONE: 1,
      INVALID_EMAIL: 1,
    });
    expect(summary.rejectsFileId).not.toBeNull();

    const audience = { kind: 'import', importId: summary.importId, fileName: 'customers.csv' } as const;
    // Created (1, 3), updated (2, 7) and unchanged (4) rows; 9 is not in the file; 7 opted out.
    expect(members(h, audience)).toEqual([phoneOf(1), phoneOf(2), phoneOf(3), phoneOf(4)]);
    const counted = await preview(h, audience);
    expect(counted.contacts).toBe(4);
    expect(counted.exclusions).toEqual({ optedOut: 1, invalid: 2, duplicate: 1, rejectedRows: 1 });
    expect(counted.examples.optedOut).toEqual([phoneOf(7)]);

    const campaign = await h.value<CampaignView>(
      'campaigns:create',
      campaignDraft(h.connectionId, 'From the CSV', audience),
    );
    expect(campaign.audience).toEqual(audience);
    const report = await h.value<PreflightReport>('campaigns:preflight', { campaignId: campaign.id });
    expect(report.recipients).toBe(4);
    expect(report.exclusions).toEqual({ optedOut: 1, invalid: 2, duplicate: 1, rejectedRows: 1 });
    const codes = Object.fromEntries(report.problems.map((p) => [p.code, p.count]));
    expect(codes).toEqual({ OPTED_OUT: 1, INVALID_NUMBER: 2, DUPLICATE: 1, REJECTED_ROWS: 1 });
    expect(report.problems.find((p) => p.code === 'REJECTED_ROWS')?.message).toContain('customers.csv');
    expect(report.canSend).toBe(true);

    // A contact of the file deleted before sending leaves the audience with it.
    h.db.prepare('DELETE FROM contacts WHERE phone_e164 = ?').run(phoneOf(3));
    await h.value('campaigns:start', { campaignId: campaign.id });
    await waitFor(
      async () =>
        (await h!.value<CampaignView>('campaigns:get', { campaignId: campaign.id })).status === 'completed',
      { timeoutMs: 30_000, what: 'the campaign to complete' },
    );
    const sent = new Map<string, number>();
    for (const e of h.sim.ledger.messages({ type: 'template' })) sent.set(e.to, (sent.get(e.to) ?? 0) + 1);
    expect(Object.fromEntries(sent)).toEqual({
      [phoneOf(1)]: 1,
      [phoneOf(2)]: 1,
      [phoneOf(4)]: 1,
    });
    const done = await h.value<CampaignView>('campaigns:get', { campaignId: campaign.id });
    expect(done.counters.total).toBe(3);
    expect(done.exclusions).toEqual({ optedOut: 1, invalid: 2, duplicate: 1, rejectedRows: 1 });
  });

  it('"add new only" keeps the numbers that were already contacts in the audience; "update existing only" has only the numbers it found', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    contacts = openContacts(h);
    seedContacts(h.db, h.workspaceId, 1, { from: 2 });
    seedContacts(h.db, h.workspaceId, 1, { from: 4 });
    const csv = ['phone,name', `${phoneOf(1)},Ana`, `${phoneOf(2)},Bo`, `${phoneOf(4)},Di`].join('\n');

    const addNew = await importCsv(contacts, csv, { remember: true, mode: 'add-new' });
    expect(addNew.counts).toMatchObject({ created: 1, skipped: 2 });
    const addNewAudience = { kind: 'import', importId: addNew.importId } as const;
    expect(members(h, addNewAudience)).toEqual([phoneOf(1), phoneOf(2), phoneOf(4)]);
    expect((await preview(h, addNewAudience)).exclusions).toEqual({
      optedOut: 0,
      invalid: 0,
      duplicate: 0,
      rejectedRows: 0,
    });

    const csv2 = ['phone,name', `${phoneOf(2)},Bo`, `${phoneOf(5)},Nobody yet`].join('\n');
    const update = await importCsv(contacts, csv2, { remember: true, mode: 'update-existing' });
    expect(update.counts).toMatchObject({ created: 0, updated: 1, skipped: 1 });
    const updateAudience = { kind: 'import', importId: update.importId } as const;
    expect(members(h, updateAudience)).toEqual([phoneOf(2)]);
    expect((await preview(h, updateAudience)).exclusions).toMatchObject({ rejectedRows: 1 });
  });

  it('refuses an import that was not remembered or did not finish; nothing is created', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    contacts = openContacts(h);
    const csv = ['phone,name', `${phoneOf(1)},Ana`].join('\n');
    const plain = await importCsv(contacts, csv, { remember: false });
    const refusedPlain = await h.call(
      'campaigns:create',
      campaignDraft(h.connectionId, 'Plain', { kind: 'import', importId: plain.importId }),
    );
    expect(refusedPlain.ok).toBe(false);
    if (!refusedPlain.ok) expect(refusedPlain.error.code).toBe('NOT_FOUND');

    const remembered = await importCsv(contacts, csv, { remember: true });
    h.db.prepare(`UPDATE contact_imports SET status = 'cancelled' WHERE id = ?`).run(remembered.importId);
    const refusedCancelled = await h.call(
      'campaigns:create',
      campaignDraft(h.connectionId, 'Cancelled', { kind: 'import', importId: remembered.importId }),
    );
    expect(refusedCancelled.ok).toBe(false);
    if (!refusedCancelled.ok) {
      expect(refusedCancelled.error.code).toBe('BAD_REQUEST');
      expect(refusedCancelled.error.message).toContain('was cancelled');
    }
    expect(await h.value<CampaignView[]>('campaigns:list', {})).toEqual([]);
  });

  it('the import lock holds for audience imports: a second file at once is refused and remembered nowhere; an import cut off by a quit is never an audience', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    contacts = openContacts(h);
    const fileOf = (from: number): Buffer =>
      Buffer.from(
        ['phone,name', ...Array.from({ length: 2_000 }, (_, i) => `${phoneOf(from + i)},P${i}`)].join('\n'),
      );
    const a = await upload(contacts, fileOf(0), 'a.csv');
    const b = await upload(contacts, fileOf(10_000), 'b.csv');
    const settings = settingsFor([{ kind: 'phone' }, { kind: 'name' }], { defaultCountry: 'DE' });
    const outcomes = await Promise.allSettled([
      contacts.startImport(undefined, a, settings, { rememberContacts: true }),
      contacts.startImport(undefined, b, settings, { rememberContacts: true }),
    ]);
    const ran = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { code: string }] : []));
    expect(ran).toHaveLength(1);
    expect(refused).toMatchObject([{ code: 'LOCKED' }]);
    const winner = ran[0]!;
    const summary = await contacts.whenImportFinished(winner.importId);
    expect(summary.counts.created).toBe(2_000);
    expect(h.db.prepare('SELECT id, status FROM contact_imports').all()).toEqual([
      { id: winner.importId, status: 'done' },
    ]);
    const first = winner.fileName === 'a.csv' ? 0 : 10_000;
    const audience = members(h, { kind: 'import', importId: winner.importId });
    expect(audience).toHaveLength(2_000);
    expect(audience[0]).toBe(phoneOf(first));
    expect(audience[1_999]).toBe(phoneOf(first + 1_999));

    // A remembered import still marked running when the app starts again was cut off: refused.
    h.db
      .prepare(
        `INSERT INTO contact_imports (id, workspace_id, file_name, status, started_at) VALUES ('cut', ?, 'cut.csv', 'running', 0)`,
      )
      .run(h.workspaceId);
    await contacts.close();
    contacts = openContacts(h);
    expect(h.db.prepare(`SELECT status FROM contact_imports WHERE id = 'cut'`).pluck().get()).toBe('failed');
    const cut = await h.call('campaigns:audience-preview', {
      connectionId: h.connectionId,
      audience: { kind: 'import', importId: 'cut' },
    });
    expect(cut).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('attribute filters: exact value (case-sensitive) or presence, keys with dots and quotes, with tags; opted-out and invalid numbers counted', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    const gold = insertContact(h, phoneOf(1), { attributes: { plan: 'gold' }, tags: ['vip'] });
    insertContact(h, phoneOf(2), { attributes: { plan: 'Gold' }, tags: ['vip'] });
    insertContact(h, phoneOf(3), { attributes: { plan: 'gold' }, optedOut: true });
    insertContact(h, INVALID_NUMBER, { attributes: { plan: 'gold' } });
    insertContact(h, phoneOf(5), { attributes: { plan: 'silver' }, tags: ['vip'] });
    insertContact(h, phoneOf(6), { attributes: { plan: 'gold' } });
    insertContact(h, phoneOf(7), { attributes: { 'plan.tier': 'x' } });
    insertContact(h, phoneOf(8), { attributes: { 'say "hi"': 'yes', plan: '' } });
    const otherWorkspace = newId();
    h.db
      .prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)')
      .run(otherWorkspace, 'Other');
    insertContact(h, phoneOf(9), { attributes: { plan: 'gold' }, workspaceId: otherWorkspace });

    const goldPlan = { kind: 'filter', tags: [], attributes: [{ key: 'plan', value: 'gold' }] } as const;
    expect(members(h, goldPlan)).toEqual([phoneOf(1), phoneOf(6)]);
    expect((await preview(h, goldPlan)).exclusions).toEqual({ optedOut: 1, invalid: 1, duplicate: 0 });
    expect((await preview(h, goldPlan)).examples.invalid).toEqual([INVALID_NUMBER]);

    const hasPlan = { kind: 'filter', tags: [], attributes: [{ key: 'plan' }] } as const;
    expect(members(h, hasPlan)).toEqual([phoneOf(1), phoneOf(2), phoneOf(5), phoneOf(6), phoneOf(8)]);

    const dotted = { kind: 'filter', tags: [], attributes: [{ key: 'plan.tier' }] } as const;
    expect(members(h, dotted)).toEqual([phoneOf(7)]);
    const quoted = { kind: 'filter', tags: [], attributes: [{ key: 'say "hi"', value: 'yes' }] } as const;
    expect(members(h, quoted)).toEqual([phoneOf(8)]);

    const vipGold = {
      kind: 'filter',
      tags: ['vip'],
      attributes: [{ key: 'plan', value: 'gold' }],
    } as const;
    expect(
      resolveAudience(
        h.db,
        h.workspaceId,
        vipGold as unknown as Parameters<typeof resolveAudience>[2],
      ).contacts.map((c) => c.id),
    ).toEqual([gold]);
  });

  it('a list of contacts: duplicates, opted-out, invalid and contacts that are gone or elsewhere are left out and counted', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    const a = insertContact(h, phoneOf(1));
    const b = insertContact(h, phoneOf(2));
    const optedOut = insertContact(h, phoneOf(3), { optedOut: true });
    const invalid = insertContact(h, INVALID_NUMBER);
    const deleted = insertContact(h, phoneOf(4));
    h.db.prepare('DELETE FROM contacts WHERE id = ?').run(deleted);
    const otherWorkspace = newId();
    h.db
      .prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)')
      .run(otherWorkspace, 'Other');
    const elsewhere = insertContact(h, phoneOf(5), { workspaceId: otherWorkspace });
    // The campaign is made in the first workspace, whatever a new workspace did to the current one.
    h.connections.service.switchWorkspace({ workspaceId: h.workspaceId });

    const audience = {
      kind: 'contacts',
      contactIds: [a, b, a, optedOut, invalid, deleted, elsewhere, b],
    } as const;
    expect(members(h, audience)).toEqual([phoneOf(1), phoneOf(2)]);
    const counted = await preview(h, audience);
    expect(counted.contacts).toBe(2);
    expect(counted.exclusions).toEqual({ optedOut: 1, invalid: 1, duplicate: 2, missing: 2 });
    const campaign = await h.value<CampaignView>(
      'campaigns:create',
      campaignDraft(h.connectionId, 'List', audience),
    );
    const report = await h.value<PreflightReport>('campaigns:preflight', { campaignId: campaign.id });
    expect(report.recipients).toBe(2);
    expect(report.problems.find((p) => p.code === 'MISSING_CONTACT')?.count).toBe(2);
  });

  it('retarget: failed, not read (a reply counts as read) and not replied (an unconfirmed send counts as neither), with exact members and counts', async () => {
    h = await openCampaignHarness({ ratePerSecond: 50 });
    const source = await h.value<CampaignView>(
      'campaigns:create',
      campaignDraft(h.connectionId, 'Source', { kind: 'all' }),
    );
    h.db.prepare(`UPDATE campaigns SET status = 'completed' WHERE id = ?`).run(source.id);
    const insertRecipient = h.db.prepare(
      `INSERT INTO campaign_recipients (id, campaign_id, contact_id, phone_e164, status, replied_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0)`,
    );
    const recipient = (
      i: number,
      status: string,
      options: { replied?: boolean; optedOut?: boolean; phone?: string; deleted?: boolean } = {},
    ): void => {
      const phone = options.phone ?? phoneOf(i);
      const contactId = insertContact(h!, phone, { optedOut: options.optedOut ?? false });
      insertRecipient.run(newId(), source.id, contactId, phone, status, options.replied ? Date.now() : null);
      if (options.deleted) h!.db.prepare('DELETE FROM contacts WHERE id = ?').run(contactId);
    };
    recipient(1, 'failed');
    recipient(2, 'failed', { optedOut: true });
    recipient(3, 'delivered');
    recipient(4, 'read');
    recipient(5, 'read', { replied: true });
    recipient(6, 'delivered', { replied: true });
    recipient(7, 'unknown');
    recipient(8, 'skipped');
    recipient(9, 'pending');
    recipient(10, 'accepted');
    recipient(11, 'failed', { deleted: true });
    recipient(12, 'sent', { phone: INVALID_NUMBER });
    recipient(13, 'failed', { replied: true });

    const failed = { kind: 'retarget', campaignId: source.id, which: 'failed' } as const;
    expect(members(h, failed)).toEqual([phoneOf(1), phoneOf(13)]);
    expect((await preview(h, failed)).exclusions).toEqual({
      optedOut: 1,
      invalid: 0,
      duplicate: 0,
      missing: 1,
    });

    const notRead = { kind: 'retarget', campaignId: source.id, which: 'not_read' } as const;
    expect(members(h, notRead)).toEqual([phoneOf(10), phoneOf(3), phoneOf(7)].sort());
    expect((await preview(h, notRead)).exclusions).toEqual({
      optedOut: 0,
      invalid: 1,
      duplicate: 0,
      missing: 0,
    });

    const notReplied = { kind: 'retarget', campaignId: source.id, which: 'not_replied' } as const;
    expect(members(h, notReplied)).toEqual([phoneOf(10), phoneOf(3), phoneOf(4), phoneOf(7)].sort());
    expect((await preview(h, notReplied)).exclusions).toEqual({
      optedOut: 0,
      invalid: 1,
      duplicate: 0,
      missing: 0,
    });

    // The retarget button's campaign has the same audience.
    const retarget = await h.value<CampaignView>('campaigns:retarget', {
      campaignId: source.id,
      which: 'not_replied',
    });
    const report = await h.value<PreflightReport>('campaigns:preflight', { campaignId: retarget.id });
    expect(report.recipients).toBe(4);
  });
});
