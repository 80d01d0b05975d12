// Invalid payloads generated from a channel's zod request schema (through its JSON Schema): wrong
// top-level types, each required field missing, each field of the wrong type, each string one
// character over its limit, and an unknown extra key. Each variant differs from a VALID base payload in
// one place only, so a rejection proves that one rule holds (not that something else was wrong too).
import { z } from 'zod';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
}

export interface InvalidPayload {
  what: string;
  payload: unknown;
}

/** Plausible strings for the app's fields; the first one a field's rules accept is used. */
const stringCandidates = [
  'Shop',
  'abc12345',
  '106540352242922',
  '+14155550123',
  'v24.0',
  'EAAGvalidTOKEN0123456789abcdefXYZ',
  '0123456789abcdef0123456789abcdef',
  'client-id-0001',
  'bellhop-20261128T150405123Z-manual.sqlite',
  'hello_world',
  'en_US',
  'US',
  'https://example.com/webhooks',
  'a',
];

function branches(schema: JsonSchema): JsonSchema[] {
  return schema.anyOf ?? schema.oneOf ?? [schema];
}

function exampleFor(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf ?? schema.oneOf) {
    for (const branch of branches(schema)) {
      const value = exampleFor(branch);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringCandidates.find(
        (s) =>
          s.length >= (schema.minLength ?? 0) &&
          s.length <= (schema.maxLength ?? Infinity) &&
          (!schema.pattern || new RegExp(schema.pattern, 'u').test(s)),
      );
    case 'integer':
    case 'number':
      return Math.min(
        schema.maximum ?? Infinity,
        Math.max(schema.minimum ?? 1, (schema.exclusiveMinimum ?? 0) + 1),
      );
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const item = schema.items ? exampleFor(schema.items) : 'x';
      return item === undefined ? undefined : Array.from({ length: schema.minItems ?? 0 }, () => item);
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const value = exampleFor(schema.properties?.[key] ?? {});
        if (value === undefined) return undefined;
        out[key] = value;
      }
      return out;
    }
    case undefined:
    default:
      return undefined;
  }
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** A value whose JSON type none of the field's branches allows; undefined for an "any" field. */
function wrongTypeFor(schema: JsonSchema): unknown {
  const allowed = new Set<string>();
  for (const branch of branches(schema)) {
    if (branch.type === undefined && branch.const === undefined && branch.enum === undefined)
      return undefined;
    for (const t of [branch.type ?? [], branch.const !== undefined ? jsonTypeOf(branch.const) : []].flat())
      allowed.add(t);
    for (const value of branch.enum ?? []) allowed.add(jsonTypeOf(value));
  }
  if (allowed.has('number')) allowed.add('integer');
  return [12345, 'wrong type', true, ['wrong'], { wrong: 1 }].find(
    (v) => !allowed.has(jsonTypeOf(v)) && !(jsonTypeOf(v) === 'integer' && allowed.has('number')),
  );
}

export function invalidPayloadsFor(request: z.ZodType): { base: unknown; variants: InvalidPayload[] } {
  const json = z.toJSONSchema(request, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const variants: InvalidPayload[] = [
    { what: 'a number instead of an object', payload: 42 },
    { what: 'a string instead of an object', payload: 'payload' },
    { what: 'an array instead of an object', payload: [] },
  ];
  // The first object branch whose example the schema itself accepts is the base.
  let base: Record<string, unknown> | undefined;
  let shape: JsonSchema | undefined;
  for (const branch of branches(json)) {
    const example = exampleFor(branch);
    if (example !== undefined && request.safeParse(example).success) {
      base = example as Record<string, unknown>;
      shape = branch;
      break;
    }
  }
  if (!base || !shape) {
    variants.push({ what: 'an unknown extra key on an empty object', payload: { unexpectedKey: 1 } });
    return { base: undefined, variants };
  }
  variants.push({ what: 'an unknown extra key', payload: { ...base, unexpectedKey: 1 } });
  for (const key of shape.required ?? []) {
    const { [key]: _dropped, ...rest } = base;
    variants.push({ what: `required ${key} missing`, payload: rest });
  }
  for (const [key, field] of Object.entries(shape.properties ?? {})) {
    const wrong = wrongTypeFor(field);
    if (wrong !== undefined)
      variants.push({ what: `${key} of the wrong type`, payload: { ...base, [key]: wrong } });
    for (const branch of branches(field)) {
      if (branch.type === 'string' && branch.maxLength !== undefined)
        variants.push({
          what: `${key} over its ${branch.maxLength}-character limit`,
          payload: { ...base, [key]: 'a'.repeat(branch.maxLength + 1) },
        });
    }
  }
  return { base, variants };
}
