// The "New template" form's state and its translation into Meta's create request (whatsapp-cloud-api.md
// §5 Create), with the rules Meta applies checked here first so the user sees them next to the field:
// name format, one header variable, positional variables numbered {{1}}, {{2}}… in sequence, a sample
// value for every variable, button limits, quick replies grouped, a URL variable only as a trailing {{1}}.
import { templateCreateSchema, type TemplateCreateRequest } from '../../../src-preload/messaging.contract';
import { placeholdersOf } from './templateVariables';

export type ButtonKind = 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE';
export type HeaderChoice = 'NONE' | 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';

export interface ButtonDraft {
  type: ButtonKind;
  text: string;
  url: string;
  /** A full sample URL, needed when the URL ends in {{1}}. */
  urlExample: string;
  phoneNumber: string;
  /** COPY_CODE's sample code. */
  example: string;
}

export interface TemplateDraft {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameterFormat: 'positional' | 'named';
  header: HeaderChoice;
  headerText: string;
  headerExample: string;
  /** Media headers need a sample `header_handle` from Meta's Resumable Upload API (§5). */
  headerHandle: string;
  body: string;
  /** Sample values keyed by placeholder name (`1`, `first_name`). */
  bodyExamples: Record<string, string>;
  footer: string;
  buttons: ButtonDraft[];
}

export const emptyDraft: TemplateDraft = {
  name: '',
  language: 'en_US',
  category: 'UTILITY',
  parameterFormat: 'positional',
  header: 'NONE',
  headerText: '',
  headerExample: '',
  headerHandle: '',
  body: '',
  bodyExamples: {},
  footer: '',
  buttons: [],
};

export function emptyButton(type: ButtonKind): ButtonDraft {
  return { type, text: '', url: '', urlExample: '', phoneNumber: '', example: '' };
}

export interface DraftError {
  /** The form field the message belongs to: `name`, `body`, `example:1`, `button:0`, … */
  field: string;
  message: string;
}

/** The body's placeholders in the order the sample inputs show them (numeric for positional). */
export function bodyPlaceholders(draft: Pick<TemplateDraft, 'body' | 'parameterFormat'>): string[] {
  const names = placeholdersOf(draft.body);
  return draft.parameterFormat === 'positional' ? names.sort((a, b) => Number(a) - Number(b)) : names;
}

/** The next placeholder to insert with "Add variable": {{n+1}}, or a fresh name for named templates. */
export function nextPlaceholder(draft: Pick<TemplateDraft, 'body' | 'parameterFormat'>): string {
  const names = placeholdersOf(draft.body);
  if (draft.parameterFormat === 'positional') {
    const max = names.reduce((m, n) => Math.max(m, Number(n) || 0), 0);
    return `{{${max + 1}}}`;
  }
  let i = names.length + 1;
  while (names.includes(`var_${i}`)) i += 1;
  return `{{var_${i}}}`;
}

function checkVariables(text: string, format: TemplateDraft['parameterFormat'], field: string): DraftError[] {
  const names = placeholdersOf(text);
  const errors: DraftError[] = [];
  if (format === 'positional') {
    if (names.some((n) => !/^\d+$/.test(n))) {
      errors.push({ field, message: 'Numbered templates use {{1}}, {{2}}, … as variables.' });
    } else {
      const numbers = names.map(Number).sort((a, b) => a - b);
      if (numbers.some((n, i) => n !== i + 1)) {
        errors.push({ field, message: 'Number the variables {{1}}, {{2}}, … in sequence, starting at 1.' });
      }
    }
  } else if (names.some((n) => !/^[a-z_][a-z0-9_]*$/.test(n))) {
    errors.push({
      field,
      message: 'Named variables are lowercase letters, digits and _, starting with a letter: {{first_name}}.',
    });
  }
  return errors;
}

export type DraftResult = { ok: true; request: TemplateCreateRequest } | { ok: false; errors: DraftError[] };

export function buildTemplateCreate(connectionId: string, draft: TemplateDraft): DraftResult {
  const errors: DraftError[] = [];
  const name = draft.name.trim();
  if (!/^[a-z0-9_]+$/.test(name)) {
    errors.push({ field: 'name', message: 'Use lowercase letters, digits and _ only, like spring_sale.' });
  }
  const named = draft.parameterFormat === 'named';
  const components: TemplateCreateRequest['components'] = [];

  if (draft.header === 'TEXT') {
    const text = draft.headerText;
    const vars = placeholdersOf(text);
    if (!text.trim()) errors.push({ field: 'headerText', message: 'Write the header text.' });
    else if (text.length > 60)
      errors.push({ field: 'headerText', message: 'A header is at most 60 characters.' });
    else if (vars.length > 1)
      errors.push({ field: 'headerText', message: 'A header can hold one variable.' });
    errors.push(...checkVariables(text, draft.parameterFormat, 'headerText'));
    const example = draft.headerExample.trim();
    if (vars.length === 1 && !example) {
      errors.push({ field: 'headerExample', message: 'Give a sample value for the header variable.' });
    }
    components.push({
      type: 'HEADER',
      format: 'TEXT',
      text,
      ...(vars.length === 1
        ? {
            example: named
              ? { header_text_named_params: [{ param_name: vars[0], example }] }
              : { header_text: [example] },
          }
        : {}),
    });
  } else if (draft.header === 'LOCATION') {
    components.push({ type: 'HEADER', format: 'LOCATION' });
  } else if (draft.header !== 'NONE') {
    const handle = draft.headerHandle.trim();
    if (!handle) {
      errors.push({
        field: 'headerHandle',
        message: 'Meta needs a sample file for a media header: upload one.',
      });
    }
    components.push({ type: 'HEADER', format: draft.header, example: { header_handle: [handle] } });
  }

  const body = draft.body;
  if (!body.trim()) errors.push({ field: 'body', message: 'Write the message body.' });
  else if (body.length > 1024)
    errors.push({ field: 'body', message: 'The body is at most 1024 characters.' });
  errors.push(...checkVariables(body, draft.parameterFormat, 'body'));
  const bodyVars = bodyPlaceholders(draft);
  for (const v of bodyVars) {
    if (!draft.bodyExamples[v]?.trim()) {
      errors.push({ field: `example:${v}`, message: `Give a sample value for {{${v}}}.` });
    }
  }
  const samples = bodyVars.map((v) => draft.bodyExamples[v]?.trim() ?? '');
  components.push({
    type: 'BODY',
    text: body,
    ...(bodyVars.length > 0
      ? {
          example: named
            ? { body_text_named_params: bodyVars.map((v, i) => ({ param_name: v, example: samples[i] })) }
            : { body_text: [samples] },
        }
      : {}),
  });

  if (draft.footer.trim()) {
    if (draft.footer.length > 60)
      errors.push({ field: 'footer', message: 'A footer is at most 60 characters.' });
    if (placeholdersOf(draft.footer).length > 0) {
      errors.push({ field: 'footer', message: 'A footer cannot hold variables.' });
    }
    components.push({ type: 'FOOTER', text: draft.footer });
  }

  errors.push(...checkButtons(draft.buttons));
  if (draft.buttons.length > 0) {
    components.push({
      type: 'BUTTONS',
      buttons: draft.buttons.map((b) => {
        switch (b.type) {
          case 'QUICK_REPLY':
            return { type: 'QUICK_REPLY', text: b.text };
          case 'URL':
            return {
              type: 'URL',
              text: b.text,
              url: b.url.trim(),
              ...(placeholdersOf(b.url).length > 0 ? { example: [b.urlExample.trim()] } : {}),
            };
          case 'PHONE_NUMBER':
            return { type: 'PHONE_NUMBER', text: b.text, phone_number: b.phoneNumber.trim() };
          case 'COPY_CODE':
            return { type: 'COPY_CODE', example: b.example.trim() };
        }
      }),
    });
  }

  if (errors.length > 0) return { ok: false, errors };
  const request = {
    connectionId,
    name,
    language: draft.language.trim(),
    category: draft.category,
    ...(named ? { parameter_format: 'named' as const } : {}),
    components,
  };
  // The contract's own schema has the last word (the same one main validates with).
  const parsed = templateCreateSchema.safeParse(request);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => ({
        field: String(issue.path[0] ?? 'form'),
        message: issue.message,
      })),
    };
  }
  return { ok: true, request: parsed.data };
}

function checkButtons(buttons: ButtonDraft[]): DraftError[] {
  const errors: DraftError[] = [];
  const count = (type: ButtonKind) => buttons.filter((b) => b.type === type).length;
  if (buttons.length > 10) errors.push({ field: 'buttons', message: 'At most 10 buttons.' });
  if (count('URL') > 2) errors.push({ field: 'buttons', message: 'At most 2 link buttons.' });
  if (count('PHONE_NUMBER') > 1) errors.push({ field: 'buttons', message: 'At most 1 call button.' });
  if (count('COPY_CODE') > 1) errors.push({ field: 'buttons', message: 'At most 1 copy-code button.' });
  const kinds = buttons.map((b) => (b.type === 'QUICK_REPLY' ? 'q' : 'o')).join('');
  if (/q+o+q|o+q+o/.test(kinds)) {
    errors.push({
      field: 'buttons',
      message: 'Keep the quick replies together, before or after the others.',
    });
  }
  buttons.forEach((b, i) => {
    const field = `button:${i}`;
    if (b.type !== 'COPY_CODE') {
      if (!b.text.trim()) errors.push({ field, message: 'Give the button a label.' });
      else if (b.text.length > 25)
        errors.push({ field, message: 'A button label is at most 25 characters.' });
    }
    if (b.type === 'URL') {
      const vars = placeholdersOf(b.url);
      if (!/^https?:\/\/\S+$/.test(b.url.trim())) {
        errors.push({ field, message: 'The link must start with https:// (or http://).' });
      } else if (vars.length > 1 || (vars.length === 1 && !/\{\{\s*1\s*\}\}$/.test(b.url.trim()))) {
        errors.push({ field, message: 'A link can hold one variable, {{1}}, at its end.' });
      } else if (vars.length === 1 && !/^https?:\/\/\S+$/.test(b.urlExample.trim())) {
        errors.push({ field, message: 'Give a full sample link for the variable.' });
      }
    }
    if (b.type === 'PHONE_NUMBER' && !/^\+?[0-9][0-9 ]{5,19}$/.test(b.phoneNumber.trim())) {
      errors.push({ field, message: 'Give the phone number in international format, like +16505551234.' });
    }
    if (b.type === 'COPY_CODE' && (!b.example.trim() || b.example.trim().length > 15)) {
      errors.push({ field, message: 'Give a sample code of at most 15 characters.' });
    }
  });
  return errors;
}
