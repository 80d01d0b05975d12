// Filling a template in for one recipient: each variable from a contact field, an attribute or a
// constant (with a fallback for empty values), checked against the synced template the way Meta would
// check it (§2, §5: body at most 1,024 characters once hydrated — 132005 —, text header at most 60, an
// empty parameter is refused). Used by the preflight (every recipient) and by materialisation (the
// rendered parameters are stored on the recipient row, so a send needs no further lookups).
import type { CampaignContent, VariableSource } from '../../src-preload/campaigns.contract';
import type { TemplateParams } from '../../src-preload/messaging.contract';
import { fillPlaceholders, placeholderNames } from '../conversations/templateText';
import type { TemplateRow } from '../templates/templates.repo';

export interface RenderContact {
  name: string | null;
  phone_e164: string;
  email: string | null;
  attributes: string;
}

export type RecipientProblem = { code: 'EMPTY_VARIABLE' | 'TOO_LONG'; detail: string };

export type CampaignProblem = {
  code: 'MISSING_MAPPING' | 'MISSING_HEADER_MEDIA';
  message: string;
  examples: string[];
};

const BODY_MAX = 1024;
const HEADER_MAX = 60;

interface StoredComponent {
  type?: string;
  format?: string;
  text?: string;
}

/** The template's shape, read once per campaign. */
export interface TemplateShape {
  named: boolean;
  bodyText: string;
  bodyVariables: string[];
  headerFormat: string | null;
  headerText: string;
  headerVariables: string[];
  category: string;
}

export function templateShape(template: TemplateRow): TemplateShape {
  const components = JSON.parse(template.components) as StoredComponent[];
  const body = components.find((c) => c.type?.toUpperCase() === 'BODY');
  const header = components.find((c) => c.type?.toUpperCase() === 'HEADER');
  const named = template.parameter_format === 'NAMED';
  const bodyVariables = placeholderNames(body?.text);
  if (!named) bodyVariables.sort((a, b) => Number(a) - Number(b));
  return {
    named,
    bodyText: body?.text ?? '',
    bodyVariables,
    headerFormat: header?.format?.toUpperCase() ?? null,
    headerText: header?.text ?? '',
    headerVariables: placeholderNames(header?.text),
    category: template.category,
  };
}

/** Problems that concern the campaign as a whole (every recipient would fail the same way). */
export function campaignProblems(shape: TemplateShape, content: CampaignContent): CampaignProblem[] {
  const problems: CampaignProblem[] = [];
  const unmapped = shape.bodyVariables.filter((v) => content.body[v] === undefined);
  if (shape.headerFormat === 'TEXT' && shape.headerVariables.length > 0 && !content.headerText) {
    unmapped.push('header');
  }
  if (unmapped.length > 0) {
    problems.push({
      code: 'MISSING_MAPPING',
      message: `Choose where ${unmapped.length === 1 ? 'this variable takes its value' : 'these variables take their values'} from: ${unmapped.map((v) => `{{${v}}}`).join(', ')}.`,
      examples: unmapped,
    });
  }
  if (
    shape.headerFormat !== null &&
    ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(shape.headerFormat) &&
    content.headerMedia?.type !== shape.headerFormat.toLowerCase()
  ) {
    problems.push({
      code: 'MISSING_HEADER_MEDIA',
      message: `The template has a ${shape.headerFormat.toLowerCase()} header: upload the ${shape.headerFormat.toLowerCase()} to send with it.`,
      examples: [],
    });
  }
  return problems;
}

function attributesOf(contact: RenderContact): Record<string, unknown> {
  try {
    const parsed = JSON.parse(contact.attributes) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function valueOf(
  source: VariableSource,
  contact: RenderContact,
  attributes: () => Record<string, unknown>,
): string {
  let raw: unknown;
  switch (source.source) {
    case 'constant':
      return source.value.trim();
    case 'field':
      raw =
        source.field === 'name'
          ? contact.name
          : source.field === 'phone'
            ? contact.phone_e164
            : contact.email;
      break;
    case 'attribute':
      raw = attributes()[source.key];
      break;
  }
  const text =
    typeof raw === 'string'
      ? raw.trim()
      : typeof raw === 'number' || typeof raw === 'boolean'
        ? String(raw)
        : '';
  return text === '' ? (source.fallback ?? '').trim() : text;
}

/** Where an empty variable was to take its value from, for the preflight's examples. */
function sourceWords(source: VariableSource | undefined): string {
  if (!source) return 'not mapped';
  const from =
    source.source === 'constant'
      ? 'an empty constant'
      : source.source === 'field'
        ? `the contact's ${source.field}`
        : `attribute “${source.key}”`;
  return source.source === 'constant' ? from : `${from}, no fallback`;
}

export type RenderResult =
  { ok: true; params: TemplateParams; body: string } | { ok: false; problem: RecipientProblem; body: string };

/** One recipient's parameters, or the first problem that would make Meta refuse the message. */
export function renderFor(
  shape: TemplateShape,
  content: CampaignContent,
  contact: RenderContact,
): RenderResult {
  let attrs: Record<string, unknown> | undefined;
  const attributes = () => (attrs ??= attributesOf(contact));
  const values = new Map<string, string>();
  for (const variable of shape.bodyVariables) {
    const source = content.body[variable];
    values.set(variable, source ? valueOf(source, contact, attributes) : '');
  }
  const body = fillPlaceholders(shape.bodyText, values);
  const empty = shape.bodyVariables.find((v) => values.get(v) === '');
  if (empty !== undefined) {
    return {
      ok: false,
      problem: {
        code: 'EMPTY_VARIABLE',
        detail: `{{${empty}}} is empty (${sourceWords(content.body[empty])})`,
      },
      body,
    };
  }
  if (body.length > BODY_MAX) {
    return {
      ok: false,
      problem: { code: 'TOO_LONG', detail: `the message is ${body.length} characters (at most ${BODY_MAX})` },
      body,
    };
  }
  const params: TemplateParams = {};
  if (shape.bodyVariables.length > 0) {
    params.body = shape.named
      ? Object.fromEntries(shape.bodyVariables.map((v) => [v, values.get(v) ?? '']))
      : shape.bodyVariables.map((v) => values.get(v) ?? '');
  }
  if (shape.headerFormat === 'TEXT' && shape.headerVariables.length > 0 && content.headerText) {
    const headerValue = valueOf(content.headerText, contact, attributes);
    if (headerValue === '') {
      return {
        ok: false,
        problem: {
          code: 'EMPTY_VARIABLE',
          detail: `the header variable is empty (${sourceWords(content.headerText)})`,
        },
        body,
      };
    }
    const header = fillPlaceholders(
      shape.headerText,
      new Map(shape.headerVariables.map((v) => [v, headerValue])),
    );
    if (header.length > HEADER_MAX) {
      return {
        ok: false,
        problem: {
          code: 'TOO_LONG',
          detail: `the header is ${header.length} characters (at most ${HEADER_MAX})`,
        },
        body,
      };
    }
    params.header = { type: 'text', text: headerValue };
  } else if (content.headerMedia && shape.headerFormat?.toLowerCase() === content.headerMedia.type) {
    params.header = {
      type: content.headerMedia.type,
      mediaId: content.headerMedia.mediaId,
      ...(content.headerMedia.filename ? { filename: content.headerMedia.filename } : {}),
    };
  }
  return { ok: true, params, body };
}
