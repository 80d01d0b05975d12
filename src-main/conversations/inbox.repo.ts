// The inbox's SQL beyond threads and sends: full-text search over messages_fts (migration 0006, kept in
// step by triggers), quick replies, and the stored media path of a message. Statements prepared once.
import type { Db } from '../db/open';

export interface SearchHitRow {
  id: string;
  conversation_id: string;
  direction: 'inbound' | 'outbound';
  created_at: number;
  snippet: string;
  contact_name: string | null;
  phone_e164: string;
}

export interface QuickReplyRow {
  id: string;
  workspace_id: string;
  shortcut: string;
  text: string;
  created_at: number;
  updated_at: number;
}

export interface MediaRow {
  id: string;
  conversation_id: string;
  type: string;
  body: string;
  media_path: string | null;
}

export function createInboxRepo(db: Db) {
  // Newest first by rowid: FTS5 walks its index in rowid order, so LIMIT stops early even for a common
  // word over a million messages (ordering by bm25 rank would score every match first). Messages are
  // inserted as they happen, so rowid order is time order. The scope filter runs per hit.
  const searchSql = (scope: string) => /* sql */ `
    SELECT m.id, m.conversation_id, m.direction, m.created_at,
           snippet(messages_fts, 0, char(2), char(3), '…', 12) AS snippet,
           ct.name AS contact_name, ct.phone_e164
    FROM messages_fts
    JOIN messages m ON m.rowid = messages_fts.rowid
    JOIN conversations c ON c.id = m.conversation_id
    JOIN contacts ct ON ct.id = c.contact_id
    WHERE messages_fts MATCH @query AND ${scope}
    ORDER BY messages_fts.rowid DESC
    LIMIT @limit`;
  const searchByConnection = db.prepare<{ query: string; connectionId: string; limit: number }, SearchHitRow>(
    searchSql('c.connection_id = @connectionId'),
  );
  const searchByWorkspace = db.prepare<{ query: string; workspaceId: string; limit: number }, SearchHitRow>(
    searchSql('c.connection_id IN (SELECT id FROM connections WHERE workspace_id = @workspaceId)'),
  );

  const listQuickReplies = db.prepare<[string], QuickReplyRow>(
    'SELECT * FROM quick_replies WHERE workspace_id = ? ORDER BY shortcut',
  );
  const insertQuickReply = db.prepare<
    { id: string; workspaceId: string; shortcut: string; text: string; now: number },
    QuickReplyRow
  >(
    `INSERT INTO quick_replies (id, workspace_id, shortcut, text, created_at, updated_at)
     VALUES (@id, @workspaceId, @shortcut, @text, @now, @now)
     ON CONFLICT (workspace_id, shortcut) DO NOTHING
     RETURNING *`,
  );
  const updateQuickReply = db.prepare<
    { id: string; workspaceId: string; shortcut: string; text: string; now: number },
    QuickReplyRow
  >(
    `UPDATE OR IGNORE quick_replies SET shortcut = @shortcut, text = @text, updated_at = @now
     WHERE id = @id AND workspace_id = @workspaceId
     RETURNING *`,
  );
  const quickReplyById = db.prepare<[string, string], QuickReplyRow>(
    'SELECT * FROM quick_replies WHERE id = ? AND workspace_id = ?',
  );
  const deleteQuickReply = db.prepare<[string, string]>(
    'DELETE FROM quick_replies WHERE id = ? AND workspace_id = ?',
  );

  const mediaOf = db.prepare<[string], MediaRow>(
    'SELECT id, conversation_id, type, body, media_path FROM messages WHERE id = ?',
  );
  const setMediaPath = db.prepare<[string, number, string]>(
    'UPDATE messages SET media_path = ?, updated_at = ? WHERE id = ? AND media_path IS NULL',
  );

  return {
    search(query: {
      match: string;
      connectionId: string | null;
      workspaceId: string | null;
      limit: number;
    }): SearchHitRow[] {
      if (query.connectionId !== null) {
        return searchByConnection.all({
          query: query.match,
          connectionId: query.connectionId,
          limit: query.limit,
        });
      }
      if (query.workspaceId === null) return [];
      return searchByWorkspace.all({
        query: query.match,
        workspaceId: query.workspaceId,
        limit: query.limit,
      });
    },

    listQuickReplies(workspaceId: string): QuickReplyRow[] {
      return listQuickReplies.all(workspaceId);
    },

    /** undefined when the shortcut is taken in this workspace. */
    insertQuickReply(row: {
      id: string;
      workspaceId: string;
      shortcut: string;
      text: string;
      now: number;
    }): QuickReplyRow | undefined {
      return insertQuickReply.get(row);
    },

    /** undefined when the quick reply is gone, or the new shortcut is taken by another one. */
    updateQuickReply(row: {
      id: string;
      workspaceId: string;
      shortcut: string;
      text: string;
      now: number;
    }): QuickReplyRow | undefined {
      return updateQuickReply.get(row);
    },

    quickReplyById(id: string, workspaceId: string): QuickReplyRow | undefined {
      return quickReplyById.get(id, workspaceId);
    },

    deleteQuickReply(id: string, workspaceId: string): boolean {
      return deleteQuickReply.run(id, workspaceId).changes > 0;
    },

    mediaOf(messageId: string): MediaRow | undefined {
      return mediaOf.get(messageId);
    },

    setMediaPath(messageId: string, path: string, now: number): boolean {
      return setMediaPath.run(path, now, messageId).changes > 0;
    },
  };
}

export type InboxRepo = ReturnType<typeof createInboxRepo>;
