// THE registry of every named lock the product takes, with its TTL: exactly the seed design's
// ("Complete Lock Registry"). Call sites use these typed builders, never string concatenation, so the
// full list stays visible here at a glance. A lock is only for work that spans an await (an API call, a
// file write); read-check-write on rows is a SQLite transaction instead (house style).

export interface LockSpec {
  readonly key: string;
  readonly ttlMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Each lock kind: its TTL and the words the UI uses for "… is already running". */
export const lockKinds = {
  template_sync: { ttlMs: 5 * MINUTE, label: 'A template sync' },
  contact_import: { ttlMs: 10 * MINUTE, label: 'A contact import' },
  contact_export: { ttlMs: 5 * MINUTE, label: 'A contact export' },
  campaign_send: { ttlMs: 1 * MINUTE, label: 'Sending this campaign' },
  webhook_process: { ttlMs: 1 * MINUTE, label: 'Webhook processing' },
  webhook_message: { ttlMs: 30 * SECOND, label: 'Processing this message' },
  webhook_status: { ttlMs: 30 * SECOND, label: 'A status update for this message' },
  campaign_status_update: { ttlMs: 30 * SECOND, label: 'A campaign status update' },
} as const satisfies Record<string, { ttlMs: number; label: string }>;

export type LockKind = keyof typeof lockKinds;

function part(name: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new Error(`Lock key part ${name} must be a non-empty string of at most 256 characters.`);
  }
  return value;
}

function spec(kind: LockKind, key: string): LockSpec {
  return { key, ttlMs: lockKinds[kind].ttlMs };
}

export const lockKeys = {
  /** `template_sync:connection:{id}`, 5 min. */
  templateSync: (connectionId: string): LockSpec =>
    spec('template_sync', `template_sync:connection:${part('connectionId', connectionId)}`),
  /** `contact_import:workspace:{id}`, 10 min; extended while the import is alive. */
  contactImport: (workspaceId: string): LockSpec =>
    spec('contact_import', `contact_import:workspace:${part('workspaceId', workspaceId)}`),
  /** `contact_export:workspace:{id}`, 5 min. */
  contactExport: (workspaceId: string): LockSpec =>
    spec('contact_export', `contact_export:workspace:${part('workspaceId', workspaceId)}`),
  /** `campaign_send:{id}`, 1 min. */
  campaignSend: (campaignId: string): LockSpec =>
    spec('campaign_send', `campaign_send:${part('campaignId', campaignId)}`),
  /** `webhook_process:connection:{id}`, 1 min. */
  webhookProcess: (connectionId: string): LockSpec =>
    spec('webhook_process', `webhook_process:connection:${part('connectionId', connectionId)}`),
  /** `webhook_message:{message_id}`, 30 s. */
  webhookMessage: (messageId: string): LockSpec =>
    spec('webhook_message', `webhook_message:${part('messageId', messageId)}`),
  /** `webhook_status:{message_id}`, 30 s. */
  webhookStatus: (messageId: string): LockSpec =>
    spec('webhook_status', `webhook_status:${part('messageId', messageId)}`),
  /** `campaign_status_update:{wamid}`, 30 s. */
  campaignStatusUpdate: (wamid: string): LockSpec =>
    spec('campaign_status_update', `campaign_status_update:${part('wamid', wamid)}`),
} as const;

/** The kind of a key built above (the part before the first ':'), or undefined for a foreign key. */
export function lockKindOf(key: string): LockKind | undefined {
  const prefix = key.slice(0, key.indexOf(':'));
  return Object.hasOwn(lockKinds, prefix) ? (prefix as LockKind) : undefined;
}
