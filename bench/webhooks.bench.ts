// bench:webhooks — signed webhook events acknowledged per second after fsync (group commit on the
// intake's writer thread), with p50/p99 latency, from a separate load process; then processed events
// per second; and the same load against a bare node:http + HMAC + one durable insert per request server.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../src-main/db/open';
import { createEventBus } from '../src-main/events';
import { createLockRegistry } from '../src-main/locks/registry';
import { createLogger } from '../src-main/log';
import { createWebhookIntake } from '../src-main/webhooks/intake';
import { startWebhookServer } from '../src-main/webhooks/server';
import { createWebhookProcessor } from '../src-main/webhooks/webhooks.processor';
import { verifySignature } from '../src-main/webhooks/verify';
import { openTempStore, seedConnection } from '../test/helpers/storeFixtures';
import { reportFigure } from './report';
import { runWebhookLoadProcess } from './webhookLoadProcess';

const COUNT = Number(process.env.BENCH_EVENTS ?? 30_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);
/**
 * Events sent before the measured run, to each server alike. The app's server is up long before a
 * burst arrives; without this, the measured window held the intake threads' start-up (under tsx, their
 * sources compiled on the fly: ~0.6 s of CPU, ~20 µs per event of a 30,000-event run) and the JIT's
 * warm-up of the request path.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);

interface LoadResult {
  acked: number;
  failures: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU time of the load process per request. */
  loadCpuUsPerRequest: number;
  /** CPU time of the server's process (every thread) per request, taken over the load's lifetime. */
  serverCpuUsPerRequest: number;
  /** The part of it on the server's main thread (NaN where /proc is missing). */
  serverMainThreadCpuUsPerRequest: number;
}

/**
 * CPU time (µs) of this process's main thread so far, from /proc (Linux; undefined elsewhere). The
 * server's HTTP handling runs there; the rest of the process's CPU is its worker threads' (the intake's
 * writer) and V8's (GC).
 */
function mainThreadCpuUs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / clockTicksPerSecond;
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on every Linux Node runs on. */
const clockTicksPerSecond = 100;

async function runLoad(url: string, secret: string, tag: string, count = COUNT): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuUs();
  const out = await runWebhookLoadProcess({ url, secret, count, concurrency: CONCURRENCY, tag });
  const cpu = process.cpuUsage(cpuBefore);
  const mainAfter = mainThreadCpuUs();
  const load = JSON.parse(out.split('\n').pop()!) as Omit<
    LoadResult,
    'serverCpuUsPerRequest' | 'serverMainThreadCpuUsPerRequest'
  >;
  return {
    ...load,
    serverCpuUsPerRequest: (cpu.user + cpu.system) / count,
    serverMainThreadCpuUsPerRequest:
      mainBefore === undefined || mainAfter === undefined ? NaN : (mainAfter - mainBefore) / count,
  };
}

async function benchOurs(): Promise<{
  load: LoadResult;
  intake: { batches: number; largestBatch: number };
  processedPerSecond: number;
  processCpuUsPerEvent: number;
}> {
  const { db, file } = openTempStore('bellhop-bench-webhooks-');
  const conn = seedConnection(db);
  const log = createLogger(() => undefined);
  // One entry per committed batch: each is what one `webhooks.process` job carries.
  const batches: string[][] = [];
  const intake = createWebhookIntake({ dbFile: file, log, onStored: (ids) => batches.push(ids) });
  const server = await startWebhookServer({
    intake,
    log,
    lookupConnection: (id) =>
      id === conn.connectionId ? { appSecret: conn.appSecret, verifyToken: conn.verifyToken } : undefined,
  });
  const url = `${server.localUrl}/webhooks/whatsapp/${conn.connectionId}`;
  const warmup = WARMUP > 0 ? await runLoad(url, conn.appSecret, 'ours-warmup', WARMUP) : undefined;
  const load = await runLoad(url, conn.appSecret, 'ours');
  await server.close();
  if (load.failures || warmup?.failures) throw new Error(`${load.failures} webhooks were not acknowledged`);

  const processor = createWebhookProcessor({
    db,
    locks: createLockRegistry(),
    events: createEventBus(),
    log,
  });
  // The warm-up's events are processed too: every stored event must end up processed.
  const events = batches.reduce((n, batch) => n + batch.length, 0);
  if (events !== COUNT + WARMUP) throw new Error(`${events} events were stored, not ${COUNT + WARMUP}`);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let cursor = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (cursor < batches.length) await processor.processAll(batches[cursor++]!);
    }),
  );
  const processedPerSecond = events / ((performance.now() - started) / 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const notProcessed = db
    .prepare(`SELECT count(*) FROM webhook_events WHERE state <> 'processed'`)
    .pluck()
    .get() as number;
  if (notProcessed) throw new Error(`${notProcessed} events were not processed`);
  db.close();
  return {
    load,
    intake: { batches: intake.stats.batches, largestBatch: intake.stats.largestBatch },
    processedPerSecond,
    processCpuUsPerEvent: (cpu.user + cpu.system) / events,
  };
}

/** The baseline: node:http, HMAC over the raw body, one durable (synchronous=FULL) insert per request. */
async function benchBare(): Promise<LoadResult> {
  const { db: setupDb, file } = openTempStore('bellhop-bench-bare-');
  const conn = seedConnection(setupDb);
  setupDb.close();
  const db = openDatabase(file);
  db.pragma('synchronous = FULL');
  const insert = db.prepare(
    `INSERT INTO webhook_events (id, connection_id, received_at, raw_body) VALUES (?, ?, ?, ?)`,
  );
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!verifySignature(body, req.headers['x-hub-signature-256'], conn.appSecret).ok) {
        res.writeHead(401).end();
        return;
      }
      insert.run(`bare-${n++}`, conn.connectionId, Date.now(), body);
      res.writeHead(200).end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/webhooks/whatsapp/${conn.connectionId}`;
  if (WARMUP > 0) await runLoad(url, conn.appSecret, 'bare-warmup', WARMUP);
  const load = await runLoad(url, conn.appSecret, 'bare');
  server.close();
  db.close();
  return load;
}

async function main(): Promise<void> {
  const ours = await benchOurs();
  const bare = await benchBare();
  process.stdout.write(`ours: ${JSON.stringify(ours)}\nbare: ${JSON.stringify(bare)}\n`);
  reportFigure('webhook_acked_per_s', ours.load.perSecond, 'events/s', '>=10000');
  reportFigure('webhook_ack_p50_ms', ours.load.p50, 'ms', 'info');
  reportFigure('webhook_ack_p99_ms', ours.load.p99, 'ms', '<20');
  reportFigure('webhook_processed_per_s', ours.processedPerSecond, 'events/s', 'info');
  reportFigure('webhook_ratio_to_bare', ours.load.perSecond / bare.perSecond, 'ratio', '>=1');
  // CPU time per event (all threads of the server's process; the load process apart), which a shared
  // machine's load distorts far less than the wall-clock figures above.
  reportFigure('webhook_cpu_us_per_event', ours.load.serverCpuUsPerRequest, 'us/event', 'info');
  reportFigure('webhook_bare_cpu_us_per_event', bare.serverCpuUsPerRequest, 'us/event', 'info');
  reportFigure(
    'webhook_cpu_ratio_to_bare',
    ours.load.serverCpuUsPerRequest / bare.serverCpuUsPerRequest,
    'ratio',
    'info',
  );
  reportFigure(
    'webhook_main_thread_cpu_us_per_event',
    ours.load.serverMainThreadCpuUsPerRequest,
    'us/event',
    'info',
  );
  reportFigure('webhook_load_cpu_us_per_request', ours.load.loadCpuUsPerRequest, 'us/request', 'info');
  reportFigure('webhook_process_cpu_us_per_event', ours.processCpuUsPerEvent, 'us/event', 'info');
}

void main();
