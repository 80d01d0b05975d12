// `npm run bench:startup-checks`: what the start-up checks cost on a store of real size, so the time
// they add can be stated rather than guessed (bench:startup runs on a fresh, empty store, where both
// are free):
// - startup_quick_check_ms: the integrity check appRuntime runs before the core opens the store
//   (PRAGMA quick_check over every page, src-main/backup/integrity.ts); it blocks the main thread;
// - startup_quick_check_ms_per_100mb: the same, per 100 MB of store, to scale it to any store;
// - startup_daily_backup_check_ms: the daily schedule's check when no backup is due (a folder listing);
// - startup_daily_backup_ms and startup_daily_backup_block_ms: a due daily backup (online copy, then
//   quick_check of the copy, then pruning) and the longest the main thread was blocked meanwhile.
// BENCH_MESSAGES scales the store (default 100,000 messages over 10,000 conversations, about 50 MB;
// writing it takes under a minute on a quiet machine).
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createBackupService } from '../src-main/backup/backup.service';
import { checkDatabaseFile } from '../src-main/backup/integrity';
import { DATABASE_FILE } from '../src-main/core';
import { migrate } from '../src-main/db/migrate';
import { migrations } from '../src-main/db/migrations';
import { openDatabase, type Db } from '../src-main/db/open';
import { createLogger } from '../src-main/log';
import { median, reportFigure } from './report';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const CONVERSATIONS = Math.max(1, Math.floor(MESSAGES / 10));
const RUNS = 3;

/** Rows written by SQL alone (a counting CTE), through the same FTS triggers as the app's inserts. */
function fillStore(db: Db): void {
  const now = Date.now();
  const words = `'order delivery parcel refund invoice shipping address tomorrow price discount coupon size colour return payment receipt tracking store opening hours weekend thanks hello please question booking menu coffee cake gift pickup courier '`;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('w1', 'Bench shop', ?, ?)`,
    ).run(now, now);
    db.prepare(
      `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
         app_secret_enc, verify_token, status, created_at, updated_at)
       VALUES ('k1', 'w1', 'cloud', 'Bench number', '100000000000001', '200000000000001', 'v24.0', x'00', x'00',
         'bench', 'disabled', ?, ?)`,
    ).run(now, now);
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
       INSERT INTO contacts (id, workspace_id, phone_e164, wa_id, name, source, created_at, updated_at)
       SELECT printf('c%08d', i), 'w1', '+1' || (2000000000 + i), 1 || (2000000000 + i), 'Customer ' || i,
         'inbound', ?, ? FROM n`,
    ).run(CONVERSATIONS, now, now);
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
       INSERT INTO conversations (id, connection_id, contact_id, status, last_message_at, last_message_preview,
         unread_count, source, created_at, updated_at)
       SELECT printf('v%08d', i), 'k1', printf('c%08d', i), 'open', ?, 'hello', 0, 'inbound', ?, ? FROM n`,
    ).run(CONVERSATIONS, now, now, now);
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
       INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, wa_timestamp,
         created_at, updated_at)
       SELECT printf('m%09d', i), printf('v%08d', i % ?), 'inbound', 'customer', 'text',
         json_object('type', 'text', 'text', json_object('body',
           substr(${words}, 1 + (i * 37) % 150, 20 + (i * 13) % 60))),
         'received', 'wamid.bench' || i, ? - i, ? - i, ? - i FROM n`,
    ).run(MESSAGES, CONVERSATIONS, now, now, now);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
}

function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bellhop-bench-checks-'));
  try {
    const file = join(dataDir, DATABASE_FILE);
    const log = createLogger(() => undefined);
    let db = openDatabase(file);
    migrate(db, migrations, { log });
    const fill = timed(() => fillStore(db));
    db.close();
    const mb = statSync(file).size / 1_000_000;
    process.stdout.write(
      `store: ${MESSAGES} messages, ${mb.toFixed(0)} MB, written in ${(fill.ms / 1000).toFixed(1)} s\n`,
    );

    const checks = Array.from({ length: RUNS }, () => timed(() => checkDatabaseFile(file)));
    if (checks.some((c) => !c.value.ok)) throw new Error('quick_check failed on a healthy store');
    const checkMs = median(checks.map((c) => c.ms));
    process.stdout.write(
      `quick_check: ${checks.map((c) => `${c.ms.toFixed(0)} ms (cpu ${c.cpuMs.toFixed(0)})`).join(', ')}\n`,
    );

    db = openDatabase(file);
    const backups = createBackupService({ db, dataDir, log, now: Date.now });
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const due = performance.now();
    const taken = await backups.runDailyIfDue();
    const dueMs = performance.now() - due;
    lag.disable();
    if (!taken) throw new Error('a daily backup should have been due on a store without backups');
    const notDue = Array.from({ length: RUNS }, () =>
      timed(() => backups.list().find((b) => b.kind === 'daily')),
    );
    const notDueAsync = performance.now();
    if ((await backups.runDailyIfDue()) !== null) throw new Error('a second daily backup was taken');
    const notDueMs = Math.max(performance.now() - notDueAsync, median(notDue.map((c) => c.ms)));
    await backups.close();
    db.close();

    reportFigure('startup_quick_check_ms', checkMs, 'ms', `info (${MESSAGES} messages, ${mb.toFixed(0)} MB)`);
    reportFigure('startup_quick_check_ms_per_100mb', (checkMs / mb) * 100, 'ms', 'info');
    reportFigure('startup_daily_backup_check_ms', notDueMs, 'ms', 'info (no backup due)');
    reportFigure(
      'startup_daily_backup_ms',
      dueMs,
      'ms',
      `info (${mb.toFixed(0)} MB, first check 2 min after start)`,
    );
    reportFigure('startup_daily_backup_block_ms', lag.max / 1e6, 'ms', 'info (longest main-thread block)');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
