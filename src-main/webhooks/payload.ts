// The shapes of Meta's webhook payloads (whatsapp-cloud-api.md §5, §6). The envelope is checked at
// intake (a signed body that fails it is stored as 'unparseable', still answered 200); the items are
// parsed one by one during processing, so one odd item never hides its neighbours. Unknown fields
// pass through (§10: ignore unknown fields, keep the raw JSON); ids may come as strings or numbers.
import { z } from 'zod';

// The envelope check lives apart, without zod, for the intake writer thread (see envelope.ts).
export { parseEnvelope, type Envelope } from './envelope';

const idString = z.union([z.string(), z.number()]).transform((v) => String(v));
const timestampSeconds = z
  .union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()])
  .transform(Number);

export const webhookErrorSchema = z.looseObject({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});

export const inboundMessageSchema = z.looseObject({
  from: z.string().regex(/^\d{4,20}$/),
  id: z.string().min(1).max(512),
  timestamp: timestampSeconds,
  type: z.string().min(1).max(40),
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  errors: z.array(webhookErrorSchema).optional(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

export const statusSchema = z.looseObject({
  id: z.string().min(1).max(512),
  status: z.enum(['sent', 'delivered', 'read', 'played', 'failed']),
  timestamp: timestampSeconds,
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(webhookErrorSchema).optional(),
});
export type StatusUpdate = z.infer<typeof statusSchema>;

export const messagesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp').optional(),
  metadata: z.looseObject({ display_phone_number: z.string().optional(), phone_number_id: idString }),
  contacts: z
    .array(
      z.looseObject({
        wa_id: z.string().optional(),
        profile: z.looseObject({ name: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

/** message_template_status_update: the id is a number here, the language may be hyphenated (§5). */
export const templateStatusSchema = z.looseObject({
  event: z.string().min(1),
  message_template_id: idString,
  message_template_name: z.string().min(1),
  message_template_language: z.string().min(2),
  reason: z.string().nullable().optional(),
});
export type TemplateStatusUpdate = z.infer<typeof templateStatusSchema>;

/** REST spells languages en_US; template webhooks may say en-US (§5). */
export function normaliseLanguage(language: string): string {
  return language.replace('-', '_');
}
