// `npm run bench:campaign`: a campaign of BENCH_RECIPIENTS (default 20,000) recipients sent by the real
// core (store, queue, campaign runner, connection limiter, WhatsAppClient) to the simulator in its own
// process, set to 80 messages/s and then to 1,000/s (whatsapp-cloud-api.md §4) with the connection's
// limit equal to it. Figures:
// - campaign_rate_ratio_{80,1000}: accepted per second over the run (first to last acceptance, from the
//   simulator's ledger) divided by the configured rate;
// - campaign_130429_errors: throughput errors the simulator returned over both runs;
// - campaign_rss_mb_per_100k: the slope of the core process's RSS against recipients sent, per 100,000
//   recipients: least squares over samples taken every 2 s after a forced full GC, once the first 10 % is
//   sent (the steady state: contacts seeded, recipients materialised), from the run with the most
//   samples (80/s by default). NaN when there are fewer than 10 samples. It includes SQLite's page cache
//   filling up to its 32 MB cap as the campaign's tables grow, which is bounded, not per recipient;
//   campaign_heap_mb_per_100k (the same slope of the JS heap) tells a leak in our code apart from it;
// - campaign_cpu_us_per_send_{80,1000}: the app process's CPU time per recipient while sending (the
//   benchmark's own sampling — its queries and forced GCs — left out): what a loaded machine distorts
//   least; campaign_simulator_cpu_us_per_send_{80,1000}: the simulator process's, over the same span
//   (on 2 cores, at 1,000/s the two together must stay well under 2,000 µs).
// BENCH_CPU_PROFILE=<folder> writes a V8 CPU profile of the app process while it sends (first send to
// completion), one file per rate.
// Status webhooks are off (no callback URL): this measures the sending path.
// campaign_recipients_not_sent_once counts, over all runs, the seeded recipients the simulator accepted
// zero or several times. Every run also checks the outcome it measured: each seeded recipient accepted
// by the simulator exactly once, and the campaign's final recipient states agreeing with that ledger
// (all accepted; none failed, unconfirmed or skipped). It prints both and fails loudly when they differ,
// naming the recipients that were not accepted once with their state and recorded reason.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCore } from '../src-main/core';
import type { Db } from '../src-main/db/open';
import { createLogger } from '../src-main/log';
import { campaignDraft, seedContacts, seedWorkspaceAndConnection } from '../test/helpers/campaignFixtures';
import { reportFigure } from './report';
import { forkSimulator } from './simulatorChild';

const recipients = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
const rates = (process.env.BENCH_RATES ?? '80,1000').split(',').map(Number);
/**
 * Memory is sampled (after a forced full GC) this often. The GCs pause the core, whose limiter does not
 * burst to catch up: at 80/s they cost about 1 % of the rate (6,000 recipients: 0.965 with them, 0.977
 * with BENCH_MEMORY_SAMPLE_MS=100000000), so a rate figure read alone is best taken without them.
 */
const MEMORY_SAMPLE_MS = Number(process.env.BENCH_MEMORY_SAMPLE_MS ?? 2_000);
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
/** The slope is taken once this share of the list is sent: seeding and materialising are behind it. */
const STEADY_FROM = 0.1;
/** Fewer samples than this in the steady window make no slope worth reporting. */
const MIN_MEMORY_SAMPLES = 10;

// A full collection before each memory sample, so the slope follows what is retained rather than when
// V8 last collected (without it, a run that happened to collect late read as growth, one that collected
// early as shrinking: −30.8 and 194 MB per 100k on two runs). --expose-gc cannot be set through tsx's
// command line here; the flag set at run time exposes gc() to a new context.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface MemorySample {
  sent: number;
  rssMb: number;
  heapMb: number;
  /** The database's size: SQLite's page cache grows with it up to its 32 MB cap (db/open.ts). */
  dbMb: number;
}

interface Integrity {
  expected: number;
  /** The campaign's own total_count. */
  totalCount: number;
  /** Messages in the simulator's ledger. */
  accepted: number;
  uniqueRecipients: number;
  /** Seeded recipients the ledger has no message for, and ones it has more than one for. */
  missing: number;
  duplicated: number;
  /** The campaign's recipients by state once it completed (campaigns.repo stateCounts). */
  states: Record<string, number>;
  /** Up to five recipients not accepted exactly once: number, ledger count, state, reason. */
  examples: string[];
}

interface RunResult {
  mps: number;
  integrity: Integrity;
  achievedPerSecond: number;
  throughputErrors: number;
  uniqueRecipients: number;
  /** MB per 100,000 recipients, or NaN when the run was too short for a slope. */
  rssMbPer100k: number;
  heapMbPer100k: number;
  dbMbPer100k: number;
  memorySamples: number;
  /** CPU time of the app's process per recipient sent, while sending (the bench's sampling left out). */
  cpuUsPerSend: number;
  /** CPU time of the simulator's process per recipient sent, over the same span. */
  simulatorCpuUsPerSend: number;
  medianInFlight: number;
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

function cpuUs(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

/** A V8 CPU profile of this process from start() to stop(), written to CPU_PROFILE_DIR. */
function sendingProfiler(name: string): { start(): void; stop(): Promise<void> } {
  if (!CPU_PROFILE_DIR) return { start: () => undefined, stop: () => Promise.resolve() };
  const session = new Session();
  session.connect();
  let started: Promise<unknown> | null = null;
  return {
    start() {
      started ??= session.post('Profiler.enable').then(() => session.post('Profiler.start'));
    },
    async stop() {
      if (started) {
        await started;
        const { profile } = await session.post('Profiler.stop');
        mkdirSync(CPU_PROFILE_DIR, { recursive: true });
        const file = join(CPU_PROFILE_DIR, `${name}-${Date.now()}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
        process.stderr.write(`CPU profile of the sending phase: ${file}\n`);
      }
      session.disconnect();
    },
  };
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
    const { phones } = seedContacts(core.db, workspaceId, recipients);
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
    const inFlightCount = core.db
      .prepare<[string], number>(
        `SELECT count(*) FROM campaign_recipients
         WHERE campaign_id = ? AND status = 'pending' AND send_started_at IS NOT NULL`,
      )
      .pluck();
    const memory: MemorySample[] = [];
    const pageCount = core.db.prepare<[], number>('PRAGMA page_count').pluck();
    const pageSize = core.db.pragma('page_size', { simple: true }) as number;
    const inFlight: number[] = [];
    let sampleCpuUs = 0;
    let firstSend: { sent: number; cpu: NodeJS.CpuUsage; sampleCpuUs: number } | null = null;
    let lastMemoryAt = 0;
    let simulatorCpuAtFirstSend: Promise<number> | null = null;
    const profiler = sendingProfiler(`campaign-${mps}`);
    const started = Date.now();
    const start = await core.router.dispatch(
      'campaigns:start',
      { campaignId },
      { trusted: true, description: 'bench' },
    );
    if (!start.ok) throw new Error(start.error.message);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        // This sampling (its queries and forced GCs) is the benchmark's work, not the app's: its CPU
        // time is left out of the CPU per send.
        let sampleStart = process.cpuUsage();
        const sent = sentCount.get(campaignId) ?? 0;
        if (sent > 0) {
          if (!firstSend) {
            firstSend = { sent, cpu: process.cpuUsage(), sampleCpuUs };
            sampleStart = firstSend.cpu;
            simulatorCpuAtFirstSend = simulator.cpuUs();
            profiler.start();
          }
          inFlight.push(inFlightCount.get(campaignId) ?? 0);
          if (Date.now() - lastMemoryAt >= MEMORY_SAMPLE_MS) {
            lastMemoryAt = Date.now();
            collectGarbage();
            const usage = process.memoryUsage();
            memory.push({
              sent,
              rssMb: usage.rss / 1_048_576,
              heapMb: usage.heapUsed / 1_048_576,
              dbMb: ((pageCount.get() ?? 0) * pageSize) / 1_048_576,
            });
          }
        }
        const status = statusOf.get(campaignId);
        if (firstSend) sampleCpuUs += cpuUs(process.cpuUsage(sampleStart));
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
    const first = firstSend as { sent: number; cpu: NodeJS.CpuUsage; sampleCpuUs: number } | null;
    const sendingCpuUs = first ? cpuUs(process.cpuUsage(first.cpu)) - (sampleCpuUs - first.sampleCpuUs) : NaN;
    const simulatorCpuAtEnd = await simulator.cpuUs();
    // Set inside the sampling timer's callback, which the compiler's narrowing does not see.
    const simulatorCpuAtStart = simulatorCpuAtFirstSend as Promise<number> | null;
    const simulatorSendingCpuUs =
      simulatorCpuAtStart !== null ? simulatorCpuAtEnd - (await simulatorCpuAtStart) : NaN;
    await profiler.stop();
    const sentWhileMeasured = recipients - (first?.sent ?? 0);
    const steady = memory.filter((m) => m.sent >= recipients * STEADY_FROM);
    const enough = steady.length >= MIN_MEMORY_SAMPLES;
    const sortedInFlight = [...inFlight].sort((x, y) => x - y);
    const stats = await simulator.stats();
    const integrity = checkIntegrity(core.db, campaignId, phones, stats.recipients);
    const times = [...stats.acceptedAt].sort((a, b) => a - b);
    const span = ((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / 1000;
    return {
      mps,
      integrity,
      achievedPerSecond: span > 0 ? (times.length - 1) / span : 0,
      throughputErrors: stats.throughputErrors,
      uniqueRecipients: stats.uniqueRecipients,
      rssMbPer100k: enough ? slope(steady.map((m) => ({ x: m.sent, y: m.rssMb }))) * 100_000 : NaN,
      heapMbPer100k: enough ? slope(steady.map((m) => ({ x: m.sent, y: m.heapMb }))) * 100_000 : NaN,
      dbMbPer100k: enough ? slope(steady.map((m) => ({ x: m.sent, y: m.dbMb }))) * 100_000 : NaN,
      memorySamples: steady.length,
      cpuUsPerSend: sentWhileMeasured > 0 ? sendingCpuUs / sentWhileMeasured : NaN,
      simulatorCpuUsPerSend: sentWhileMeasured > 0 ? simulatorSendingCpuUs / sentWhileMeasured : NaN,
      medianInFlight: sortedInFlight[sortedInFlight.length >> 1] ?? 0,
      seconds,
    };
  } finally {
    await core.close();
    simulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The ledger against the seeded list and the campaign's own final recipient states. */
function checkIntegrity(db: Db, campaignId: string, phones: string[], ledgerTo: string[]): Integrity {
  const perPhone = new Map<string, number>();
  for (const to of ledgerTo) perPhone.set(to, (perPhone.get(to) ?? 0) + 1);
  const states: Record<string, number> = {};
  const total = db
    .prepare<[string], number>('SELECT total_count FROM campaigns WHERE id = ?')
    .pluck()
    .get(campaignId);
  for (const row of db
    .prepare<[string], { status: string; n: number }>(
      `SELECT status || CASE WHEN status = 'pending' AND send_started_at IS NOT NULL THEN ' (sending)' ELSE '' END
         AS status, count(*) AS n
       FROM campaign_recipients WHERE campaign_id = ? GROUP BY 1`,
    )
    .all(campaignId))
    states[row.status] = row.n;
  const recipientOf = db.prepare<[string, string], { status: string; error_message: string | null }>(
    'SELECT status, error_message FROM campaign_recipients WHERE campaign_id = ? AND phone_e164 = ?',
  );
  let missing = 0;
  let duplicated = 0;
  const examples: string[] = [];
  for (const phone of phones) {
    const times = perPhone.get(phone) ?? 0;
    if (times === 1) continue;
    if (times === 0) missing += 1;
    else duplicated += 1;
    if (examples.length < 5) {
      const row = recipientOf.get(campaignId, phone);
      examples.push(
        `${phone}: accepted ${times}×, recipient ${row?.status ?? 'missing'} (${row?.error_message ?? 'no reason recorded'})`,
      );
    }
  }
  return {
    expected: phones.length,
    totalCount: total ?? 0,
    accepted: ledgerTo.length,
    uniqueRecipients: perPhone.size,
    missing,
    duplicated,
    states,
    examples,
  };
}

function integrityProblems(i: Integrity): string[] {
  const problems: string[] = [];
  if (i.totalCount !== i.expected) problems.push(`the campaign counts ${i.totalCount} recipients`);
  if (i.missing > 0) problems.push(`${i.missing} recipients never accepted`);
  if (i.duplicated > 0) problems.push(`${i.duplicated} recipients accepted more than once`);
  if (i.accepted !== i.expected)
    problems.push(`${i.accepted} messages accepted for ${i.expected} recipients`);
  if ((i.states['accepted'] ?? 0) !== i.uniqueRecipients || Object.keys(i.states).length !== 1)
    problems.push(`the campaign's recipient states ${JSON.stringify(i.states)} disagree with the ledger`);
  return problems;
}

async function main(): Promise<void> {
  const results: RunResult[] = [];
  for (const mps of rates) {
    const r = await run(mps);
    results.push(r);
    process.stderr.write(
      `campaign at ${mps}/s: ${recipients} recipients in ${r.seconds.toFixed(1)} s, ${r.achievedPerSecond.toFixed(1)}/s accepted, ` +
        `${r.uniqueRecipients} unique recipients in the ledger, 130429 returned: ${r.throughputErrors}, ` +
        `${r.cpuUsPerSend.toFixed(0)} µs CPU per send (simulator ${r.simulatorCpuUsPerSend.toFixed(0)} µs), median ${r.medianInFlight} in flight, ` +
        `after GC: RSS ${r.rssMbPer100k.toFixed(1)} MB and heap ${r.heapMbPer100k.toFixed(1)} MB per 100k ` +
        `(the database grew ${r.dbMbPer100k.toFixed(1)} MB per 100k) ` +
        `(${r.memorySamples} samples)\n` +
        `  exactly once: ${r.integrity.expected} expected, ${r.integrity.accepted} accepted, ` +
        `${r.integrity.uniqueRecipients} unique, ${r.integrity.missing} missing, ${r.integrity.duplicated} duplicated; ` +
        `campaign recipient states ${JSON.stringify(r.integrity.states)}\n`,
    );
  }
  // After the figures of every run, so a failure does not hide them.
  let failed = false;
  for (const r of results) {
    const problems = integrityProblems(r.integrity);
    if (problems.length === 0) continue;
    failed = true;
    process.stderr.write(
      `EXACTLY-ONCE CHECK FAILED at ${r.mps}/s: ${problems.join('; ')}\n` +
        r.integrity.examples.map((e) => `  ${e}\n`).join(''),
    );
  }
  for (const r of results) {
    reportFigure(`campaign_rate_ratio_${r.mps}`, r.achievedPerSecond / r.mps, 'ratio', '>=0.97');
    reportFigure(`campaign_cpu_us_per_send_${r.mps}`, r.cpuUsPerSend, 'us', 'info');
    reportFigure(`campaign_simulator_cpu_us_per_send_${r.mps}`, r.simulatorCpuUsPerSend, 'us', 'info');
  }
  reportFigure(
    'campaign_130429_errors',
    results.reduce((s, r) => s + r.throughputErrors, 0),
    'count',
    '0',
  );
  // From the run with the most samples (the 80/s one by default: ~4 minutes at 20,000 recipients).
  const longest = [...results].sort((x, y) => y.memorySamples - x.memorySamples)[0];
  if (longest && Number.isNaN(longest.rssMbPer100k)) {
    process.stderr.write(
      `campaign_rss_mb_per_100k: fewer than ${MIN_MEMORY_SAMPLES} memory samples (one every ${MEMORY_SAMPLE_MS / 1000} s ` +
        `once ${STEADY_FROM * 100} % was sent); run more recipients for a slope\n`,
    );
  }
  reportFigure('campaign_rss_mb_per_100k', longest?.rssMbPer100k ?? NaN, 'MB', '<100');
  reportFigure('campaign_heap_mb_per_100k', longest?.heapMbPer100k ?? NaN, 'MB', 'info');
  reportFigure(
    'campaign_recipients_not_sent_once',
    results.reduce((s, r) => s + r.integrity.missing + r.integrity.duplicated, 0),
    'count',
    '0',
  );
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
