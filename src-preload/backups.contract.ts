// Backups, restore, the portable export and recovery mode (spread into contract.ts). A backup is named
// by its file name only (never a path from the renderer); a restore needs the word RESTORE typed in, the
// confirmation the UI asks for, so no stray call can replace the user's data.
import { z } from 'zod';
import { returns } from './contractSchema';

const empty = z.object({}).strict();

export const backupNameSchema = z
  .string({ error: 'Choose a backup.' })
  .max(80, 'That is not a backup name.')
  .regex(/^bellhop-\d{8}T\d{9}Z-(daily|manual)\.sqlite$/, 'That is not a backup name.');

export interface BackupView {
  name: string;
  kind: 'daily' | 'manual';
  createdAt: number;
  size: number;
}

export interface BackupsStatus {
  /** 'recovery': the database failed its start-up check and only restore (and diagnostics) work. */
  mode: 'normal' | 'recovery';
  /** What the start-up integrity check found, in recovery mode. */
  problem?: string;
  /** The outcome of the last restore this run applied or refused, for the banner. */
  lastRestore?: { ok: boolean; message: string };
  /** Newest first. */
  backups: BackupView[];
  /** The newest backup that passes the integrity check: what recovery mode offers first. */
  newestGood?: string;
  folder: string;
}

export interface ExportArchiveView {
  fileName: string;
  path: string;
  size: number;
  /** Rows written per table. */
  counts: Record<string, number>;
  mediaFiles: number;
}

export const backupsContract = {
  'backups:list': { request: empty, response: returns<BackupsStatus>() },
  'backups:create': { request: empty, response: returns<BackupView>() },
  'backups:restore': {
    request: z
      .object({
        name: backupNameSchema,
        confirm: z.literal('RESTORE', {
          error: 'Type RESTORE to confirm: the current data will be replaced.',
        }),
      })
      .strict(),
    response: returns<{ restoredFrom: string; keptAside: string }>(),
  },
  'backups:export': { request: empty, response: returns<ExportArchiveView>() },
} as const;
