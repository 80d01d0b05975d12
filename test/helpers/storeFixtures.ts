// A migrated SQLite store in a fresh temp folder, and the rows most tests need: a workspace and a
// connection with known secrets.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../src-main/db/ids';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase, type Db } from '../../src-main/db/open';

export function openTempStore(prefix = 'bellhop-test-'): { db: Db; dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'bellhop.sqlite');
  const db = openDatabase(file);
  migrate(db, migrations);
  return { db, dir, file };
}

/** Runs `read` on a read-only handle to the store at `file` (another process may be writing it). */
export function readStore<T>(file: string, read: (db: Db) => T): T {
  const db = openDatabase(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export interface SeededConnection {
  workspaceId: string;
  connectionId: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  wabaId: string;
}

export function seedConnection(db: Db, overrides: Partial<SeededConnection> = {}): SeededConnection {
  const now = Date.now();
  const seeded: SeededConnection = {
    workspaceId: overrides.workspaceId ?? newId(),
    connectionId: overrides.connectionId ?? newId(),
    appSecret: overrides.appSecret ?? 'test-app-secret',
    verifyToken: overrides.verifyToken ?? 'test-verify-token',
    phoneNumberId: overrides.phoneNumberId ?? '106540352242922',
    wabaId: overrides.wabaId ?? '102290129340398',
  };
  db.prepare('INSERT OR IGNORE INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
    seeded.workspaceId,
    'Test shop',
    now,
    now,
  );
  db.prepare(
    `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, display_phone_number, api_version,
       token_enc, app_secret_enc, verify_token, created_at, updated_at)
     VALUES (?, ?, 'sandbox', 'Test number', ?, ?, '15550783881', 'v24.0', ?, ?, ?, ?, ?)`,
  ).run(
    seeded.connectionId,
    seeded.workspaceId,
    seeded.phoneNumberId,
    seeded.wabaId,
    Buffer.from('token'),
    Buffer.from(seeded.appSecret),
    seeded.verifyToken,
    now,
    now,
  );
  return seeded;
}
