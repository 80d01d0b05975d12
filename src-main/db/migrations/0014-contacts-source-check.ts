// Contacts' `source` CHECK, same rule, written so SQLite does not rebuild a lookup table for every row
// (issue 6: the import's writer thread must stay under ~8 µs a row).
//
// SQLite compiles `source IN ('manual', 'import', ...)` inside a CHECK into an ephemeral index that it
// fills with the six names again for every row it checks (EXPLAIN shows OpenEphemeral + six IdxInsert
// in the per-row loop, with no Once guard): ~1.4 µs of each inserted contact, 10 % of an import. The
// same rule as a chain of `=` joined by OR costs ~0.04 µs. Both compare with the BINARY collation of
// the column, both are NULL for a NULL source (which NOT NULL rejects first), so a value is accepted by
// the new CHECK exactly when it was by the old one (test/integration/migration.contactsSourceCheck.test.ts
// runs the same values against both).
//
// A CHECK cannot be altered in place, so the table is rebuilt (SQLite's documented procedure: create,
// copy, drop, rename, re-index) with every other column, constraint and index exactly as 0001 and 0002
// made them. Rows keep their rowid: campaign audiences list contacts in rowid order (audience.ts).
// Tables that reference contacts(id) name it by name, so they point at the rebuilt table once it is
// renamed; foreign keys are off during a migration, and migrate() checks the references of contacts and
// of the tables that reference it before committing (movedTables: not the whole store, which took 6.6 s
// of a 10 s upgrade on a store of 100,000 contacts and 1M messages).
import type { Migration } from '../migrate';

const columns = `id, workspace_id, phone_e164, wa_id, name, email, tags, attributes, opted_out_at,
  opted_out_reason, source, created_at, updated_at`;

export const contactsSourceCheck: Migration = {
  version: 14,
  name: 'contacts-source-check',
  movesData: true,
  movedTables: ['contacts'],
  up(db) {
    db.exec(/* sql */ `
      CREATE TABLE contacts_rebuilt (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        phone_e164 TEXT NOT NULL CHECK (
          phone_e164 GLOB '+[1-9]*' AND NOT substr(phone_e164, 2) GLOB '*[^0-9]*'
          AND length(phone_e164) BETWEEN 4 AND 16
        ),
        wa_id TEXT,
        name TEXT,
        email TEXT CHECK (email IS NULL OR length(email) <= 320),
        tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
        attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes) AND json_type(attributes) = 'object'),
        -- Opted-out contacts are excluded from campaigns (§7); a reason without a time would be meaningless.
        opted_out_at INTEGER,
        opted_out_reason TEXT CHECK (opted_out_reason IS NULL OR opted_out_at IS NOT NULL),
        source TEXT NOT NULL CHECK (
          source = 'manual' OR source = 'import' OR source = 'inbound' OR source = 'template_send'
          OR source = 'campaign' OR source = 'sandbox'
        ),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (workspace_id, phone_e164)
      ) STRICT;
      INSERT INTO contacts_rebuilt (rowid, ${columns}) SELECT rowid, ${columns} FROM contacts ORDER BY rowid;
      DROP TABLE contacts;
      ALTER TABLE contacts_rebuilt RENAME TO contacts;
      CREATE INDEX contacts_workspace_wa_id ON contacts(workspace_id, wa_id) WHERE wa_id IS NOT NULL;
      CREATE INDEX contacts_workspace_updated ON contacts(workspace_id, updated_at, id);
      CREATE INDEX contacts_workspace_opted_out ON contacts(workspace_id, opted_out_at)
        WHERE opted_out_at IS NOT NULL;
    `);
  },
};
