// Retention of automatic backups: the newest of each of the last 7 days that have one, plus the newest
// of each of the last 4 weeks; manual backups are never pruned. Names round-trip their time and kind.
import { describe, expect, it } from 'vitest';
import {
  backupFileName,
  backupsToPrune,
  parseBackupFileName,
  type BackupFile,
} from '../../src-main/backup/backupFiles';

const DAY = 24 * 60 * 60_000;
const start = Date.UTC(2026, 0, 5, 3, 0, 0); // a Monday

function backup(time: number, kind: BackupFile['kind'] = 'daily'): BackupFile {
  const name = backupFileName(time, kind);
  return { name, path: `/x/${name}`, kind, createdAt: time, size: 1 };
}

describe('backup names', () => {
  it('round-trip time and kind and ignore anything else', () => {
    const time = Date.UTC(2026, 10, 28, 15, 4, 5, 123);
    expect(parseBackupFileName(backupFileName(time, 'manual'))).toEqual({ kind: 'manual', createdAt: time });
    expect(parseBackupFileName('bellhop-20261128T150405123Z-daily.sqlite.part')).toBeNull();
    expect(parseBackupFileName('../bellhop.sqlite')).toBeNull();
  });
});

describe('retention', () => {
  it('keeps 7 daily and 4 weekly out of 60 days of daily backups', () => {
    const all = Array.from({ length: 60 }, (_, i) => backup(start + i * DAY));
    const pruned = new Set(backupsToPrune(all).map((b) => b.name));
    const kept = all.filter((b) => !pruned.has(b.name)).map((b) => b.createdAt);
    const newest = start + 59 * DAY;
    // The last 7 days...
    for (let i = 0; i < 7; i++) expect(kept).toContain(newest - i * DAY);
    // ...and one per week for the last 4 weeks (the newest of each, here the Sundays before).
    const weeklyOnly = kept.filter((t) => t < newest - 6 * DAY);
    expect(weeklyOnly).toHaveLength(kept.length - 7);
    expect(kept.length).toBeGreaterThanOrEqual(7 + 2);
    expect(kept.length).toBeLessThanOrEqual(7 + 4);
    for (const t of weeklyOnly) expect(new Date(t).getUTCDay()).toBe(0);
    expect(Math.min(...kept)).toBeGreaterThan(newest - 28 * DAY);
  });

  it('keeps only the newest backup of a day that has several', () => {
    const all = [backup(start), backup(start + 3600_000), backup(start + 7200_000)];
    expect(
      backupsToPrune(all)
        .map((b) => b.createdAt)
        .sort(),
    ).toEqual([start, start + 3600_000]);
  });

  it('never prunes manual backups', () => {
    const all = Array.from({ length: 40 }, (_, i) => backup(start + i * DAY, 'manual'));
    expect(backupsToPrune(all)).toEqual([]);
  });
});
