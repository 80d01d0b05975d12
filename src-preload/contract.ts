// THE IPC contract: every channel's request schema and response type, every push event's payload.
// Main validates against it; the preload and the browser bridge forward only its channels.
// Adding a channel: one entry in channels.ts, one here, one handler in the domain's <domain>.ipc.ts.
import { z } from 'zod';
import { returns } from './contractSchema';
import type { EventChannel, InvokeChannel } from './channels';
import { chatbotsContract, chatbotsEvents } from './chatbots.contract';
import { backupsContract } from './backups.contract';
import { campaignsContract, campaignsEvents } from './campaigns.contract';
import { connectionsContract, connectionsEvents } from './connections.contract';
import { contactsContract, contactsEvents } from './contacts.contract';
import { diagnosticsContract } from './diagnostics.contract';
import { messagingContract, messagingEvents } from './messaging.contract';
import { inboxContract } from './inbox.contract';

export type HostKind = 'electron' | 'browser';

export interface AppInfo {
  name: string;
  version: string;
  dataDir: string;
  schemaVersion: number;
  hostKind: HostKind;
}

export type ComponentState = 'ok' | 'degraded' | 'down' | 'off';

export interface Health {
  database: ComponentState;
  queue: ComponentState;
  connection: ComponentState;
  tunnel: ComponentState;
  /** One plain sentence per component that is not 'ok', for the status bar's tooltip. */
  details: Partial<Record<'database' | 'queue' | 'connection' | 'tunnel', string>>;
}

const empty = z.object({}).strict();

export interface TunnelStatusView {
  mode: 'auto' | 'custom' | 'off';
  status: 'off' | 'connecting' | 'up' | 'reconnecting' | 'error' | 'custom';
  publicUrl?: string;
  customUrl?: string;
  lastError?: string;
  callbackUrls: { connectionId: string; name: string; url: string; verifyToken: string }[];
  repoint: { connectionId: string; outcome: 'unchanged' | 'repointed' | 'failed'; message?: string }[];
}

export interface WebhookDiagnostics {
  counts: Record<string, number>;
  refusedSignatures: number;
  problems: {
    id: string;
    connectionId: string;
    receivedAt: number;
    state: string;
    reason: string | null;
    size: number;
    preview: string;
  }[];
}

/** The silent-webhook alarm: warn when a number that sent messages has heard nothing for this long. */
export interface WebhookAlarmSettings {
  silenceMinutes: number;
}
/** A day: past that the alarm would no longer be an alarm. */
export const silenceMinutesMax = 1440;

export const contract = {
  'app:info': { request: empty, response: returns<AppInfo>() },
  'app:health': { request: empty, response: returns<Health>() },
  'tunnel:status': { request: empty, response: returns<TunnelStatusView>() },
  'tunnel:configure': {
    request: z
      .object({ mode: z.enum(['auto', 'custom', 'off']), customUrl: z.string().max(300).optional() })
      .strict(),
    response: returns<TunnelStatusView>(),
  },
  'webhooks:diagnostics': { request: empty, response: returns<WebhookDiagnostics>() },
  'webhooks:alarm': { request: empty, response: returns<WebhookAlarmSettings>() },
  'webhooks:set-alarm': {
    request: z.object({ silenceMinutes: z.number().int().min(1).max(silenceMinutesMax) }).strict(),
    response: returns<WebhookAlarmSettings>(),
  },
  ...connectionsContract,
  ...contactsContract,
  ...messagingContract,
  ...chatbotsContract,
  ...backupsContract,
  ...diagnosticsContract,
  ...campaignsContract,
  ...inboxContract,
} satisfies Record<InvokeChannel, { request: z.ZodType; response: unknown }>;

export interface MessageReceived {
  connectionId: string;
  conversationId: string;
  messageId: string;
  contactId: string;
  preview: string;
}

export const events = {
  'app:health-changed': returns<Health>(),
  'tunnel:changed': returns<TunnelStatusView>(),
  'messages:received': returns<MessageReceived>(),
  'messages:status-changed': returns<{ messageIds: string[] }>(),
  'campaigns:counters-changed': returns<{ campaignIds: string[] }>(),
  'templates:status-changed': returns<{
    connectionId: string;
    name: string;
    language: string;
    status: string;
  }>(),
  ...connectionsEvents,
  ...contactsEvents,
  ...messagingEvents,
  ...chatbotsEvents,
  ...campaignsEvents,
} satisfies Record<EventChannel, unknown>;

export type Contract = typeof contract;
export type RequestOf<C extends InvokeChannel> = z.infer<Contract[C]['request']>;
export type ResponseOf<C extends InvokeChannel> = Contract[C]['response'];
export type EventPayload<E extends EventChannel> = (typeof events)[E];

/** Error codes the UI can switch on. Unknown failures surface as INTERNAL, never as a stack trace. */
export const errorCodes = [
  'BAD_REQUEST',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'LOCKED',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
  /** A free-form message outside the 24 h customer-service window (§7): only a template can go. */
  'OUTSIDE_24H_WINDOW',
  /** The contact opted out: templates (marketing) are not sent to them. */
  'CONTACT_OPTED_OUT',
  /** The template's variables do not match what was given (checked before sending, §10). */
  'TEMPLATE_PARAM_MISMATCH',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ResultError {
  code: ErrorCode;
  message: string;
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: ResultError };

/** What the preload (or the browser bridge shim) exposes as `window.api`. */
export interface BellhopApi {
  invoke<C extends InvokeChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
