// The automatic daily backup: taken when none exists or the newest is a day old, not more often, and
// pruned to the retention rule as days go by (clock injected; real SQLite backups into a temp folder).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackupService } from '../../src-main/backup/backup.service';
import { listBackups } from '../../src-main/backup/backupFiles';
import { openDatabase } from '../../src-main/db/open';
import { createMemoryLogger } from '../../src-main/log';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();
const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

describe('daily backups', () => {
  it('run once a day and keep 7 daily + 4 weekly over two months', async () => {
    const dataDir = temp.dir();
    const db = openDatabase(join(dataDir, 'bellhop.sqlite'));
    db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
    let now = Date.UTC(2026, 0, 5, 2, 0, 0);
    const backups = createBackupService({ db, dataDir, log: createMemoryLogger(), now: () => now });
    try {
      expect(await backups.runDailyIfDue()).not.toBeNull();
      now += 23 * HOUR;
      expect(await backups.runDailyIfDue()).toBeNull();
      now += HOUR;
      expect(await backups.runDailyIfDue()).not.toBeNull();
      // Two months of hourly checks: one backup per day, pruned as it goes.
      for (let hour = 0; hour < 60 * 24; hour++) {
        now += HOUR;
        await backups.runDailyIfDue();
      }
      const kept = listBackups(dataDir).filter((b) => b.kind === 'daily');
      expect(kept.length).toBeGreaterThanOrEqual(7 + 2);
      expect(kept.length).toBeLessThanOrEqual(7 + 4);
      expect(now - kept[0]!.createdAt).toBeLessThan(DAY);
      expect(now - kept.at(-1)!.createdAt).toBeLessThan(28 * DAY);
      // A manual backup is never pruned by the daily rule.
      const manual = await backups.backupNow('manual');
      now += 3 * DAY;
      await backups.runDailyIfDue();
      expect(listBackups(dataDir).map((b) => b.name)).toContain(manual.name);
    } finally {
      await backups.close();
      db.close();
    }
  }, 120_000);
});
