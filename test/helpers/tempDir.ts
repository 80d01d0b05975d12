// Each test gets its own data folder with real SQLite in it, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase, type Db } from '../../src-main/db/open';

export function makeTempDir(prefix = 'bellhop-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Call at the top of a describe block: returns a function giving a fresh temp dir per call, and closes
 * every database opened through `openMigrated` and removes the dirs after each test.
 */
export function useTempDirs(): { dir(): string; openMigrated(dir?: string, file?: string): Db } {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });
  const dir = (): string => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    return temp.path;
  };
  return {
    dir,
    openMigrated(folder = dir(), file = 'bellhop.sqlite') {
      const db = openDatabase(join(folder, file));
      cleanups.push(() => {
        if (db.open) db.close();
      });
      migrate(db, migrations);
      return db;
    },
  };
}
