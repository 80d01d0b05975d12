// Inbox services beyond the thread: full-text search, quick replies, and attachments.
//
// Attachments (whatsapp-cloud-api.md §8): the file reaches main in base64 chunks (the contacts import's
// UploadStore, in its own folder), is uploaded to the connection's `POST /{pnid}/media`, then sent by id
// through the single send point with the compose's client id. A retry with the same client id returns
// the message already created and uploads nothing; two concurrent calls with one client id share one
// upload. The file is kept beside inbound media so the thread can show what was sent.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { UploadState } from '../../src-preload/contacts.contract';
import {
  attachmentKindOf,
  MAX_MEDIA_READ_BYTES,
  type MessageSearchHit,
  type QuickReply,
  type StoredMedia,
} from '../../src-preload/inbox.contract';
import type { MessageView } from '../../src-preload/messaging.contract';
import { UploadStore } from '../contacts/contacts.uploads';
import { newId } from '../db/ids';
import { AppError } from '../ipc/errors';
import type { Logger } from '../log';
import type { WhatsAppClient } from '../whatsapp/client';
import type { WhatsAppError } from '../whatsapp/errors';
import type { ConversationsRepo } from './conversations.repo';
import type { InboxRepo, QuickReplyRow } from './inbox.repo';
import { toMessageView, WINDOW_MS, type MessagesService } from './messages.service';

/** A staged attachment to send into a conversation (the composer's media message). */
interface MediaSendRequest {
  connectionId: string;
  conversationId: string;
  clientId: string;
  uploadId: string;
  caption?: string | undefined;
  replyToMessageId?: string | undefined;
}

export interface InboxServiceOptions {
  repo: InboxRepo;
  conversations: ConversationsRepo;
  messages: MessagesService;
  log: Logger;
  now: () => number;
  /** The data folder: uploads go to `<dataDir>/media-uploads`, kept media to `<dataDir>/media`. */
  dataDir: string;
  clientFor(connectionId: string): WhatsAppClient;
  currentWorkspaceId(): string | null;
}

/**
 * The user's words as an FTS5 query: every word must match; the last one as a prefix, since it may still
 * be being typed ("deliv" finds "delivery"), the others as whole words (an FTS5 prefix query merges the
 * lists of every matching term, so whole words are much cheaper on a big index). Words are quoted, so
 * FTS5 operators typed by the user (AND, NEAR, *, ^, column filters) are plain text.
 */
export function ftsQueryOf(input: string): string | null {
  const words = (input.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
  if (words.length === 0) return null;
  return words.map((w, i) => (i === words.length - 1 ? `"${w}"*` : `"${w}"`)).join(' ');
}

const mimeByExtension: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.3gp': 'video/3gpp',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.aac': 'audio/aac',
  '.amr': 'audio/amr',
  '.m4a': 'audio/mp4',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
};

const extensionByMime: Record<string, string> = Object.fromEntries(
  Object.entries(mimeByExtension).map(([ext, mime]) => [mime, ext]),
);

function toQuickReply(row: QuickReplyRow): QuickReply {
  return { id: row.id, shortcut: row.shortcut, text: row.text, updatedAt: row.updated_at };
}

export function createInboxService(options: InboxServiceOptions) {
  const { repo, conversations, messages, log, now } = options;
  const uploads = new UploadStore(join(options.dataDir, 'media-uploads'), now);
  const mediaDir = resolve(options.dataDir, 'media');
  /** What each upload is, by upload id (UploadStore keeps names and bytes, not types). */
  const uploadTypes = new Map<string, string>();
  /** Sends in flight per client id: a double click shares the first call's upload. */
  const sending = new Map<string, Promise<MessageView>>();

  const workspace = (): string => {
    const id = options.currentWorkspaceId();
    if (id === null) throw new AppError('NOT_FOUND', 'Create a workspace first.');
    return id;
  };

  /** Uploads a staged file to the connection's `POST /{pnid}/media` (§8); the id sends it. */
  async function uploadStagedMedia(
    connectionId: string,
    session: { path: string; fileName: string },
    mimeType: string,
  ): Promise<{ id: string }> {
    const data = await readFile(session.path);
    const uploaded = await options.clientFor(connectionId).uploadMedia({
      data,
      mimeType,
      filename: session.fileName,
    });
    if (!uploaded.ok) throw whatsAppRefused('inbox: media upload failed', uploaded.error);
    return uploaded.value;
  }

  function whatsAppRefused(what: string, error: WhatsAppError): AppError {
    log.warn(what, { code: error.code, kind: error.kind });
    return new AppError(
      error.kind === 'RATE_LIMITED' || error.kind === 'PAIR_RATE_LIMITED' ? 'RATE_LIMITED' : 'UNAVAILABLE',
      `WhatsApp did not take the file: ${error.advice}`,
    );
  }

  /** The staged upload and its type, or an error that says to attach the file again. */
  function stagedAttachment(uploadId: string): {
    session: ReturnType<UploadStore['completed']>;
    mimeType: string;
    kind: NonNullable<ReturnType<typeof attachmentKindOf>>;
  } {
    const session = uploads.completed(uploadId);
    const mimeType = uploadTypes.get(uploadId);
    const kind = mimeType !== undefined ? attachmentKindOf(mimeType) : undefined;
    if (mimeType === undefined || kind === undefined) {
      throw new AppError('BAD_REQUEST', 'That upload is not an attachment; attach the file again.');
    }
    return { session, mimeType, kind };
  }

  async function uploadAndSend(request: MediaSendRequest): Promise<MessageView> {
    const { session, mimeType, kind } = stagedAttachment(request.uploadId);
    // Checked before uploading to Meta, so a refused message does not leave an orphan upload behind.
    // The send point checks again, atomically, when it creates the row.
    const conversation = conversations.conversationForSend(request.conversationId);
    if (!conversation || conversation.connection_id !== request.connectionId) {
      throw new AppError('NOT_FOUND', 'That conversation does not exist on this connection.');
    }
    if (conversation.last_inbound_at === null || now() - conversation.last_inbound_at >= WINDOW_MS) {
      throw new AppError(
        'OUTSIDE_24H_WINDOW',
        'More than 24 hours have passed since the customer last wrote (or they never did), so WhatsApp only allows a template message. Choose a template.',
      );
    }
    const uploaded = await uploadStagedMedia(request.connectionId, session, mimeType);
    const caption = request.caption?.trim();
    const message = messages.send({
      connectionId: request.connectionId,
      conversationId: request.conversationId,
      clientId: request.clientId,
      content: {
        type: kind.kind,
        mediaId: uploaded.id,
        ...(caption && kind.kind !== 'audio' && kind.kind !== 'sticker' ? { caption } : {}),
        ...(kind.kind === 'document' ? { filename: session.fileName } : {}),
      },
      ...(request.replyToMessageId !== undefined ? { replyToMessageId: request.replyToMessageId } : {}),
    });
    // Our own copy, so the thread shows the picture that went out.
    try {
      await mkdir(mediaDir, { recursive: true });
      const extension = extensionByMime[mimeType] ?? (extname(session.fileName) || '.bin');
      const name = `${message.id}${extension}`;
      await copyFile(session.path, join(mediaDir, name));
      repo.setMediaPath(message.id, join('media', name), now());
    } catch (error) {
      log.warn('inbox: could not keep a copy of a sent attachment', { messageId: message.id, error });
    }
    await uploads.discard(request.uploadId);
    uploadTypes.delete(request.uploadId);
    const row = conversations.messageById(message.id);
    return row ? toMessageView(row) : message;
  }

  return {
    search(request: { query: string; connectionId?: string | undefined; limit: number }): {
      hits: MessageSearchHit[];
    } {
      const match = ftsQueryOf(request.query);
      if (match === null) return { hits: [] };
      const rows = repo.search({
        match,
        connectionId: request.connectionId ?? null,
        workspaceId: request.connectionId === undefined ? options.currentWorkspaceId() : null,
        limit: request.limit,
      });
      return {
        hits: rows.map((row) => ({
          messageId: row.id,
          conversationId: row.conversation_id,
          direction: row.direction,
          contact: { name: row.contact_name, phone: row.phone_e164 },
          snippet: row.snippet,
          createdAt: row.created_at,
        })),
      };
    },

    listQuickReplies(): QuickReply[] {
      const workspaceId = options.currentWorkspaceId();
      return workspaceId === null ? [] : repo.listQuickReplies(workspaceId).map(toQuickReply);
    },

    saveQuickReply(request: { id?: string | undefined; shortcut: string; text: string }): QuickReply {
      const workspaceId = workspace();
      const row = { workspaceId, shortcut: request.shortcut, text: request.text, now: now() };
      if (request.id === undefined) {
        const created = repo.insertQuickReply({ ...row, id: newId(row.now) });
        if (!created) throw new AppError('CONFLICT', `The shortcut /${request.shortcut} is already in use.`);
        return toQuickReply(created);
      }
      if (!repo.quickReplyById(request.id, workspaceId)) {
        throw new AppError('NOT_FOUND', 'That quick reply no longer exists.');
      }
      const updated = repo.updateQuickReply({ ...row, id: request.id });
      if (!updated) throw new AppError('CONFLICT', `The shortcut /${request.shortcut} is already in use.`);
      return toQuickReply(updated);
    },

    deleteQuickReply(id: string): { deleted: boolean } {
      return { deleted: repo.deleteQuickReply(id, workspace()) };
    },

    async uploadBegin(fileName: string, mimeType: string, size: number): Promise<UploadState> {
      const kind = attachmentKindOf(mimeType);
      if (!kind) {
        throw new AppError(
          'BAD_REQUEST',
          `WhatsApp cannot send ${mimeType} files. Send a photo (JPEG, PNG), a video (MP4), audio, or a PDF or Office document.`,
        );
      }
      if (size > kind.maxBytes) {
        throw new AppError(
          'BAD_REQUEST',
          `WhatsApp accepts a ${kind.kind} of at most ${Math.round(kind.maxBytes / 1024 / 1024) || 0.5} MB.`,
        );
      }
      const state = await uploads.begin(fileName, size);
      uploadTypes.set(state.uploadId, mimeType.split(';')[0]?.trim().toLowerCase() ?? mimeType);
      return state;
    },

    uploadChunk(uploadId: string, offset: number, data: string): Promise<UploadState> {
      return uploads.chunk(uploadId, offset, data);
    },

    /**
     * A template's header file for a send (§2 header parameter by media id): the staged upload goes to
     * `POST /{pnid}/media` and its id comes back; the staged copy is dropped.
     */
    async uploadTemplateHeader(request: {
      connectionId: string;
      uploadId: string;
    }): Promise<{ mediaId: string; kind: 'image' | 'video' | 'document'; fileName: string }> {
      const { session, mimeType, kind } = stagedAttachment(request.uploadId);
      if (kind.kind !== 'image' && kind.kind !== 'video' && kind.kind !== 'document') {
        throw new AppError('BAD_REQUEST', 'A template header takes a photo, a video or a document.');
      }
      const uploaded = await uploadStagedMedia(request.connectionId, session, mimeType);
      await uploads.discard(request.uploadId);
      uploadTypes.delete(request.uploadId);
      return { mediaId: uploaded.id, kind: kind.kind, fileName: session.fileName };
    },

    /**
     * The sample file a new template's IMAGE / VIDEO / DOCUMENT header needs (§5): the staged upload
     * goes through Meta's Resumable Upload API and the handle for `example.header_handle` comes back.
     */
    async uploadTemplateExample(request: {
      connectionId: string;
      uploadId: string;
    }): Promise<{ handle: string }> {
      const { session, mimeType } = stagedAttachment(request.uploadId);
      const data = await readFile(session.path);
      const uploaded = await options
        .clientFor(request.connectionId)
        .uploadTemplateExample({ fileName: session.fileName, mimeType, data });
      if (!uploaded.ok) throw whatsAppRefused('templates: example upload failed', uploaded.error);
      await uploads.discard(request.uploadId);
      uploadTypes.delete(request.uploadId);
      return uploaded.value;
    },

    async sendMedia(request: MediaSendRequest): Promise<MessageView> {
      const existing = conversations.messageByClientId(request.clientId);
      if (existing) {
        if (existing.conversation_id !== request.conversationId) {
          throw new AppError(
            'CONFLICT',
            'This client id was already used for a message in another conversation.',
          );
        }
        return toMessageView(existing);
      }
      const running = sending.get(request.clientId);
      if (running) return running;
      const run = uploadAndSend(request).finally(() => sending.delete(request.clientId));
      sending.set(request.clientId, run);
      return run;
    },

    async readMedia(messageId: string): Promise<StoredMedia> {
      const row = repo.mediaOf(messageId);
      if (!row) throw new AppError('NOT_FOUND', 'That message no longer exists.');
      if (row.media_path === null) {
        throw new AppError('NOT_FOUND', 'The file of this message has not been downloaded yet.');
      }
      const path = resolve(options.dataDir, row.media_path);
      // media_path is written by the app, but a path outside the media folder is never read.
      if (!path.startsWith(mediaDir + sep)) throw new AppError('FORBIDDEN', 'That file is not media.');
      const info = await stat(path).catch(() => undefined);
      if (!info) throw new AppError('NOT_FOUND', 'The file of this message is missing from the data folder.');
      if (info.size > MAX_MEDIA_READ_BYTES) {
        throw new AppError('BAD_REQUEST', 'The file is too large to open here; find it in the media folder.');
      }
      const body = JSON.parse(row.body) as Record<string, unknown>;
      const media = (body[row.type] ?? {}) as { mime_type?: unknown; filename?: unknown };
      const extension = extname(path).toLowerCase();
      const mimeType =
        typeof media.mime_type === 'string'
          ? media.mime_type
          : (mimeByExtension[extension] ?? 'application/octet-stream');
      const fileName = typeof media.filename === 'string' ? media.filename : `${row.type}${extension}`;
      const data = await readFile(path);
      return { mimeType, fileName, size: info.size, data: data.toString('base64') };
    },
  };
}

export type InboxService = ReturnType<typeof createInboxService>;
