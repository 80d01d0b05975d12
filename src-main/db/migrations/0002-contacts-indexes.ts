// Indexes for the contacts screen (issue 6). The default list is "recently changed first", walked with
// keyset paging; an import appends to this index (its rows all carry the time of their batch), so it costs
// the import little. Opted-out contacts are few: a partial index counts and lists them without a scan,
// and campaigns (#8) exclude them through it. Nothing indexes name or email: search scans on the query
// worker's read connection, off the main thread, rather than slowing every import with a text index.
import type { Migration } from '../migrate';

export const contactsIndexes: Migration = {
  version: 2,
  name: 'contacts-indexes',
  movesData: false,
  up(db) {
    db.exec(/* sql */ `
      CREATE INDEX contacts_workspace_updated ON contacts(workspace_id, updated_at, id);
      CREATE INDEX contacts_workspace_opted_out ON contacts(workspace_id, opted_out_at)
        WHERE opted_out_at IS NOT NULL;
    `);
  },
};
