// Sizes and kinds the renderer needs at first paint, kept free of zod so importing them does not pull
// the contract's schemas into the renderer's first bundle (startup_first_paint_ms). The contract files
// re-export them.

/** Upload chunk size the renderer should use (bytes, before base64). */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** §8: Meta's largest attachment (a document). */
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;

/** §8: what each kind of attachment may weigh, by MIME type. */
export const attachmentKinds = [
  { kind: 'image', mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * 1024 * 1024 },
  { kind: 'video', mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * 1024 * 1024 },
  {
    kind: 'audio',
    mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
    maxBytes: 16 * 1024 * 1024,
  },
  { kind: 'sticker', mimeTypes: ['image/webp'], maxBytes: 500 * 1024 },
  {
    kind: 'document',
    mimeTypes: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: MAX_ATTACHMENT_BYTES,
  },
] as const;
export type AttachmentKind = (typeof attachmentKinds)[number]['kind'];

export function attachmentKindOf(mimeType: string): (typeof attachmentKinds)[number] | undefined {
  const bare = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  return attachmentKinds.find((k) => (k.mimeTypes as readonly string[]).includes(bare));
}

/** Around each matching word in a search snippet (turned into <mark> by the renderer, never HTML). */
export const SNIPPET_MARK_START = '\u0002';
export const SNIPPET_MARK_END = '\u0003';
