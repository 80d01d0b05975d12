// Binds the inbox's own channels (search, unread summary, quick replies, attachments) to the services.
// Payloads are already validated by the router against inbox.contract.ts.
import type { Handlers } from '../ipc/router';
import type { ConversationsService } from './conversations.service';
import type { InboxService } from './inbox.service';

export function bindInbox(inbox: InboxService, conversations: ConversationsService): Partial<Handlers> {
  return {
    'messages:search': (request) => inbox.search(request),
    'conversations:unread-summary': () => conversations.unreadSummary(),
    'quickReplies:list': () => inbox.listQuickReplies(),
    'quickReplies:save': (request) => inbox.saveQuickReply(request),
    'quickReplies:delete': ({ id }) => inbox.deleteQuickReply(id),
    'media:upload-begin': ({ fileName, mimeType, size }) => inbox.uploadBegin(fileName, mimeType, size),
    'media:upload-chunk': ({ uploadId, offset, data }) => inbox.uploadChunk(uploadId, offset, data),
    'messages:send-media': (request) => inbox.sendMedia(request),
    'media:upload-template-header': (request) => inbox.uploadTemplateHeader(request),
    'media:upload-template-example': (request) => inbox.uploadTemplateExample(request),
    'messages:media': ({ messageId }) => inbox.readMedia(messageId),
  };
}
