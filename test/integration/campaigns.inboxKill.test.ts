// Recipients' conversations open while the campaign sends, and survive the app being killed: the core runs
// in a child process SIGKILLed twice mid-campaign and restarted. After each restart, before the campaign
// finishes, every recipient WhatsApp had taken the message of before the kill has its conversation (the
// live pass resumed from its persisted watermark, not from the final pass), and conversations keep
// appearing. At the end: one conversation per contact, none missing.
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { startKillableCampaign } from '../helpers/campaignApp';
import { exited, useChildren } from '../helpers/childProcess';
import { readStore } from '../helpers/storeFixtures';
import { waitFor } from '../helpers/waitFor';

const { forkTs } = useChildren();

const RECIPIENTS = 600;
const RATE_PER_SECOND = 20;
const KILLS = 2;

interface Snapshot {
  status: string;
  pending: number;
  through: number;
  /** Contacts whose send WhatsApp took (it has a wamid). */
  accepted: string[];
  /** Conversations per contact on the campaign's number. */
  conversations: Map<string, number>;
}

function snapshot(file: string, campaignId: string): Snapshot {
  return readStore(file, (db) => {
    const campaign = db
      .prepare<[string], { status: string; connection_id: string; conversations_through: number }>(
        'SELECT status, connection_id, conversations_through FROM campaigns WHERE id = ?',
      )
      .get(campaignId)!;
    const pending = db
      .prepare<[string], number>(
        `SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending'`,
      )
      .pluck()
      .get(campaignId)!;
    const accepted = db
      .prepare<[string], string>(
        `SELECT r.contact_id FROM campaign_messages cm JOIN campaign_recipients r ON r.id = cm.campaign_recipient_id
         WHERE cm.campaign_id = ? AND cm.wamid IS NOT NULL`,
      )
      .pluck()
      .all(campaignId);
    const rows = db
      .prepare<[string], { contact_id: string; n: number }>(
        'SELECT contact_id, count(*) AS n FROM conversations WHERE connection_id = ? GROUP BY contact_id',
      )
      .all(campaign.connection_id);
    return {
      status: campaign.status,
      pending,
      through: campaign.conversations_through,
      accepted,
      conversations: new Map(rows.map((r) => [r.contact_id, r.n])),
    };
  });
}

describe('campaign conversations across SIGKILLs', () => {
  let sim: Simulator | undefined;
  afterAll(async () => {
    await sim?.close();
  });

  it(
    `opens ${RECIPIENTS} recipients' conversations while sending, across ${KILLS} kills: none doubled, none missing`,
    { timeout: 300_000 },
    async () => {
      sim = await startSimulator({
        throughputMps: 1000,
        messagingLimit: 'TIER_UNLIMITED',
        webhookRetry: { maxAttempts: 100_000, baseDelayMs: 200, factor: 1.5, maxDelayMs: 1_000 },
      });
      const run = await startKillableCampaign(forkTs, sim, {
        recipients: RECIPIENTS,
        ratePerSecond: RATE_PER_SECOND,
        name: 'Inbox kill',
      });
      const { file, contactIds: ids } = run;
      const campaign = { id: run.campaignId };
      let app = run.app;

      for (let kill = 0; kill < KILLS; kill++) {
        // Killed once this run has opened 60 more conversations, while the campaign still sends.
        const before = snapshot(file, campaign.id).conversations.size;
        await waitFor(
          () => {
            const now = snapshot(file, campaign.id);
            return now.conversations.size >= before + 60 && now.pending > 0 ? now : null;
          },
          { timeoutMs: 120_000, intervalMs: 100, what: `60 more conversations before kill ${kill + 1}` },
        );
        app.child.kill('SIGKILL');
        expect((await exited(app.child)).signal).toBe('SIGKILL');
        const atKill = snapshot(file, campaign.id);
        expect(atKill.status).toBe('running');
        expect(atKill.through).toBeGreaterThan(0);
        app = await run.restart();
        // Still sending: everyone accepted before the kill has a conversation, and new ones appear.
        const resumed = await waitFor(
          () => {
            const now = snapshot(file, campaign.id);
            if (now.status !== 'running') return now;
            const caughtUp = atKill.accepted.every((id) => now.conversations.has(id));
            return caughtUp && now.conversations.size > atKill.conversations.size ? now : null;
          },
          { timeoutMs: 120_000, intervalMs: 100, what: `the live pass to resume after kill ${kill + 1}` },
        );
        expect(resumed.status, 'caught up before the campaign finished').toBe('running');
        expect([...resumed.conversations.values()].filter((n) => n !== 1)).toEqual([]);
      }

      const final = await waitFor(
        () => {
          const now = snapshot(file, campaign.id);
          return now.status === 'completed' && now.pending === 0 ? now : null;
        },
        { timeoutMs: 180_000, intervalMs: 250, what: 'the campaign to complete' },
      );
      const opened = await waitFor(
        () => {
          const done = readStore(file, (db) =>
            db
              .prepare<[string], number | null>('SELECT conversations_opened_at FROM campaigns WHERE id = ?')
              .pluck()
              .get(campaign.id),
          );
          return done !== null ? snapshot(file, campaign.id) : null;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'the final pass' },
      );
      app.child.kill('SIGTERM');
      await exited(app.child);

      expect(final.accepted).toHaveLength(RECIPIENTS);
      expect([...opened.conversations].filter(([, n]) => n !== 1)).toEqual([]);
      expect(ids.filter((id) => !opened.conversations.has(id))).toEqual([]);
      expect(opened.conversations.size).toBe(RECIPIENTS);
    },
  );
});
