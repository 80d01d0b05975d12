// The backups folder: file names, listing and the retention rule. A backup is one self-contained SQLite
// file `backups/bellhop-<UTC time>-<kind>.sqlite`, written by SQLite's online backup API (backup.service.ts).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BACKUPS_FOLDER = 'backups';
export const backupKinds = ['daily', 'manual'] as const;
export type BackupKind = (typeof backupKinds)[number];

export interface BackupFile {
  name: string;
  path: string;
  kind: BackupKind;
  createdAt: number;
  size: number;
}

const namePattern = /^bellhop-(\d{8}T\d{9}Z)-(daily|manual)\.sqlite$/;

export function backupFileName(createdAt: number, kind: BackupKind): string {
  // 2026-11-28T15:04:05.123Z -> 20261128T150405123Z: sorts by time, safe on every file system.
  const stamp = new Date(createdAt).toISOString().replace(/[-:.]/g, '');
  return `bellhop-${stamp}-${kind}.sqlite`;
}

export function parseBackupFileName(name: string): { kind: BackupKind; createdAt: number } | null {
  const match = namePattern.exec(name);
  if (!match?.[1] || !match[2]) return null;
  const s = match[1];
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`;
  const createdAt = Date.parse(iso);
  return Number.isFinite(createdAt) ? { kind: match[2] as BackupKind, createdAt } : null;
}

/** Every backup in the folder, newest first. Files that are not ours (or half-written .part files) are ignored. */
export function listBackups(dataDir: string): BackupFile[] {
  const dir = join(dataDir, BACKUPS_FOLDER);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: BackupFile[] = [];
  for (const name of names) {
    const parsed = parseBackupFileName(name);
    if (!parsed) continue;
    const path = join(dir, name);
    try {
      found.push({ name, path, ...parsed, size: statSync(path).size });
    } catch {
      // Deleted between readdir and stat (a concurrent prune): not a backup any more.
    }
  }
  return found.sort((a, b) => b.createdAt - a.createdAt);
}

export interface Retention {
  daily: number;
  weekly: number;
}
export const defaultRetention: Retention = { daily: 7, weekly: 4 };

const DAY_MS = 24 * 60 * 60_000;

/** Monday-based week number since the epoch (1970-01-01 was a Thursday), UTC. */
function weekOf(time: number): number {
  return Math.floor((Math.floor(time / DAY_MS) + 3) / 7);
}

/**
 * Which automatic backups to delete: keep the newest backup of each of the `daily` most recent days
 * that have one, and the newest of each of the `weekly` most recent weeks that have one (so a week-old
 * state survives a week of bad days). Manual backups are the user's: never pruned automatically.
 */
export function backupsToPrune(
  backups: readonly BackupFile[],
  retention: Retention = defaultRetention,
): BackupFile[] {
  const automatic = backups.filter((b) => b.kind === 'daily').sort((a, b) => b.createdAt - a.createdAt);
  const keep = new Set<string>();
  const keepNewestPer = (bucketOf: (time: number) => number, count: number): void => {
    const seen = new Set<number>();
    for (const backup of automatic) {
      const bucket = bucketOf(backup.createdAt);
      if (seen.has(bucket)) continue;
      if (seen.size >= count) break;
      seen.add(bucket);
      keep.add(backup.name);
    }
  };
  keepNewestPer((t) => Math.floor(t / DAY_MS), retention.daily);
  keepNewestPer(weekOf, retention.weekly);
  return automatic.filter((b) => !keep.has(b.name));
}
