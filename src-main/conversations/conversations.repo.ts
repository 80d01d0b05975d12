// The only SQL on conversations and messages (and the contact get-or-create that inbound messages
// and template sends share). Every get-or-create is one INSERT ... ON CONFLICT, never check-then-insert,
// so concurrent webhooks and sends converge on one row (seed §6).
import type { Db } from '../db/open';
import { newId } from '../db/ids';
import { statusRankSql, type DeliveryStatus } from '../webhooks/statusRank';

export type ContactSource = 'manual' | 'import' | 'inbound' | 'template_send' | 'campaign' | 'sandbox';
export type ConversationSource = 'inbound' | 'template_send' | 'campaign' | 'manual' | 'sandbox';

export interface InboundMessageRow {
  id: string;
  conversationId: string;
  contactId: string;
  wamid: string;
  type: string;
  body: string;
  waTimestampMs: number;
  contextWamid: string | null;
  preview: string;
}

export function createConversationsRepo(db: Db) {
  const upsertContact = db.prepare<
    [string, string, string, string | null, string | null, string, number, number]
  >(
    `INSERT INTO contacts (id, workspace_id, phone_e164, wa_id, name, source, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (workspace_id, phone_e164) DO UPDATE SET
       wa_id = coalesce(contacts.wa_id, excluded.wa_id),
       name = coalesce(contacts.name, excluded.name),
       updated_at = CASE WHEN contacts.wa_id IS NULL OR contacts.name IS NULL THEN excluded.updated_at ELSE contacts.updated_at END
     RETURNING id`,
  );
  const contactByWaId = db.prepare<[string, string], { id: string }>(
    'SELECT id FROM contacts WHERE workspace_id = ? AND wa_id = ? LIMIT 1',
  );
  const upsertConversation = db.prepare<[string, string, string, string, number, number]>(
    `INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (connection_id, contact_id) DO UPDATE SET updated_at = conversations.updated_at
     RETURNING id`,
  );
  const insertInbound = db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, context_wamid,
                           wa_timestamp, created_at, updated_at)
     VALUES (@id, @conversationId, 'inbound', 'customer', @type, @body, 'received', @wamid, @contextWamid,
             @waTimestampMs, @now, @now)
     ON CONFLICT (wamid) WHERE direction = 'inbound' DO NOTHING`,
  );
  // last_inbound_at only moves forward (Meta reorders webhooks, §6); the 24 h window counts from it (§7).
  const touchOnInbound = db.prepare(
    `UPDATE conversations SET
       last_inbound_at = max(coalesce(last_inbound_at, 0), @waTimestampMs),
       last_message_at = max(coalesce(last_message_at, 0), @waTimestampMs),
       last_message_preview = CASE WHEN @waTimestampMs >= coalesce(last_message_at, 0) THEN @preview ELSE last_message_preview END,
       unread_count = unread_count + 1,
       status = 'open',
       updated_at = @now
     WHERE id = @conversationId`,
  );
  // Outbound messages are matched by wamid, or by their client id echoed as biz_opaque_callback_data
  // when the send's response (and so the wamid) never arrived (UNKNOWN_OUTCOME, §10).
  const findOutbound = db.prepare<[string, string | null], { id: string; status: DeliveryStatus }>(
    `SELECT id, status FROM messages WHERE direction = 'outbound'
       AND (wamid = ? OR (wamid IS NULL AND biz_opaque_callback_data = ?))`,
  );
  const moveOutbound = db.prepare(
    `UPDATE messages SET
       status = @status, status_at = @atMs, wamid = coalesce(wamid, @wamid),
       error_code = coalesce(@errorCode, error_code), error_message = coalesce(@errorMessage, error_message),
       sent_at = CASE WHEN @rank >= 2 AND @rank < 9 THEN coalesce(sent_at, @atMs) ELSE sent_at END,
       delivered_at = CASE WHEN @rank >= 3 AND @rank < 9 THEN coalesce(delivered_at, @atMs) ELSE delivered_at END,
       read_at = CASE WHEN @rank >= 4 AND @rank < 9 THEN coalesce(read_at, @atMs) ELSE read_at END,
       failed_at = CASE WHEN @rank = 9 THEN @atMs ELSE failed_at END,
       updated_at = @now
     WHERE id = @id AND status <> 'failed'
       AND (CASE WHEN @rank = 9 THEN ${statusRankSql('status')} < 3 ELSE ${statusRankSql('status')} < @rank END)`,
  );
  const workspaceOfConnection = db.prepare<[string], { workspace_id: string }>(
    'SELECT workspace_id FROM connections WHERE id = ?',
  );

  return {
    workspaceOfConnection(connectionId: string): string | undefined {
      return workspaceOfConnection.get(connectionId)?.workspace_id;
    },

    /** Keyed by wa_id first (it can differ from the dialled number in BR/MX, §9), then by E.164. */
    getOrCreateContact(input: {
      workspaceId: string;
      phoneE164: string;
      waId: string | null;
      name: string | null;
      source: ContactSource;
      now: number;
    }): string {
      if (input.waId) {
        const known = contactByWaId.get(input.workspaceId, input.waId);
        if (known) return known.id;
      }
      const row = upsertContact.get(
        newId(input.now),
        input.workspaceId,
        input.phoneE164,
        input.waId,
        input.name,
        input.source,
        input.now,
        input.now,
      ) as { id: string };
      return row.id;
    },

    getOrCreateConversation(
      connectionId: string,
      contactId: string,
      source: ConversationSource,
      now: number,
    ): string {
      const row = upsertConversation.get(newId(now), connectionId, contactId, source, now, now) as {
        id: string;
      };
      return row.id;
    },

    /** Moves matching outbound messages forward; returns the ids that changed. Inside a transaction. */
    applyOutboundStatus(
      change: {
        wamid: string;
        callbackData: string | undefined;
        status: DeliveryStatus;
        rank: number;
        atMs: number;
        errorCode: number | null;
        errorMessage: string | null;
      },
      now: number,
    ): string[] {
      const changed: string[] = [];
      for (const row of findOutbound.all(change.wamid, change.callbackData ?? null)) {
        const { changes } = moveOutbound.run({
          id: row.id,
          status: change.status,
          rank: change.rank,
          atMs: change.atMs,
          wamid: change.wamid,
          errorCode: change.errorCode,
          errorMessage: change.errorMessage,
          now,
        });
        if (changes > 0) changed.push(row.id);
      }
      return changed;
    },

    /** False when this wamid was stored before (a duplicate webhook): nothing changes then. */
    insertInboundMessage(message: InboundMessageRow, now: number): boolean {
      const { changes } = insertInbound.run({ ...message, now });
      if (changes === 0) return false;
      touchOnInbound.run({
        conversationId: message.conversationId,
        waTimestampMs: message.waTimestampMs,
        preview: message.preview,
        now,
      });
      return true;
    },
  };
}

export type ConversationsRepo = ReturnType<typeof createConversationsRepo>;
