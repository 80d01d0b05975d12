// The WABA's message templates (whatsapp-cloud-api.md §5): creation rules, listing with Graph cursor
// paging and filters, deletion by name / hsm_id, and the checks a template send goes through (§2, §3:
// 132001 missing or unapproved, 132000 parameter count, 132012 parameter format, 132005 too long,
// 132015 paused, 132016 disabled).
import { z } from 'zod';
import { graphError, GraphError, invalidParam } from './graphErrors';
import type { TemplateSendBody } from './messages';

export const templateStatuses = [
  'APPROVED',
  'REINSTATED',
  'PENDING',
  'REJECTED',
  'IN_APPEAL',
  'FLAGGED',
  'PAUSED',
  'DISABLED',
  'PENDING_DELETION',
  'DELETED',
  'ARCHIVED',
  'UNARCHIVED',
  'LOCKED',
  'LIMIT_EXCEEDED',
] as const;
export type TemplateStatus = (typeof templateStatuses)[number];
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
export type QualityScore = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';

/** §5: sendable statuses. FLAGGED is "at risk" but still sends. */
const sendable = new Set<TemplateStatus>(['APPROVED', 'REINSTATED', 'FLAGGED']);

const buttonDefSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('QUICK_REPLY'), text: z.string().min(1).max(25) }),
  z.object({
    type: z.literal('URL'),
    text: z.string().min(1).max(25),
    url: z.string().min(1).max(2000),
    example: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('PHONE_NUMBER'),
    text: z.string().min(1).max(25),
    phone_number: z.string().min(1),
  }),
  z.object({ type: z.literal('COPY_CODE'), example: z.string().min(1).max(15) }),
]);
export type TemplateButtonDef = z.infer<typeof buttonDefSchema>;

const componentDefSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('HEADER'),
    format: z.enum(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']),
    text: z.string().min(1).max(60).optional(),
    example: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    type: z.literal('BODY'),
    text: z.string().min(1).max(1024),
    example: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ type: z.literal('FOOTER'), text: z.string().min(1).max(60) }),
  z.object({ type: z.literal('BUTTONS'), buttons: z.array(buttonDefSchema).min(1).max(10) }),
]);
export type TemplateComponentDef = z.infer<typeof componentDefSchema>;

export const templateCreateSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[a-z0-9_]+$/, 'name: lowercase letters, digits and underscores only'),
  language: z.string().min(2),
  category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
  parameter_format: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(['POSITIONAL', 'NAMED']))
    .optional(),
  components: z.array(componentDefSchema).min(1),
});
export type TemplateCreate = z.input<typeof templateCreateSchema>;

export interface TemplateRecord {
  id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: TemplateCategory;
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDef[];
  quality_score: { score: QualityScore; date: number };
  rejected_reason: string;
}

/** What control.seedTemplate accepts: a create body plus the status to start in. */
export type TemplateSeed = TemplateCreate & { status?: TemplateStatus; quality?: QualityScore };

const positionalVar = /\{\{\s*(\d+)\s*\}\}/g;
const namedVar = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;
const anyVar = /\{\{\s*([^}]*?)\s*\}\}/g;

function variablesOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...text.matchAll(anyVar)].map((m) => m[1] ?? '');
}

/** Checks the §5 creation rules that a schema cannot express; returns a Graph error or null. */
function checkDefinition(
  def: z.infer<typeof templateCreateSchema>,
  requireExamples: boolean,
): GraphError | null {
  const format = def.parameter_format ?? 'POSITIONAL';
  const count = (type: TemplateComponentDef['type']) => def.components.filter((c) => c.type === type).length;
  if (count('BODY') !== 1)
    return invalidParam('Invalid parameter', 'A template needs exactly one BODY component.');
  if (count('HEADER') > 1 || count('FOOTER') > 1 || count('BUTTONS') > 1) {
    return invalidParam('Invalid parameter', 'At most one HEADER, one FOOTER and one BUTTONS component.');
  }
  for (const component of def.components) {
    if (component.type !== 'HEADER' && component.type !== 'BODY') continue;
    if (component.type === 'HEADER' && component.format === 'TEXT' && component.text === undefined) {
      return invalidParam('Invalid parameter', 'A TEXT header needs text.');
    }
    const vars = variablesOf(component.text);
    const pattern = format === 'NAMED' ? /^[a-z_][a-z0-9_]*$/ : /^\d+$/;
    const bad = vars.find((v) => !pattern.test(v));
    if (bad !== undefined) {
      return invalidParam(
        'Invalid parameter',
        `Variable {{${bad}}} does not match parameter_format ${format}.`,
      );
    }
    if (format === 'POSITIONAL') {
      const numbers = [...new Set(vars.map(Number))].sort((a, b) => a - b);
      if (numbers.some((n, i) => n !== i + 1)) {
        return invalidParam(
          'Invalid parameter',
          'Positional variables must be numbered {{1}}, {{2}}, … in sequence.',
        );
      }
    }
    if (component.type === 'HEADER' && vars.length > 1) {
      return invalidParam('Invalid parameter', 'A text header can hold at most one variable.');
    }
    if (requireExamples && vars.length > 0 && component.example === undefined) {
      return invalidParam(
        'Invalid parameter',
        `Message template variables need sample values (${component.type}).`,
      );
    }
  }
  const buttons = def.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
  const ofType = (t: TemplateButtonDef['type']) => buttons.filter((b) => b.type === t).length;
  if (
    ofType('QUICK_REPLY') > 10 ||
    ofType('URL') > 2 ||
    ofType('PHONE_NUMBER') > 1 ||
    ofType('COPY_CODE') > 1
  ) {
    return invalidParam(
      'Invalid parameter',
      'Too many buttons of one type (10 quick replies, 2 URL, 1 phone, 1 copy code).',
    );
  }
  // §5: quick replies must be grouped apart from the other buttons.
  const kinds = buttons.map((b) => (b.type === 'QUICK_REPLY' ? 'q' : 'o')).join('');
  if (/q+o+q|o+q+o/.test(kinds)) {
    return invalidParam('Invalid parameter', 'Quick-reply buttons must be grouped together.');
  }
  for (const button of buttons) {
    if (button.type === 'URL' && variablesOf(button.url).length > 1) {
      return invalidParam('Invalid parameter', 'A URL button can hold one trailing variable.');
    }
    if (
      button.type === 'URL' &&
      variablesOf(button.url).length === 1 &&
      !/\{\{\s*1\s*\}\}$/.test(button.url)
    ) {
      return invalidParam('Invalid parameter', 'The URL variable must be {{1}} at the end.');
    }
  }
  return null;
}

export interface ListQuery {
  limit?: number;
  after?: string;
  before?: string;
  name?: string;
  status?: string;
  category?: string;
  language?: string;
  content?: string;
  name_or_content?: string;
  quality_score?: string;
  fields?: string;
}

export interface ListPage {
  data: Record<string, unknown>[];
  /** Cursors of the page edges, or null on an empty page. */
  cursors: { before: string; after: string } | null;
  hasNext: boolean;
  hasPrevious: boolean;
}

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
/** Throws on anything that is not a cursor this store issued. */
const decodeCursor = (cursor: string): bigint => {
  const id = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!/^\d+$/.test(id)) throw new Error('malformed cursor');
  return BigInt(id);
};
/** Graph's default page size is unverified (§5); 25 is the generic Graph default. */
const defaultPageSize = 25;
const maxPageSize = 1000;

export class TemplateStore {
  private readonly templates = new Map<string, TemplateRecord>();
  private nextId = 1_667_192_013_751_000n;

  constructor(private readonly now: () => number) {}

  private newId(): string {
    this.nextId += BigInt(1 + Math.floor(Math.random() * 7));
    return this.nextId.toString();
  }

  /** Validates and stores a template. `requireExamples` is the API's rule; seeding may skip it. */
  add(input: TemplateSeed, requireExamples: boolean): TemplateRecord | GraphError {
    const parsed = templateCreateSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return invalidParam(
        'Invalid parameter',
        `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const problem = checkDefinition(parsed.data, requireExamples);
    if (problem) return problem;
    if (this.find(parsed.data.name, parsed.data.language)) {
      // Meta answers a duplicate (name, language) with code 100, subcode 2388024 (unverified).
      return new GraphError(100, 400, '(#100) Invalid parameter', {
        subcode: 2388024,
        userTitle: 'Content in This Language Already Exists',
        userMsg: `There is already ${parsed.data.language} content for this template.`,
      });
    }
    const record: TemplateRecord = {
      id: this.newId(),
      name: parsed.data.name,
      language: parsed.data.language,
      status: input.status ?? 'PENDING',
      category: parsed.data.category,
      parameter_format: parsed.data.parameter_format ?? 'POSITIONAL',
      components: parsed.data.components,
      quality_score: { score: input.quality ?? 'UNKNOWN', date: Math.floor(this.now() / 1000) },
      rejected_reason: 'NONE',
    };
    this.templates.set(record.id, record);
    return record;
  }

  find(name: string, language: string): TemplateRecord | undefined {
    for (const t of this.templates.values()) if (t.name === name && t.language === language) return t;
    return undefined;
  }

  get(id: string): TemplateRecord | undefined {
    return this.templates.get(id);
  }

  all(): TemplateRecord[] {
    return [...this.templates.values()];
  }

  setStatus(id: string, status: TemplateStatus, rejectedReason?: string): TemplateRecord | undefined {
    const t = this.templates.get(id);
    if (!t) return undefined;
    t.status = status;
    if (rejectedReason !== undefined) t.rejected_reason = rejectedReason;
    return t;
  }

  /** §5 delete: by name removes every language; with hsm_id only that one. */
  delete(name: string | undefined, hsmId: string | undefined): TemplateRecord[] | GraphError {
    if (name === undefined || name === '') return graphError(100, 'The parameter name is required.');
    const victims = this.all().filter((t) => t.name === name && (hsmId === undefined || t.id === hsmId));
    if (victims.length === 0)
      return invalidParam('Invalid parameter', `Message template "${name}" not found.`);
    for (const t of victims) this.templates.delete(t.id);
    return victims;
  }

  /** §5 list: newest first, Graph cursors, filters. */
  list(query: ListQuery): ListPage | GraphError {
    const limit = query.limit ?? defaultPageSize;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
      return invalidParam(`Param limit must be between 1 and ${maxPageSize}.`);
    }
    const includes = (value: string, needle: string | undefined) =>
      needle === undefined || value.toLowerCase().includes(needle.toLowerCase());
    const inList = (value: string, list: string | undefined) =>
      list === undefined ||
      list
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .includes(value.toUpperCase());
    const bodyText = (t: TemplateRecord) =>
      t.components.map((c) => ('text' in c && c.text !== undefined ? c.text : '')).join('\n');
    // Ids grow with creation, so "newest first" is descending id order, stable under deletions.
    const ordered = this.all()
      .filter(
        (t) =>
          includes(t.name, query.name) &&
          inList(t.status, query.status) &&
          inList(t.category, query.category) &&
          (query.language === undefined || t.language === query.language) &&
          includes(bodyText(t), query.content) &&
          (query.name_or_content === undefined ||
            includes(t.name, query.name_or_content) ||
            includes(bodyText(t), query.name_or_content)) &&
          inList(t.quality_score.score, query.quality_score),
      )
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));

    let start = 0;
    let end = Math.min(ordered.length, limit);
    try {
      if (query.after !== undefined) {
        const afterId = decodeCursor(query.after);
        start = ordered.findIndex((t) => BigInt(t.id) < afterId);
        if (start === -1) start = ordered.length;
        end = Math.min(ordered.length, start + limit);
      } else if (query.before !== undefined) {
        const beforeId = decodeCursor(query.before);
        end = ordered.findIndex((t) => BigInt(t.id) <= beforeId);
        if (end === -1) end = ordered.length;
        start = Math.max(0, end - limit);
      }
    } catch {
      return invalidParam('Invalid parameter', 'Malformed paging cursor.');
    }
    const page = ordered.slice(start, end);
    const fields = query.fields
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const data = page.map((t) => projectTemplate(t, fields));
    const first = page[0];
    const last = page[page.length - 1];
    return {
      data,
      cursors: first && last ? { before: encodeCursor(first.id), after: encodeCursor(last.id) } : null,
      hasNext: end < ordered.length,
      hasPrevious: start > 0,
    };
  }
}

/** The REST shape of a template, limited to `fields` when given (`id` always included, as Graph does). */
export function projectTemplate(t: TemplateRecord, fields?: string[]): Record<string, unknown> {
  const full: Record<string, unknown> = {
    id: t.id,
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    parameter_format: t.parameter_format,
    components: t.components,
    quality_score: t.quality_score,
    rejected_reason: t.rejected_reason,
  };
  if (!fields || fields.length === 0) return full;
  const out: Record<string, unknown> = { id: t.id };
  for (const f of fields) if (f in full) out[f] = full[f];
  return out;
}

type Param = { type: string; parameter_name?: string; [key: string]: unknown };
const bodyParamTypes = new Set(['text', 'currency', 'date_time']);

/** The text a parameter contributes when the template is hydrated, or a 132012 when its shape is wrong. */
function paramText(p: Param): string | GraphError {
  switch (p.type) {
    case 'text':
      return typeof p.text === 'string' && p.text.length > 0
        ? p.text
        : graphError(132012, 'A text parameter needs a non-empty "text".');
    case 'currency': {
      const c = p.currency as { fallback_value?: unknown; code?: unknown; amount_1000?: unknown } | undefined;
      return c &&
        typeof c.fallback_value === 'string' &&
        typeof c.code === 'string' &&
        typeof c.amount_1000 === 'number'
        ? c.fallback_value
        : graphError(132012, 'A currency parameter needs fallback_value, code and amount_1000.');
    }
    case 'date_time': {
      const d = p.date_time as { fallback_value?: unknown } | undefined;
      return d && typeof d.fallback_value === 'string'
        ? d.fallback_value
        : graphError(132012, 'A date_time parameter needs fallback_value.');
    }
    default:
      return graphError(132012, `Parameter type ${p.type} is not allowed here.`);
  }
}

/** Checks body (or text header) parameters against the component's variables; returns hydrated text. */
function fillText(
  text: string,
  params: Param[],
  format: 'POSITIONAL' | 'NAMED',
  where: string,
): string | GraphError {
  const vars = [...new Set(variablesOf(text))];
  if (params.length !== vars.length) {
    return graphError(132000, `${where}: expected ${vars.length} parameters, received ${params.length}.`);
  }
  const values = new Map<string, string>();
  for (const [i, p] of params.entries()) {
    if (!bodyParamTypes.has(p.type))
      return graphError(132012, `${where}: parameter type ${p.type} is not allowed.`);
    const value = paramText(p);
    if (value instanceof GraphError) return value;
    if (format === 'NAMED') {
      if (
        p.parameter_name === undefined ||
        !vars.includes(p.parameter_name) ||
        values.has(p.parameter_name)
      ) {
        return graphError(
          132000,
          `${where}: parameter_name ${String(p.parameter_name)} does not match the template.`,
        );
      }
      values.set(p.parameter_name, value);
    } else {
      values.set(String(i + 1), value);
    }
  }
  const pattern = format === 'NAMED' ? namedVar : positionalVar;
  return text.replace(pattern, (_m, key: string) => values.get(key) ?? '');
}

const headerMediaFormats = new Set(['IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']);

/** Validates a template send against the store (§2, §3). Returns the template on success. */
export function checkTemplateSend(store: TemplateStore, body: TemplateSendBody): TemplateRecord | GraphError {
  const template = store.find(body.name, body.language.code);
  if (!template) {
    return graphError(132001, `template name (${body.name}) does not exist in ${body.language.code}`);
  }
  if (template.status === 'PAUSED') return graphError(132015, `Template ${body.name} is paused.`);
  if (template.status === 'DISABLED') return graphError(132016, `Template ${body.name} is disabled.`);
  if (!sendable.has(template.status)) {
    return graphError(
      132001,
      `template name (${body.name}) is not approved in ${body.language.code} (${template.status})`,
    );
  }
  const given = body.components ?? [];
  const header = template.components.find((c) => c.type === 'HEADER');
  const bodyDef = template.components.find((c) => c.type === 'BODY');
  const buttons = template.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];

  for (const c of given) {
    if (c.type === 'header' && !header) return graphError(132000, 'The template has no header.');
    if (c.type === 'footer') return graphError(132000, 'Footers take no parameters.');
  }
  const headerGiven = given.filter((c) => c.type === 'header');
  const bodyGiven = given.filter((c) => c.type === 'body');
  if (headerGiven.length > 1 || bodyGiven.length > 1)
    return graphError(132000, 'Duplicate header or body component.');

  if (header) {
    const params = (headerGiven[0]?.parameters ?? []) as Param[];
    if (header.format === 'TEXT') {
      const filled = fillText(header.text ?? '', params, template.parameter_format, 'header');
      if (filled instanceof GraphError) return filled;
    } else if (headerMediaFormats.has(header.format)) {
      if (params.length !== 1)
        return graphError(132000, `header: expected 1 parameter, received ${params.length}.`);
      const p = params[0] as Param;
      const expected = header.format.toLowerCase();
      if (p.type !== expected || typeof p[expected] !== 'object' || p[expected] === null) {
        return graphError(132012, `header: expected ${header.format}, received ${p.type.toUpperCase()}.`);
      }
    }
  }
  if (bodyDef) {
    const filled = fillText(bodyDef.text, bodyGiven[0]?.parameters ?? [], template.parameter_format, 'body');
    if (filled instanceof GraphError) return filled;
    if (filled.length > 1024)
      return graphError(132005, `Hydrated body is ${filled.length} characters (max 1024).`);
  }

  const buttonComponents = given.filter((c) => c.type === 'button');
  const seen = new Set<number>();
  for (const c of buttonComponents) {
    const index = Number(c.index);
    const def = buttons[index];
    if (!Number.isInteger(index) || !def || seen.has(index)) {
      return graphError(132000, `button index ${String(c.index)} does not match the template.`);
    }
    seen.add(index);
    const expectedSubType = {
      QUICK_REPLY: 'quick_reply',
      URL: 'url',
      PHONE_NUMBER: 'phone_number',
      COPY_CODE: 'copy_code',
    }[def.type];
    if (c.sub_type !== expectedSubType) {
      return graphError(
        132012,
        `button ${index}: expected sub_type ${expectedSubType}, received ${String(c.sub_type)}.`,
      );
    }
    const params = (c.parameters ?? []) as Param[];
    if (params.length !== 1)
      return graphError(132000, `button ${index}: expected 1 parameter, received ${params.length}.`);
    const p = params[0] as Param;
    const ok =
      (def.type === 'QUICK_REPLY' && p.type === 'payload' && typeof p.payload === 'string') ||
      (def.type === 'URL' && p.type === 'text' && typeof p.text === 'string') ||
      (def.type === 'COPY_CODE' && p.type === 'coupon_code' && typeof p.coupon_code === 'string');
    if (!ok) return graphError(132012, `button ${index}: parameter format does not match.`);
    if (def.type === 'URL' && variablesOf(def.url).length === 0) {
      return graphError(132000, `button ${index}: this URL button takes no parameter.`);
    }
  }
  // Dynamic buttons (a URL with a variable, a copy code) must be filled.
  for (const [index, def] of buttons.entries()) {
    const dynamic = (def.type === 'URL' && variablesOf(def.url).length > 0) || def.type === 'COPY_CODE';
    if (dynamic && !seen.has(index)) return graphError(132000, `button ${index} needs a parameter.`);
  }
  return template;
}

/** §5: REST says `en_US`, template webhooks may say `en-US`. The simulator emits the webhook spelling. */
export function webhookLanguage(language: string): string {
  return language.replace(/_/g, '-');
}
