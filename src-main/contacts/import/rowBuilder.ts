// One parsed CSV row + the user's column mapping → a contact to upsert, or the reason it is rejected.
// Every check names the column and the value, so the rejects file tells the user what to fix.
import { CONTACT_LIMITS, type ImportSettings } from '../../../src-preload/contacts.contract';
import { unescapeFormula } from '../csv/csvWrite';
import { REPLACEMENT_CHARACTER } from '../csv/decode';
import { phoneNormaliser, type PhoneRejectCode, type PhoneResult } from '../phone/normalisePhone';

export type RejectCode =
  | PhoneRejectCode
  | 'INVALID_EMAIL'
  | 'NAME_TOO_LONG'
  | 'TAG_TOO_LONG'
  | 'TOO_MANY_TAGS'
  | 'ATTRIBUTE_TOO_LONG'
  | 'TOO_MANY_VALUES'
  | 'UNDECODABLE'
  | 'ROW_TOO_LONG'
  | 'UNCLOSED_QUOTE'
  | 'MALFORMED_QUOTES'
  | 'DUPLICATE_IN_FILE'
  | 'ALREADY_EXISTS'
  | 'NOT_IN_WORKSPACE';

/** A row that passed every check, ready for the upsert. */
export interface CandidateContact {
  row: number;
  line: number;
  phone: string;
  name: string | null;
  email: string | null;
  /** JSON text of the tag array and attribute object, as stored: built once here, not per write. */
  tagsJson: string;
  attributesJson: string;
  /**
   * The row as written in the file, for the rejects file should it be skipped later (a duplicate, the
   * mode). One string rather than the cells: a sorted run holds tens of thousands of these.
   */
  raw: string;
}

export interface RowReject {
  row: number;
  line: number;
  code: RejectCode;
  message: string;
  values: string[];
}

export type BuiltRow =
  { kind: 'contact'; contact: CandidateContact } | { kind: 'reject'; reject: RowReject } | { kind: 'empty' };

export interface RowPlan {
  columnCount: number;
  headers: readonly string[];
  phone: number;
  names: number[];
  email: number;
  tags: number[];
  attributes: { index: number; key: string }[];
  defaultCountry: string | undefined;
  /** normalisePhone with the default country, remembering rejected cells for the rest of the import. */
  normalisePhone: (cell: string) => PhoneResult;
}

export function planRows(settings: ImportSettings, headers: readonly string[]): RowPlan {
  const indexesOf = (kind: string): number[] =>
    settings.columns.flatMap((c, i) => (c.kind === kind ? [i] : []));
  return {
    columnCount: Math.max(headers.length, settings.columns.length),
    headers,
    phone: indexesOf('phone')[0] ?? -1,
    names: indexesOf('name'),
    email: indexesOf('email')[0] ?? -1,
    tags: indexesOf('tags'),
    attributes: settings.columns.flatMap((c, index) =>
      c.kind === 'attribute' ? [{ index, key: c.key }] : [],
    ),
    defaultCountry: settings.defaultCountry ?? undefined,
    normalisePhone: phoneNormaliser(settings.defaultCountry ?? undefined),
  };
}

export const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const tagSeparators = /[,;|]/;

function columnName(plan: RowPlan, index: number): string {
  return plan.headers[index] ?? `column ${index + 1}`;
}

function clip(value: string, max = 60): string {
  return value.length > max ? value.slice(0, max) + '…' : value;
}

/** Splits a tags cell ("vip; new, 2024") into distinct trimmed tags. */
export function splitTags(cell: string): string[] {
  if (!cell) return [];
  const out: string[] = [];
  for (const part of cell.split(tagSeparators)) {
    const tag = part.trim();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

function rejected(row: number, line: number, values: string[], code: RejectCode, message: string): BuiltRow {
  return { kind: 'reject', reject: { row, line, code, message, values } };
}

/** The non-empty cells of several name columns (first name, last name...), joined by a space. */
function joinedNameParts(fields: readonly string[], columns: readonly number[]): string {
  const parts: string[] = [];
  for (const index of columns) {
    const part = fields[index];
    if (part) parts.push(part);
  }
  return parts.join(' ');
}

const APOSTROPHE = 39;

export function buildRow(fields: string[], raw: string, row: number, line: number, plan: RowPlan): BuiltRow {
  // One pass over the cells (this runs for every row of a million-row file): trim, undo the apostrophe
  // our exports put before formula-like values (csvWrite.ts), note an undecodable byte for later.
  let anyValue = false;
  let undecodable = false;
  for (let i = 0; i < fields.length; i++) {
    let value = (fields[i] as string).trim();
    if (value.charCodeAt(0) === APOSTROPHE) value = unescapeFormula(value);
    fields[i] = value;
    if (value) {
      anyValue = true;
      if (!undecodable && value.includes(REPLACEMENT_CHARACTER)) undecodable = true;
    }
  }
  if (!anyValue) return { kind: 'empty' };

  if (fields.length > plan.columnCount) {
    for (let i = plan.columnCount; i < fields.length; i++) {
      if (fields[i]) {
        return rejected(
          row,
          line,
          fields,
          'TOO_MANY_VALUES',
          `The row has ${fields.length} values but the file has ${plan.columnCount} columns (a delimiter inside an unquoted value?)`,
        );
      }
    }
  }
  if (undecodable) {
    return rejected(
      row,
      line,
      fields,
      'UNDECODABLE',
      'The row contains bytes that are not valid text in the file’s encoding',
    );
  }
  const phoneCell = fields[plan.phone] ?? '';
  const phone = plan.normalisePhone(phoneCell);
  if (!phone.ok) return rejected(row, line, fields, phone.code, phone.message);

  let name: string | null = null;
  if (plan.names.length > 0) {
    // One name column (the common case) is taken as it is, without building a list to join.
    const full =
      plan.names.length === 1 ? (fields[plan.names[0] as number] ?? '') : joinedNameParts(fields, plan.names);
    if (full.length > CONTACT_LIMITS.name) {
      return rejected(
        row,
        line,
        fields,
        'NAME_TOO_LONG',
        `The name is ${full.length} characters long; at most ${CONTACT_LIMITS.name} are allowed`,
      );
    }
    name = full || null;
  }

  let email: string | null = null;
  if (plan.email >= 0) {
    const cell = fields[plan.email] ?? '';
    if (cell) {
      if (cell.length > CONTACT_LIMITS.email || !emailPattern.test(cell)) {
        return rejected(
          row,
          line,
          fields,
          'INVALID_EMAIL',
          `${columnName(plan, plan.email)} "${clip(cell)}" is not a valid email address`,
        );
      }
      email = cell;
    }
  }

  const tags: string[] = [];
  for (const index of plan.tags) {
    for (const tag of splitTags(fields[index] ?? '')) {
      if (tag.length > CONTACT_LIMITS.tag) {
        return rejected(
          row,
          line,
          fields,
          'TAG_TOO_LONG',
          `The tag "${clip(tag)}" is longer than ${CONTACT_LIMITS.tag} characters`,
        );
      }
      if (!tags.includes(tag)) tags.push(tag);
    }
  }
  if (tags.length > CONTACT_LIMITS.tagsPerContact) {
    return rejected(
      row,
      line,
      fields,
      'TOO_MANY_TAGS',
      `The row has ${tags.length} tags; a contact can have at most ${CONTACT_LIMITS.tagsPerContact}`,
    );
  }

  const attributes: Record<string, string> = {};
  for (const { index, key } of plan.attributes) {
    const value = fields[index];
    if (!value) continue;
    if (value.length > CONTACT_LIMITS.attributeValue) {
      return rejected(
        row,
        line,
        fields,
        'ATTRIBUTE_TOO_LONG',
        `${columnName(plan, index)} is ${value.length} characters long; an attribute can hold at most ${CONTACT_LIMITS.attributeValue}`,
      );
    }
    attributes[key] = value;
  }

  return {
    kind: 'contact',
    contact: {
      row,
      line,
      phone: phone.e164,
      name,
      email,
      tagsJson: JSON.stringify(tags),
      attributesJson: JSON.stringify(attributes),
      raw,
    },
  };
}
