// Restoring a backup replaces the database file, which only works while nothing has it open. So a
// restore is a marker file (`restore.json`) applied at start-up, before the core opens the store: the
// running app writes the marker, closes its core, and starts a new one (appRuntime.ts); an app killed
// in between applies it on its next start. The current files are kept aside first (moved, with their
// -wal and -shm, into backups/replaced-<time>/), so a restore can itself be undone by hand.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log';
import { BACKUPS_FOLDER, backupFileName, listBackups, type BackupFile } from './backupFiles';
import { checkDatabaseFile } from './integrity';

export const RESTORE_MARKER = 'restore.json';
const DATABASE_FILE = 'bellhop.sqlite';

const markerSchema = z.object({
  backupName: z.string().min(1),
  keepAsideDir: z.string().min(1),
  requestedAt: z.number(),
});

export type RestoreOutcome =
  | { applied: false }
  | { applied: true; backupName: string; keptAside: string }
  | { applied: false; failed: string };

/** Finds a backup by its file name, only among the app's own backups (no path from the caller is used). */
export function findBackup(dataDir: string, name: string): BackupFile | undefined {
  return listBackups(dataDir).find((b) => b.name === name);
}

export function writeRestoreMarker(dataDir: string, backupName: string, now: number): void {
  const keepAsideDir = `replaced-${backupFileName(now, 'manual').replace(/^bellhop-|-manual\.sqlite$/g, '')}`;
  const marker = { backupName, keepAsideDir, requestedAt: now } satisfies z.infer<typeof markerSchema>;
  const file = join(dataDir, RESTORE_MARKER);
  writeFileSync(`${file}.part`, JSON.stringify(marker));
  renameSync(`${file}.part`, file);
}

export function hasPendingRestore(dataDir: string): boolean {
  return existsSync(join(dataDir, RESTORE_MARKER));
}

/**
 * Applies a pending restore, if any. Safe to repeat after a crash at any step: the backup is copied to a
 * temporary name first, the current files are moved aside only if nothing was kept aside yet, and the
 * marker goes last.
 */
export function applyPendingRestore(dataDir: string, log: Logger): RestoreOutcome {
  const markerFile = join(dataDir, RESTORE_MARKER);
  if (!existsSync(markerFile)) return { applied: false };
  let marker: z.infer<typeof markerSchema>;
  try {
    marker = markerSchema.parse(JSON.parse(readFileSync(markerFile, 'utf8')));
  } catch (error) {
    rmSync(markerFile, { force: true });
    log.error('restore: unreadable marker dropped', { error });
    return { applied: false, failed: 'The restore request was unreadable; nothing was changed.' };
  }
  const backup = findBackup(dataDir, basename(marker.backupName));
  const integrity = backup ? checkDatabaseFile(backup.path) : { ok: false as const, problem: 'missing' };
  if (!backup || !integrity.ok) {
    rmSync(markerFile, { force: true });
    const why = backup
      ? `it failed its integrity check (${integrity.ok ? '' : integrity.problem})`
      : 'it is gone';
    log.error('restore: backup unusable, nothing changed', { backup: marker.backupName, why });
    return { applied: false, failed: `The backup ${marker.backupName} could not be restored: ${why}.` };
  }
  const database = join(dataDir, DATABASE_FILE);
  const incoming = `${database}.restoring`;
  copyFileSync(backup.path, incoming);

  const keepAside = join(dataDir, BACKUPS_FOLDER, marker.keepAsideDir);
  const alreadyKept = existsSync(join(keepAside, DATABASE_FILE));
  mkdirSync(keepAside, { recursive: true, mode: 0o700 });
  for (const suffix of ['', '-wal', '-shm']) {
    const current = `${database}${suffix}`;
    if (!existsSync(current)) continue;
    // After a crash past this step the files here are the restored copy, not the user's data.
    if (alreadyKept) rmSync(current, { force: true });
    else renameSync(current, join(keepAside, `${DATABASE_FILE}${suffix}`));
  }
  renameSync(incoming, database);
  rmSync(markerFile, { force: true });
  log.info('restore: applied', { backup: backup.name, keptAside: keepAside });
  return { applied: true, backupName: backup.name, keptAside: keepAside };
}
