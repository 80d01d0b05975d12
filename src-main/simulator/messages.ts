// Validation of `POST /{pnid}/messages` bodies as Meta does it (whatsapp-cloud-api.md §2): the envelope,
// each message type with its field limits, and the read-receipt / typing-indicator form. Template
// content is checked against the template store separately (templates.ts).
import { z } from 'zod';
import { graphError, type GraphError, invalidParam } from './graphErrors';

const mediaObject = (extra: z.ZodRawShape, strict: boolean) => {
  const shape = { id: z.string().min(1).optional(), link: z.string().min(1).optional(), ...extra };
  return strict ? z.strictObject(shape) : z.object(shape);
};

const textSchema = z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() });
const captioned = { caption: z.string().max(1024).optional() };
const imageSchema = mediaObject(captioned, false);
const videoSchema = mediaObject(captioned, false);
const documentSchema = mediaObject({ ...captioned, filename: z.string().max(240).optional() }, false);
// §2: audio and sticker take no caption; Meta rejects the extra field rather than ignoring it.
const audioSchema = mediaObject({ voice: z.boolean().optional() }, true);
const stickerSchema = mediaObject({}, true);

const locationSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(1000).optional(),
  address: z.string().max(1000).optional(),
});

const contactSchema = z.object({
  name: z.object({
    formatted_name: z.string().min(1),
    first_name: z.string().optional(),
    last_name: z.string().optional(),
    middle_name: z.string().optional(),
    suffix: z.string().optional(),
    prefix: z.string().optional(),
  }),
  phones: z
    .array(
      z.object({ phone: z.string().optional(), type: z.string().optional(), wa_id: z.string().optional() }),
    )
    .optional(),
  emails: z.array(z.object({ email: z.string().optional(), type: z.string().optional() })).optional(),
  org: z
    .object({
      company: z.string().optional(),
      department: z.string().optional(),
      title: z.string().optional(),
    })
    .optional(),
  urls: z.array(z.object({ url: z.string().optional(), type: z.string().optional() })).optional(),
  addresses: z.array(z.record(z.string(), z.string())).optional(),
  birthday: z.string().optional(),
});
const contactsSchema = z.array(contactSchema).min(1).max(5);

const reactionSchema = z.object({ message_id: z.string().min(1), emoji: z.string().max(16) });

const textHeader = z.object({ type: z.literal('text'), text: z.string().min(1).max(60) });
const headerMedia = mediaObject({}, false);
const imageHeader = z.object({ type: z.literal('image'), image: headerMedia });
const videoHeader = z.object({ type: z.literal('video'), video: headerMedia });
const documentHeader = z.object({ type: z.literal('document'), document: headerMedia });
const buttonSchema = z.object({
  type: z.literal('button'),
  header: z.discriminatedUnion('type', [textHeader, imageHeader, videoHeader, documentHeader]).optional(),
  body: z.object({ text: z.string().min(1).max(1024) }),
  footer: z.object({ text: z.string().min(1).max(60) }).optional(),
  action: z.object({
    buttons: z
      .array(
        z.object({
          type: z.literal('reply'),
          reply: z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }),
        }),
      )
      .min(1)
      .max(3),
  }),
});
const listSchema = z.object({
  type: z.literal('list'),
  // §2: list headers are text only.
  header: textHeader.optional(),
  body: z.object({ text: z.string().min(1).max(4096) }),
  footer: z.object({ text: z.string().min(1).max(60) }).optional(),
  action: z.object({
    button: z.string().min(1).max(20),
    sections: z
      .array(
        z.object({
          title: z.string().min(1).max(24).optional(),
          rows: z
            .array(
              z.object({
                id: z.string().min(1).max(200),
                title: z.string().min(1).max(24),
                description: z.string().max(72).optional(),
              }),
            )
            .min(1),
        }),
      )
      .min(1)
      .max(10),
  }),
});
// Other interactive kinds (§2) are accepted with a body check only; the simulator does not render them.
const otherInteractiveSchema = z.object({
  type: z.enum(['cta_url', 'flow', 'location_request_message', 'product', 'product_list', 'catalog_message']),
});
const interactiveSchema = z.discriminatedUnion('type', [buttonSchema, listSchema, otherInteractiveSchema]);

const templateParameterSchema = z.looseObject({ type: z.string(), parameter_name: z.string().optional() });
export const templateComponentSchema = z.object({
  type: z.enum(['header', 'body', 'button', 'footer']),
  sub_type: z.string().optional(),
  index: z.union([z.string(), z.number()]).optional(),
  parameters: z.array(templateParameterSchema).optional(),
});
const templateSchema = z.object({
  name: z.string().min(1).max(512),
  language: z.object({ code: z.string().min(1), policy: z.literal('deterministic').optional() }),
  components: z.array(templateComponentSchema).optional(),
});
export type TemplateSendBody = z.infer<typeof templateSchema>;

const contentSchemas = {
  text: textSchema,
  image: imageSchema,
  video: videoSchema,
  document: documentSchema,
  audio: audioSchema,
  sticker: stickerSchema,
  location: locationSchema,
  contacts: contactsSchema,
  interactive: interactiveSchema,
  template: templateSchema,
  reaction: reactionSchema,
} as const;

export type MessageType = keyof typeof contentSchemas;
export const messageTypes = Object.keys(contentSchemas) as MessageType[];
const mediaTypes = new Set<MessageType>(['image', 'video', 'document', 'audio', 'sticker']);
const headerMediaParamTypes = new Set(['image', 'video', 'document']);

const envelopeSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.enum(['individual', 'group']).optional(),
  to: z.string().min(1),
  type: z.string().optional(),
  context: z.object({ message_id: z.string().min(1) }).optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
});

const readSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  status: z.literal('read'),
  message_id: z.string().min(1),
  typing_indicator: z.object({ type: z.literal('text') }).optional(),
});

export type ValidatedRequest =
  | {
      kind: 'send';
      to: string;
      waId: string;
      recipientType: 'individual' | 'group';
      type: MessageType;
      content: Record<string, unknown> | unknown[];
      contextMessageId?: string;
      bizOpaqueCallbackData?: string;
      /** Media ids referenced by the message, to check against the media store. */
      mediaIds: string[];
    }
  | { kind: 'read'; messageId: string; typing: boolean };

/** Formats a zod path the way Graph names parameters: `text['body']`, `action['buttons'][0]`. */
function paramName(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path;
  return (
    String(head ?? '') + rest.map((p) => (typeof p === 'number' ? `[${p}]` : `['${String(p)}']`)).join('')
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Turns the first zod issue into the error Meta would give for it. */
function toGraphError(error: z.ZodError, root: unknown, prefix: readonly PropertyKey[]): GraphError {
  const issue = error.issues[0];
  if (!issue) return graphError(131009, 'Invalid request');
  const path = [...prefix, ...issue.path];
  const name = paramName(path);
  if (issue.code === 'invalid_type' && valueAt(root, path) === undefined) {
    return graphError(131008, `The parameter ${name} is required.`);
  }
  if (issue.code === 'too_big' && issue.origin === 'string') {
    return invalidParam(`Param ${name} must be at most ${String(issue.maximum)} characters long.`);
  }
  if (issue.code === 'too_small' && issue.origin === 'string') {
    return invalidParam(`Param ${name} must be at least ${String(issue.minimum)} character long.`);
  }
  if (issue.code === 'unrecognized_keys') {
    return graphError(131009, `Param ${name} has unexpected fields: ${issue.keys.join(', ')}`);
  }
  return graphError(131009, `Param ${name}: ${issue.message}`);
}

/** §2: `+ - ( )` and spaces are accepted; `wa_id` is digits only. E.164 allows at most 15 digits. */
export function normalizeRecipient(to: string): string | null {
  if (!/^[+\d\s()-]+$/.test(to)) return null;
  const digits = to.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? digits : null;
}

function checkMedia(content: { id?: string; link?: string }, name: string): GraphError | null {
  if ((content.id === undefined) === (content.link === undefined)) {
    return graphError(131009, `Param ${name} must have exactly one of 'id' or 'link'.`);
  }
  if (content.link !== undefined) {
    let url: URL;
    try {
      url = new URL(content.link);
    } catch {
      return graphError(131009, `Param ${name}['link'] is not a valid URL.`);
    }
    // §2: links must be HTTPS.
    if (url.protocol !== 'https:') return graphError(131009, `Param ${name}['link'] must use https.`);
  }
  return null;
}

function interactiveChecks(content: z.infer<typeof interactiveSchema>): GraphError | null {
  if (content.type === 'button') {
    const titles = content.action.buttons.map((b) => b.reply.title);
    const ids = content.action.buttons.map((b) => b.reply.id);
    if (new Set(titles).size !== titles.length) return graphError(131009, 'Button titles must be unique.');
    if (new Set(ids).size !== ids.length) return graphError(131009, 'Button ids must be unique.');
    const header = content.header;
    if (header && header.type !== 'text') {
      const media =
        header.type === 'image' ? header.image : header.type === 'video' ? header.video : header.document;
      return checkMedia(media, `interactive['header']['${header.type}']`);
    }
  }
  if (content.type === 'list') {
    const sections = content.action.sections;
    const rows = sections.flatMap((s) => s.rows);
    // §2: at most 10 rows across all sections; a title is required on each section when there are 2+.
    if (rows.length > 10) return graphError(131009, 'A list message can have at most 10 rows in total.');
    if (sections.length > 1 && sections.some((s) => s.title === undefined)) {
      return graphError(131008, 'Section titles are required when a list has more than one section.');
    }
    const ids = rows.map((r) => r.id);
    if (new Set(ids).size !== ids.length) return graphError(131009, 'Row ids must be unique.');
  }
  return null;
}

function mediaIdsOf(type: MessageType, content: unknown): string[] {
  if (mediaTypes.has(type)) {
    const id = (content as { id?: string }).id;
    return id === undefined ? [] : [id];
  }
  if (type === 'interactive') {
    const header = (content as { header?: Record<string, unknown> & { type: string } }).header;
    const media = header && header.type !== 'text' ? (header[header.type] as { id?: string }) : undefined;
    return media?.id === undefined ? [] : [media.id];
  }
  if (type === 'template') {
    // §2: a media header's parameter names its file by id ({ type: 'image', image: { id } }) or link.
    const components = (content as TemplateSendBody).components ?? [];
    return components
      .filter((c) => c.type === 'header')
      .flatMap((c) => c.parameters ?? [])
      .flatMap((p) => {
        const media = headerMediaParamTypes.has(p.type)
          ? (p[p.type] as { id?: string | number } | undefined)
          : undefined;
        // §10: ids may come as strings or numbers.
        return media?.id === undefined ? [] : [String(media.id)];
      });
  }
  return [];
}

/** Validates a parsed JSON body; returns the request or the Graph error Meta would answer with. */
export function validateMessageRequest(body: unknown): ValidatedRequest | GraphError {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return invalidParam('Invalid parameter', 'The request body must be a JSON object.');
  }
  const record = body as Record<string, unknown>;
  if (record.messaging_product === undefined) {
    return invalidParam('The parameter messaging_product is required.');
  }
  if (record.status !== undefined) {
    const read = readSchema.safeParse(body);
    if (!read.success) return toGraphError(read.error, body, []);
    return {
      kind: 'read',
      messageId: read.data.message_id,
      typing: read.data.typing_indicator !== undefined,
    };
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return toGraphError(envelope.error, body, []);
  const type = (envelope.data.type ?? 'text') as MessageType;
  if (!(type in contentSchemas)) {
    return graphError(131051, `Message type ${String(envelope.data.type)} is not supported.`);
  }
  const waId = normalizeRecipient(envelope.data.to);
  if (waId === null) return invalidParam('Invalid parameter', `Invalid 'to' parameter: ${envelope.data.to}`);
  if (record[type] === undefined) return graphError(131008, `The parameter ${type} is required.`);
  const parsed = contentSchemas[type].safeParse(record[type]);
  if (!parsed.success) return toGraphError(parsed.error, body, [type]);
  const content = parsed.data as Record<string, unknown> | unknown[];

  if (mediaTypes.has(type)) {
    const problem = checkMedia(content as { id?: string; link?: string }, type);
    if (problem) return problem;
  }
  if (type === 'interactive') {
    const problem = interactiveChecks(parsed.data as z.infer<typeof interactiveSchema>);
    if (problem) return problem;
  }
  // §2: context is not allowed on reactions.
  if (type === 'reaction' && envelope.data.context !== undefined) {
    return graphError(131009, 'Reactions cannot carry a context.');
  }
  return {
    kind: 'send',
    to: envelope.data.to,
    waId,
    recipientType: envelope.data.recipient_type ?? 'individual',
    type,
    content,
    ...(envelope.data.context ? { contextMessageId: envelope.data.context.message_id } : {}),
    ...(envelope.data.biz_opaque_callback_data !== undefined
      ? { bizOpaqueCallbackData: envelope.data.biz_opaque_callback_data }
      : {}),
    mediaIds: mediaIdsOf(type, parsed.data),
  };
}
