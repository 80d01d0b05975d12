// Inbound media is downloaded in the background into the data folder (issue 5): Meta keeps webhook
// media ids downloadable for 7 days only (§8), so the app keeps its own copy. A transient failure is
// retried by the queue with backoff; a permanent one (the media is gone, 131052) is dead-lettered with
// its reason and the message stays visible without its file.
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import type { JobQueue } from '../queue/runner';
import { deadLetter, retry, retryAt } from '../queue/types';
import type { WhatsAppClient } from '../whatsapp/client';

export const mediaDownloadJobType = 'webhooks.download-media';

const payloadSchema = z.object({
  messageId: z.string().min(1),
  connectionId: z.string().min(1),
  mediaId: z.string().min(1),
});

const extensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/mp4': 'm4a',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

export function registerMediaDownload(options: {
  queue: JobQueue;
  db: Db;
  dataDir: string;
  clientFor(connectionId: string): WhatsAppClient;
  /** Told when a file is saved, so an open thread swaps "Downloading…" for the file. */
  events?: EventBus;
  now?: () => number;
}): void {
  const now = options.now ?? Date.now;
  const mediaDir = join(options.dataDir, 'media');
  const setPath = options.db.prepare<[string, number, string]>(
    'UPDATE messages SET media_path = ?, updated_at = ? WHERE id = ?',
  );
  options.queue.register(mediaDownloadJobType, {
    queue: 'default',
    schema: payloadSchema,
    maxAttempts: 8,
    handler: async ({ messageId, connectionId, mediaId }, ctx) => {
      const result = await options.clientFor(connectionId).downloadMedia(mediaId, ctx.signal);
      if (!result.ok) {
        const { error } = result;
        if (error.kind === 'RATE_LIMITED')
          return retryAt(now() + (error.retryAfterMs ?? 60_000), error.advice);
        if (error.retry === 'never') return deadLetter(`${error.advice} (${error.message})`);
        return retry(error.message, error.retryAfterMs);
      }
      mkdirSync(mediaDir, { recursive: true });
      const name = `${messageId}.${extensions[result.value.mimeType.split(';')[0]!.trim()] ?? 'bin'}`;
      // Written beside, then renamed: a crash never leaves a half file under the final name.
      const temp = join(mediaDir, `.${name}.${randomUUID()}.part`);
      writeFileSync(temp, result.value.data);
      renameSync(temp, join(mediaDir, name));
      setPath.run(join('media', name), now(), messageId);
      // The thread refreshes on this event for any of its rows; without it a bubble opened before the
      // download finished said "Downloading from WhatsApp…" until the thread was reopened.
      options.events?.emit('messages:status-changed', { messageIds: [messageId] });
    },
  });
}
