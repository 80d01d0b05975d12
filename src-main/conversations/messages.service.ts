// The single send point for outbound messages (inbox, chatbots, one-off template sends). Seed §5:
// every compose carries a client id; the message row ('pending', UNIQUE client_id, INSERT ... ON CONFLICT
// DO NOTHING) and its `messages.send` job commit in ONE transaction, so a double click, a UI retry or
// concurrent calls with the same client id give one row and one job, hence one API call. The rules a
// send must pass are checked here, once, for every caller:
// - outside the 24 h customer-service window only templates go (§7): anything else is refused up front
//   with OUTSIDE_24H_WINDOW rather than queued to fail with 131047;
// - opted-out contacts get no template (templates are how marketing goes out, §7 opt-in); replies inside
//   the window, such as a chatbot's opt-out confirmation, still go;
// - template variables are checked against the synced template (§10).
// Everything here is synchronous SQLite work, so callers may run it inside their own transaction.
import type {
  ConversationView,
  MessageContent,
  MessageView,
  SendMessageRequest,
  SendTemplateToNumberRequest,
} from '../../src-preload/messaging.contract';
import { normalisePhone } from '../contacts/phone/normalisePhone';
import { newId } from '../db/ids';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import type { JobQueue } from '../queue/runner';
import { normaliseLanguage } from '../templates/templates.service';
import type { TemplatesRepo } from '../templates/templates.repo';
import { describeErrorCode } from '../whatsapp/errors';
import type { OutboundContent } from '../whatsapp/types';
import {
  createConversationsRepo,
  type ConversationRow,
  type ConversationsRepo,
  type MessageRow,
  type NewOutboundMessage,
} from './conversations.repo';
import { buildTemplateMessage, checkTemplateParams, previewOf, toOutboundContent } from './messageContent';

export const sendJobType = 'messages.send';
export const WINDOW_MS = 24 * 60 * 60_000;

export function sendJobKey(clientId: string): string {
  return `${sendJobType}:${clientId}`;
}

export function toMessageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    direction: row.direction,
    origin: row.origin,
    type: row.type,
    body: JSON.parse(row.body) as unknown,
    status: row.status as MessageView['status'],
    clientId: row.client_id,
    wamid: row.wamid,
    contextWamid: row.context_wamid,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    advice: row.error_code !== null ? describeErrorCode(row.error_code).advice : null,
    mediaPath: row.media_path,
    waTimestamp: row.wa_timestamp,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    readAt: row.read_at,
    failedAt: row.failed_at,
    text: null,
    campaign: null,
  };
}

export function toConversationView(row: ConversationRow): ConversationView {
  return {
    id: row.id,
    connectionId: row.connection_id,
    contact: {
      id: row.contact_id,
      name: row.contact_name,
      phone: row.phone_e164,
      optedOut: row.opted_out_at !== null,
    },
    status: row.status,
    lastInboundAt: row.last_inbound_at,
    windowEndsAt: row.last_inbound_at !== null ? row.last_inbound_at + WINDOW_MS : null,
    lastMessageAt: row.last_message_at,
    lastMessagePreview: row.last_message_preview,
    unreadCount: row.unread_count,
    botPaused: row.bot_paused === 1,
    source: row.source,
    handoffRequestedAt: row.handoff_requested_at,
  };
}

export interface MessagesServiceOptions {
  db: Db;
  queue: JobQueue;
  events: EventBus;
  templates: TemplatesRepo;
  now: () => number;
  repo?: ConversationsRepo;
}

export type SendOrigin = NewOutboundMessage['origin'];

export interface SendInput extends SendMessageRequest {
  /** Who composed it; the inbox is 'agent' (the default), the chatbot engine 'bot'. */
  origin?: SendOrigin;
}

export function createMessagesService(options: MessagesServiceOptions) {
  const { db, queue, events, now } = options;
  const repo = options.repo ?? createConversationsRepo(db);

  /** The existing row of a client id, if it belongs to this conversation; CONFLICT if it does not. */
  function existing(clientId: string, conversationId: string | null): MessageRow | undefined {
    const row = repo.messageByClientId(clientId);
    if (!row) return undefined;
    if (conversationId !== null && row.conversation_id !== conversationId) {
      throw new AppError(
        'CONFLICT',
        'This client id was already used for a message in another conversation.',
      );
    }
    return row;
  }

  function requireConnection(connectionId: string): string {
    const connection = repo.connectionStatus(connectionId);
    if (!connection) throw new AppError('NOT_FOUND', 'That connection no longer exists.');
    return connection.workspace_id;
  }

  /** Inside a transaction: checks, then the row and its job. Returns the row and whether it is new. */
  function createInTransaction(input: {
    connectionId: string;
    conversationId: string;
    clientId: string;
    content: MessageContent;
    replyToMessageId: string | undefined;
    origin: SendOrigin;
  }): { row: MessageRow; created: boolean } {
    const at = now();
    const conversation = repo.conversationForSend(input.conversationId);
    if (!conversation || conversation.connection_id !== input.connectionId) {
      throw new AppError('NOT_FOUND', 'That conversation does not exist on this connection.');
    }
    const content = input.content;
    if (content.type !== 'template') {
      const windowOpen =
        conversation.last_inbound_at !== null && at - conversation.last_inbound_at < WINDOW_MS;
      if (!windowOpen) {
        throw new AppError(
          'OUTSIDE_24H_WINDOW',
          conversation.last_inbound_at === null
            ? 'This customer has not written to you yet, so WhatsApp only allows a template message. Choose a template.'
            : 'More than 24 hours have passed since the customer last wrote, so WhatsApp only allows a template message until they reply. Choose a template.',
        );
      }
    } else if (conversation.opted_out_at !== null) {
      throw new AppError(
        'CONTACT_OPTED_OUT',
        'This contact opted out of messages from you, so templates are not sent to them.',
      );
    }

    let contextWamid: string | null = null;
    if (input.replyToMessageId !== undefined) {
      if (content.type === 'reaction')
        throw new AppError('BAD_REQUEST', 'A reaction cannot quote a message.');
      contextWamid = targetWamid(input.replyToMessageId, conversation.id, 'quote');
    }
    let outbound: OutboundContent;
    if (content.type === 'template') {
      const language = normaliseLanguage(content.template.language);
      checkTemplateParams(
        options.templates.get(input.connectionId, content.template.name, language),
        content.template.params,
      );
      outbound = {
        type: 'template',
        template: buildTemplateMessage(content.template.name, language, content.template.params),
      };
    } else {
      const reactionTarget =
        content.type === 'reaction' ? targetWamid(content.messageId, conversation.id, 'react to') : null;
      outbound = toOutboundContent(content, reactionTarget);
    }

    const id = newId(at);
    const created = repo.insertOutbound(
      {
        id,
        conversationId: conversation.id,
        origin: input.origin,
        type: outbound.type,
        body: JSON.stringify(outbound),
        clientId: input.clientId,
        contextWamid,
        preview: previewOf(outbound),
      },
      at,
    );
    if (!created) {
      // Unreachable inside one transaction after existing() found nothing, unless the caller's own
      // transaction inserted it; a failed insert must not leave the bumped counter either.
      throw new AppError('CONFLICT', 'This client id is already in use.');
    }
    queue.enqueue(sendJobType, { messageId: id }, { uniqueKey: sendJobKey(input.clientId) });
    const row = repo.messageById(id);
    if (!row) throw new Error('The new message row is missing');
    return { row, created: true };
  }

  function targetWamid(messageId: string, conversationId: string, verb: string): string {
    const target = repo.messageById(messageId);
    if (!target || target.conversation_id !== conversationId) {
      throw new AppError('NOT_FOUND', `The message to ${verb} is not in this conversation.`);
    }
    if (target.wamid === null) {
      throw new AppError(
        'BAD_REQUEST',
        `That message has not reached WhatsApp yet, so you cannot ${verb} it.`,
      );
    }
    return target.wamid;
  }

  function announce(row: MessageRow, connectionId: string): void {
    events.emit('messages:sent', { connectionId, conversationId: row.conversation_id, messageId: row.id });
    events.emit('conversations:changed', { conversationIds: [row.conversation_id] });
  }

  /**
   * Creates the message and its send job, or returns the row a previous call with the same client id
   * created. Synchronous; safe inside the caller's transaction.
   */
  function send(input: SendInput): MessageView {
    requireConnection(input.connectionId);
    const result = db
      .transaction(() => {
        let conversationId = input.conversationId ?? null;
        const found = existing(input.clientId, conversationId);
        if (found) return { row: found, created: false };
        if (conversationId === null) {
          if (input.to === undefined) throw new AppError('BAD_REQUEST', 'Give a conversation or a number.');
          const workspaceId = requireConnection(input.connectionId);
          const at = now();
          const contactId = repo.getOrCreateContact({
            workspaceId,
            phoneE164: input.to,
            waId: null,
            name: null,
            source: 'manual',
            now: at,
          });
          conversationId = repo.getOrCreateConversation(input.connectionId, contactId, 'manual', at);
        }
        return createInTransaction({
          connectionId: input.connectionId,
          conversationId,
          clientId: input.clientId,
          content: input.content,
          replyToMessageId: input.replyToMessageId,
          origin: input.origin ?? 'agent',
        });
      })
      .immediate();
    if (result.created) announce(result.row, input.connectionId);
    return toMessageView(result.row);
  }

  /**
   * Seed §6 TemplateSend: any number (normalised with libphonenumber-js), contact and conversation
   * got-or-created (source template_send) in the same transaction as the message row and its job.
   */
  function sendTemplateToNumber(request: SendTemplateToNumberRequest): {
    message: MessageView;
    conversation: ConversationView;
  } {
    const workspaceId = requireConnection(request.connectionId);
    const phone = normalisePhone(request.phone, request.defaultCountry?.toUpperCase());
    if (!phone.ok)
      throw new AppError(
        'BAD_REQUEST',
        `${phone.message}. Enter the number with its country code, like +16505551234.`,
      );
    const result = db
      .transaction(() => {
        const found = existing(request.clientId, null);
        if (found) return { row: found, created: false };
        const at = now();
        const contactId = repo.getOrCreateContact({
          workspaceId,
          phoneE164: phone.e164,
          waId: null,
          name: null,
          source: 'template_send',
          now: at,
        });
        const conversationId = repo.getOrCreateConversation(
          request.connectionId,
          contactId,
          'template_send',
          at,
        );
        return createInTransaction({
          connectionId: request.connectionId,
          conversationId,
          clientId: request.clientId,
          content: { type: 'template', template: request.template },
          replyToMessageId: undefined,
          origin: 'template_send',
        });
      })
      .immediate();
    if (result.created) announce(result.row, request.connectionId);
    const conversation = repo.conversationById(result.row.conversation_id);
    if (!conversation) throw new AppError('NOT_FOUND', 'The conversation was removed.');
    return { message: toMessageView(result.row), conversation: toConversationView(conversation) };
  }

  return { repo, send, sendTemplateToNumber };
}

export type MessagesService = ReturnType<typeof createMessagesService>;
