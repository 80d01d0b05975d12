// What the composer sends, turned into the Cloud API body (whatsapp-cloud-api.md §2), its preview line,
// and the template checks done before anything is queued (§10: validate the parameter count and types
// before sending).
import type { MessageContent, TemplateParams } from '../../src-preload/messaging.contract';
import { AppError } from '../ipc/errors';
import type { TemplateRow } from '../templates/templates.repo';
import type {
  OutboundContent,
  TemplateComponent,
  TemplateMessage,
  TemplateParameter,
} from '../whatsapp/types';
import { placeholderNames } from './templateText';

/** §5: only these statuses send (FLAGGED is "at risk" but still sends). */
const sendableStatuses = new Set(['APPROVED', 'REINSTATED', 'FLAGGED']);

export function buildTemplateMessage(
  name: string,
  language: string,
  params: TemplateParams | undefined,
): TemplateMessage {
  const components: TemplateComponent[] = [];
  const header = params?.header;
  if (header) {
    const parameter: TemplateParameter =
      header.type === 'text'
        ? { type: 'text', text: header.text }
        : header.type === 'document'
          ? {
              type: 'document',
              document: { id: header.mediaId, ...(header.filename ? { filename: header.filename } : {}) },
            }
          : header.type === 'image'
            ? { type: 'image', image: { id: header.mediaId } }
            : { type: 'video', video: { id: header.mediaId } };
    components.push({ type: 'header', parameters: [parameter] });
  }
  const body = params?.body;
  if (body !== undefined) {
    const parameters: TemplateParameter[] = Array.isArray(body)
      ? body.map((text) => ({ type: 'text', text }))
      : // §2: named parameters carry parameter_name and may come in any order.
        Object.entries(body).map(([parameter_name, text]) => ({ type: 'text', text, parameter_name }));
    if (parameters.length > 0) components.push({ type: 'body', parameters });
  }
  for (const button of params?.buttons ?? []) {
    const parameter: TemplateParameter =
      button.subType === 'quick_reply'
        ? { type: 'payload', payload: button.value }
        : button.subType === 'url'
          ? { type: 'text', text: button.value }
          : { type: 'coupon_code', coupon_code: button.value };
    components.push({
      type: 'button',
      sub_type: button.subType,
      index: String(button.index),
      parameters: [parameter],
    });
  }
  return { name, language: { code: language }, ...(components.length > 0 ? { components } : {}) };
}

interface StoredComponent {
  type?: string;
  format?: string;
  text?: string;
}

/**
 * Checks the variables against the synced template, when there is one: a template that is not sendable
 * or a wrong number of variables is refused here rather than by Meta (132001 / 132000) after queueing.
 * An unknown template is left for Meta to judge (the list may simply not be synced yet).
 */
export function checkTemplateParams(
  template: TemplateRow | undefined,
  params: TemplateParams | undefined,
): void {
  if (!template) return;
  if (!sendableStatuses.has(template.status)) {
    throw new AppError(
      'BAD_REQUEST',
      `The template ${template.name} (${template.language}) is ${template.status} and cannot be sent; choose an approved template or sync templates.`,
    );
  }
  const components = JSON.parse(template.components) as StoredComponent[];
  const body = components.find((c) => c.type?.toUpperCase() === 'BODY');
  const wanted = placeholderNames(body?.text);
  const given = params?.body;
  if (template.parameter_format === 'NAMED') {
    const names = given === undefined ? [] : Array.isArray(given) ? null : Object.keys(given);
    if (names === null) {
      throw new AppError(
        'TEMPLATE_PARAM_MISMATCH',
        `The template ${template.name} uses named variables (${wanted.join(', ')}); give them by name.`,
      );
    }
    const missing = wanted.filter((n) => !names.includes(n));
    const extra = names.filter((n) => !wanted.includes(n));
    if (missing.length || extra.length) {
      throw new AppError(
        'TEMPLATE_PARAM_MISMATCH',
        `The template ${template.name} needs ${wanted.length ? wanted.join(', ') : 'no variables'}` +
          `${missing.length ? `; missing: ${missing.join(', ')}` : ''}${extra.length ? `; unknown: ${extra.join(', ')}` : ''}.`,
      );
    }
  } else {
    const count = given === undefined ? 0 : Array.isArray(given) ? given.length : -1;
    if (count !== wanted.length) {
      throw new AppError(
        'TEMPLATE_PARAM_MISMATCH',
        count < 0
          ? `The template ${template.name} uses numbered variables; give them in order.`
          : `The template ${template.name} has ${wanted.length} variable(s) in its body; ${count} given.`,
      );
    }
  }
  const header = components.find((c) => c.type?.toUpperCase() === 'HEADER');
  const format = header?.format?.toUpperCase();
  if (
    format &&
    ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(format) &&
    params?.header?.type !== format.toLowerCase()
  ) {
    throw new AppError(
      'TEMPLATE_PARAM_MISMATCH',
      `The template ${template.name} has a ${format.toLowerCase()} header: choose a ${format.toLowerCase()} to send with it.`,
    );
  }
  if (format === 'TEXT' && placeholderNames(header?.text).length > 0 && params?.header?.type !== 'text') {
    throw new AppError('TEMPLATE_PARAM_MISMATCH', `The template ${template.name} needs its header variable.`);
  }
}

/** The Cloud API body for non-template content. Reactions need the target's wamid. */
export function toOutboundContent(
  content: Exclude<MessageContent, { type: 'template' }>,
  reactionTargetWamid: string | null,
): OutboundContent {
  switch (content.type) {
    case 'text':
      return {
        type: 'text',
        text: {
          body: content.body,
          ...(content.previewUrl !== undefined ? { preview_url: content.previewUrl } : {}),
        },
      };
    case 'image':
    case 'video':
      return {
        type: content.type,
        [content.type]: { id: content.mediaId, ...(content.caption ? { caption: content.caption } : {}) },
      } as OutboundContent;
    case 'document':
      return {
        type: 'document',
        document: {
          id: content.mediaId,
          ...(content.caption ? { caption: content.caption } : {}),
          ...(content.filename ? { filename: content.filename } : {}),
        },
      };
    case 'audio':
      return { type: 'audio', audio: { id: content.mediaId } };
    case 'sticker':
      return { type: 'sticker', sticker: { id: content.mediaId } };
    case 'buttons':
      return {
        type: 'interactive',
        interactive: {
          type: 'button',
          ...(content.header ? { header: { type: 'text', text: content.header } } : {}),
          body: { text: content.body },
          ...(content.footer ? { footer: { text: content.footer } } : {}),
          action: {
            buttons: content.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })),
          },
        },
      };
    case 'list':
      return {
        type: 'interactive',
        interactive: {
          type: 'list',
          ...(content.header ? { header: { type: 'text', text: content.header } } : {}),
          body: { text: content.body },
          ...(content.footer ? { footer: { text: content.footer } } : {}),
          action: {
            button: content.button,
            sections: content.sections.map((s) => ({
              ...(s.title ? { title: s.title } : {}),
              rows: s.rows.map((r) => ({
                id: r.id,
                title: r.title,
                ...(r.description ? { description: r.description } : {}),
              })),
            })),
          },
        },
      };
    case 'reaction':
      if (reactionTargetWamid === null) throw new Error('A reaction needs its target wamid');
      return { type: 'reaction', reaction: { message_id: reactionTargetWamid, emoji: content.emoji } };
  }
}

const mediaWords: Record<string, string> = {
  image: 'Photo',
  video: 'Video',
  document: 'Document',
  audio: 'Audio',
  sticker: 'Sticker',
};

/** One line for the conversation list. */
export function previewOf(content: OutboundContent): string {
  switch (content.type) {
    case 'text':
      return content.text.body.slice(0, 200);
    case 'template':
      return `Template: ${content.template.name}`;
    case 'interactive':
      return content.interactive.body.text.slice(0, 200);
    case 'reaction':
      return content.reaction.emoji ? `Reacted ${content.reaction.emoji}` : 'Removed a reaction';
    case 'image':
      return content.image.caption ?? mediaWords.image ?? 'Photo';
    case 'video':
      return content.video.caption ?? mediaWords.video ?? 'Video';
    case 'document':
      return content.document.caption ?? content.document.filename ?? 'Document';
    case 'audio':
      return 'Audio';
    case 'sticker':
      return 'Sticker';
    case 'location':
      return content.location.name ?? 'Location';
    case 'contacts':
      return 'Contact card';
  }
}
