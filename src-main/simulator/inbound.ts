// Customer messages injected on demand, in every inbound shape of whatsapp-cloud-api.md §6. The caller
// gives the type-specific content; the simulator fills the id, timestamp, media ids and hashes.

export interface InboundMediaSpec {
  caption?: string;
  mime_type?: string;
  /** The bytes a later download returns; a small placeholder of the right type when absent. */
  data?: Uint8Array;
}

export interface InboundContext {
  from?: string;
  id: string;
  forwarded?: boolean;
  frequently_forwarded?: boolean;
}

interface InboundCommon {
  /** The customer's number, E.164 with or without `+`; sent on as digits (`from`, `wa_id`). */
  from: string;
  /** `contacts[].profile.name`; user-controlled and may be empty (§6). */
  profileName?: string;
  /** Epoch ms; the simulator clock when absent. */
  timestamp?: number;
  context?: InboundContext;
  referral?: Record<string, string>;
}

export type InboundSpec = InboundCommon &
  (
    | { type: 'text'; text: { body: string } }
    | { type: 'image'; image?: InboundMediaSpec }
    | { type: 'video'; video?: InboundMediaSpec }
    | { type: 'sticker'; sticker?: InboundMediaSpec & { animated?: boolean } }
    | { type: 'document'; document?: InboundMediaSpec & { filename?: string } }
    | { type: 'audio'; audio?: InboundMediaSpec & { voice?: boolean } }
    | {
        type: 'location';
        location: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
      }
    | { type: 'contacts'; contacts: Record<string, unknown>[] }
    | {
        type: 'interactive';
        interactive:
          | { type: 'button_reply'; button_reply: { id: string; title: string } }
          | { type: 'list_reply'; list_reply: { id: string; title: string; description?: string } }
          | { type: 'nfm_reply'; nfm_reply: { name?: string; body?: string; response_json: string } };
      }
    /** A template quick-reply tap: `button{payload,text}` with the template message in `context` (§6). */
    | { type: 'button'; button: { payload: string; text: string }; context: InboundContext }
    | { type: 'reaction'; reaction: { message_id: string; emoji?: string } }
    | {
        type: 'order';
        order: { catalog_id: string; text?: string; product_items: Record<string, unknown>[] };
      }
    | { type: 'system'; system: { body: string; wa_id?: string; type?: 'user_changed_number' } }
    | { type: 'unsupported' }
  );

export type InboundMediaType = 'image' | 'video' | 'sticker' | 'document' | 'audio';
export const inboundMediaTypes: readonly InboundMediaType[] = [
  'image',
  'video',
  'sticker',
  'document',
  'audio',
];

const placeholderMime: Record<InboundMediaType, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  sticker: 'image/webp',
  document: 'application/pdf',
  audio: 'audio/ogg',
};

/** Minimal byte strings that carry each placeholder type's file signature. */
function placeholderBytes(mime: string): Buffer {
  switch (mime) {
    case 'image/jpeg':
      return Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);
    case 'image/webp':
      return Buffer.concat([Buffer.from('RIFF'), Buffer.from([4, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
    case 'application/pdf':
      return Buffer.from('%PDF-1.4\n%%EOF\n');
    case 'audio/ogg':
      return Buffer.from('OggS\0\x02placeholder');
    case 'video/mp4':
      return Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42placeholder')]);
    default:
      return Buffer.from('placeholder');
  }
}

export interface StoredMedia {
  id: string;
  sha256: string;
}

/**
 * Builds the `messages[]` item for a spec. `storeMedia` keeps the bytes downloadable (§6 ids from
 * webhooks are downloadable for 7 days) and returns the id and hash to put in the message.
 */
export function buildInboundMessage(
  spec: InboundSpec,
  ids: { wamid: string; from: string; timestampSec: number },
  storeMedia: (data: Buffer, mimeType: string, filename?: string) => StoredMedia,
): Record<string, unknown> {
  const message: Record<string, unknown> = {
    from: ids.from,
    id: ids.wamid,
    timestamp: String(ids.timestampSec),
    type: spec.type,
  };
  if (spec.context) message.context = spec.context;
  if (spec.referral) message.referral = spec.referral;
  switch (spec.type) {
    case 'text':
      message.text = spec.text;
      break;
    case 'image':
    case 'video':
    case 'sticker':
    case 'document':
    case 'audio': {
      const media =
        (spec as { [k in InboundMediaType]?: InboundMediaSpec & Record<string, unknown> })[spec.type] ?? {};
      const mime = media.mime_type ?? placeholderMime[spec.type];
      const data = media.data ? Buffer.from(media.data) : placeholderBytes(mime);
      const filename = typeof media.filename === 'string' ? media.filename : undefined;
      const stored = storeMedia(data, mime, filename);
      const out: Record<string, unknown> = { id: stored.id, mime_type: mime, sha256: stored.sha256 };
      if (media.caption !== undefined && spec.type !== 'audio' && spec.type !== 'sticker')
        out.caption = media.caption;
      if (spec.type === 'document') out.filename = filename ?? 'document.pdf';
      if (spec.type === 'audio') out.voice = media.voice === true;
      if (spec.type === 'sticker') out.animated = media.animated === true;
      message[spec.type] = out;
      break;
    }
    case 'location':
      message.location = spec.location;
      break;
    case 'contacts':
      message.contacts = spec.contacts;
      break;
    case 'interactive':
      message.interactive = spec.interactive;
      break;
    case 'button':
      message.button = spec.button;
      break;
    case 'reaction':
      message.reaction =
        spec.reaction.emoji === undefined ? { message_id: spec.reaction.message_id } : spec.reaction;
      break;
    case 'order':
      message.order = spec.order;
      break;
    case 'system':
      message.system = { type: 'user_changed_number', ...spec.system };
      break;
    case 'unsupported':
      message.errors = [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          error_data: { details: 'Message type is currently not supported.' },
        },
      ];
      break;
  }
  return message;
}
