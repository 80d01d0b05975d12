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

/** An outbound message row with what its send job needs (issue 7). */
export interface OutboundForSend {
  id: string;
  conversation_id: string;
  connection_id: string;
  phone_e164: string;
  type: string;
  body: string;
  status: string;
  client_id: string;
  context_wamid: string | null;
  seq: number;
  send_started_at: number | null;
  created_at: number;
}

export interface ConversationForSend {
  id: string;
  connection_id: string;
  contact_id: string;
  last_inbound_at: number | null;
  phone_e164: string;
  opted_out_at: number | null;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  direction: 'inbound' | 'outbound';
  origin: string;
  type: string;
  body: string;
  status: string;
  error_code: number | null;
  error_message: string | null;
  wamid: string | null;
  client_id: string | null;
  context_wamid: string | null;
  media_path: string | null;
  wa_timestamp: number | null;
  seq: number | null;
  send_started_at: number | null;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  created_at: number;
}

export interface ConversationRow {
  id: string;
  connection_id: string;
  contact_id: string;
  status: 'open' | 'closed';
  last_inbound_at: number | null;
  last_message_at: number | null;
  last_message_preview: string | null;
  unread_count: number;
  bot_paused: number;
  source: string;
  contact_name: string | null;
  phone_e164: string;
  opted_out_at: number | null;
  /** From chatbot_conversation_state: the bot handed the conversation to a person (inbox badge). */
  handoff_requested_at: number | null;
}

/**
 * A campaign's message to the conversation's contact (campaign_messages), with what the thread shows of
 * it: the campaign, the template snapshot and the recipient's rendered parameters.
 */
export interface CampaignThreadRow {
  id: string;
  campaign_id: string;
  campaign_name: string;
  template_name: string;
  template_language: string;
  /** The synced template's components (its text); null when the template is gone. */
  template_components: string | null;
  /** The recipient's parameters (TemplateParams JSON), rendered when the audience was materialised. */
  params: string;
  status: string;
  error_code: number | null;
  error_message: string | null;
  wamid: string | null;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  created_at: number;
}

/** A recipient of a finished campaign whose message WhatsApp took, to get-or-create its conversation. */
export interface CampaignSendRow {
  contact_id: string;
  connection_id: string;
  campaign_name: string;
  template_name: string;
  template_components: string | null;
  params: string;
  created_at: number;
}

export type ConversationFilter = 'all' | 'open' | 'closed' | 'unread' | 'bot_paused';

export interface NewOutboundMessage {
  id: string;
  conversationId: string;
  origin: 'agent' | 'bot' | 'template_send' | 'system';
  type: string;
  body: string;
  clientId: string;
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

  // ---- outbound sends and the inbox (issue 7) ----
  const conversationColumns = `c.id, c.connection_id, c.contact_id, c.status, c.last_inbound_at, c.last_message_at,
       c.last_message_preview, c.unread_count, c.bot_paused, c.source, ct.name AS contact_name, ct.phone_e164,
       ct.opted_out_at,
       (SELECT handoff_requested_at FROM chatbot_conversation_state WHERE conversation_id = c.id) AS handoff_requested_at`;
  const conversationForSend = db.prepare<[string], ConversationForSend>(
    `SELECT c.id, c.connection_id, c.contact_id, c.last_inbound_at, ct.phone_e164, ct.opted_out_at
     FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = ?`,
  );
  const messageByClientId = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE client_id = ?');
  const messageById = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE id = ?');
  // The counter moves with n = n + 1 inside the creating transaction (house style), so concurrent
  // composes in one conversation get distinct positions. An outbound message also becomes the preview.
  const bumpOutbound = db.prepare<{ id: string; now: number; preview: string }, { outbound_seq: number }>(
    `UPDATE conversations SET
       outbound_seq = outbound_seq + 1,
       last_message_at = max(coalesce(last_message_at, 0), @now),
       last_message_preview = @preview,
       updated_at = @now
     WHERE id = @id RETURNING outbound_seq`,
  );
  const insertOutbound = db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, client_id,
                           biz_opaque_callback_data, context_wamid, seq, created_at, updated_at)
     VALUES (@id, @conversationId, 'outbound', @origin, @type, @body, 'pending', @clientId, @clientId,
             @contextWamid, @seq, @now, @now)
     ON CONFLICT (client_id) DO NOTHING`,
  );
  const outboundForSend = db.prepare<[string], OutboundForSend>(
    `SELECT m.id, m.conversation_id, c.connection_id, ct.phone_e164, m.type, m.body, m.status, m.client_id,
            m.context_wamid, m.seq, m.send_started_at, m.created_at
     FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
     WHERE m.id = ? AND m.direction = 'outbound'`,
  );
  const olderPending = db.prepare<[string, number], { id: string; next_attempt_at: number | null }>(
    `SELECT id, next_attempt_at FROM messages
     WHERE conversation_id = ? AND status = 'pending' AND seq < ? ORDER BY seq LIMIT 1`,
  );
  const markSendStarted = db.prepare<{ id: string; now: number }>(
    `UPDATE messages SET send_started_at = @now, next_attempt_at = NULL, updated_at = @now
     WHERE id = @id AND status = 'pending' AND send_started_at IS NULL`,
  );
  // Every settle below applies only to a row still 'pending': a status webhook may have moved it first
  // (it matches by biz_opaque_callback_data while the wamid is unknown), and forward-only wins.
  const markAccepted = db.prepare<{ id: string; wamid: string; now: number }>(
    `UPDATE messages SET status = 'accepted', status_at = @now, wamid = coalesce(wamid, @wamid), updated_at = @now
     WHERE id = @id AND status = 'pending'`,
  );
  const setWamidIfMissing = db.prepare<{ id: string; wamid: string; now: number }>(
    'UPDATE messages SET wamid = @wamid, updated_at = @now WHERE id = @id AND wamid IS NULL',
  );
  const markUnknown = db.prepare<{ id: string; message: string; now: number }>(
    `UPDATE messages SET status = 'unknown', status_at = @now, error_message = @message, updated_at = @now
     WHERE id = @id AND status = 'pending'`,
  );
  const markFailed = db.prepare<{ id: string; code: number | null; message: string; now: number }>(
    `UPDATE messages SET status = 'failed', status_at = @now, failed_at = @now, error_code = @code,
       error_message = @message, updated_at = @now
     WHERE id = @id AND status = 'pending'`,
  );
  const reschedule = db.prepare<{ id: string; at: number; message: string; now: number }>(
    `UPDATE messages SET send_started_at = NULL, next_attempt_at = @at, error_message = @message, updated_at = @now
     WHERE id = @id AND status = 'pending'`,
  );
  const conversationById = db.prepare<[string], ConversationRow>(
    `SELECT ${conversationColumns} FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = ?`,
  );
  const listWhere = `c.last_message_at IS NOT NULL
       AND (@filter <> 'open' OR c.status = 'open')
       AND (@filter <> 'closed' OR c.status = 'closed')
       AND (@filter <> 'unread' OR c.unread_count > 0)
       AND (@filter <> 'bot_paused' OR c.bot_paused = 1)
       AND (@search IS NULL OR ct.name LIKE @search ESCAPE '\\' OR ct.phone_e164 LIKE @search ESCAPE '\\'
            OR c.last_message_preview LIKE @search ESCAPE '\\')
       AND (@cursorAt IS NULL OR c.last_message_at < @cursorAt OR (c.last_message_at = @cursorAt AND c.id < @cursorId))`;
  const listByConnection = db.prepare(
    `SELECT ${conversationColumns} FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
     WHERE c.connection_id = @connectionId AND ${listWhere}
     ORDER BY c.last_message_at DESC, c.id DESC LIMIT @limit`,
  );
  const listByWorkspace = db.prepare(
    `SELECT ${conversationColumns} FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
     WHERE c.connection_id IN (SELECT id FROM connections WHERE workspace_id = @workspaceId) AND ${listWhere}
     ORDER BY c.last_message_at DESC, c.id DESC LIMIT @limit`,
  );
  const thread = db.prepare(
    `SELECT * FROM messages WHERE conversation_id = @conversationId
       AND (@cursorAt IS NULL OR created_at < @cursorAt OR (created_at = @cursorAt AND id < @cursorId))
     ORDER BY created_at DESC, id DESC LIMIT @limit`,
  );
  const latestInbound = db.prepare<[string], { wamid: string }>(
    `SELECT wamid FROM messages WHERE conversation_id = ? AND direction = 'inbound'
     ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  const zeroUnread = db.prepare<{ id: string; now: number }>(
    'UPDATE conversations SET unread_count = 0, updated_at = @now WHERE id = @id AND unread_count > 0',
  );
  const setStatus = db.prepare<{ id: string; status: string; now: number }>(
    'UPDATE conversations SET status = @status, updated_at = @now WHERE id = @id',
  );
  const setBotPaused = db.prepare<{ id: string; paused: number; now: number }>(
    'UPDATE conversations SET bot_paused = @paused, updated_at = @now WHERE id = @id',
  );
  // Resuming the bot is the person handing the conversation back: a waiting handoff is answered.
  const clearHandoff = db.prepare<{ id: string; now: number }>(
    `UPDATE chatbot_conversation_state SET handoff_requested_at = NULL, handoff_note = NULL, updated_at = @now
     WHERE conversation_id = @id AND handoff_requested_at IS NOT NULL`,
  );
  const newerThan = db.prepare(
    `SELECT * FROM messages WHERE conversation_id = @conversationId
       AND (created_at > @at OR (created_at = @at AND id > @id))
     ORDER BY created_at ASC, id ASC LIMIT @limit`,
  );
  // A conversation's campaign messages: its contact's recipients of campaigns sent from its number. Read
  // through campaign_recipients_contact and campaign_messages' UNIQUE(campaign_recipient_id); a contact
  // gets one row per campaign, so the sort is over a handful of rows.
  const campaignThreadColumns = `cm.id, cm.campaign_id, k.name AS campaign_name, k.template_name,
       k.template_language, t.components AS template_components, r.params, cm.status, cm.error_code,
       cm.error_message, cm.wamid, cm.sent_at, cm.delivered_at, cm.read_at, cm.failed_at, cm.created_at`;
  const campaignThreadFrom = `campaign_recipients r
       JOIN campaign_messages cm ON cm.campaign_recipient_id = r.id
       JOIN campaigns k ON k.id = r.campaign_id
       LEFT JOIN templates t ON t.id = k.template_id
     WHERE r.contact_id = @contactId AND k.connection_id = @connectionId`;
  const campaignThread = db.prepare(
    `SELECT ${campaignThreadColumns} FROM ${campaignThreadFrom}
       AND (@cursorAt IS NULL OR cm.created_at < @cursorAt OR (cm.created_at = @cursorAt AND cm.id < @cursorId))
     ORDER BY cm.created_at DESC, cm.id DESC LIMIT @limit`,
  );
  const campaignNewerThan = db.prepare(
    `SELECT ${campaignThreadColumns} FROM ${campaignThreadFrom}
       AND (cm.created_at > @at OR (cm.created_at = @at AND cm.id > @id))
     ORDER BY cm.created_at ASC, cm.id ASC LIMIT @limit`,
  );
  const templateComponents = db
    .prepare<[string, string, string], string>(
      'SELECT components FROM templates WHERE connection_id = ? AND name = ? AND language = ?',
    )
    .pluck();
  // Get-or-create (seed §6), never check-then-insert: a reply's webhook may create the same conversation
  // at any moment. The campaign message becomes the preview only if nothing newer is in the thread.
  const upsertFromCampaign = db.prepare<
    {
      id: string;
      connectionId: string;
      contactId: string;
      at: number;
      preview: string;
      now: number;
    },
    { id: string }
  >(
    `INSERT INTO conversations (id, connection_id, contact_id, source, last_message_at, last_message_preview,
                                created_at, updated_at)
     VALUES (@id, @connectionId, @contactId, 'campaign', @at, @preview, @now, @now)
     ON CONFLICT (connection_id, contact_id) DO UPDATE SET
       last_message_preview = CASE WHEN excluded.last_message_at >= coalesce(conversations.last_message_at, 0)
         THEN excluded.last_message_preview ELSE conversations.last_message_preview END,
       last_message_at = max(coalesce(conversations.last_message_at, 0), excluded.last_message_at),
       updated_at = excluded.updated_at
     RETURNING id`,
  );
  const unreadSummary = db.prepare<{ workspaceId: string }, { conversations: number; messages: number }>(
    `SELECT count(*) AS conversations, coalesce(sum(unread_count), 0) AS messages FROM conversations
     WHERE unread_count > 0 AND connection_id IN (SELECT id FROM connections WHERE workspace_id = @workspaceId)`,
  );
  const connectionStatus = db.prepare<[string], { status: string; workspace_id: string }>(
    'SELECT status, workspace_id FROM connections WHERE id = ?',
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
    connectionStatus(connectionId: string): { status: string; workspace_id: string } | undefined {
      return connectionStatus.get(connectionId);
    },

    conversationForSend(conversationId: string): ConversationForSend | undefined {
      return conversationForSend.get(conversationId);
    },

    messageByClientId(clientId: string): MessageRow | undefined {
      return messageByClientId.get(clientId);
    },

    messageById(id: string): MessageRow | undefined {
      return messageById.get(id);
    },

    /**
     * Inside the caller's transaction: the row with status 'pending' at the conversation's next position.
     * Returns false when the client id is taken (the caller then returns the existing row).
     */
    insertOutbound(message: NewOutboundMessage, now: number): boolean {
      const bumped = bumpOutbound.get({ id: message.conversationId, now, preview: message.preview });
      if (!bumped) throw new Error(`Conversation ${message.conversationId} is missing`);
      const { changes } = insertOutbound.run({ ...message, seq: bumped.outbound_seq, now });
      return changes > 0;
    },

    outboundForSend(messageId: string): OutboundForSend | undefined {
      return outboundForSend.get(messageId);
    },

    /** The oldest message of the conversation still waiting to go before position `seq`. */
    olderPending(
      conversationId: string,
      seq: number,
    ): { id: string; next_attempt_at: number | null } | undefined {
      return olderPending.get(conversationId, seq);
    },

    /** Claims the send: false when another run already started it or it is no longer pending. */
    markSendStarted(id: string, now: number): boolean {
      return markSendStarted.run({ id, now }).changes > 0;
    },

    markAccepted(id: string, wamid: string, now: number): boolean {
      const moved = markAccepted.run({ id, wamid, now }).changes > 0;
      // A webhook that got there first matched by callback data and may have set the wamid already.
      if (!moved) setWamidIfMissing.run({ id, wamid, now });
      return moved;
    },

    markUnknown(id: string, message: string, now: number): boolean {
      return markUnknown.run({ id, message, now }).changes > 0;
    },

    markFailed(id: string, code: number | null, message: string, now: number): boolean {
      return markFailed.run({ id, code, message, now }).changes > 0;
    },

    /** Back to waiting (nothing was sent), to be tried at `at`. */
    reschedule(id: string, at: number, message: string, now: number): boolean {
      return reschedule.run({ id, at, message, now }).changes > 0;
    },

    conversationById(id: string): ConversationRow | undefined {
      return conversationById.get(id);
    },

    listConversations(query: {
      connectionId: string | null;
      workspaceId: string | null;
      filter: ConversationFilter;
      search: string | null;
      cursor: { at: number; id: string } | null;
      limit: number;
    }): ConversationRow[] {
      const params = {
        connectionId: query.connectionId,
        workspaceId: query.workspaceId,
        filter: query.filter,
        search: query.search ? `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
        cursorAt: query.cursor?.at ?? null,
        cursorId: query.cursor?.id ?? '',
        limit: query.limit,
      };
      const statement = query.connectionId !== null ? listByConnection : listByWorkspace;
      return statement.all(params) as ConversationRow[];
    },

    thread(conversationId: string, cursor: { at: number; id: string } | null, limit: number): MessageRow[] {
      return thread.all({
        conversationId,
        cursorAt: cursor?.at ?? null,
        cursorId: cursor?.id ?? '',
        limit,
      }) as MessageRow[];
    },

    latestInboundWamid(conversationId: string): string | undefined {
      return latestInbound.get(conversationId)?.wamid;
    },

    zeroUnread(id: string, now: number): boolean {
      return zeroUnread.run({ id, now }).changes > 0;
    },

    setStatus(id: string, status: 'open' | 'closed', now: number): boolean {
      return setStatus.run({ id, status, now }).changes > 0;
    },

    setBotPaused(id: string, paused: boolean, now: number): boolean {
      return db
        .transaction(() => {
          const changed = setBotPaused.run({ id, paused: paused ? 1 : 0, now }).changes > 0;
          if (!paused) clearHandoff.run({ id, now });
          return changed;
        })
        .immediate();
    },

    /** Up to `limit` messages after (created_at, id), oldest first. */
    newerThan(conversationId: string, after: { at: number; id: string }, limit: number): MessageRow[] {
      return newerThan.all({ conversationId, at: after.at, id: after.id, limit }) as MessageRow[];
    },

    /** The contact's campaign messages from this number before `cursor`, newest first. */
    campaignThread(
      contactId: string,
      connectionId: string,
      cursor: { at: number; id: string } | null,
      limit: number,
    ): CampaignThreadRow[] {
      return campaignThread.all({
        contactId,
        connectionId,
        cursorAt: cursor?.at ?? null,
        cursorId: cursor?.id ?? '',
        limit,
      }) as CampaignThreadRow[];
    },

    /** Up to `limit` of the contact's campaign messages after (created_at, id), oldest first. */
    campaignNewerThan(
      contactId: string,
      connectionId: string,
      after: { at: number; id: string },
      limit: number,
    ): CampaignThreadRow[] {
      return campaignNewerThan.all({
        contactId,
        connectionId,
        at: after.at,
        id: after.id,
        limit,
      }) as CampaignThreadRow[];
    },

    templateComponents(connectionId: string, name: string, language: string): string | null {
      return templateComponents.get(connectionId, name, language) ?? null;
    },

    /** Inside the caller's transaction: the contact's conversation, created or brought up to the send. */
    upsertFromCampaign(
      row: { connectionId: string; contactId: string; at: number; preview: string },
      now: number,
    ): string {
      return upsertFromCampaign.get({ ...row, id: newId(now), now })!.id;
    },

    unreadSummary(workspaceId: string): { conversations: number; messages: number } {
      return unreadSummary.get({ workspaceId }) ?? { conversations: 0, messages: 0 };
    },
  };
}

export type ConversationsRepo = ReturnType<typeof createConversationsRepo>;
