// `npx tsx bench/webhookTail.ts`: where bench:webhooks' slow requests come from. Runs the same server
// and the same load (bench/webhookLoad.ts, COUNT events over CONCURRENCY connections after a warm-up)
// and prints the latency histogram, per-thread CPU of the server's process (from /proc), the main
// thread's GC pauses and event-loop delay, and the intake's commits, each against the timeline of the
// slowest requests. Diagnostic only: no targets.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { createLogger } from '../src-main/log';
import { createWebhookIntake } from '../src-main/webhooks/intake';
import { startWebhookServer } from '../src-main/webhooks/server';
import { openTempStore, seedConnection } from '../test/helpers/storeFixtures';
import { percentile } from './report';
import { runWebhookLoadProcess } from './webhookLoadProcess';

const COUNT = Number(process.env.BENCH_EVENTS ?? 30_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const timelineFile = join(process.env.TMPDIR ?? '/tmp', `webhook-tail-${process.pid}.json`);

/** CPU µs per thread of this process, by thread id, with its name (/proc/self/task). */
function threadCpu(): Map<string, { name: string; us: number }> {
  const out = new Map<string, { name: string; us: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, us: (Number(fields[11]) + Number(fields[12])) * 10_000 });
    } catch {
      // the thread ended
    }
  }
  return out;
}

function runLoad(
  url: string,
  secret: string,
  tag: string,
  count: number,
  timelineFile?: string,
): Promise<string> {
  return runWebhookLoadProcess({ url, secret, count, concurrency: CONCURRENCY, tag, timelineFile });
}

async function main(): Promise<void> {
  const { db, file } = openTempStore('bellhop-bench-webhook-tail-');
  const conn = seedConnection(db);
  const log = createLogger(() => undefined);
  const commits: { at: number; events: number }[] = [];
  const intake = createWebhookIntake({
    dbFile: file,
    log,
    onStored: (ids) => commits.push({ at: Date.now(), events: ids.length }),
  });
  const server = await startWebhookServer({
    intake,
    log,
    lookupConnection: (id) =>
      id === conn.connectionId ? { appSecret: conn.appSecret, verifyToken: conn.verifyToken } : undefined,
  });
  const url = `${server.localUrl}/webhooks/whatsapp/${conn.connectionId}`;
  await runLoad(url, conn.appSecret, 'warm', WARMUP);
  commits.length = 0;
  const countJobs = db.prepare(`SELECT count(*) FROM jobs WHERE type = 'webhooks.process'`).pluck();
  const jobsBefore = countJobs.get() as number;

  const gcs: { at: number; ms: number; kind: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      gcs.push({ at: performance.timeOrigin + entry.startTime, ms: entry.duration, kind: detail?.kind ?? 0 });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const cpuBefore = threadCpu();
  const started = Date.now();
  const summary = await runLoad(url, conn.appSecret, 'run', COUNT, timelineFile);
  const ended = Date.now();
  const cpuAfter = threadCpu();
  loopDelay.disable();
  gcObserver.disconnect();
  await server.close();
  // One processing job per SQL commit (the intake's replies can each answer several commits).
  const sqlCommits = (countJobs.get() as number) - jobsBefore;
  db.close();

  console.log('load:', summary);
  console.log(`wall ${ended - started} ms`);
  console.log('CPU per event by thread (µs):');
  for (const [tid, after] of cpuAfter) {
    const us = after.us - (cpuBefore.get(tid)?.us ?? 0);
    if (us > 0) console.log(`  ${tid.padStart(8)} ${after.name.padEnd(16)} ${(us / COUNT).toFixed(1)}`);
  }
  const gcMs = gcs.reduce((s, g) => s + g.ms, 0);
  console.log(
    `main-thread GC: ${gcs.length} pauses, ${gcMs.toFixed(0)} ms total, longest ${Math.max(0, ...gcs.map((g) => g.ms)).toFixed(1)} ms; ` +
      `by kind ${JSON.stringify(Object.fromEntries([1, 2, 4, 8, 16].map((k) => [k, gcs.filter((g) => g.kind === k).length])))}`,
  );
  console.log(
    `event-loop delay ms: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} max ${(loopDelay.max / 1e6).toFixed(1)}`,
  );
  const gaps = commits.slice(1).map((c, i) => c.at - commits[i]!.at);
  const sizes = commits.map((c) => c.events);
  console.log(`SQL commits: ${sqlCommits}, ${(COUNT / sqlCommits).toFixed(1)} events each`);
  console.log(
    `replies: ${commits.length}, events per reply p50 ${percentile(sizes, 50)} max ${Math.max(...sizes)}; ` +
      `ms between replies p50 ${percentile(gaps, 50)} p90 ${percentile(gaps, 90)} p99 ${percentile(gaps, 99)} max ${Math.max(...gaps)}`,
  );

  const { sentAt, latencyMs } = JSON.parse(readFileSync(timelineFile, 'utf8')) as {
    sentAt: number[];
    latencyMs: number[];
  };
  const buckets = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 25, 30, 40, 60, 100, Infinity];
  const hist = buckets.map(() => 0);
  for (const l of latencyMs) hist[buckets.findIndex((b) => l < b)]!++;
  console.log('latency histogram (ms, upper bound: share):');
  console.log(
    '  ' + buckets.map((b, i) => `<${b}: ${((hist[i]! / latencyMs.length) * 100).toFixed(1)}%`).join('  '),
  );
  console.log(
    `p50 ${percentile(latencyMs, 50).toFixed(1)} p90 ${percentile(latencyMs, 90).toFixed(1)} p99 ${percentile(latencyMs, 99).toFixed(1)} max ${Math.max(...latencyMs).toFixed(1)}`,
  );
  // The slow 1 %: which 100 ms windows of the run they were sent in, and what happened there.
  const p99 = percentile(latencyMs, 99);
  const windows = new Map<number, number>();
  latencyMs.forEach((l, i) => {
    if (l < p99) return;
    const w = Math.floor((sentAt[i]! - started) / 100);
    windows.set(w, (windows.get(w) ?? 0) + 1);
  });
  console.log('slowest 1 % by 100 ms window of the run (window: count | GC ms in it | longest commit gap):');
  for (const [w, n] of [...windows].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    const from = started + w * 100;
    const to = from + 200;
    const gcIn = gcs.filter((g) => g.at >= from && g.at < to).reduce((s, g) => s + g.ms, 0);
    const gapIn = Math.max(
      0,
      ...commits.slice(1).map((c, i) => (c.at >= from && c.at < to ? c.at - commits[i]!.at : 0)),
    );
    console.log(`  ${w * 100} ms: ${n} | ${gcIn.toFixed(1)} | ${gapIn}`);
  }
}

void main();
