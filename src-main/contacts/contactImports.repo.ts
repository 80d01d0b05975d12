// The only SQL on `contact_imports` and `contact_import_members` (migration 0008): imports started with
// "remember the contacts" (a campaign's "contacts from this CSV" audience), their outcome, and the
// contacts each one holds. The same repo runs on the main connection (start, finish, reading the list
// for an audience) and on the import's writer connection (the members of each batch).
import type { ImportCounts } from '../../src-preload/contacts.contract';
import type { Db } from '../db/open';

export type ContactImportStatus = 'running' | 'done' | 'cancelled' | 'failed';

export interface ContactImportRow {
  id: string;
  workspace_id: string;
  file_name: string;
  status: ContactImportStatus;
  counts: string | null;
  rejected_by_reason: string;
  rejects_file_id: string | null;
  started_at: number;
  finished_at: number | null;
}

export interface ContactImportsRepo {
  insertRunning(input: { id: string; workspaceId: string; fileName: string; now: number }): void;
  finish(input: {
    id: string;
    status: Exclude<ContactImportStatus, 'running'>;
    counts: ImportCounts;
    rejectedByReason: Record<string, number>;
    rejectsFileId: string | null;
    now: number;
  }): void;
  /** Imports left `running` by a crash or a quit: they never finished, so they cannot be an audience. */
  failInterrupted(now: number): number;
  get(id: string): ContactImportRow | undefined;
  /**
   * Adds the contacts of one import batch (`rowsJson`: contacts.repo.ts ImportRowTuple[]) to the import's
   * list: every number of the batch that is a contact once the batch is applied — created, updated, left
   * unchanged, or already there in "add new only" mode. A number "update existing only" did not find is
   * no contact, so it is not listed. Call in the batch's transaction, after its upsert.
   */
  addBatchMembers(importId: string, workspaceId: string, rowsJson: string): number;
}

export function createContactImportsRepo(db: Db): ContactImportsRepo {
  const lazy = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const insertRunning = lazy(() =>
    db.prepare<[string, string, string, number]>(
      `INSERT INTO contact_imports (id, workspace_id, file_name, status, started_at) VALUES (?, ?, ?, 'running', ?)`,
    ),
  );
  const finish = lazy(() =>
    db.prepare<[string, string, string, string | null, number, string]>(
      `UPDATE contact_imports SET status = ?, counts = ?, rejected_by_reason = ?, rejects_file_id = ?, finished_at = ?
       WHERE id = ? AND status = 'running'`,
    ),
  );
  const failInterrupted = lazy(() =>
    db.prepare<[number]>(
      `UPDATE contact_imports SET status = 'failed', finished_at = ? WHERE status = 'running'`,
    ),
  );
  const get = lazy(() =>
    db.prepare<[string], ContactImportRow>('SELECT * FROM contact_imports WHERE id = ?'),
  );
  // WHERE true: without it SQLite would read ON CONFLICT as the join's ON clause.
  const addMembers = lazy(() =>
    db.prepare<[{ importId: string; workspaceId: string; rows: string }]>(/* sql */ `
      INSERT INTO contact_import_members (import_id, contact_id)
      SELECT @importId, c.id FROM json_each(@rows) AS j
      JOIN contacts AS c ON c.workspace_id = @workspaceId AND c.phone_e164 = j.value->>1
      WHERE true
      ON CONFLICT DO NOTHING`),
  );

  return {
    insertRunning: ({ id, workspaceId, fileName, now }) => {
      insertRunning().run(id, workspaceId, fileName, now);
    },
    finish: ({ id, status, counts, rejectedByReason, rejectsFileId, now }) => {
      finish().run(status, JSON.stringify(counts), JSON.stringify(rejectedByReason), rejectsFileId, now, id);
    },
    failInterrupted: (now) => failInterrupted().run(now).changes,
    get: (id) => get().get(id),
    addBatchMembers: (importId, workspaceId, rowsJson) =>
      addMembers().run({ importId, workspaceId, rows: rowsJson }).changes,
  };
}
