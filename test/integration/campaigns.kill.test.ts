// Issue 8's kill test: a 10,000-recipient campaign against the simulator while the process running the
// core is killed with SIGKILL at 20 random moments and restarted after each. The simulator lives in this
// test process, so it outlives every kill (as Meta does) and keeps re-delivering webhooks the dead app
// did not acknowledge. At the end its ledger must show every recipient accepted exactly once and none
// missing, and the campaign's counters must equal what the simulator reported by webhook.
//
// The campaign is configured to resend an unconfirmed send after 15 s without a webhook: a kill can land
// between the "sending" commit and the request leaving, and only then does no webhook ever come. A send
// that did reach the simulator is confirmed by its webhook within about a second of the restart.
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { createPrng } from '../../src-main/simulator/prng';
import { startKillableCampaign } from '../helpers/campaignApp';
import { exited, useChildren } from '../helpers/childProcess';
import { readStore } from '../helpers/storeFixtures';
import { waitFor } from '../helpers/waitFor';

const { forkTs } = useChildren();

const RECIPIENTS = 10_000;
const KILLS = 20;
const RATE_PER_SECOND = 500;

function readCampaign(file: string, campaignId: string) {
  return readStore(file, (db) => {
    const row = db
      .prepare(
        `SELECT status, total_count, sent_count, delivered_count, read_count, failed_count FROM campaigns WHERE id = ?`,
      )
      .get(campaignId) as {
      status: string;
      total_count: number;
      sent_count: number;
      delivered_count: number;
      read_count: number;
      failed_count: number;
    };
    const states = db
      .prepare(`SELECT status, count(*) AS n FROM campaign_recipients WHERE campaign_id = ? GROUP BY status`)
      .all(campaignId) as { status: string; n: number }[];
    const pendingEvents = (
      db.prepare(`SELECT count(*) AS n FROM webhook_events WHERE state = 'pending'`).get() as { n: number }
    ).n;
    return { ...row, states: Object.fromEntries(states.map((s) => [s.status, s.n])), pendingEvents };
  });
}

/** Recipients claimed ("sending") whose outcome was not recorded: in flight when the process died. */
function sendsInFlight(file: string): number {
  return readStore(
    file,
    (db) =>
      (
        db
          .prepare(
            `SELECT count(*) AS n FROM campaign_recipients WHERE status = 'pending' AND send_started_at IS NOT NULL`,
          )
          .get() as { n: number }
      ).n,
  );
}

describe('campaign kill test', () => {
  let sim: Simulator | undefined;
  afterAll(async () => {
    await sim?.close();
  });

  it(
    `sends ${RECIPIENTS.toLocaleString('en-US')} recipients exactly once across ${KILLS} SIGKILLs`,
    // About 5 min on a 2-core machine at load 15 (each restart of the core costs ~5 s there).
    { timeout: 900_000 },
    async () => {
      sim = await startSimulator({
        throughputMps: 1000,
        messagingLimit: 'TIER_UNLIMITED',
        // Sent and delivered only: the counters are checked against both.
        statusDelays: { sentMs: 20, deliveredMs: 60, readMs: null },
        faults: { batch: true, batchWindowMs: 200, batchMax: 1000 },
        // Meta retries for days; here, every 0.2–1 s for as long as the test lasts.
        webhookRetry: { maxAttempts: 100_000, baseDelayMs: 200, factor: 1.5, maxDelayMs: 1_000 },
      });
      // One more contact who sent STOP: never sent to.
      const run = await startKillableCampaign(forkTs, sim, {
        recipients: RECIPIENTS + 1,
        optedOut: new Set([RECIPIENTS]),
        ratePerSecond: RATE_PER_SECOND,
        name: 'Kill test',
        draft: { unconfirmedResendAfterMs: 15_000 },
      });
      const { file, phones } = run;
      const campaign = { id: run.campaignId };
      let app = run.app;
      const prng = createPrng(8);
      const random = (): number => prng.next();

      let inFlightAtKills = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        // A random moment while it sends: once this run has had something accepted, 0–0.8 s later.
        const before = sim.ledger.size;
        await waitFor(() => sim!.ledger.size > before || sim!.ledger.size >= RECIPIENTS, {
          timeoutMs: 120_000,
          intervalMs: 2,
          what: 'the restarted app to send',
        });
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 800)));
        app.child.kill('SIGKILL');
        const { signal } = await exited(app.child);
        expect(signal).toBe('SIGKILL');
        inFlightAtKills += sendsInFlight(file);
        app = await run.restart();
      }

      const acceptedBeforeEnd = sim.ledger.size;
      const final = await waitFor(
        () => {
          const state = readCampaign(file, campaign.id);
          return state.status === 'completed' && !state.states.unknown && !state.states.pending
            ? state
            : null;
        },
        { timeoutMs: 600_000, intervalMs: 250, what: 'the campaign to complete' },
      );
      await sim.control.settle();
      const settled = await waitFor(
        () => {
          const state = readCampaign(file, campaign.id);
          return state.pendingEvents === 0 && state.delivered_count + state.failed_count >= state.total_count
            ? state
            : null;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'every webhook to be processed' },
      );
      app.child.kill('SIGTERM');
      await exited(app.child);

      // The ledger: every recipient exactly once, none missing, the opted-out contact never.
      const accepted = sim.ledger.messages({ type: 'template' });
      const perPhone = new Map<string, number>();
      for (const entry of accepted) perPhone.set(entry.to, (perPhone.get(entry.to) ?? 0) + 1);
      const twice = [...perPhone].filter(([, n]) => n > 1);
      const missing = phones.slice(0, RECIPIENTS).filter((p) => !perPhone.has(p));
      expect({ twice: twice.slice(0, 5), missing: missing.slice(0, 5) }).toEqual({ twice: [], missing: [] });
      expect(perPhone.has(phones[RECIPIENTS] as string)).toBe(false);
      expect(accepted).toHaveLength(RECIPIENTS);

      // Webhook truth: what the simulator reported and the app acknowledged, per (wamid, status).
      const reported = {
        sent: new Set<string>(),
        delivered: new Set<string>(),
        read: new Set<string>(),
        failed: new Set<string>(),
      };
      for (const delivery of sim.ledger.webhookDeliveries()) {
        if (delivery.status !== 200) continue;
        const body = JSON.parse(delivery.body) as {
          entry: { changes: { value: { statuses?: { id: string; status: keyof typeof reported }[] } }[] }[];
        };
        for (const entry of body.entry)
          for (const change of entry.changes)
            for (const status of change.value.statuses ?? []) reported[status.status]?.add(status.id);
      }
      expect({
        total: settled.total_count,
        sent: settled.sent_count,
        delivered: settled.delivered_count,
        read: settled.read_count,
        failed: settled.failed_count,
      }).toEqual({
        total: RECIPIENTS,
        sent: reported.sent.size,
        delivered: reported.delivered.size,
        read: reported.read.size,
        failed: reported.failed.size,
      });
      expect(reported.sent.size).toBe(RECIPIENTS);
      expect(settled.states).toEqual({ delivered: RECIPIENTS });
      // The kills really interrupted the sending: requests were in flight at kills, and part of the list
      // was still to go at the last restart.
      expect(inFlightAtKills).toBeGreaterThan(0);
      expect(acceptedBeforeEnd).toBeLessThan(RECIPIENTS);
      expect(final.status).toBe('completed');
    },
  );
});
