// The inbox: the conversation list (newest first, keyset-paged, filters and search), a thread's messages
// (paged, newest first), read receipts, close / reopen and the per-conversation bot pause.
import type { ConversationView, MessageView } from '../../src-preload/messaging.contract';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import type { Logger } from '../log';
import type { WhatsAppClient } from '../whatsapp/client';
import { toCampaignMessageView } from './campaignMessages';
import type {
  CampaignThreadRow,
  ConversationFilter,
  ConversationRow,
  ConversationsRepo,
  MessageRow,
} from './conversations.repo';
import { toConversationView, toMessageView } from './messages.service';
import { templateMessageText } from './templateText';

export interface ConversationsServiceOptions {
  repo: ConversationsRepo;
  events: EventBus;
  log: Logger;
  now: () => number;
  clientFor(connectionId: string): WhatsAppClient;
  /** The workspace whose conversations an unscoped list shows. */
  currentWorkspaceId(): string | null;
}

interface Cursor {
  at: number;
  id: string;
}

function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): Cursor | null {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // Reported below.
  }
  throw new AppError('BAD_REQUEST', 'That page cursor is not valid; reload the list.');
}

/** Newest first by (createdAt, id), the order of the thread statements (ids compare as SQLite's BINARY). */
const newestFirst = (a: MessageView, b: MessageView): number =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function createConversationsService(options: ConversationsServiceOptions) {
  const { repo, events, log, now } = options;

  /**
   * A thread's messages: the conversation's own rows merged with the campaign messages sent to its contact
   * from its number, in one (createdAt, id) order, so a page cursor is the last item whichever table it
   * came from. Each side reads at most one page through its index; the merge keeps the newest of both.
   */
  const threadSource = (conversation: ConversationRow) => {
    const templateTexts = new Map<string, string | null>();
    const view = (row: MessageRow): MessageView => {
      const message = toMessageView(row);
      if (row.type !== 'template') return message;
      const sent = (
        message.body as { template?: { name?: unknown; language?: { code?: unknown }; components?: unknown } }
      ).template;
      const name = typeof sent?.name === 'string' ? sent.name : '';
      const language = typeof sent?.language?.code === 'string' ? sent.language.code : '';
      const key = `${name}\u0000${language}`;
      if (!templateTexts.has(key)) {
        templateTexts.set(key, repo.templateComponents(conversation.connection_id, name, language));
      }
      return { ...message, text: templateMessageText(templateTexts.get(key) ?? null, sent) };
    };
    const campaignView = (row: CampaignThreadRow) => toCampaignMessageView(row, conversation.id);
    const { contact_id: contactId, connection_id: connectionId } = conversation;
    return {
      view,
      older(cursor: Cursor | null, limit: number): MessageView[] {
        const own = repo.thread(conversation.id, cursor, limit).map(view);
        const sent = repo.campaignThread(contactId, connectionId, cursor, limit).map(campaignView);
        return [...own, ...sent].sort(newestFirst).slice(0, limit);
      },
      /** Oldest first. */
      newer(after: Cursor, limit: number): MessageView[] {
        const own = repo.newerThan(conversation.id, after, limit).map(view);
        const sent = repo.campaignNewerThan(contactId, connectionId, after, limit).map(campaignView);
        return [...own, ...sent].sort((a, b) => newestFirst(b, a)).slice(0, limit);
      },
    };
  };

  const requireConversation = (conversationId: string): ConversationRow => {
    const row = repo.conversationById(conversationId);
    if (!row) throw new AppError('NOT_FOUND', 'That conversation no longer exists.');
    return row;
  };

  const changed = (conversationId: string): ConversationView => {
    events.emit('conversations:changed', { conversationIds: [conversationId] });
    return toConversationView(requireConversation(conversationId));
  };

  return {
    list(request: {
      connectionId?: string | undefined;
      filter: ConversationFilter;
      search?: string | undefined;
      cursor?: string | undefined;
      limit: number;
    }): { items: ConversationView[]; nextCursor: string | null } {
      const workspaceId = request.connectionId === undefined ? options.currentWorkspaceId() : null;
      if (request.connectionId === undefined && workspaceId === null) return { items: [], nextCursor: null };
      const rows = repo.listConversations({
        connectionId: request.connectionId ?? null,
        workspaceId,
        filter: request.filter,
        search: request.search ? request.search : null,
        cursor: decodeCursor(request.cursor),
        limit: request.limit + 1,
      });
      const page = rows.slice(0, request.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toConversationView),
        nextCursor:
          rows.length > request.limit && last?.last_message_at != null
            ? encodeCursor(last.last_message_at, last.id)
            : null,
      };
    },

    thread(request: {
      conversationId: string;
      cursor?: string | undefined;
      aroundMessageId?: string | undefined;
      limit: number;
    }): {
      conversation: ConversationView;
      items: MessageView[];
      nextCursor: string | null;
      hasNewer: boolean;
    } {
      const conversation = requireConversation(request.conversationId);
      const source = threadSource(conversation);
      let newer: MessageView[] = [];
      let hasNewer = false;
      let olderFrom = decodeCursor(request.cursor);
      let limit = request.limit;
      if (request.aroundMessageId !== undefined) {
        // A search result: the message itself, up to half a page of newer ones, the rest older.
        const target = repo.messageById(request.aroundMessageId);
        if (!target || target.conversation_id !== request.conversationId) {
          throw new AppError('NOT_FOUND', 'That message is not in this conversation any more.');
        }
        const wantNewer = Math.floor(request.limit / 2);
        const after = source.newer({ at: target.created_at, id: target.id }, wantNewer + 1);
        hasNewer = after.length > wantNewer;
        newer = [...after.slice(0, wantNewer).reverse(), source.view(target)];
        olderFrom = { at: target.created_at, id: target.id };
        limit = Math.max(0, request.limit - newer.length);
      }
      const rows = limit > 0 ? source.older(olderFrom, limit + 1) : [];
      const page = [...newer, ...rows.slice(0, limit)];
      const last = page[page.length - 1];
      const moreOlder = limit > 0 ? rows.length > limit : source.older(olderFrom, 1).length > 0;
      return {
        conversation: toConversationView(conversation),
        items: page,
        nextCursor: moreOlder && last ? encodeCursor(last.createdAt, last.id) : null,
        hasNewer,
      };
    },

    /** Unread conversations and messages of the current workspace (window title, dock badge). */
    unreadSummary(): { conversations: number; messages: number } {
      const workspaceId = options.currentWorkspaceId();
      return workspaceId === null ? { conversations: 0, messages: 0 } : repo.unreadSummary(workspaceId);
    },

    /**
     * Zeroes the unread count and sends a read receipt for the latest inbound message (§2: it marks the
     * earlier ones read too). The receipt is best-effort: the count is local and changes either way.
     */
    async markRead(
      conversationId: string,
    ): Promise<{ conversation: ConversationView; receipt: 'sent' | 'failed' | 'none' }> {
      const conversation = requireConversation(conversationId);
      const hadUnread = repo.zeroUnread(conversationId, now());
      const wamid = repo.latestInboundWamid(conversationId);
      let receipt: 'sent' | 'failed' | 'none' = 'none';
      if (hadUnread && wamid !== undefined) {
        try {
          const result = await options.clientFor(conversation.connection_id).markRead(wamid);
          receipt = result.ok ? 'sent' : 'failed';
          if (!result.ok)
            log.warn('conversations: read receipt failed', { conversationId, error: result.error.message });
        } catch (error) {
          receipt = 'failed';
          log.warn('conversations: read receipt failed', { conversationId, error });
        }
      }
      return { conversation: changed(conversationId), receipt };
    },

    setStatus(conversationId: string, status: 'open' | 'closed'): ConversationView {
      requireConversation(conversationId);
      repo.setStatus(conversationId, status, now());
      return changed(conversationId);
    },

    setBotPaused(conversationId: string, paused: boolean): ConversationView {
      requireConversation(conversationId);
      repo.setBotPaused(conversationId, paused, now());
      return changed(conversationId);
    },
  };
}

export type ConversationsService = ReturnType<typeof createConversationsService>;
