// Binds the backup channels that need the open store (create, export) to the core. Listing and restore
// live in the app runtime (appRuntime.ts): they must also work when the store is damaged or closed.
import type { BackupView } from '../../src-preload/backups.contract';
import type { Db } from '../db/open';
import type { Handlers } from '../ipc/router';
import type { Logger } from '../log';
import type { BackupFile } from './backupFiles';
import { exportArchive } from './exportArchive';

export { createBackupService, type BackupService } from './backup.service';

export function backupView(file: BackupFile): BackupView {
  return { name: file.name, kind: file.kind, createdAt: file.createdAt, size: file.size };
}

export function bindBackups(options: {
  backups: { backupNow(kind: 'manual'): Promise<BackupFile> };
  db: Db;
  dataDir: string;
  now: () => number;
  log: Logger;
}): Partial<Handlers> {
  return {
    'backups:create': async () => backupView(await options.backups.backupNow('manual')),
    'backups:export': () => exportArchive(options),
  };
}
