// Binds the inbox channels of the contract (conversations and sending) to the services. Payloads are
// already validated by the router; refusals (OUTSIDE_24H_WINDOW, CONTACT_OPTED_OUT ...) are AppErrors.
import type { Handlers } from '../ipc/router';
import type { ConversationsService } from './conversations.service';
import type { MessagesService } from './messages.service';

export function bindConversations(
  conversations: ConversationsService,
  messages: MessagesService,
): Partial<Handlers> {
  return {
    'messages:send': (request) => messages.send(request),
    'messages:send-template-to-number': (request) => messages.sendTemplateToNumber(request),
    'conversations:list': (request) => conversations.list(request),
    'conversations:thread': (request) => conversations.thread(request),
    'conversations:mark-read': ({ conversationId }) => conversations.markRead(conversationId),
    'conversations:set-status': ({ conversationId, status }) =>
      conversations.setStatus(conversationId, status),
    'conversations:set-bot-paused': ({ conversationId, paused }) =>
      conversations.setBotPaused(conversationId, paused),
  };
}
