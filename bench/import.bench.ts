// `npm run bench:import`: a generated 1,000,000-row contacts CSV (numbers in mixed formats — E.164,
// national, without "+", Brazilian with and without the 9 — about 1% invalid and 0.5% duplicates)
// imported through the contacts service, as the app does it (worker thread, sorted runs, upserts under
// the import lock), into an empty workspace.
//   import_rows_per_s          rows of the file per second, from startImport to the finished summary
//   import_peak_rss_mb         the process's peak resident memory meanwhile (main + worker threads)
//   import_main_block_ms       the longest main-thread event-loop block meanwhile (monitorEventLoopDelay)
//   import_main_block_baseline_ms   the same probe on an idle event loop for as long: what the machine adds
//   import_main_block_busy_baseline_ms   the same probe while two threads that do nothing but spin keep
//                              both cores busy, as the import's reader and writer do: the part of the
//                              block figure that is CPU scheduling on a 2-core machine, not the app
//   import_main_busy_max_ms    the most the main thread itself was busy within any 10 ms tick meanwhile
//                              (event-loop utilization): separates the app's own work from time the
//                              thread merely waited for a core while both import threads ran
//   import_bare_rows_per_s     a bare loop in the same run: csv-parse stream → normalisePhone → the same
//                              batch upsert in 5,000-row transactions, file order, one thread
//   import_ratio_to_bare       import_rows_per_s / import_bare_rows_per_s: wall clock, so on a shared machine
//                              it moves with whatever else runs during either part (the load average is
//                              printed before and after each); the CPU ratio below does not
//   import_cpu_ratio_to_bare   import_cpu_us_per_row / import_bare_cpu_us_per_row: what the app's machinery
//                              (two threads, sorting, in-file dedupe, rejects, progress) costs in CPU over
//                              the bare loop, whatever the load
//   import_cpu_us_per_row / import_bare_cpu_us_per_row   CPU time (all threads) per row: the cost
//                              independent of what else the machine runs
//   contacts_page_ms / contacts_jump_ms / contacts_search_digits_ms / contacts_search_name_ms /
//   contacts_tag_count_ms      the screen's reads on the imported workspace (~985,000 contacts) through
//                              the query worker: the first page, a page 500,000 rows down, a search by
//                              digits and by name with its total, a tag filter's total (medians of 3)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse';
import { createContactsRepo, type ImportRowTuple } from '../src-main/contacts/contacts.repo';
import { createContactsService } from '../src-main/contacts/contacts.service';
import { normalisePhone } from '../src-main/contacts/phone/normalisePhone';
import { newId } from '../src-main/db/ids';
import { migrate } from '../src-main/db/migrate';
import { migrations } from '../src-main/db/migrations';
import { openDatabase, type Db } from '../src-main/db/open';
import { createEventBus } from '../src-main/events';
import { createLockRegistry } from '../src-main/locks/registry';
import { createLogger } from '../src-main/log';
import { fixtureImportSettings, writeFixture } from './importFixture';
import { reportFigure } from './report';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);

function freshDb(dir: string, name: string): { db: Db; file: string } {
  const file = join(dir, `${name}.sqlite`);
  const db = openDatabase(file);
  migrate(db, migrations);
  db.prepare(
    "INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('bench', 'Bench', 0, 0)",
  ).run();
  return { db, file };
}

interface ImportRun {
  seconds: number;
  busyMaxMs: number;
  cpuSeconds: number;
  peakRssMb: number;
  maxBlockMs: number;
  counts: unknown;
  reads: Record<'page' | 'jump' | 'searchDigits' | 'searchName' | 'tagCount', number>;
}

/** Median of three runs, in ms. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1] as number;
}

async function runImport(dir: string, csv: string): Promise<ImportRun> {
  const { db, file } = freshDb(dir, 'import');
  const locks = createLockRegistry();
  const service = createContactsService({
    db,
    dbFile: file,
    dataDir: join(dir, 'data'),
    locks,
    events: createEventBus(),
    log: createLogger(() => undefined),
  });
  const size = statSync(csv).size;
  const upload = await service.adoptFile(csv, 'bench.csv', size);
  const settings = fixtureImportSettings;

  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let busyMaxMs = 0;
  let lastUtilization = performance.eventLoopUtilization();
  const busyProbe = setInterval(() => {
    const now = performance.eventLoopUtilization();
    busyMaxMs = Math.max(busyMaxMs, performance.eventLoopUtilization(now, lastUtilization).active);
    lastUtilization = now;
  }, 10);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const progress = await service.startImport('bench', upload.uploadId, settings);
  const summary = await service.whenImportFinished(progress.importId);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(busyProbe);
  delay.disable();
  clearInterval(sampler);
  const stored = db
    .prepare("SELECT count(*) FROM contacts WHERE workspace_id = 'bench'")
    .pluck()
    .get() as number;
  if (summary.phase !== 'done' || stored !== summary.counts.created) {
    throw new Error(`import did not complete: ${summary.message} (stored ${stored})`);
  }
  const someone = db
    .prepare("SELECT phone_e164 FROM contacts WHERE workspace_id = 'bench' LIMIT 1 OFFSET 777")
    .pluck()
    .get() as string;
  const reads = {
    page: await timed(() => service.list({ workspaceId: 'bench', limit: 100, withTotal: true })),
    jump: await timed(() =>
      service.list({ workspaceId: 'bench', sort: 'phone', offset: 500_000, limit: 100 }),
    ),
    searchDigits: await timed(() =>
      service.list({
        workspaceId: 'bench',
        filter: { search: someone.slice(-7) },
        limit: 100,
        withTotal: true,
      }),
    ),
    searchName: await timed(() =>
      service.list({
        workspaceId: 'bench',
        filter: { search: 'Customer 4242' },
        limit: 100,
        withTotal: true,
      }),
    ),
    tagCount: await timed(() =>
      service.list({ workspaceId: 'bench', filter: { tag: 'vip' }, limit: 100, withTotal: true }),
    ),
  };
  await service.close();
  locks.close();
  db.close();
  return {
    seconds,
    busyMaxMs,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: peakRss / 1024 / 1024,
    maxBlockMs: delay.max / 1e6,
    counts: summary.counts,
    reads,
  };
}

/**
 * The same work without the app's machinery, as the simplest correct loop would do it: one thread, file
 * order, csv-parse's stream, normalisePhone, and the same batch upsert the app's writer uses
 * (repo.importBatch, 5,000 rows a transaction). No sort, no in-file dedupe (the upsert merges repeats),
 * no rejects file, no progress, no worker threads.
 */
async function runBare(
  dir: string,
  csv: string,
): Promise<{ seconds: number; cpuSeconds: number; rows: number }> {
  const { db } = freshDb(dir, 'bare');
  const repo = createContactsRepo(db);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let rows = 0;
  let batch: ImportRowTuple[] = [];
  const flush = (): void => {
    const items = batch;
    batch = [];
    db.transaction(() =>
      repo.importBatch('bench', 'add-and-update', JSON.stringify(items), items.length, Date.now()),
    )();
  };
  const parser = createReadStream(csv).pipe(parse({ from_line: 2, relax_column_count: true }));
  for await (const record of parser as AsyncIterable<string[]>) {
    rows++;
    const phone = normalisePhone(record[0] ?? '', 'US');
    if (!phone.ok) continue;
    batch.push([
      newId(),
      phone.e164,
      record[1] || null,
      record[2] || null,
      (record[3] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      { City: record[4] ?? '', Plan: record[5] ?? '' },
    ]);
    if (batch.length >= 5000) flush();
  }
  flush();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  db.close();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows };
}

/** The event-loop delay while two spinning threads keep both cores busy. */
async function busyBlock(seconds: number): Promise<number> {
  const spin = `const end = Date.now() + ${Math.round(seconds * 1000)}; while (Date.now() < end) {}`;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const spinners = [new Worker(spin, { eval: true }), new Worker(spin, { eval: true })];
  await Promise.all(spinners.map((w) => once(w, 'exit')));
  delay.disable();
  return delay.max / 1e6;
}

async function idleBlock(seconds: number): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await sleep(seconds * 1000);
  delay.disable();
  return delay.max / 1e6;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bellhop-bench-import-'));
  try {
    const csv = join(dir, 'contacts-1m.csv');
    const fixture = await writeFixture(csv, ROWS);
    process.stderr.write(
      `fixture: ${ROWS} rows, ${(statSync(csv).size / 1e6).toFixed(1)} MB, ${fixture.invalid} invalid, ` +
        `${fixture.duplicates} duplicates; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}\n`,
    );
    // Collect the fixture's garbage now, so a full GC of it is not counted as the import's main-thread block.
    setFlagsFromString('--expose_gc');
    (runInNewContext('gc') as () => void)();
    const ours = await runImport(dir, csv);
    process.stderr.write(`import: ${ours.seconds.toFixed(1)} s ${JSON.stringify(ours.counts)}\n`);
    const baselineBlock = await idleBlock(Math.min(10, ours.seconds));
    const busyBaselineBlock = await busyBlock(Math.min(10, ours.seconds));
    const bare = await runBare(dir, csv);
    process.stderr.write(
      `bare: ${bare.seconds.toFixed(1)} s; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    const ourRate = ROWS / ours.seconds;
    const bareRate = bare.rows / bare.seconds;
    reportFigure('import_rows_per_s', ourRate, 'rows/s', '>=120000');
    reportFigure('import_peak_rss_mb', ours.peakRssMb, 'MB', '<300');
    reportFigure('import_main_block_ms', ours.maxBlockMs, 'ms', '<50');
    reportFigure('import_main_block_baseline_ms', baselineBlock, 'ms', 'info');
    reportFigure('import_main_block_busy_baseline_ms', busyBaselineBlock, 'ms', 'info');
    reportFigure('import_main_busy_max_ms', ours.busyMaxMs, 'ms', 'info');
    reportFigure('import_bare_rows_per_s', bareRate, 'rows/s', 'info');
    reportFigure('import_ratio_to_bare', ourRate / bareRate, 'ratio', 'info');
    reportFigure('import_cpu_us_per_row', (ours.cpuSeconds * 1e6) / ROWS, 'us/row', 'info');
    reportFigure('import_bare_cpu_us_per_row', (bare.cpuSeconds * 1e6) / bare.rows, 'us/row', 'info');
    reportFigure(
      'import_cpu_ratio_to_bare',
      ours.cpuSeconds / ROWS / (bare.cpuSeconds / bare.rows),
      'ratio',
      'info',
    );
    reportFigure('contacts_page_ms', ours.reads.page, 'ms', 'info');
    reportFigure('contacts_jump_ms', ours.reads.jump, 'ms', 'info');
    reportFigure('contacts_search_digits_ms', ours.reads.searchDigits, 'ms', 'info');
    reportFigure('contacts_search_name_ms', ours.reads.searchName, 'ms', 'info');
    reportFigure('contacts_tag_count_ms', ours.reads.tagCount, 'ms', 'info');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
