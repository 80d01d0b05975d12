// A CSV file as a campaign audience (issues 6 and 8): the import of a file started for a campaign is
// recorded with its outcome, and the contacts its rows created, updated or left unchanged are listed, so a
// campaign's audience can name the import and its preflight and materialisation (possibly after a
// restart) read exactly those contacts.
// - contact_imports: one row per remembered import, written by the main thread at its start and end.
//   rejected_by_reason keeps the import's reject counts by code, so the audience can say how many rows
//   of the file were left out and why (the rejects file has the rows themselves).
// - contact_import_members: (import, contact), written by the import's writer thread in the same
//   transaction as each batch's upsert. A contact deleted later leaves the list with it (CASCADE).
import type { Migration } from '../migrate';

export const importAudiences: Migration = {
  version: 8,
  name: 'import-audiences',
  movesData: false,
  up(db) {
    db.exec(/* sql */ `
      CREATE TABLE contact_imports (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        file_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
        counts TEXT CHECK (counts IS NULL OR (json_valid(counts) AND json_type(counts) = 'object')),
        rejected_by_reason TEXT NOT NULL DEFAULT '{}'
          CHECK (json_valid(rejected_by_reason) AND json_type(rejected_by_reason) = 'object'),
        rejects_file_id TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        CHECK ((status = 'running') = (finished_at IS NULL))
      ) STRICT;
      CREATE INDEX contact_imports_workspace ON contact_imports(workspace_id, started_at);
      CREATE TABLE contact_import_members (
        import_id TEXT NOT NULL REFERENCES contact_imports(id) ON DELETE CASCADE,
        contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        PRIMARY KEY (import_id, contact_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX contact_import_members_contact ON contact_import_members(contact_id);
    `);
  },
};
