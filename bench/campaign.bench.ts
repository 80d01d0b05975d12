// `npm run bench:campaign`: a campaign of BENCH_RECIPIENTS (default 20,000) recipients sent by the real
// core (store, queue, campaign runner, connection limiter, WhatsAppClient) to the simulator in its own
// process, set to 80 messages/s and then to 1,000/s (whatsapp-cloud-api.md §4) with the connection's
// limit equal to it. Figures:
// - campaign_rate_ratio_{80,1000}: accepted per second over the run (first to last acceptance, from the
//   simulator's ledger) divided by the configured rate;
// - campaign_130429_errors: throughput errors the simulator returned over both runs;
// - campaign_rss_mb_per_100k: the slope of the core process's RSS against recipients sent during the
//   1,000/s run (least squares over samples every 250 ms), per 100,000 recipients.
// Status webhooks are off (no callback URL): this measures the sending path.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../src-main/core';
import { createLogger } from '../src-main/log';
import { campaignDraft, seedContacts, seedWorkspaceAndConnection } from '../test/helpers/campaignFixtures';
import { reportFigure } from './report';
import { forkSimulator } from './simulatorChild';

const recipients = Number(process.env.BENCH_RECIPIENTS ?? 20_000);

interface RunResult {
  mps: number;
  achievedPerSecond: number;
  throughputErrors: number;
  uniqueRecipients: number;
  rssMbPer100k: number;
  seconds: number;
}

function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function run(mps: number): Promise<RunResult> {
  const simulator = await forkSimulator(mps, { seedCampaignTemplate: true });
  const sim = simulator.details;
  const dataDir = mkdtempSync(join(tmpdir(), 'bellhop-bench-campaign-'));
  const core = await createCore({
    dataDir,
    hostKind: 'browser',
    log: createLogger(undefined, 'error'),
    sandbox: false,
    graphBaseUrl: sim.baseUrl,
  });
  try {
    const { workspaceId, connectionId } = seedWorkspaceAndConnection(core.db, core.secrets, sim, mps);
    seedContacts(core.db, workspaceId, recipients);
    await core.messaging.templates.sync(connectionId);
    const created = await core.router.dispatch(
      'campaigns:create',
      campaignDraft(connectionId, `Bench ${mps}`, { kind: 'all' }),
      { trusted: true, description: 'bench' },
    );
    if (!created.ok) throw new Error(created.error.message);
    const campaignId = (created.value as { id: string }).id;
    const sentCount = core.db
      .prepare<[string], number>(
        `SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND status <> 'pending'`,
      )
      .pluck();
    const statusOf = core.db.prepare<[string], string>('SELECT status FROM campaigns WHERE id = ?').pluck();
    const samples: { x: number; y: number }[] = [];
    const started = Date.now();
    const start = await core.router.dispatch(
      'campaigns:start',
      { campaignId },
      { trusted: true, description: 'bench' },
    );
    if (!start.ok) throw new Error(start.error.message);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const sent = sentCount.get(campaignId) ?? 0;
        if (sent > 0) samples.push({ x: sent, y: process.memoryUsage.rss() / 1_048_576 });
        const status = statusOf.get(campaignId);
        if (status === 'completed') {
          clearInterval(timer);
          resolve();
        } else if (status !== 'running') {
          clearInterval(timer);
          reject(new Error(`campaign ${status ?? 'missing'}`));
        }
      }, 250);
    });
    const seconds = (Date.now() - started) / 1000;
    const stats = await simulator.stats();
    const times = [...stats.acceptedAt].sort((a, b) => a - b);
    const span = ((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / 1000;
    return {
      mps,
      achievedPerSecond: span > 0 ? (times.length - 1) / span : 0,
      throughputErrors: stats.throughputErrors,
      uniqueRecipients: stats.uniqueRecipients,
      rssMbPer100k: slope(samples) * 100_000,
      seconds,
    };
  } finally {
    await core.close();
    simulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: RunResult[] = [];
  for (const mps of [80, 1000]) {
    const r = await run(mps);
    results.push(r);
    process.stderr.write(
      `campaign at ${mps}/s: ${recipients} recipients in ${r.seconds.toFixed(1)} s, ${r.achievedPerSecond.toFixed(1)}/s accepted, ` +
        `${r.uniqueRecipients} unique recipients in the ledger, 130429 returned: ${r.throughputErrors}, ` +
        `RSS slope ${r.rssMbPer100k.toFixed(1)} MB per 100k\n`,
    );
  }
  for (const r of results)
    reportFigure(`campaign_rate_ratio_${r.mps}`, r.achievedPerSecond / r.mps, 'ratio', '>=0.97');
  reportFigure(
    'campaign_130429_errors',
    results.reduce((s, r) => s + r.throughputErrors, 0),
    'count',
    '0',
  );
  const fast = results.find((r) => r.mps === 1000);
  reportFigure('campaign_rss_mb_per_100k', fast?.rssMbPer100k ?? NaN, 'MB', '<100');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
