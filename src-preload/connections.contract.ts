// The workspaces, connections and Sandbox part of the IPC contract (spread into contract.ts). Request
// schemas carry the limits and the messages a user sees when a field is wrong; responses never carry an
// access token or an app secret (house style: secrets never return to the renderer after saving).
import { z } from 'zod';
import { returns, rowId } from './contractSchema';

/** Meta's default throughput per business number, 80 messages/s (whatsapp-cloud-api.md §4), per minute. */
export const MAX_RATE_LIMIT_PER_MINUTE = 4800;
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 100;
export const DEFAULT_API_VERSION = 'v24.0';

/** An empty or blank string means "not given" (edit forms leave a saved secret's field empty). */
function blankAsMissing(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

export const workspaceNameSchema = z
  .string({ error: 'Give the workspace a name.' })
  .trim()
  .min(1, 'Give the workspace a name.')
  .max(100, 'A workspace name can be at most 100 characters.');

export const connectionNameSchema = z
  .string({ error: 'Give the connection a name.' })
  .trim()
  .min(1, 'Give the connection a name.')
  .max(100, 'A connection name can be at most 100 characters.');

// IDs are numeric strings (§1); the phone-number id is not the phone number itself.
export const phoneNumberIdSchema = z
  .string({ error: 'Enter the phone-number ID.' })
  .trim()
  .min(1, 'Enter the phone-number ID.')
  .max(32, 'A phone-number ID has at most 32 digits.')
  .regex(
    /^\d+$/,
    'The phone-number ID is digits only: copy "Phone number ID" from WhatsApp Manager → API Setup (it is not the phone number).',
  );

export const wabaIdSchema = z
  .string({ error: 'Enter the WhatsApp Business Account ID.' })
  .trim()
  .min(1, 'Enter the WhatsApp Business Account ID.')
  .max(32, 'A WhatsApp Business Account ID has at most 32 digits.')
  .regex(
    /^\d+$/,
    'The WhatsApp Business Account ID is digits only: copy it from WhatsApp Manager → API Setup.',
  );

export const accessTokenSchema = z
  .string({ error: 'Paste the access token.' })
  .trim()
  .min(20, 'That access token is too short: paste the whole token (System User tokens start with "EAA").')
  .max(4096, 'That access token is too long (at most 4,096 characters): paste only the token.')
  .regex(/^\S+$/, 'An access token has no spaces or line breaks: paste it again.');

export const appSecretSchema = z
  .string({ error: 'Paste the app secret.' })
  .trim()
  .regex(
    /^[A-Za-z0-9]{16,128}$/,
    'The app secret is the 32-character code in App Dashboard → App settings → Basic (letters and digits only).',
  );

export const verifyTokenSchema = z
  .string()
  .trim()
  .min(8, 'A verify token needs at least 8 characters (leave it empty to generate one).')
  .max(200, 'A verify token can be at most 200 characters.')
  .regex(/^[\x21-\x7e]+$/, 'A verify token may use letters, digits and punctuation, without spaces.');

export const apiVersionSchema = z
  .string({ error: 'Enter the API version, for example v24.0.' })
  .trim()
  .regex(/^v\d{1,3}\.0$/, 'The API version looks like v24.0.');

export const rateLimitSchema = z
  .number({ error: 'The rate limit is a number of requests per minute.' })
  .int('The rate limit must be a whole number of requests per minute.')
  .min(1, 'The rate limit must be at least 1 request per minute.')
  .max(
    MAX_RATE_LIMIT_PER_MINUTE,
    "The rate limit can be at most 4,800 per minute (Meta's 80 messages per second).",
  );

const optionalBlank = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsMissing, schema.optional());

export const createConnectionSchema = z
  .object({
    /** Defaults to the current workspace. */
    workspaceId: rowId('workspace').optional(),
    name: optionalBlank(connectionNameSchema),
    phoneNumberId: phoneNumberIdSchema,
    wabaId: wabaIdSchema,
    accessToken: accessTokenSchema,
    appSecret: appSecretSchema,
    /** Generated (random) when empty. */
    verifyToken: optionalBlank(verifyTokenSchema),
    apiVersion: optionalBlank(apiVersionSchema),
    rateLimitPerMinute: rateLimitSchema.optional(),
  })
  .strict();
export type CreateConnectionInput = z.infer<typeof createConnectionSchema>;

/** Fields left out (or blank) keep their saved value; secrets are replaced only when a new one is given. */
export const updateConnectionSchema = z
  .object({
    connectionId: rowId('connection'),
    name: optionalBlank(connectionNameSchema),
    phoneNumberId: optionalBlank(phoneNumberIdSchema),
    wabaId: optionalBlank(wabaIdSchema),
    accessToken: optionalBlank(accessTokenSchema),
    appSecret: optionalBlank(appSecretSchema),
    verifyToken: optionalBlank(verifyTokenSchema),
    apiVersion: optionalBlank(apiVersionSchema),
    rateLimitPerMinute: rateLimitSchema.optional(),
  })
  .strict();
export type UpdateConnectionInput = z.infer<typeof updateConnectionSchema>;

const simulatedFrom = z
  .string({ error: 'Enter the customer number.' })
  .trim()
  .regex(/^\+?[1-9]\d{6,14}$/, 'The customer number is an international number like +14155550123.');

const simulatedCommon = {
  /** Defaults to the Sandbox connection. */
  connectionId: rowId('connection').optional(),
  /** Defaults to the first demo contact. */
  from: optionalBlank(simulatedFrom),
  profileName: z.string().trim().max(100, 'A profile name can be at most 100 characters.').optional(),
  /** As if the customer wrote this long ago (Meta's timestamp), e.g. to try the closed 24 h window (§7). */
  sentMinutesAgo: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 60, 'A simulated message can be at most 30 days old.')
    .optional(),
  /** The wamid of an earlier message this one quotes (a swipe-to-reply; `context.id`, §6). */
  replyTo: z.string().min(1).max(200).optional(),
};

const simulatedCaption = z.string().trim().max(1024, 'A caption can be at most 1,024 characters.').optional();

export const simulateMessageSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        ...simulatedCommon,
        type: z.literal('text'),
        text: z
          .string({ error: 'Type the customer message.' })
          .trim()
          .min(1, 'Type the customer message.')
          .max(4096, 'A WhatsApp text can be at most 4,096 characters.'),
      })
      .strict(),
    z
      .object({
        ...simulatedCommon,
        type: z.literal('image'),
        caption: simulatedCaption,
      })
      .strict(),
    z.object({ ...simulatedCommon, type: z.literal('video'), caption: simulatedCaption }).strict(),
    z.object({ ...simulatedCommon, type: z.literal('audio') }).strict(),
    z.object({ ...simulatedCommon, type: z.literal('sticker') }).strict(),
    z
      .object({
        ...simulatedCommon,
        type: z.literal('document'),
        caption: simulatedCaption,
        filename: z.string().trim().min(1).max(240, 'A file name can be at most 240 characters.').optional(),
      })
      .strict(),
    /** A shared contact card (§6 `contacts[]`): a name and one phone number. */
    z
      .object({
        ...simulatedCommon,
        type: z.literal('contacts'),
        name: z.string().trim().min(1, 'Enter the shared contact name.').max(200),
        phone: z.string().trim().min(1, 'Enter the shared contact phone.').max(40),
      })
      .strict(),
    /** A reaction to an earlier message; no emoji removes it (§6). */
    z
      .object({
        ...simulatedCommon,
        type: z.literal('reaction'),
        messageWamid: z.string({ error: 'Choose the message reacted to.' }).min(1).max(200),
        emoji: z.string().min(1).max(16).optional(),
      })
      .strict(),
    /** A message type the Cloud API cannot deliver (§6 `unsupported`, error 131051). */
    z.object({ ...simulatedCommon, type: z.literal('unsupported') }).strict(),
    z
      .object({
        ...simulatedCommon,
        type: z.literal('location'),
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        name: z.string().trim().max(200).optional(),
        address: z.string().trim().max(500).optional(),
      })
      .strict(),
    /**
     * A tap on a reply button or a pick from a list the business sent: Meta delivers it as an
     * `interactive` message with `button_reply` / `list_reply` and the tapped message in `context` (§6).
     */
    z
      .object({
        ...simulatedCommon,
        type: z.literal('interactive'),
        reply: z.enum(['button_reply', 'list_reply'], { error: 'The reply is button_reply or list_reply.' }),
        id: z
          .string({ error: 'Choose the button or row that was tapped.' })
          .min(1, 'Choose the button or row that was tapped.')
          .max(256, 'A button or row id can be at most 256 characters.'),
        title: z.string().max(100, 'A button or row title can be at most 100 characters.'),
        description: z.string().max(100).optional(),
        /** The wamid of the business message whose button or row was tapped. */
        contextWamid: z.string().min(1).max(200).optional(),
      })
      .strict(),
  ],
  {
    error:
      'The simulated message type must be text, image, video, audio, sticker, document, location, contacts, interactive, reaction or unsupported.',
  },
);
export type SimulateMessageInput = z.infer<typeof simulateMessageSchema>;

export const phoneThreadSchema = z
  .object({
    /** Defaults to the Sandbox connection. */
    connectionId: rowId('connection').optional(),
    customer: simulatedFrom,
  })
  .strict();
export type PhoneThreadRequest = z.infer<typeof phoneThreadSchema>;

/** One message on the simulated customer's phone, as the customer sees it. */
export interface PhoneMessage {
  wamid: string;
  /** Epoch ms: when the simulator accepted it (business) or the customer sent it. */
  at: number;
  from: 'business' | 'customer';
  /** Meta's message type (§2, §6). */
  type: string;
  /** The text body, a caption, or the interactive body. */
  text?: string;
  header?: string;
  footer?: string;
  /** Reply buttons the customer can tap. */
  buttons?: { id: string; title: string }[];
  /** A list the customer can open and pick a row from. */
  list?: {
    button: string;
    sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
  };
  template?: { name: string; language: string };
  /** The customer's tap on a button or row. */
  reply?: { kind: 'button_reply' | 'list_reply'; id: string; title: string };
}

export interface PhoneThread {
  /** E.164 with + */
  customer: string;
  messages: PhoneMessage[];
}

export interface WorkspaceView {
  id: string;
  name: string;
  createdAt: number;
  connectionCount: number;
}

export interface WorkspacesList {
  workspaces: WorkspaceView[];
  /** null only before the first workspace exists. */
  currentId: string | null;
}

export type ConnectionKind = 'sandbox' | 'cloud';
export type ConnectionStatus = 'active' | 'needs_reauth' | 'disabled';

/** A connection as the renderer sees it: the token and app secret only as "saved". */
export interface ConnectionView {
  id: string;
  workspaceId: string;
  kind: ConnectionKind;
  name: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string | null;
  apiVersion: string;
  rateLimitPerMinute: number;
  status: ConnectionStatus;
  statusReason: string | null;
  hasToken: boolean;
  /** The token's last four characters, e.g. "…a1b2", so a user can tell two tokens apart. */
  tokenHint: string;
  hasAppSecret: boolean;
  /**
   * Shown because the user types it into Meta's App Dashboard next to the callback URL. It only proves
   * Meta's webhook handshake (§6); it grants no access to the account.
   */
  verifyToken: string;
  /** For a Sandbox: whether its simulator is running in this session. Always true for 'cloud'. */
  reachable: boolean;
  lastWebhookAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type ConnectionProblem =
  | 'auth'
  | 'wrong_phone_number_id'
  | 'wrong_waba_id'
  | 'permission'
  | 'not_registered'
  | 'rate_limited'
  | 'network'
  | 'meta_error'
  | 'not_running';

export interface PhoneNumberFacts {
  verifiedName: string | null;
  displayPhoneNumber: string | null;
  qualityRating: string | null;
  throughput: string | null;
  messagingLimit: string | null;
}

export type ConnectionTestResult =
  | { ok: true; connectionId: string; checkedAt: number; headline: string; phone: PhoneNumberFacts }
  | {
      ok: false;
      connectionId: string;
      checkedAt: number;
      problem: ConnectionProblem;
      /** What is wrong, in plain words. */
      headline: string;
      /** What to do about it. */
      advice: string;
      /** Meta's error code, when Meta answered. */
      code: number | null;
    };

export interface ConnectionRemoved {
  connectionId: string;
  /** What went with it (ON DELETE CASCADE). */
  removed: { conversations: number; messages: number; templates: number; campaigns: number };
}

const empty = z.object({}).strict();

export const connectionsContract = {
  'workspaces:list': { request: empty, response: returns<WorkspacesList>() },
  'workspaces:create': {
    request: z.object({ name: workspaceNameSchema }).strict(),
    response: returns<WorkspaceView>(),
  },
  'workspaces:rename': {
    request: z.object({ workspaceId: rowId('workspace'), name: workspaceNameSchema }).strict(),
    response: returns<WorkspaceView>(),
  },
  'workspaces:switch': {
    request: z.object({ workspaceId: rowId('workspace') }).strict(),
    response: returns<WorkspacesList>(),
  },
  'connections:list': {
    request: z.object({ workspaceId: rowId('workspace').optional() }).strict(),
    response: returns<ConnectionView[]>(),
  },
  'connections:create': { request: createConnectionSchema, response: returns<ConnectionView>() },
  'connections:update': { request: updateConnectionSchema, response: returns<ConnectionView>() },
  'connections:remove': {
    request: z.object({ connectionId: rowId('connection') }).strict(),
    response: returns<ConnectionRemoved>(),
  },
  'connections:test': {
    request: z.object({ connectionId: rowId('connection') }).strict(),
    response: returns<ConnectionTestResult>(),
  },
  'sandbox:simulate-message': {
    request: simulateMessageSchema,
    response: returns<{ wamid: string; from: string }>(),
  },
  /** The Sandbox phone: the conversation as the simulated customer's phone shows it. */
  'sandbox:phone-thread': { request: phoneThreadSchema, response: returns<PhoneThread>() },
};

export const connectionsEvents = {
  /** Any connection or workspace of the app changed (created, edited, removed, status, switch). */
  'connections:changed': returns<{ workspaceId: string | null; connectionIds: string[] }>(),
  /** The current workspace changed or a workspace was created or renamed. */
  'workspaces:changed': returns<{ currentWorkspaceId: string | null }>(),
};
