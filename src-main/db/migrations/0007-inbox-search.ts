// The inbox's search and quick replies (issue 7).
// - messages_fts: an FTS5 index over the words a person reads in a message. Its rowid is the message's
//   rowid. Triggers keep it in step with every insert, body change and delete on messages, whatever code
//   path wrote the row (webhooks, the send point, campaigns, bulk loads), so search can never drift from
//   the threads. The text is derived from the Cloud API body (whatsapp-cloud-api.md §2, §6): text bodies,
//   captions, document file names, location names and addresses, button / list reply titles, outbound
//   interactive bodies, a contact card's names, a template's name and variables plus its synced body text.
//   It is a regular (content-storing) FTS5 table so snippet() can show the matching words.
// - quick_replies: saved snippets per workspace, inserted in the composer by typing `/shortcut`.
// - conversations_recent: the workspace-wide list (all connections, newest first) walks this index and
//   stops at the page size; without it SQLite sorted every conversation (about 180 ms at 100,000).
//   conversations_unread: the unread summary in the window title reads only unread conversations.
import type { Migration } from '../migrate';

/** The searchable text of the row `row` (NEW or OLD in a trigger, m in the backfill). */
function searchableText(row: string): string {
  return /* sql */ `trim(
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(${row}.body)
              WHERE type = 'text'
                AND key IN ('body', 'caption', 'filename', 'title', 'description', 'name', 'address',
                            'formatted_name', 'text', 'emoji')), '')
    || ' ' ||
    coalesce((SELECT json_extract(component.value, '$.text')
              FROM conversations c
              JOIN templates t ON t.connection_id = c.connection_id
              JOIN json_each(t.components) AS component
              WHERE ${row}.type = 'template' AND c.id = ${row}.conversation_id
                AND t.name = json_extract(${row}.body, '$.template.name')
                AND t.language = json_extract(${row}.body, '$.template.language.code')
                AND upper(json_extract(component.value, '$.type')) = 'BODY'
              LIMIT 1), ''))`;
}

export const inboxSearch: Migration = {
  version: 7,
  name: 'inbox-search',
  // The backfill writes every existing message's text into the index.
  movesData: true,
  up(db) {
    db.exec(/* sql */ `
      CREATE VIRTUAL TABLE messages_fts USING fts5(
        text,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
      );

      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (NEW.rowid, ${searchableText('NEW')});
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = OLD.rowid;
        INSERT INTO messages_fts (rowid, text) VALUES (NEW.rowid, ${searchableText('NEW')});
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = OLD.rowid;
      END;

      INSERT INTO messages_fts (rowid, text) SELECT m.rowid, ${searchableText('m')} FROM messages m;

      CREATE TABLE quick_replies (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        shortcut TEXT NOT NULL CHECK (length(shortcut) BETWEEN 1 AND 32 AND shortcut NOT GLOB '*[^a-z0-9_-]*'),
        text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 4096),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (workspace_id, shortcut)
      ) STRICT;

      CREATE INDEX conversations_recent ON conversations(last_message_at, id);
      CREATE INDEX conversations_unread ON conversations(connection_id) WHERE unread_count > 0;
    `);
  },
};
