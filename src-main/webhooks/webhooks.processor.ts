// Processing of stored webhook events (queue `default`). Meta delivers at least once, duplicates and
// reorders (§6); processing is exactly-once in effect because every write for one item happens in one
// SQLite transaction guarded by a unique constraint (inbound wamid) or a forward-only status rule. The
// seed's named locks are held around each item, as the seed design names them, so work that later grows
// an await (media, bots) stays serialized per message.
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { createCampaignStatusRepo } from '../campaigns/campaignStatus.repo';
import { createConversationsRepo, type InboundMessageRow } from '../conversations/conversations.repo';
import { lockKeys } from '../locks/keys';
import type { LockRegistry } from '../locks/registry';
import type { Logger } from '../log';
import {
  inboundMessageSchema,
  messagesValueSchema,
  normaliseLanguage,
  parseEnvelope,
  statusSchema,
  templateStatusSchema,
  type InboundMessage,
  type StatusUpdate,
} from './payload';
import { statusRank } from './statusRank';
import { createWebhookEventsRepo } from './webhookEvents.repo';

export const mediaTypes = new Set(['image', 'video', 'audio', 'document', 'sticker']);

export interface WebhookProcessorOptions {
  db: Db;
  locks: LockRegistry;
  events: EventBus;
  log: Logger;
  now?: () => number;
  /** Called inside the transaction that stored a new inbound message (enqueue bot / media jobs here). */
  onInboundStored?(message: InboundMessageRow & { connectionId: string; raw: InboundMessage }): void;
}

export interface ProcessOutcome {
  inboundStored: number;
  inboundDuplicates: number;
  statusesApplied: number;
  statusesIgnored: number;
  templatesUpdated: number;
  problems: string[];
}

export function createWebhookProcessor(options: WebhookProcessorOptions) {
  const { db, locks, events, log } = options;
  const now = options.now ?? Date.now;
  const conversations = createConversationsRepo(db);
  const campaignStatus = createCampaignStatusRepo(db);
  const webhookEvents = createWebhookEventsRepo(db);
  const updateTemplate = db.prepare(
    `UPDATE templates SET status = @status, rejected_reason = coalesce(@reason, rejected_reason), updated_at = @now
     WHERE connection_id = @connectionId AND ((name = @name AND language = @language) OR meta_template_id = @metaId)`,
  );

  const lockOptions = { waitMs: 30_000 };

  async function storeInbound(
    connectionId: string,
    workspaceId: string,
    message: InboundMessage,
    profileName: string | null,
    outcome: ProcessOutcome,
  ): Promise<void> {
    await locks.withLock(lockKeys.webhookMessage(message.id), lockOptions, () => {
      const at = now();
      let stored: (InboundMessageRow & { connectionId: string }) | undefined;
      db.transaction(() => {
        const contactId = conversations.getOrCreateContact({
          workspaceId,
          phoneE164: `+${message.from}`,
          waId: message.from,
          name: profileName,
          source: 'inbound',
          now: at,
        });
        const conversationId = conversations.getOrCreateConversation(connectionId, contactId, 'inbound', at);
        const row: InboundMessageRow = {
          id: crypto.randomUUID(),
          conversationId,
          contactId,
          wamid: message.id,
          type: message.type,
          body: JSON.stringify(message),
          waTimestampMs: message.timestamp * 1000,
          contextWamid: message.context?.id ?? null,
          preview: previewOf(message),
        };
        if (conversations.insertInboundMessage(row, at)) {
          stored = { ...row, connectionId };
          options.onInboundStored?.({ ...stored, raw: message });
        }
      })();
      if (stored) {
        outcome.inboundStored++;
        events.emit('messages:received', {
          connectionId,
          conversationId: stored.conversationId,
          messageId: stored.id,
          contactId: stored.contactId,
          preview: stored.preview,
        });
      } else {
        outcome.inboundDuplicates++;
      }
    });
  }

  async function applyStatus(status: StatusUpdate, outcome: ProcessOutcome): Promise<void> {
    const error = status.errors?.[0];
    const change = {
      wamid: status.id,
      callbackData: status.biz_opaque_callback_data,
      status: status.status,
      rank: statusRank(status.status),
      atMs: status.timestamp * 1000,
      errorCode: error?.code ?? null,
      errorMessage: error ? (error.error_data?.details ?? error.message ?? error.title ?? null) : null,
    };
    await locks.withLock(lockKeys.webhookStatus(status.id), lockOptions, () =>
      locks.withLock(lockKeys.campaignStatusUpdate(status.id), lockOptions, () => {
        const at = now();
        const { messageIds, campaignIds } = db.transaction(() => ({
          messageIds: conversations.applyOutboundStatus(change, at),
          campaignIds: campaignStatus.apply(change, at),
        }))();
        if (messageIds.length + campaignIds.length === 0) {
          outcome.statusesIgnored++;
          return;
        }
        outcome.statusesApplied++;
        if (messageIds.length) events.emit('messages:status-changed', { messageIds });
        if (campaignIds.length)
          events.emit('campaigns:counters-changed', { campaignIds: [...new Set(campaignIds)] });
      }),
    );
  }

  const processor = {
    /** Processes one stored event. Idempotent: an event already processed is skipped. */
    async process(eventId: string): Promise<ProcessOutcome> {
      const outcome: ProcessOutcome = {
        inboundStored: 0,
        inboundDuplicates: 0,
        statusesApplied: 0,
        statusesIgnored: 0,
        templatesUpdated: 0,
        problems: [],
      };
      const event = webhookEvents.get(eventId);
      if (!event || event.state !== 'pending') return outcome;
      const parsed = parseEnvelope(event.raw_body);
      if (!parsed.ok) {
        webhookEvents.markUnparseable(eventId, parsed.reason, now());
        return outcome;
      }
      const workspaceId = conversations.workspaceOfConnection(event.connection_id);
      if (!workspaceId) {
        webhookEvents.markFailed(eventId, 'The connection no longer exists.', now());
        return outcome;
      }

      await locks.withLock(lockKeys.webhookProcess(event.connection_id), lockOptions, async () => {
        for (const entry of parsed.envelope.entry) {
          for (const change of entry.changes) {
            if (change.field === 'messages') {
              const value = messagesValueSchema.safeParse(change.value);
              if (!value.success) {
                outcome.problems.push(`messages value: ${value.error.issues[0]?.message ?? 'invalid'}`);
                continue;
              }
              const names = new Map(
                (value.data.contacts ?? []).map((c) => [c.wa_id ?? '', c.profile?.name ?? null] as const),
              );
              // Inbound messages in Meta's timestamp order (§10), so previews and the window end right.
              const messages = (value.data.messages ?? [])
                .map((m) => inboundMessageSchema.safeParse(m))
                .flatMap((r) => {
                  if (r.success) return [r.data];
                  outcome.problems.push(`message: ${r.error.issues[0]?.message ?? 'invalid'}`);
                  return [];
                })
                .sort((a, b) => a.timestamp - b.timestamp);
              for (const message of messages) {
                await storeInbound(
                  event.connection_id,
                  workspaceId,
                  message,
                  names.get(message.from) ?? null,
                  outcome,
                );
              }
              for (const raw of value.data.statuses ?? []) {
                const status = statusSchema.safeParse(raw);
                if (!status.success) {
                  outcome.problems.push(`status: ${status.error.issues[0]?.message ?? 'invalid'}`);
                  continue;
                }
                await applyStatus(status.data, outcome);
              }
              if (value.data.errors?.length) {
                log.warn('webhook: account-level errors reported by Meta', {
                  connectionId: event.connection_id,
                  errors: value.data.errors,
                });
              }
            } else if (change.field === 'message_template_status_update') {
              const update = templateStatusSchema.safeParse(change.value);
              if (!update.success) {
                outcome.problems.push(`template status: ${update.error.issues[0]?.message ?? 'invalid'}`);
                continue;
              }
              const language = normaliseLanguage(update.data.message_template_language);
              const { changes } = updateTemplate.run({
                connectionId: event.connection_id,
                status: update.data.event,
                reason: update.data.reason ?? null,
                name: update.data.message_template_name,
                language,
                metaId: update.data.message_template_id,
                now: now(),
              });
              outcome.templatesUpdated += changes;
              events.emit('templates:status-changed', {
                connectionId: event.connection_id,
                name: update.data.message_template_name,
                language,
                status: update.data.event,
              });
            }
            // Other fields (account alerts, quality updates...) are kept raw in webhook_events.
          }
        }
      });
      webhookEvents.markProcessed(
        eventId,
        outcome.problems.length ? outcome.problems.slice(0, 20).join('; ') : null,
        now(),
      );
      return outcome;
    },
  };
  return {
    ...processor,
    /**
     * Processes the events of one intake batch, in order. One event's failure does not stop the others;
     * it is rethrown at the end so the queue retries the job, and the retry skips the events already
     * processed (process() only takes 'pending' ones), so a retry redoes exactly what failed.
     */
    async processAll(eventIds: readonly string[]): Promise<void> {
      const failures: string[] = [];
      for (const eventId of eventIds) {
        try {
          await processor.process(eventId);
        } catch (error) {
          failures.push(`${eventId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (failures.length) {
        throw new Error(
          `${failures.length} of ${eventIds.length} webhook event(s) failed: ${failures.join('; ')}`,
        );
      }
    },
  };
}

export type WebhookProcessor = ReturnType<typeof createWebhookProcessor>;

/** A one-line preview for the conversation list; unknown types show as unsupported (issue 5). */
export function previewOf(message: InboundMessage): string {
  const m = message as Record<string, unknown> & InboundMessage;
  const field = (name: string): Record<string, unknown> | undefined =>
    typeof m[name] === 'object' && m[name] !== null ? (m[name] as Record<string, unknown>) : undefined;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  switch (message.type) {
    case 'text':
      return text(field('text')?.body).slice(0, 200);
    case 'image':
    case 'video':
    case 'document':
    case 'sticker':
    case 'audio':
      return `[${message.type}] ${text(field(message.type)?.caption)}`.trim().slice(0, 200);
    case 'location':
      return `[location] ${text(field('location')?.name)}`.trim();
    case 'contacts':
      return '[contact card]';
    case 'interactive': {
      const i = field('interactive');
      const reply = (i?.button_reply ?? i?.list_reply) as Record<string, unknown> | undefined;
      return text(reply?.title) || '[interactive reply]';
    }
    case 'button':
      return text(field('button')?.text) || '[button]';
    case 'reaction':
      return `[reaction] ${text(field('reaction')?.emoji)}`.trim();
    case 'order':
      return '[order]';
    case 'system':
      return text(field('system')?.body) || '[system]';
    default:
      return '[unsupported message]';
  }
}
