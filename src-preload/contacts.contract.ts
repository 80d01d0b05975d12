// The contacts part of the IPC contract (spread into contract.ts): the contacts screen, CSV import with
// column mapping, and CSV export. Limits here are the ones the import enforces row by row, so the screen
// and the import agree on what a valid contact is.
import { z } from 'zod';
import { returns, rowId } from './contractSchema';
import { UPLOAD_CHUNK_BYTES } from './transferLimits';

export { UPLOAD_CHUNK_BYTES } from './transferLimits';

export const CONTACT_LIMITS = {
  name: 200,
  email: 320,
  tag: 64,
  tagsPerContact: 50,
  attributeKey: 64,
  attributeValue: 2000,
  attributesPerContact: 100,
  optOutReason: 500,
} as const;

/** Largest file the import takes (bytes). */
export const MAX_IMPORT_FILE_BYTES = 1024 * 1024 * 1024;

export const contactSources = [
  'manual',
  'import',
  'inbound',
  'template_send',
  'campaign',
  'sandbox',
] as const;
export type ContactSource = (typeof contactSources)[number];

const workspaceIdSchema = rowId('workspace');

/** A tag: no separators (they split tags on import), no surrounding spaces. */
export const tagSchema = z
  .string()
  .trim()
  .min(1, 'A tag cannot be empty.')
  .max(CONTACT_LIMITS.tag, `A tag can be at most ${CONTACT_LIMITS.tag} characters.`)
  .regex(/^[^,;|]+$/, 'A tag cannot contain , ; or |.');

export const attributeKeySchema = z
  .string()
  .trim()
  .min(1, 'An attribute needs a name.')
  .max(
    CONTACT_LIMITS.attributeKey,
    `An attribute name can be at most ${CONTACT_LIMITS.attributeKey} characters.`,
  );

const attributeValueSchema = z
  .string()
  .max(
    CONTACT_LIMITS.attributeValue,
    `An attribute value can be at most ${CONTACT_LIMITS.attributeValue} characters.`,
  );

export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'The default country is a two-letter code such as US or BR.');

export const delimiterSchema = z.enum([',', ';', '\t', '|']);
export type CsvDelimiter = z.infer<typeof delimiterSchema>;

export const importModes = ['add-new', 'update-existing', 'add-and-update'] as const;
export type ImportMode = (typeof importModes)[number];

export const columnTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('phone') }).strict(),
  z.object({ kind: z.literal('name') }).strict(),
  z.object({ kind: z.literal('email') }).strict(),
  z.object({ kind: z.literal('tags') }).strict(),
  z.object({ kind: z.literal('attribute'), key: attributeKeySchema }).strict(),
  z.object({ kind: z.literal('ignore') }).strict(),
]);
export type ColumnTarget = z.infer<typeof columnTargetSchema>;

export const importSettingsSchema = z
  .object({
    delimiter: delimiterSchema,
    hasHeader: z.boolean(),
    /** One target per column of the file, by position. Name columns are joined ("First", "Last"). */
    columns: z.array(columnTargetSchema).min(1).max(500),
    defaultCountry: countryCodeSchema.nullable(),
    mode: z.enum(importModes),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const count = (kind: ColumnTarget['kind']): number =>
      settings.columns.filter((c) => c.kind === kind).length;
    if (count('phone') !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message:
          count('phone') === 0
            ? 'Choose the column that holds the phone number.'
            : 'Only one column can be the phone number.',
      });
    }
    if (count('email') > 1) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'Only one column can be the email.' });
    }
    const keys = new Set<string>();
    for (const column of settings.columns) {
      if (column.kind !== 'attribute') continue;
      if (keys.has(column.key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns'],
          message: `Two columns are mapped to the attribute "${column.key}".`,
        });
      }
      keys.add(column.key);
    }
    if (keys.size > CONTACT_LIMITS.attributesPerContact) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message: `At most ${CONTACT_LIMITS.attributesPerContact} columns can be attributes.`,
      });
    }
  });
export type ImportSettings = z.infer<typeof importSettingsSchema>;

export interface Contact {
  id: string;
  workspaceId: string;
  phoneE164: string;
  waId: string | null;
  name: string | null;
  email: string | null;
  tags: string[];
  attributes: Record<string, string>;
  optedOutAt: number | null;
  optedOutReason: string | null;
  source: ContactSource;
  createdAt: number;
  updatedAt: number;
}

export const contactFilterSchema = z
  .object({
    /** Matches name, email or phone (digits anywhere in the number). */
    search: z.string().trim().max(200).optional(),
    tag: z.string().trim().max(CONTACT_LIMITS.tag).optional(),
    attribute: z
      .object({ key: attributeKeySchema, value: z.string().max(CONTACT_LIMITS.attributeValue).optional() })
      .strict()
      .optional(),
    optedOut: z.enum(['any', 'opted-out', 'opted-in']).optional(),
    source: z.enum(contactSources).optional(),
  })
  .strict();
export type ContactFilter = z.infer<typeof contactFilterSchema>;

export const contactSorts = ['recent', 'phone'] as const;
export type ContactSort = (typeof contactSorts)[number];

export const listContactsSchema = z
  .object({
    workspaceId: workspaceIdSchema.optional(),
    filter: contactFilterSchema.optional(),
    sort: z.enum(contactSorts).optional(),
    offset: z.number().int().min(0).max(100_000_000).optional(),
    limit: z.number().int().min(1).max(500).optional(),
    /** Also count every match (slower with a search; ask once per filter, not per page). */
    withTotal: z.boolean().optional(),
  })
  .strict();

export interface ContactsPage {
  workspaceId: string;
  offset: number;
  rows: Contact[];
  /** Present when withTotal was asked. */
  total?: number;
}

export interface ContactFacets {
  workspaceId: string;
  tags: { tag: string; count: number }[];
  attributeKeys: string[];
  total: number;
  optedOut: number;
}

const contactRef = { workspaceId: workspaceIdSchema.optional(), contactId: rowId('contact') };

export const updateContactSchema = z
  .object({
    ...contactRef,
    name: z
      .string()
      .trim()
      .max(CONTACT_LIMITS.name, `A name can be at most ${CONTACT_LIMITS.name} characters.`)
      .nullable()
      .optional(),
    email: z
      .string()
      .trim()
      .max(CONTACT_LIMITS.email)
      .regex(/^$|^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'That email address does not look right.')
      .nullable()
      .optional(),
    tags: z.array(tagSchema).max(CONTACT_LIMITS.tagsPerContact).optional(),
    attributes: z
      .record(attributeKeySchema, attributeValueSchema)
      .refine((a) => Object.keys(a).length <= CONTACT_LIMITS.attributesPerContact, {
        message: `A contact can have at most ${CONTACT_LIMITS.attributesPerContact} attributes.`,
      })
      .optional(),
  })
  .strict();

export const setOptOutSchema = z
  .object({
    ...contactRef,
    optedOut: z.boolean(),
    reason: z.string().trim().max(CONTACT_LIMITS.optOutReason).optional(),
  })
  .strict();

export const deleteContactsSchema = z
  .object({
    workspaceId: workspaceIdSchema.optional(),
    contactIds: z.array(rowId('contact')).min(1).max(10_000),
  })
  .strict();

// --- Import -------------------------------------------------------------------------------------------

export const uploadBeginSchema = z
  .object({
    fileName: z.string().trim().min(1).max(255),
    size: z
      .number()
      .int()
      .min(1, 'The file is empty.')
      .max(MAX_IMPORT_FILE_BYTES, 'The file is larger than 1 GB; split it and import the parts.'),
  })
  .strict();

export const uploadChunkSchema = z
  .object({
    uploadId: rowId('upload'),
    offset: z.number().int().min(0).max(MAX_IMPORT_FILE_BYTES),
    /** Base64 of at most UPLOAD_CHUNK_BYTES bytes. */
    data: z
      .string()
      .min(1)
      .max(Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4 + 4),
  })
  .strict();

export interface UploadState {
  uploadId: string;
  fileName: string;
  size: number;
  received: number;
  complete: boolean;
}

export const importPreviewSchema = z
  .object({
    uploadId: rowId('upload'),
    /** Override the detected delimiter. */
    delimiter: delimiterSchema.optional(),
    hasHeader: z.boolean().optional(),
    /** For the sample's "becomes" column: how the phone column would normalise with this country. */
    defaultCountry: countryCodeSchema.nullable().optional(),
    phoneColumn: z.number().int().min(0).max(499).optional(),
  })
  .strict();

export interface ImportPreview {
  uploadId: string;
  fileName: string;
  size: number;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  hadBom: boolean;
  delimiter: CsvDelimiter;
  hasHeader: boolean;
  /** Header names (or "Column 1", "Column 2" … without a header). */
  headers: string[];
  /** The first rows of data, by column. */
  sample: string[][];
  /** What the phone cell of each sample row becomes: an E.164 number, or why it is rejected. */
  samplePhones: ({ ok: true; e164: string } | { ok: false; reason: string })[];
  suggested: { columns: ColumnTarget[]; defaultCountry: string | null };
  /** Rough: file size over the sample's bytes per row. */
  estimatedRows: number;
}

export const startImportSchema = z
  .object({
    workspaceId: workspaceIdSchema.optional(),
    uploadId: rowId('upload'),
    settings: importSettingsSchema,
    /**
     * Remember which contacts this file holds (created, updated or already there), so a campaign can
     * use exactly them as its audience ("contacts from this CSV", campaigns.contract.ts).
     */
    rememberContacts: z.boolean().optional(),
  })
  .strict();

export const importRefSchema = z.object({ importId: rowId('import') }).strict();

export type ImportPhase = 'starting' | 'reading' | 'saving' | 'done' | 'cancelled' | 'failed';

export interface ImportCounts {
  /** Data rows read (not counting the header). */
  rows: number;
  emptyRows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Not applied because of the mode (already there with "add new", missing with "update existing"). */
  skipped: number;
  /** Invalid rows and in-file duplicates; each is in the rejects file with its reason. */
  rejected: number;
}

export interface ImportProgress {
  importId: string;
  workspaceId: string;
  fileName: string;
  phase: ImportPhase;
  startedAt: number;
  /** 0..1: reading the file is 30 %, saving 70 % (the two overlap). */
  fraction: number;
  rowsRead: number;
  rowsSaved: number;
  /** Rows saved per second. */
  rowsPerSecond: number;
  /** Seconds left, or null while it cannot be estimated. */
  etaSeconds: number | null;
  counts: ImportCounts;
}

export interface ImportSummary extends ImportProgress {
  finishedAt: number;
  /** Plain sentence for the summary panel, e.g. what a cancel kept. */
  message: string;
  /** Rejects by reason code, e.g. { INVALID_PHONE: 12, DUPLICATE_IN_FILE: 3 }. */
  rejectedByReason: Record<string, number>;
  /** Present when some rows were rejected or skipped: a CSV with row, line, reason and the original values. */
  rejectsFileId: string | null;
  error: { code: string; message: string } | null;
}

// --- Export -------------------------------------------------------------------------------------------

export const exportColumns = [
  'phone',
  'name',
  'email',
  'tags',
  'attributes',
  'opted_out_at',
  'opted_out_reason',
  'source',
  'wa_id',
  'created_at',
  'updated_at',
] as const;
export type ExportColumn = (typeof exportColumns)[number];

export const exportContactsSchema = z
  .object({
    workspaceId: workspaceIdSchema.optional(),
    filter: contactFilterSchema.optional(),
    columns: z.array(z.enum(exportColumns)).min(1).max(exportColumns.length).optional(),
  })
  .strict();

export interface ExportResult {
  exportId: string;
  workspaceId: string;
  fileName: string;
  rows: number;
  bytes: number;
  /** Where the browser host serves it (GET, same origin). */
  downloadUrl: string;
}

export interface ExportProgress {
  exportId: string;
  workspaceId: string;
  rowsDone: number;
  rowsTotal: number;
}

// --- Files through the desktop shell ---------------------------------------------------------------
// The Electron app picks the import file with the OS dialog, saves exports and rejects files where the
// user says, and lets them be dragged out of the window. The browser host has no shell: these channels
// answer UNAVAILABLE there and the screen uses the file input, downloads and DownloadURL drags instead.

/** A file the contacts screen offers: an export by its id, or an import's rejects by its file id. */
export const contactFileRefSchema = z
  .object({
    kind: z.enum(['export', 'rejects']),
    id: z.string().min(1).max(200),
  })
  .strict();
export type ContactFileRef = z.infer<typeof contactFileRefSchema>;

export const contactsContract = {
  'contacts:list': { request: listContactsSchema, response: returns<ContactsPage>() },
  'contacts:facets': {
    request: z.object({ workspaceId: workspaceIdSchema.optional() }).strict(),
    response: returns<ContactFacets>(),
  },
  'contacts:update': { request: updateContactSchema, response: returns<Contact>() },
  'contacts:set-opt-out': { request: setOptOutSchema, response: returns<Contact>() },
  'contacts:delete': { request: deleteContactsSchema, response: returns<{ deleted: number }>() },
  'contacts:upload-begin': { request: uploadBeginSchema, response: returns<UploadState>() },
  'contacts:upload-chunk': { request: uploadChunkSchema, response: returns<UploadState>() },
  'contacts:import-preview': { request: importPreviewSchema, response: returns<ImportPreview>() },
  'contacts:import-start': { request: startImportSchema, response: returns<ImportProgress>() },
  'contacts:import-cancel': { request: importRefSchema, response: returns<ImportProgress>() },
  'contacts:import-status': {
    request: z.object({ workspaceId: workspaceIdSchema.optional() }).strict(),
    response: returns<{ running: ImportProgress | null; last: ImportSummary | null }>(),
  },
  'contacts:export': { request: exportContactsSchema, response: returns<ExportResult>() },
  /** Opens the OS file dialog; the chosen file becomes a completed upload (null: the user cancelled). */
  'contacts:pick-import-file': {
    request: z.object({}).strict(),
    response: returns<UploadState | null>(),
  },
  /** Opens the OS save dialog and copies the file there (savedTo null: the user cancelled). */
  'contacts:save-file': {
    request: contactFileRefSchema,
    response: returns<{ savedTo: string | null }>(),
  },
  /** Starts dragging the file out of the window; call it from the element's dragstart. */
  'contacts:drag-file': { request: contactFileRefSchema, response: returns<{ dragging: true }>() },
} as const;

export const contactsEvents = {
  'contacts:import-progressed': returns<ImportProgress>(),
  'contacts:import-finished': returns<ImportSummary>(),
  'contacts:export-progressed': returns<ExportProgress>(),
  /** Contacts of a workspace changed (an import batch, an edit): lists should refresh. */
  'contacts:changed': returns<{ workspaceId: string }>(),
} as const;

/** Where the browser host serves the files the contacts screen downloads. */
export const contactDownloadPaths = {
  export: (exportId: string): string => `/downloads/contacts/exports/${encodeURIComponent(exportId)}`,
  rejects: (fileId: string): string => `/downloads/contacts/rejects/${encodeURIComponent(fileId)}`,
} as const;
