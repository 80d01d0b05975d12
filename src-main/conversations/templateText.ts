// The words a customer read in a template message: the synced template's header, body and footer text
// with the message's parameters filled in (§2: positional parameters fill {{1}}, {{2}} … in order, named
// ones carry parameter_name; §5: the template's text lives in its components). The thread shows it for
// template sends and campaign messages, whose stored body holds only the name and the parameters.

const placeholder = /\{\{\s*([a-z0-9_]+)\s*\}\}/g;

/** The distinct {{name}} placeholders of a template text, in order of first appearance. */
export function placeholderNames(text: string | undefined): string[] {
  return [...new Set([...(text ?? '').matchAll(placeholder)].map((m) => m[1] ?? ''))];
}

/** Replaces each {{name}} with its value; a placeholder without a value stays as written. */
export function fillPlaceholders(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(placeholder, (whole, name: string) => values.get(name) ?? whole);
}

interface StoredComponent {
  type?: unknown;
  format?: unknown;
  text?: unknown;
}

interface SentParameter {
  type?: unknown;
  text?: unknown;
  parameter_name?: unknown;
  date_time?: { fallback_value?: unknown };
  currency?: { fallback_value?: unknown };
}

interface SentComponent {
  type?: unknown;
  parameters?: unknown;
}

function parameterText(parameter: SentParameter): string | null {
  if (typeof parameter.text === 'string') return parameter.text;
  if (typeof parameter.date_time?.fallback_value === 'string') return parameter.date_time.fallback_value;
  if (typeof parameter.currency?.fallback_value === 'string') return parameter.currency.fallback_value;
  return null;
}

/** The values of one sent component: by parameter_name when named, else {{1}}, {{2}} … in order. */
function valuesOf(components: SentComponent[], type: 'header' | 'body'): Map<string, string> {
  const values = new Map<string, string>();
  const component = components.find((c) => c.type === type);
  const parameters = Array.isArray(component?.parameters) ? (component.parameters as SentParameter[]) : [];
  parameters.forEach((parameter, i) => {
    const text = parameterText(parameter);
    if (text === null) return;
    values.set(typeof parameter.parameter_name === 'string' ? parameter.parameter_name : String(i + 1), text);
  });
  return values;
}

// A thread page or a campaign's conversations pass render many messages of one template in a row: the
// last template's parsed components are kept, so its JSON is parsed once per run instead of per message.
let lastComponents: { json: string; parsed: StoredComponent[] | null } | undefined;

function parsedComponents(json: string): StoredComponent[] | null {
  if (lastComponents?.json !== json) {
    let parsed: StoredComponent[] | null = null;
    try {
      const value = JSON.parse(json) as unknown;
      parsed = Array.isArray(value) ? (value as StoredComponent[]) : null;
    } catch {
      parsed = null;
    }
    lastComponents = { json, parsed };
  }
  return lastComponents.parsed;
}

/**
 * The message's text as the customer saw it, header / body / footer separated by a blank line; null when
 * the template is not synced here (deleted, or never synced) or has no text.
 */
export function templateMessageText(
  storedComponents: string | null,
  sent: { components?: unknown } | null | undefined,
): string | null {
  if (storedComponents === null) return null;
  const template = parsedComponents(storedComponents);
  if (template === null) return null;
  const sentComponents = Array.isArray(sent?.components) ? (sent.components as SentComponent[]) : [];
  const textOf = (type: string): string | null => {
    const component = template.find((c) => typeof c.type === 'string' && c.type.toUpperCase() === type);
    if (typeof component?.text !== 'string') return null;
    if (
      type === 'HEADER' &&
      typeof component.format === 'string' &&
      component.format.toUpperCase() !== 'TEXT'
    )
      return null;
    if (type === 'FOOTER') return component.text;
    return fillPlaceholders(component.text, valuesOf(sentComponents, type === 'HEADER' ? 'header' : 'body'));
  };
  const parts = [textOf('HEADER'), textOf('BODY'), textOf('FOOTER')].filter(
    (part): part is string => part !== null && part.trim() !== '',
  );
  return parts.length > 0 ? parts.join('\n\n') : null;
}
