// 131049, Meta's per-user marketing cap (whatsapp-cloud-api.md §3: "wait ≥24 h per user"): the failure
// records when a retry becomes allowed; `campaigns:retry-capped` refuses before then, saying when, and
// afterwards sends those recipients again as new messages (their own biz_opaque_callback_data), with the
// funnel counting each recipient's current message once. The campaigns module runs on a clock the test
// moves; the simulator and its webhooks keep real time. Also: migration campaign-cap-retry gives the
// 131049 failures stored before it their retry time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CampaignView, RecipientsPage } from '../../src-preload/campaigns.contract';
import { MARKETING_CAP_RETRY_MS } from '../../src-main/campaigns/campaigns.repo';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { campaignCapRetry } from '../../src-main/db/migrations/0009-campaign-cap-retry';
import { openDatabase } from '../../src-main/db/open';
import { campaignDraft, seedContacts } from '../helpers/campaignFixtures';
import { openCampaignHarness, type CampaignHarness } from '../helpers/campaignHarness';
import { seedConnection } from '../helpers/storeFixtures';
import { waitFor } from '../helpers/waitFor';

let h: CampaignHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOUR = 3_600_000;

describe('131049: retry after 24 h', () => {
  it('refuses before 24 h, saying when; afterwards sends those recipients once more and counts them once', async () => {
    let offset = 0;
    h = await openCampaignHarness({
      ratePerSecond: 50,
      sim: { messagingLimit: 'TIER_UNLIMITED' },
      campaignsNow: () => Date.now() + offset,
    });
    const c = h;
    const { phones } = seedContacts(c.db, c.workspaceId, 4);
    const capped = phones[0] as string;
    c.sim.control.setRecipient(capped, { marketingCapped: true });
    const created = await c.value<CampaignView>(
      'campaigns:create',
      campaignDraft(c.connectionId, 'Capped', { kind: 'all' }),
    );
    const get = () => c.value<CampaignView>('campaigns:get', { campaignId: created.id });
    await c.value('campaigns:start', { campaignId: created.id });
    await c.sim.control.settle();
    const afterFailure = await waitFor(
      async () => {
        const v = await get();
        return v.status === 'completed' && v.counters.failed === 1 && v.counters.read === 3 ? v : null;
      },
      { timeoutMs: 60_000, what: 'the 131049 failure webhook and the others read' },
    );
    const failed = await c.value<RecipientsPage>('campaigns:recipients', {
      campaignId: created.id,
      state: 'failed',
    });
    expect(failed.rows).toHaveLength(1);
    const row = failed.rows[0]!;
    expect(row.phone).toBe(capped);
    expect(row.errorCode).toBe(131049);
    expect(row.retryAfter).toBe(row.statusAt! + MARKETING_CAP_RETRY_MS);
    expect(afterFailure.capRetry).toEqual({ ready: 0, waiting: 1, nextAt: row.retryAfter });

    // 23 hours later: refused, with the time it becomes possible; nothing moves.
    offset = 23 * HOUR;
    const early = await c.call('campaigns:retry-capped', { campaignId: created.id });
    expect(early.ok).toBe(false);
    if (early.ok) return;
    expect(early.error.code).toBe('CONFLICT');
    expect(early.error.message).toContain('131049');
    expect(early.error.message).toContain(new Date(row.retryAfter!).toISOString());
    expect((await get()).counters).toEqual(afterFailure.counters);
    expect(c.sim.ledger.messages({ type: 'template' }).filter((e) => e.to === capped)).toHaveLength(1);

    // A bad payload is refused by the contract and changes nothing.
    const bad = await c.call('campaigns:retry-capped', { campaignId: created.id, extra: 1 });
    expect(bad.ok).toBe(false);

    // Past 24 h (and Meta no longer holds this customer back): requeued, sent once more, delivered.
    offset = 24 * HOUR + 60_000;
    c.sim.control.setRecipient(capped, { marketingCapped: false });
    expect(await c.value('campaigns:retry-capped', { campaignId: created.id })).toEqual({ requeued: 1 });
    const requeued = await get();
    expect(requeued.counters.failed).toBe(0);
    expect(requeued.capRetry).toEqual({ ready: 0, waiting: 0, nextAt: null });
    await waitFor(
      () => c.sim.ledger.messages({ type: 'template' }).filter((e) => e.to === capped).length === 2,
      {
        timeoutMs: 30_000,
        what: 'the retry to reach Meta',
      },
    );
    await c.sim.control.settle();
    const done = await waitFor(
      async () => {
        const v = await get();
        return v.status === 'completed' && v.counters.read === 4 ? v : null;
      },
      { timeoutMs: 60_000, what: 'the retry read' },
    );
    expect(done.counters).toMatchObject({ total: 4, sent: 4, delivered: 4, read: 4, failed: 0 });
    const sends = c.sim.ledger.messages({ type: 'template' });
    // Every other recipient once; the retry carried a callback data of its own.
    for (const phone of phones.slice(1)) expect(sends.filter((e) => e.to === phone)).toHaveLength(1);
    const callbacks = sends.filter((e) => e.to === capped).map((e) => e.bizOpaqueCallbackData);
    expect(callbacks[1]).toBe(`${callbacks[0]}:retry1`);

    // Nothing left to retry.
    const again = await c.call('campaigns:retry-capped', { campaignId: created.id });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.message).toContain('No recipient');
  }, 180_000);

  it('migration campaign-cap-retry gives 131049 failures stored before it their retry time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bellhop-cap-retry-'));
    const db = openDatabase(join(dir, 'bellhop.sqlite'));
    try {
      // The version before campaign-cap-retry, literally (the migrations guard looks for it); renumbering
      // the migration must update it, which this first assertion says.
      expect(campaignCapRetry.version - 1).toBe(8);
      migrate(db, migrations, { toVersion: 8 });
      const { workspaceId, connectionId } = seedConnection(db);
      db.prepare(
        `INSERT INTO campaigns (id, workspace_id, connection_id, template_name, template_language, name, status,
           created_at, updated_at) VALUES ('k', ?, ?, 'spring', 'en', 'Old', 'completed', 1, 1)`,
      ).run(workspaceId, connectionId);
      const recipient = db.prepare(
        `INSERT INTO campaign_recipients (id, campaign_id, phone_e164, status, status_at, error_code, created_at,
           updated_at) VALUES (?, 'k', ?, ?, ?, ?, 1, 1)`,
      );
      recipient.run('capped', '+14155550001', 'failed', 5_000, 131049);
      recipient.run('undeliverable', '+14155550002', 'failed', 5_000, 131026);
      recipient.run('read', '+14155550003', 'read', 5_000, null);
      migrate(db, migrations);
      const rows = db
        .prepare('SELECT id, retry_after, cap_retries FROM campaign_recipients ORDER BY id')
        .all();
      expect(rows).toEqual([
        { id: 'capped', retry_after: 5_000 + MARKETING_CAP_RETRY_MS, cap_retries: 0 },
        { id: 'read', retry_after: null, cap_retries: 0 },
        { id: 'undeliverable', retry_after: null, cap_retries: 0 },
      ]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
