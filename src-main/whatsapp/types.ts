// Cloud API payloads (what we send, with Meta's field names, whatsapp-cloud-api.md §2, §5, §8, §9, §12)
// and zod schemas for what comes back. Response schemas are loose: §10 says ignore unknown fields and
// accept ids as strings or numbers.
import { z } from 'zod';

// ---------- outbound messages (§2) ----------

export type MediaRef = { id: string; link?: never } | { link: string; id?: never };

export interface TextContent {
  body: string;
  preview_url?: boolean;
}

export interface ContactCard {
  name: {
    formatted_name: string;
    first_name?: string;
    last_name?: string;
    middle_name?: string;
    suffix?: string;
    prefix?: string;
  };
  phones?: { phone?: string; type?: string; wa_id?: string }[];
  emails?: { email?: string; type?: string }[];
  org?: { company?: string; department?: string; title?: string };
  urls?: { url?: string; type?: string }[];
  addresses?: Record<string, string>[];
  birthday?: string;
}

export interface ReplyButton {
  type: 'reply';
  reply: { id: string; title: string };
}

export type InteractiveHeader =
  | { type: 'text'; text: string }
  | { type: 'image'; image: MediaRef }
  | { type: 'video'; video: MediaRef }
  | { type: 'document'; document: MediaRef };

export interface InteractiveButtons {
  type: 'button';
  header?: InteractiveHeader;
  body: { text: string };
  footer?: { text: string };
  action: { buttons: ReplyButton[] };
}

export interface ListRow {
  id: string;
  title: string;
  description?: string;
}

export interface InteractiveList {
  type: 'list';
  header?: { type: 'text'; text: string };
  body: { text: string };
  footer?: { text: string };
  action: { button: string; sections: { title?: string; rows: ListRow[] }[] };
}

export type TemplateParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | {
      type: 'currency';
      currency: { fallback_value: string; code: string; amount_1000: number };
      parameter_name?: string;
    }
  | { type: 'date_time'; date_time: { fallback_value: string }; parameter_name?: string }
  | { type: 'image'; image: MediaRef }
  | { type: 'video'; video: MediaRef }
  | { type: 'document'; document: MediaRef & { filename?: string } }
  | { type: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string } }
  | { type: 'payload'; payload: string }
  | { type: 'coupon_code'; coupon_code: string };

export type TemplateComponent =
  | { type: 'header'; parameters: TemplateParameter[] }
  | { type: 'body'; parameters: TemplateParameter[] }
  | {
      type: 'button';
      sub_type: 'quick_reply' | 'url' | 'copy_code';
      index: string;
      parameters: TemplateParameter[];
    };

export interface TemplateMessage {
  name: string;
  /** Must match the template's language exactly (`en` ≠ `en_US`, §2). */
  language: { code: string; policy?: 'deterministic' };
  components?: TemplateComponent[];
}

export type OutboundContent =
  | { type: 'text'; text: TextContent }
  | { type: 'image'; image: MediaRef & { caption?: string } }
  | { type: 'video'; video: MediaRef & { caption?: string } }
  | { type: 'document'; document: MediaRef & { caption?: string; filename?: string } }
  | { type: 'audio'; audio: MediaRef & { voice?: boolean } }
  | { type: 'sticker'; sticker: MediaRef }
  | { type: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string } }
  | { type: 'contacts'; contacts: ContactCard[] }
  | { type: 'interactive'; interactive: InteractiveButtons | InteractiveList }
  | { type: 'template'; template: TemplateMessage }
  | { type: 'reaction'; reaction: { message_id: string; emoji: string } };

export type OutboundType = OutboundContent['type'];

export interface SendOptions {
  /**
   * Echoed in every `statuses[]` webhook for this message (§2): the only way to correlate a status with
   * our own row, and the way to reconcile an UNKNOWN_OUTCOME (§10). Required on every send. ≤512 chars.
   */
  bizOpaqueCallbackData: string;
  /** Quote this message (context.message_id). Not allowed on reactions (§2). */
  replyTo?: string;
  recipientType?: 'individual' | 'group';
  signal?: AbortSignal;
  /**
   * Called once the rate-limit slot is granted, just before the request is written. Returning (or
   * resolving to) false sends nothing (a TRANSIENT "not sent" result); throwing sends nothing either.
   * Campaigns record "sending" here, so a crash while a request waits for its slot leaves nothing
   * unconfirmed (§10). It may be asynchronous so that the claims of slots granted together commit in one
   * transaction; the request is written only once it has settled.
   */
  beforeRequest?: () => boolean | Promise<boolean>;
  /**
   * One of many sends in a row (a campaign): it goes through the client's bulk transport (bulkHttp.ts,
   * cheaper per request, loaded on first use) rather than node:http.
   */
  bulk?: boolean;
}

// ---------- templates (§5) ----------

export type TemplateButtonDefinition =
  | { type: 'QUICK_REPLY'; text: string }
  | { type: 'URL'; text: string; url: string; example?: string[] }
  | { type: 'PHONE_NUMBER'; text: string; phone_number: string }
  | { type: 'COPY_CODE'; example: string };

export type TemplateComponentDefinition =
  | {
      type: 'HEADER';
      format: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
      text?: string;
      example?: Record<string, unknown>;
    }
  | { type: 'BODY'; text: string; example?: Record<string, unknown> }
  | { type: 'FOOTER'; text: string }
  | { type: 'BUTTONS'; buttons: TemplateButtonDefinition[] };

export interface TemplateDefinition {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameter_format?: 'named' | 'positional';
  components: TemplateComponentDefinition[];
}

export interface TemplateListQuery {
  limit?: number;
  after?: string;
  fields?: string[];
  name?: string;
  status?: string;
  category?: string;
  language?: string;
  content?: string;
  name_or_content?: string;
  quality_score?: string;
}

/** §5's recommended field list for template sync. */
export const templateListFields = [
  'id',
  'name',
  'language',
  'status',
  'category',
  'sub_category',
  'parameter_format',
  'components',
  'quality_score',
  'rejected_reason',
  'previous_category',
];

// ---------- responses ----------

/** §10: accept ids as strings or numbers; keep them as strings. */
export const graphIdSchema = z.union([z.string(), z.number()]).transform((v) => String(v));

export const graphErrorEnvelopeSchema = z.object({
  error: z.looseObject({
    message: z.string(),
    type: z.string().optional(),
    code: z.number(),
    error_subcode: z.number().optional(),
    // §3: a plain string on some template-API errors.
    error_data: z.union([z.string(), z.looseObject({ details: z.string().optional() })]).optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

export const sendResponseSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(
    z.looseObject({ input: z.string(), wa_id: z.string().optional(), user_id: z.string().optional() }),
  ),
  messages: z
    .array(
      z.looseObject({
        id: z.string().min(1),
        message_status: z.enum(['accepted', 'held_for_quality_assessment', 'paused']).optional(),
      }),
    )
    .min(1),
});

export interface SendResult {
  wamid: string;
  /** Normalized digits-only id; may differ from the input (BR/MX, §2). Absent for BSUID-only sends. */
  waId?: string;
  input: string;
  /** Only on paced template sends (§2). */
  messageStatus?: 'accepted' | 'held_for_quality_assessment' | 'paused';
}

export const successSchema = z.looseObject({ success: z.boolean() });

export const templateSchema = z.looseObject({
  id: graphIdSchema,
  name: z.string(),
  language: z.string(),
  status: z.string(),
  category: z.string().optional(),
  sub_category: z.string().optional(),
  parameter_format: z.string().optional(),
  components: z.array(z.looseObject({ type: z.string() })).optional(),
  quality_score: z.looseObject({ score: z.string() }).optional(),
  rejected_reason: z.string().optional(),
  previous_category: z.string().optional(),
});
export type MessageTemplate = z.infer<typeof templateSchema>;

export const templateListResponseSchema = z.looseObject({
  data: z.array(templateSchema),
  paging: z
    .looseObject({
      cursors: z.looseObject({ before: z.string().optional(), after: z.string().optional() }).optional(),
      next: z.string().optional(),
      previous: z.string().optional(),
    })
    .optional(),
});

export interface TemplatePage {
  templates: MessageTemplate[];
  /** Cursor of the next page; absent on the last page (§5: paging.next absent). */
  next?: string;
}

export const createTemplateResponseSchema = z.looseObject({
  id: graphIdSchema,
  status: z.string(),
  category: z.string().optional(),
});
export type CreatedTemplate = z.infer<typeof createTemplateResponseSchema>;

export const mediaUploadResponseSchema = z.looseObject({ id: graphIdSchema });

/** `GET /app`: the Meta app the token belongs to (the Resumable Upload API works on the app). */
export const appResponseSchema = z.looseObject({ id: graphIdSchema });
/** `POST /{app-id}/uploads` → `{ id: "upload:…" }`. */
export const uploadSessionResponseSchema = z.looseObject({ id: z.string().startsWith('upload:') });
/** `POST /upload:…` with the bytes → `{ h }`, the handle for `example.header_handle`. */
export const uploadHandleResponseSchema = z.looseObject({ h: z.string().min(1) });

export const mediaUrlResponseSchema = z.looseObject({
  url: z.string().url(),
  mime_type: z.string(),
  sha256: z.string().optional(),
  file_size: z
    .union([z.number(), z.string()])
    .transform((v) => Number(v))
    .optional(),
  id: graphIdSchema,
});
export type MediaUrl = z.infer<typeof mediaUrlResponseSchema>;

export interface MediaUpload {
  data: Uint8Array;
  /** e.g. image/jpeg; must match the content (§8: 131053 otherwise). */
  mimeType: string;
  filename: string;
}

export interface DownloadedMedia {
  data: Buffer;
  mimeType: string;
  sha256?: string;
}

export const phoneNumberFields = [
  'verified_name',
  'display_phone_number',
  'quality_rating',
  'status',
  'throughput',
  'whatsapp_business_manager_messaging_limit',
] as const;
export type PhoneNumberField =
  (typeof phoneNumberFields)[number] | 'code_verification_status' | 'name_status' | 'platform_type';

export const phoneNumberSchema = z.looseObject({
  id: graphIdSchema,
  verified_name: z.string().optional(),
  display_phone_number: z.string().optional(),
  quality_rating: z.string().optional(),
  status: z.string().optional(),
  throughput: z.looseObject({ level: z.string() }).optional(),
  whatsapp_business_manager_messaging_limit: z.string().optional(),
  code_verification_status: z.string().optional(),
  name_status: z.string().optional(),
  platform_type: z.string().optional(),
});
export type PhoneNumberInfo = z.infer<typeof phoneNumberSchema>;

export const subscribedAppsSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      whatsapp_business_api_data: z
        .looseObject({ id: graphIdSchema, name: z.string().optional(), link: z.string().optional() })
        .optional(),
      override_callback_uri: z.string().optional(),
    }),
  ),
});
export type SubscribedApps = z.infer<typeof subscribedAppsSchema>;
