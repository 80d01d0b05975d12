// The campaigns part of the IPC contract (spread into contract.ts): create and edit a template broadcast,
// resolve its audience, preflight it, send or schedule it, pause / resume / cancel it, and read its live
// statistics and per-recipient results. Field limits are Meta's (whatsapp-cloud-api.md §2, §5).
import { z } from 'zod';
import { returns, rowId } from './contractSchema';

const attributeKey = z
  .string()
  .trim()
  .min(1, 'An attribute name cannot be empty.')
  .max(64, 'An attribute name can be at most 64 characters.');

/** Where one template variable takes its value from, per recipient; `fallback` fills an empty value. */
export const variableSourceSchema = z.discriminatedUnion('source', [
  z
    .object({
      source: z.literal('field'),
      field: z.enum(['name', 'phone', 'email']),
      fallback: z.string().max(1024).optional(),
    })
    .strict(),
  z
    .object({ source: z.literal('attribute'), key: attributeKey, fallback: z.string().max(1024).optional() })
    .strict(),
  z.object({ source: z.literal('constant'), value: z.string().max(1024) }).strict(),
]);
export type VariableSource = z.infer<typeof variableSourceSchema>;

/**
 * How a template is filled in: one source per body variable, keyed by the placeholder (`1`, `2` for
 * positional templates, `first_name` for named ones, §2), an optional header text variable, and the
 * header media for templates whose header is an IMAGE / VIDEO / DOCUMENT (an uploaded media id, §8).
 */
export const campaignContentSchema = z
  .object({
    body: z.record(
      z.string().regex(/^[a-z0-9_]{1,64}$/, 'A variable name is like 1 or first_name.'),
      variableSourceSchema,
    ),
    headerText: variableSourceSchema.optional(),
    headerMedia: z
      .object({
        type: z.enum(['image', 'video', 'document']),
        mediaId: z.string().min(1, 'Upload the header file first.').max(128),
        filename: z.string().max(240).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type CampaignContent = z.infer<typeof campaignContentSchema>;

export const retargetKinds = ['failed', 'not_read', 'not_replied'] as const;
export type RetargetKind = (typeof retargetKinds)[number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const MAX_UNCONFIRMED_RESEND_MS = 7 * 24 * HOUR_MS;
/**
 * The waits the wizard offers before an unconfirmed send is sent again. Meta's status webhooks usually
 * arrive within seconds but may come hours late (§10), so the shortest is half an hour.
 */
export const unconfirmedResendChoicesMs = [
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  24 * HOUR_MS,
] as const;

/**
 * The wait before an unconfirmed send (§10) is sent again; null leaves it for the user (nothing is ever
 * sent twice). The wizard and the campaign page offer unconfirmedResendChoicesMs.
 */
export const unconfirmedResendAfterMsSchema = z
  .number({
    error: 'The wait before sending an unconfirmed message again must be a number of milliseconds.',
  })
  .int('The wait before sending an unconfirmed message again must be whole milliseconds.')
  .min(1_000, 'The wait before sending an unconfirmed message again must be at least 1 second.')
  .max(
    MAX_UNCONFIRMED_RESEND_MS,
    'The wait before sending an unconfirmed message again can be at most 7 days.',
  )
  .nullable();

/** Who a campaign goes to. Opted-out, invalid and duplicate numbers are always left out (with counts). */
export const audienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z
    .object({
      kind: z.literal('filter'),
      /** Contacts with any of these tags (none: no tag condition). */
      tags: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
      /** Every condition must hold; without a value the attribute only has to be present. */
      attributes: z
        .array(z.object({ key: attributeKey, value: z.string().max(1024).optional() }).strict())
        .max(20)
        .default([]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('contacts'),
      /** E.g. the contacts of one CSV import; duplicates are counted and dropped. */
      contactIds: z.array(rowId('contact')).min(1, 'The list of contacts is empty.').max(200_000),
      label: z.string().max(200).optional(),
    })
    .strict(),
  z
    .object({ kind: z.literal('retarget'), campaignId: rowId('campaign'), which: z.enum(retargetKinds) })
    .strict(),
  z
    .object({
      kind: z.literal('import'),
      /**
       * "Contacts from this CSV": the contacts of one finished import started with rememberContacts
       * (contacts.contract.ts). Its rejected rows and in-file duplicates are counted as left out.
       */
      importId: rowId('CSV import'),
      fileName: z.string().max(255).optional(),
    })
    .strict(),
]);
export type Audience = z.infer<typeof audienceSchema>;

const campaignName = z
  .string()
  .trim()
  .min(1, 'Give the campaign a name.')
  .max(200, 'A campaign name can be at most 200 characters.');

export const campaignDraftSchema = z
  .object({
    name: campaignName,
    connectionId: rowId('connection'),
    templateName: z
      .string()
      .min(1, 'Choose a template.')
      .max(512)
      .regex(/^[a-z0-9_]+$/, 'A template name is lowercase letters, digits and _.'),
    templateLanguage: z.string().min(2).max(15),
    content: campaignContentSchema,
    audience: audienceSchema,
    /**
     * A send whose outcome is unknown (the app stopped mid-request, §10) is resolved by its status
     * webhook. Without one after this long it is sent again; null (the default) leaves it for you to
     * decide, so nothing is ever sent twice. The wizard offers unconfirmedResendChoicesMs.
     */
    unconfirmedResendAfterMs: unconfirmedResendAfterMsSchema.optional(),
  })
  .strict();
export type CampaignDraft = z.infer<typeof campaignDraftSchema>;

export const campaignRefSchema = z.object({ campaignId: rowId('campaign') }).strict();

export const campaignStatuses = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/** A recipient's state, as the UI shows it. */
export const recipientStates = [
  'pending',
  'sending',
  'sent',
  'delivered',
  'read',
  'replied',
  'failed',
  'unconfirmed',
  'skipped',
] as const;
export type RecipientState = (typeof recipientStates)[number];

export interface CampaignCounters {
  total: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  /** From the recipients' rows: not yet attempted, in flight, and unknown outcome. */
  pending: number;
  sending: number;
  unconfirmed: number;
  skipped: number;
  /** Accepted by WhatsApp (its `sent` status may still be on its way). */
  accepted: number;
}

export interface ExclusionCounts {
  optedOut: number;
  invalid: number;
  duplicate: number;
  /**
   * "Contacts from this CSV": rows of the file the import did not take for another reason than the
   * number (an invalid email, a broken row…) or that "update existing only" found no contact for. Each is
   * in the import's rejects file with its reason.
   */
  rejectedRows?: number;
  /** A list of contacts or a retarget: contacts that no longer exist in this workspace. */
  missing?: number;
}

/** What an audience comes to now, before the template is checked (the wizard shows it as you choose). */
export interface AudiencePreview {
  contacts: number;
  exclusions: ExclusionCounts;
  /** A few phone numbers (or ids) per exclusion. */
  examples: Record<keyof ExclusionCounts, string[]>;
}

export interface CapRetryView {
  /** Past their 24 h: `campaigns:retry-capped` sends them again. */
  ready: number;
  /** Still inside their 24 h. */
  waiting: number;
  /** When the first waiting one may be retried (epoch ms), or null. */
  nextAt: number | null;
}

export interface CampaignView {
  id: string;
  workspaceId: string;
  connectionId: string;
  name: string;
  templateName: string;
  templateLanguage: string;
  status: CampaignStatus;
  /** Why it is paused or failed, in words (auto-pause reasons name Meta's error code). */
  statusReason: string | null;
  content: CampaignContent;
  audience: Audience;
  exclusions: ExclusionCounts | null;
  scheduledAt: number | null;
  /** A schedule that came due while the app was closed: it waits for you to confirm. */
  lateSince: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  unconfirmedResendAfterMs: number | null;
  counters: CampaignCounters;
  /** Recipients failed with 131049 (Meta's per-user marketing cap): a retry is allowed 24 h after each. */
  capRetry: CapRetryView;
  createdAt: number;
  updatedAt: number;
}

export interface PreflightProblem {
  code:
    | 'TEMPLATE_NOT_FOUND'
    | 'TEMPLATE_NOT_APPROVED'
    | 'TEMPLATE_PAUSED'
    | 'EMPTY_VARIABLE'
    | 'TOO_LONG'
    | 'MISSING_MAPPING'
    | 'MISSING_HEADER_MEDIA'
    | 'OPTED_OUT'
    | 'INVALID_NUMBER'
    | 'DUPLICATE'
    | 'EMPTY_AUDIENCE'
    | 'REJECTED_ROWS'
    | 'MISSING_CONTACT'
    | 'CONNECTION_UNAVAILABLE';
  /** 'error' blocks sending; 'warning' does not (the recipient is left out or a fallback applies). */
  severity: 'error' | 'warning';
  message: string;
  count: number;
  /** A few affected recipients (phone numbers) or variables. */
  examples: string[];
  /** Up to 5 affected recipients with what is wrong for each (empty for problems of the whole campaign). */
  recipients: PreflightExample[];
}

/** One recipient a preflight problem concerns: who, and the offending value in words. */
export interface PreflightExample {
  name: string | null;
  phone: string;
  /** e.g. "{{2}} (attribute code) is empty and has no fallback", "opted out on 2026-05-01 (Sent STOP)". */
  value: string;
}

export interface PreflightReport {
  campaignId: string;
  templateStatus: string | null;
  /** Template category, which decides the price per delivered message (§7). */
  costCategory: string | null;
  templateSyncedAt: number | null;
  /** The sync done for this preflight failed: the last synced copy was used (why, in words). */
  syncNote: string | null;
  recipients: number;
  exclusions: ExclusionCounts;
  problems: PreflightProblem[];
  /** A few rendered messages, for the preview. */
  samples: { phone: string; body: string }[];
  ratePerSecond: number;
  etaSeconds: number;
  messagingTier: string | null;
  /** Unique users per 24 h the tier allows (null: unlimited or unknown). */
  tierDailyCap: number | null;
  tierWarning: string | null;
  canSend: boolean;
}

export const recipientsQuerySchema = z
  .object({
    campaignId: rowId('campaign'),
    state: z.enum(recipientStates).optional(),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();

export interface RecipientView {
  id: string;
  contactId: string | null;
  phone: string;
  name: string | null;
  state: RecipientState;
  errorCode: number | null;
  errorMessage: string | null;
  /** What to do about the failure, in words (from Meta's error code). */
  advice: string | null;
  attempts: number;
  statusAt: number | null;
  repliedAt: number | null;
  /** 131049 (Meta's per-user marketing cap): this recipient may be retried from this time. */
  retryAfter: number | null;
}

export interface RecipientsPage {
  campaignId: string;
  offset: number;
  total: number;
  rows: RecipientView[];
}

export const scheduleSchema = z
  .object({
    campaignId: rowId('campaign'),
    /** Epoch ms; the UI converts from the local time zone it shows. */
    at: z.number().int().min(0),
  })
  .strict();

export interface CampaignExportResult {
  fileId: string;
  fileName: string;
  rows: number;
  /** Where the browser host serves it (GET, same origin). */
  downloadUrl: string;
}

export const campaignDownloadPath = (fileId: string): string =>
  `/downloads/campaigns/exports/${encodeURIComponent(fileId)}`;

export const campaignsContract = {
  'campaigns:list': {
    request: z.object({ workspaceId: rowId('workspace').optional() }).strict(),
    response: returns<CampaignView[]>(),
  },
  'campaigns:get': { request: campaignRefSchema, response: returns<CampaignView>() },
  'campaigns:create': { request: campaignDraftSchema, response: returns<CampaignView>() },
  'campaigns:update': {
    request: z.object({ campaignId: rowId('campaign'), draft: campaignDraftSchema }).strict(),
    response: returns<CampaignView>(),
  },
  'campaigns:delete': { request: campaignRefSchema, response: returns<{ deleted: boolean }>() },
  'campaigns:preflight': { request: campaignRefSchema, response: returns<PreflightReport>() },
  /** Resolves an audience for a number's workspace without saving anything: the count and who is left out. */
  'campaigns:audience-preview': {
    request: z.object({ connectionId: rowId('connection'), audience: audienceSchema }).strict(),
    response: returns<AudiencePreview>(),
  },
  'campaigns:start': { request: campaignRefSchema, response: returns<CampaignView>() },
  'campaigns:schedule': { request: scheduleSchema, response: returns<CampaignView>() },
  'campaigns:pause': { request: campaignRefSchema, response: returns<CampaignView>() },
  'campaigns:resume': { request: campaignRefSchema, response: returns<CampaignView>() },
  'campaigns:cancel': { request: campaignRefSchema, response: returns<CampaignView>() },
  'campaigns:recipients': { request: recipientsQuerySchema, response: returns<RecipientsPage>() },
  /** Changes the unconfirmed-resend wait of a campaign that is not finished (draft … paused). */
  'campaigns:set-resend-wait': {
    request: z
      .object({ campaignId: rowId('campaign'), unconfirmedResendAfterMs: unconfirmedResendAfterMsSchema })
      .strict(),
    response: returns<CampaignView>(),
  },
  'campaigns:resend-unconfirmed': {
    request: campaignRefSchema,
    response: returns<{ requeued: number }>(),
  },
  /** Recipients failed with 131049 (Meta's marketing cap) go back to the list once their 24 h passed. */
  'campaigns:retry-capped': { request: campaignRefSchema, response: returns<{ requeued: number }>() },
  'campaigns:export': { request: campaignRefSchema, response: returns<CampaignExportResult>() },
  'campaigns:retarget': {
    request: z
      .object({ campaignId: rowId('campaign'), which: z.enum(retargetKinds), name: campaignName.optional() })
      .strict(),
    response: returns<CampaignView>(),
  },
};

export const campaignsEvents = {
  /** A campaign was created, edited, started, paused, finished… (the list and the detail refresh). */
  'campaigns:changed': returns<{ campaignIds: string[] }>(),
};
