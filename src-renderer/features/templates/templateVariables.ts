// Reads a synced template's components (Meta's shape, whatsapp-cloud-api.md §5) into what the preview
// and the variables form need, and turns the values a user typed into the TemplateParams that
// `messages:send` / `messages:send-template-to-number` take (§2: positional in order, named by name).
// Components come from Meta, so every field is read defensively: an unknown shape yields no variable
// rather than a crash.
import type { TemplateParams, TemplateView } from '../../../src-preload/messaging.contract';

export type HeaderFormat = 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';

export interface TemplateButton {
  /** 0-based position among the template's buttons: the `index` of a send's button component (§2). */
  index: number;
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | 'OTHER';
  text: string;
  url?: string;
  phoneNumber?: string;
}

export interface TemplateShape {
  parameterFormat: 'POSITIONAL' | 'NAMED';
  header?: { format: HeaderFormat; text?: string };
  body: string;
  footer?: string;
  buttons: TemplateButton[];
}

export type VariableSection = 'header' | 'body' | 'button';

export interface TemplateVariable {
  /** Unique within the template, stable: `header`, `body:1`, `body:first_name`, `button:2`. */
  key: string;
  section: VariableSection;
  /** The placeholder's name as written between the braces: `1` or `first_name`. */
  name: string;
  /** How the placeholder appears in the template text. */
  placeholder: string;
  label: string;
  /** Meta's limit for the value (contract: header 60, body 1024, URL 2000, copy code 15). */
  maxLength: number;
  /** Header media variables take an uploaded media id, not text. */
  media?: 'image' | 'video' | 'document';
  /** Meta's sample value from the template's `example`, as an input hint. */
  example?: string;
  button?: { index: number; subType: 'url' | 'copy_code' };
}

export const HEADER_TEXT_MAX = 60;
export const BODY_VARIABLE_MAX = 1024;
export const URL_VARIABLE_MAX = 2000;
/** §5: a COPY_CODE button's code is at most 15 characters. */
export const COPY_CODE_MAX = 15;

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const placeholderPattern = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct placeholder names of a text, in order of first appearance. */
export function placeholdersOf(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set([...text.matchAll(placeholderPattern)].map((m) => m[1] ?? ''))];
}

const headerFormats: HeaderFormat[] = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];
const buttonTypes: TemplateButton['type'][] = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE'];

export function templateShape(template: Pick<TemplateView, 'components' | 'parameterFormat'>): TemplateShape {
  const shape: TemplateShape = { parameterFormat: template.parameterFormat, body: '', buttons: [] };
  for (const component of template.components) {
    if (!isObject(component)) continue;
    const type = str(component.type)?.toUpperCase();
    if (type === 'HEADER') {
      const format = str(component.format)?.toUpperCase() as HeaderFormat | undefined;
      if (format && headerFormats.includes(format)) {
        const text = str(component.text);
        shape.header = text !== undefined ? { format, text } : { format };
      }
    } else if (type === 'BODY') {
      shape.body = str(component.text) ?? '';
    } else if (type === 'FOOTER') {
      const text = str(component.text);
      if (text !== undefined) shape.footer = text;
    } else if (type === 'BUTTONS' && Array.isArray(component.buttons)) {
      component.buttons.forEach((raw, index) => {
        if (!isObject(raw)) return;
        const rawType = str(raw.type)?.toUpperCase() as TemplateButton['type'] | undefined;
        const buttonType = rawType && buttonTypes.includes(rawType) ? rawType : 'OTHER';
        const url = str(raw.url);
        const phoneNumber = str(raw.phone_number);
        shape.buttons.push({
          index,
          type: buttonType,
          // A COPY_CODE button has no label of its own: WhatsApp shows "Copy offer code".
          text: str(raw.text) ?? (buttonType === 'COPY_CODE' ? 'Copy offer code' : 'Button'),
          ...(url !== undefined ? { url } : {}),
          ...(phoneNumber !== undefined ? { phoneNumber } : {}),
        });
      });
    }
  }
  return shape;
}

function componentOf(template: Pick<TemplateView, 'components'>, type: string): Loose | undefined {
  return template.components.find((c): c is Loose => isObject(c) && str(c.type)?.toUpperCase() === type);
}

/** Meta's sample values (§5 Create: body_text, body_text_named_params, header_text). */
function bodyExamples(template: Pick<TemplateView, 'components'>): Map<string, string> {
  const examples = new Map<string, string>();
  const example = componentOf(template, 'BODY')?.example;
  if (!isObject(example)) return examples;
  const positional = example.body_text;
  if (Array.isArray(positional) && Array.isArray(positional[0])) {
    (positional[0] as unknown[]).forEach((value, i) => {
      const text = str(value);
      if (text !== undefined) examples.set(String(i + 1), text);
    });
  }
  if (Array.isArray(example.body_text_named_params)) {
    for (const entry of example.body_text_named_params) {
      if (!isObject(entry)) continue;
      const name = str(entry.param_name);
      const text = str(entry.example);
      if (name !== undefined && text !== undefined) examples.set(name, text);
    }
  }
  return examples;
}

function headerExample(template: Pick<TemplateView, 'components'>): string | undefined {
  const example = componentOf(template, 'HEADER')?.example;
  if (!isObject(example)) return undefined;
  const text = example.header_text;
  if (Array.isArray(text)) return str(text[0]);
  if (Array.isArray(example.header_text_named_params)) {
    const first: unknown = example.header_text_named_params[0];
    return isObject(first) ? str(first.example) : undefined;
  }
  return undefined;
}

function byPosition(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isInteger(na) && Number.isInteger(nb) ? na - nb : 0;
}

/** Every variable the user must fill to send the template, in the order the form shows them. */
export function templateVariables(
  template: Pick<TemplateView, 'components' | 'parameterFormat'>,
): TemplateVariable[] {
  const shape = templateShape(template);
  const variables: TemplateVariable[] = [];
  const header = shape.header;
  if (header?.format === 'TEXT') {
    // §5: a text header holds at most one variable.
    const name = placeholdersOf(header.text)[0];
    if (name !== undefined) {
      const example = headerExample(template);
      variables.push({
        key: 'header',
        section: 'header',
        name,
        placeholder: `{{${name}}}`,
        label: `Header {{${name}}}`,
        maxLength: HEADER_TEXT_MAX,
        ...(example !== undefined ? { example } : {}),
      });
    }
  } else if (header && header.format !== 'LOCATION') {
    const media = header.format.toLowerCase() as 'image' | 'video' | 'document';
    variables.push({
      key: 'header',
      section: 'header',
      name: media,
      placeholder: `[${media}]`,
      label: `Header ${media} (media id)`,
      maxLength: 64,
      media,
    });
  }
  const examples = bodyExamples(template);
  const names = placeholdersOf(shape.body);
  if (shape.parameterFormat === 'POSITIONAL') names.sort(byPosition);
  for (const name of names) {
    const example = examples.get(name);
    variables.push({
      key: `body:${name}`,
      section: 'body',
      name,
      placeholder: `{{${name}}}`,
      label: `Body {{${name}}}`,
      maxLength: BODY_VARIABLE_MAX,
      ...(example !== undefined ? { example } : {}),
    });
  }
  for (const button of shape.buttons) {
    if (button.type === 'URL' && placeholdersOf(button.url).length > 0) {
      // §5: one trailing variable, the suffix of the URL.
      variables.push({
        key: `button:${button.index}`,
        section: 'button',
        name: placeholdersOf(button.url)[0] ?? '1',
        placeholder: `{{${placeholdersOf(button.url)[0] ?? '1'}}}`,
        label: `Link "${button.text}" — end of the URL`,
        maxLength: URL_VARIABLE_MAX,
        button: { index: button.index, subType: 'url' },
      });
    } else if (button.type === 'COPY_CODE') {
      variables.push({
        key: `button:${button.index}`,
        section: 'button',
        name: 'code',
        placeholder: '{{code}}',
        label: 'Offer code to copy',
        maxLength: COPY_CODE_MAX,
        button: { index: button.index, subType: 'copy_code' },
      });
    }
  }
  return variables;
}

/** The value a variable has in `params`, or '' when it has none. */
export function variableValue(variable: TemplateVariable, params: TemplateParams | undefined): string {
  switch (variable.section) {
    case 'header': {
      const header = params?.header;
      if (!header) return '';
      return header.type === 'text' ? header.text : header.mediaId;
    }
    case 'body': {
      const body = params?.body;
      if (body === undefined) return '';
      if (Array.isArray(body)) return body[Number(variable.name) - 1] ?? '';
      return body[variable.name] ?? '';
    }
    case 'button':
      return params?.buttons?.find((b) => b.index === variable.button?.index)?.value ?? '';
  }
}

/**
 * TemplateParams for the given values (keyed by variable key). Every variable is present, unfilled ones as
 * '' so positional order never shifts; `missingVariables` says whether it is ready to send. Undefined
 * when the template has no variables (a send then carries no components).
 */
export function buildTemplateParams(
  template: Pick<TemplateView, 'components' | 'parameterFormat'>,
  values: Record<string, string>,
): TemplateParams | undefined {
  const variables = templateVariables(template);
  if (variables.length === 0) return undefined;
  const params: TemplateParams = {};
  const bodyVars = variables.filter((v) => v.section === 'body');
  if (bodyVars.length > 0) {
    params.body =
      template.parameterFormat === 'NAMED'
        ? Object.fromEntries(bodyVars.map((v) => [v.name, values[v.key] ?? '']))
        : bodyVars.map((v) => values[v.key] ?? '');
  }
  const header = variables.find((v) => v.section === 'header');
  if (header) {
    params.header = header.media
      ? { type: header.media, mediaId: values[header.key] ?? '' }
      : { type: 'text', text: values[header.key] ?? '' };
  }
  const buttons = variables.filter((v) => v.button !== undefined);
  if (buttons.length > 0) {
    params.buttons = buttons.map((v) => ({
      index: v.button?.index ?? 0,
      subType: v.button?.subType ?? 'url',
      value: values[v.key] ?? '',
    }));
  }
  return params;
}

/** The values (keyed by variable key) held in `params`: the inverse of buildTemplateParams. */
export function valuesFromParams(
  template: Pick<TemplateView, 'components' | 'parameterFormat'>,
  params: TemplateParams | undefined,
): Record<string, string> {
  return Object.fromEntries(templateVariables(template).map((v) => [v.key, variableValue(v, params)]));
}

/** Variables without a usable value: empty, blank, or longer than Meta allows. */
export function missingVariables(
  template: Pick<TemplateView, 'components' | 'parameterFormat'>,
  params: TemplateParams | undefined,
): TemplateVariable[] {
  return templateVariables(template).filter((v) => {
    const value = variableValue(v, params);
    return value.trim() === '' || value.length > v.maxLength;
  });
}
