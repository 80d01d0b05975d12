// Online backups of the live store with SQLite's backup API (better-sqlite3 `db.backup`): it copies the
// database page by page while the app keeps writing, and restarts the copy on its own when another
// connection changes a page it already copied, so the result is always one consistent state, never a
// torn file copy of a database mid-transaction. On demand, and automatically once a day with retention.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/open';
import type { Logger } from '../log';
import {
  BACKUPS_FOLDER,
  backupFileName,
  backupsToPrune,
  defaultRetention,
  listBackups,
  type BackupFile,
  type BackupKind,
  type Retention,
} from './backupFiles';
import { checkDatabaseFile } from './integrity';

export interface BackupServiceOptions {
  db: Db;
  dataDir: string;
  log: Logger;
  now: () => number;
  retention?: Retention;
  /** How often to check whether a daily backup is due (default hourly). */
  checkEveryMs?: number;
  /** When the first check runs after start (default 2 min): never during the first paint. */
  firstCheckAfterMs?: number;
}

export interface BackupService {
  backupNow(kind: BackupKind): Promise<BackupFile>;
  list(): BackupFile[];
  /** Takes a daily backup when the newest one is a day old (or there is none), then prunes. */
  runDailyIfDue(): Promise<BackupFile | null>;
  startSchedule(): void;
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60_000;
/** Pages per step: small steps keep the main thread responsive while the copy runs. */
const PAGES_PER_STEP = 256;
/** Restarts tolerated before the rest is copied in one step. */
const MAX_RESTARTS = 3;

/**
 * A write from another connection (the webhook intake's writer thread, the contacts worker) restarts
 * the copy from the first page. Under a steady stream of them a paced copy could restart forever, so
 * after a few restarts the remaining pages go in one step, which holds the read lock to the end.
 */
function backupPacing(): (info: { totalPages: number; remainingPages: number }) => number {
  let previous = Number.POSITIVE_INFINITY;
  let restarts = 0;
  return ({ totalPages, remainingPages }) => {
    if (remainingPages > previous) restarts++;
    previous = remainingPages;
    return restarts >= MAX_RESTARTS ? Math.max(totalPages, 1) : PAGES_PER_STEP;
  };
}

export function createBackupService(options: BackupServiceOptions): BackupService {
  const { db, dataDir, log, now } = options;
  const dir = join(dataDir, BACKUPS_FOLDER);
  let timer: NodeJS.Timeout | undefined;
  let firstTimer: NodeJS.Timeout | undefined;
  let running: Promise<BackupFile> | null = null;
  let closed = false;

  const take = async (kind: BackupKind): Promise<BackupFile> => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    let createdAt = now();
    // Two backups in the same millisecond would share a name; the later one moves on by one.
    while (listBackups(dataDir).some((b) => b.createdAt === createdAt && b.kind === kind)) createdAt++;
    const name = backupFileName(createdAt, kind);
    const part = join(dir, `.${name}.part`);
    try {
      await db.backup(part, { progress: backupPacing() });
      // A backup that fails SQLite's own check is worse than none: it would be offered for restore.
      const integrity = checkDatabaseFile(part);
      if (!integrity.ok) throw new Error(`The new backup failed its integrity check: ${integrity.problem}`);
      renameSync(part, join(dir, name));
    } finally {
      rmSync(part, { force: true });
    }
    const file = listBackups(dataDir).find((b) => b.name === name);
    if (!file) throw new Error(`The backup ${name} vanished right after it was written.`);
    log.info('backup: written', { name, kind, size: file.size });
    return file;
  };

  const backupNow = (kind: BackupKind): Promise<BackupFile> => {
    if (closed) return Promise.reject(new Error('Backups are stopped (the app is closing).'));
    // One at a time: a second request waits for the first and then takes its own.
    const previous = running ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(() => take(kind));
    running = next;
    void next
      .finally(() => {
        if (running === next) running = null;
      })
      .catch(() => undefined);
    return next;
  };

  const prune = (): void => {
    for (const old of backupsToPrune(listBackups(dataDir), options.retention ?? defaultRetention)) {
      rmSync(old.path, { force: true });
      log.info('backup: pruned', { name: old.name });
    }
  };

  const runDailyIfDue = async (): Promise<BackupFile | null> => {
    const newest = listBackups(dataDir).find((b) => b.kind === 'daily');
    if (newest && now() - newest.createdAt < DAY_MS) return null;
    const file = await backupNow('daily');
    prune();
    return file;
  };

  return {
    backupNow,
    list: () => listBackups(dataDir),
    runDailyIfDue,
    startSchedule() {
      const tick = (): void => {
        if (closed || !db.open) return;
        runDailyIfDue().catch((error: unknown) => log.error('backup: daily backup failed', { error }));
      };
      // Not at once: on a first start (or after a day away) a backup is due, and copying plus checking
      // the store competed with the first paint (startup_first_paint_ms).
      const first = setTimeout(
        () => {
          tick();
          timer = setInterval(tick, options.checkEveryMs ?? 60 * 60_000);
          timer.unref();
        },
        options.firstCheckAfterMs ?? 2 * 60_000,
      );
      first.unref();
      firstTimer = first;
    },
    async close() {
      closed = true;
      if (firstTimer) clearTimeout(firstTimer);
      if (timer) clearInterval(timer);
      // The database must not close under a backup in progress.
      await running?.catch(() => undefined);
    },
  };
}
