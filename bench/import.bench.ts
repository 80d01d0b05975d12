// `npm run bench:import`: a generated 1,000,000-row contacts CSV (numbers in mixed formats — E.164,
// national, without "+", Brazilian with and without the 9 — about 1% invalid and 0.5% duplicates)
// imported through the contacts service, as the app does it (worker thread, sorted runs, upserts under
// the import lock), into an empty workspace.
//   import_rows_per_s          rows of the file per second, from startImport to the finished summary
//   import_peak_rss_mb         the process's peak resident memory meanwhile (main + worker threads)
//   import_main_block_ms       the longest main-thread event-loop block meanwhile (monitorEventLoopDelay)
//   import_main_block_baseline_ms   the same probe on an idle event loop for as long: what the machine adds
//   import_bare_rows_per_s     a bare loop in the same run: csv-parse stream → normalisePhone → upsert in
//                              5,000-row transactions, file order, one thread, same statement
//   import_ratio_to_bare       import_rows_per_s / import_bare_rows_per_s
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse';
import { createContactsRepo } from '../src-main/contacts/contacts.repo';
import { createContactsService } from '../src-main/contacts/contacts.service';
import { normalisePhone } from '../src-main/contacts/phone/normalisePhone';
import { migrate } from '../src-main/db/migrate';
import { migrations } from '../src-main/db/migrations';
import { openDatabase, type Db } from '../src-main/db/open';
import { createEventBus } from '../src-main/events';
import { createLockRegistry } from '../src-main/locks/registry';
import { createLogger } from '../src-main/log';
import { mulberry32, usNumber } from '../test/helpers/contactsCsv';
import { reportFigure } from './report';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);

function brMobile(i: number): string {
  const area = ['11', '21', '31', '41', '51', '61', '71', '81'][i % 8] as string;
  return `${area}9${6 + (i % 4)}${String(Math.floor(i / 8) % 10_000_000).padStart(7, '0')}`;
}

/** Writes the benchmark file; returns how many rows are meant to be invalid. */
async function writeFixture(path: string): Promise<{ invalid: number; duplicates: number }> {
  const rand = mulberry32(424242);
  const out = createWriteStream(path);
  out.write('Phone,Name,Email,Tags,City,Plan\n');
  let invalid = 0;
  let duplicates = 0;
  const recent: string[] = [];
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const r = rand();
    let phone: string;
    if (r < 0.01) {
      phone = ['12345', 'n/a', '+999 123 456', 'call me', '555-0'][i % 5] as string;
      invalid++;
    } else if (r < 0.015 && recent.length > 0) {
      const original = recent[Math.floor(rand() * recent.length)] as string;
      phone = original.startsWith('+1')
        ? `1 ${original.slice(2, 5)} ${original.slice(5)}`
        : original.replace(/^\+/, '');
      duplicates++;
    } else {
      const n = usNumber(i * 3 + 1);
      const kind = i % 8;
      switch (kind) {
        case 0:
          phone = n;
          break;
        case 1:
          phone = `+1 (${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)}`;
          break;
        case 2:
          phone = n.slice(1);
          break;
        case 3:
          phone = `(${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)}`;
          break;
        case 4: {
          const br = brMobile(i);
          phone = `+55 ${br.slice(0, 2)} ${br.slice(2, 7)}-${br.slice(7)}`;
          break;
        }
        case 5: {
          const br = brMobile(i);
          // The pre-2016 form without the 9.
          phone = `55${br.slice(0, 2)}${br.slice(3)}`;
          break;
        }
        case 6:
          phone = `${n.slice(2, 5)}.${n.slice(5, 8)}.${n.slice(8)}`;
          break;
        default:
          phone = `+${n.slice(1, 2)}-${n.slice(2, 5)}-${n.slice(5, 8)}-${n.slice(8)}`;
      }
      if (kind === 0 && recent.length < 5000) recent.push(n);
    }
    const tags = i % 3 === 0 ? '"vip, 2024"' : i % 3 === 1 ? 'new' : '';
    chunk += `${phone},Customer ${i},${i % 2 ? `c${i}@example.com` : ''},${tags},${['Lisbon', 'Porto', 'São Paulo'][i % 3]},p${i % 5}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'close');
  return { invalid, duplicates };
}

function freshDb(dir: string, name: string): { db: Db; file: string } {
  const file = join(dir, `${name}.sqlite`);
  const db = openDatabase(file);
  migrate(db, migrations);
  db.prepare(
    "INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('bench', 'Bench', 0, 0)",
  ).run();
  return { db, file };
}

async function runImport(
  dir: string,
  csv: string,
): Promise<{ seconds: number; peakRssMb: number; maxBlockMs: number; counts: unknown }> {
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
  const settings = {
    delimiter: ',' as const,
    hasHeader: true,
    columns: [
      { kind: 'phone' as const },
      { kind: 'name' as const },
      { kind: 'email' as const },
      { kind: 'tags' as const },
      { kind: 'attribute' as const, key: 'City' },
      { kind: 'attribute' as const, key: 'Plan' },
    ],
    defaultCountry: 'US',
    mode: 'add-and-update' as const,
  };
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const progress = await service.startImport('bench', upload.uploadId, settings);
  const summary = await service.whenImportFinished(progress.importId);
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  clearInterval(sampler);
  const stored = db
    .prepare("SELECT count(*) FROM contacts WHERE workspace_id = 'bench'")
    .pluck()
    .get() as number;
  if (summary.phase !== 'done' || stored !== summary.counts.created) {
    throw new Error(`import did not complete: ${summary.message} (stored ${stored})`);
  }
  await service.close();
  locks.close();
  db.close();
  return { seconds, peakRssMb: peakRss / 1024 / 1024, maxBlockMs: delay.max / 1e6, counts: summary.counts };
}

/** The same work without the app's machinery: one thread, file order, no sort, no dedupe, no worker. */
async function runBare(dir: string, csv: string): Promise<{ seconds: number; rows: number }> {
  const { db } = freshDb(dir, 'bare');
  const repo = createContactsRepo(db);
  const started = performance.now();
  let rows = 0;
  let batch: {
    phone: string;
    name: string | null;
    email: string | null;
    tags: string[];
    attributes: Record<string, string>;
  }[] = [];
  const flush = (): void => {
    const now = Date.now();
    const items = batch;
    batch = [];
    db.transaction(() => {
      for (const item of items) repo.importRow('bench', 'add-and-update', item, now);
    })();
  };
  const parser = createReadStream(csv).pipe(parse({ from_line: 2, relax_column_count: true }));
  for await (const record of parser as AsyncIterable<string[]>) {
    rows++;
    const phone = normalisePhone(record[0] ?? '', 'US');
    if (!phone.ok) continue;
    batch.push({
      phone: phone.e164,
      name: record[1] || null,
      email: record[2] || null,
      tags: (record[3] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      attributes: { City: record[4] ?? '', Plan: record[5] ?? '' },
    });
    if (batch.length >= 5000) flush();
  }
  flush();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { seconds, rows };
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
    const fixture = await writeFixture(csv);
    process.stderr.write(
      `fixture: ${ROWS} rows, ${(statSync(csv).size / 1e6).toFixed(1)} MB, ${fixture.invalid} invalid, ` +
        `${fixture.duplicates} duplicates; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}\n`,
    );
    const ours = await runImport(dir, csv);
    process.stderr.write(`import: ${ours.seconds.toFixed(1)} s ${JSON.stringify(ours.counts)}\n`);
    const baselineBlock = await idleBlock(Math.min(10, ours.seconds));
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
    reportFigure('import_bare_rows_per_s', bareRate, 'rows/s', 'info');
    reportFigure('import_ratio_to_bare', ourRate / bareRate, 'ratio', 'info');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
