// The inbox's own part of the IPC contract (spread into contract.ts): full-text message search, the
// unread summary for the window title, quick replies (`/shortcut` snippets), attachments (uploaded to
// main in chunks like contact imports, then to Meta's media endpoint, then sent by id, §8) and reading a
// message's stored media for thumbnails and downloads.
import { z } from 'zod';
import { returns, rowId } from './contractSchema';
import { MAX_ATTACHMENT_BYTES } from './transferLimits';

export {
  attachmentKindOf,
  attachmentKinds,
  MAX_ATTACHMENT_BYTES,
  SNIPPET_MARK_END,
  SNIPPET_MARK_START,
  type AttachmentKind,
} from './transferLimits';
import { UPLOAD_CHUNK_BYTES, type UploadState } from './contacts.contract';
import { clientIdSchema, type MessageView } from './messaging.contract';

export const messageSearchSchema = z
  .object({
    query: z.string().trim().min(1, 'Type something to search for.').max(200, 'The search is too long.'),
    connectionId: rowId('connection').optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();

export interface MessageSearchHit {
  messageId: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  contact: { name: string | null; phone: string };
  /** The matching words, each wrapped in U+0002 … U+0003 (the UI turns them into <mark> elements). */
  snippet: string;
  createdAt: number;
}

const shortcutSchema = z
  .string({ error: 'Give the quick reply a shortcut.' })
  .trim()
  .transform((s) => s.replace(/^\//, '').toLowerCase())
  .pipe(
    z
      .string()
      .min(1, 'Give the quick reply a shortcut.')
      .max(32, 'A shortcut can be at most 32 characters.')
      .regex(/^[a-z0-9_-]+$/, 'A shortcut is letters, digits, _ and - (typed as /shortcut).'),
  );

export const quickReplySaveSchema = z
  .object({
    /** Absent: a new quick reply. */
    id: rowId('quick reply').optional(),
    shortcut: shortcutSchema,
    text: z
      .string()
      .min(1, 'The quick reply needs some text.')
      .max(4096, 'A quick reply can be at most 4,096 characters.'),
  })
  .strict();

export interface QuickReply {
  id: string;
  shortcut: string;
  text: string;
  updatedAt: number;
}

export const mediaUploadBeginSchema = z
  .object({
    fileName: z.string().trim().min(1, 'The file needs a name.').max(240),
    mimeType: z.string().trim().min(3).max(120),
    size: z
      .number()
      .int()
      .min(1, 'The file is empty.')
      .max(MAX_ATTACHMENT_BYTES, 'WhatsApp accepts files of at most 100 MB.'),
  })
  .strict();

export const mediaUploadChunkSchema = z
  .object({
    uploadId: rowId('upload'),
    offset: z.number().int().min(0).max(MAX_ATTACHMENT_BYTES),
    /** Base64 of at most UPLOAD_CHUNK_BYTES bytes. */
    data: z
      .string()
      .min(1)
      .max(Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4 + 4),
  })
  .strict();

export const sendMediaSchema = z
  .object({
    connectionId: rowId('connection'),
    conversationId: rowId('conversation'),
    clientId: clientIdSchema,
    uploadId: rowId('upload'),
    caption: z.string().max(1024, 'A caption can be at most 1024 characters.').optional(),
    replyToMessageId: rowId('message').optional(),
  })
  .strict();

/** A staged upload (media:upload-begin/chunk) sent on to Meta for a template (§2 header, §5 example). */
export const templateMediaUploadSchema = z
  .object({ connectionId: rowId('connection'), uploadId: rowId('upload') })
  .strict();

export interface StoredMedia {
  mimeType: string;
  fileName: string;
  size: number;
  /** Base64 of the file. */
  data: string;
}

/** Thumbnails and downloads read at most this much over IPC. */
export const MAX_MEDIA_READ_BYTES = 25 * 1024 * 1024;

export const inboxContract = {
  'messages:search': {
    request: messageSearchSchema,
    response: returns<{ hits: MessageSearchHit[] }>(),
  },
  'conversations:unread-summary': {
    request: z.object({}).strict(),
    response: returns<{ conversations: number; messages: number }>(),
  },
  'quickReplies:list': { request: z.object({}).strict(), response: returns<QuickReply[]>() },
  'quickReplies:save': { request: quickReplySaveSchema, response: returns<QuickReply>() },
  'quickReplies:delete': {
    request: z.object({ id: rowId('quick reply') }).strict(),
    response: returns<{ deleted: boolean }>(),
  },
  'media:upload-begin': { request: mediaUploadBeginSchema, response: returns<UploadState>() },
  'media:upload-chunk': { request: mediaUploadChunkSchema, response: returns<UploadState>() },
  'messages:send-media': { request: sendMediaSchema, response: returns<MessageView>() },
  'media:upload-template-header': {
    request: templateMediaUploadSchema,
    response: returns<{ mediaId: string; kind: 'image' | 'video' | 'document'; fileName: string }>(),
  },
  'media:upload-template-example': {
    request: templateMediaUploadSchema,
    response: returns<{ handle: string }>(),
  },
  'messages:media': {
    request: z.object({ messageId: rowId('message') }).strict(),
    response: returns<StoredMedia>(),
  },
} as const;
