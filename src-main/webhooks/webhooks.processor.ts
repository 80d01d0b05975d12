// Processing of stored webhook events (queue `default`). Meta delivers at least once, duplicates and
// reorders (§6); processing is exactly-once in effect because every write for one item happens in one
// SQLite transaction guarded by a unique constraint (inbound wamid) or a forward-only status rule. The
// seed's named locks are held around each item, as the seed design names them, so work that later grows
// an await (media, bots) stays serialized per message.
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { createCampaignStatusRepo } from '../campaigns/campaignStatus.repo';
import { createConversationsRepo, type InboundMessageRow } from '../conversations/conversations.repo';
import { lockKeys, type LockSpec } from '../locks/keys';
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
  type TemplateStatusUpdate,
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

  /** Holds every lock of `specs` (each once, in key order, so two holders never wait on each other). */
  function withLocks<T>(specs: readonly LockSpec[], fn: () => T): Promise<T> {
    const unique = [...new Map(specs.map((spec) => [spec.key, spec])).values()].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    const hold = (i: number): Promise<T> =>
      i === unique.length
        ? Promise.resolve().then(fn)
        : locks.withLock(unique[i]!, lockOptions, () => hold(i + 1));
    return hold(0);
  }

  /** The locks the seed design names for one item. */
  function lockSpecsOf(op: Op): LockSpec[] {
    switch (op.kind) {
      case 'inbound':
        return [lockKeys.webhookMessage(op.message.id)];
      case 'status':
        return [lockKeys.webhookStatus(op.status.id), lockKeys.campaignStatusUpdate(op.status.id)];
      case 'template':
        return [];
    }
  }

  /** Reads one pending event into the items to apply; marks it unparseable or failed when it cannot be. */
  function planOf(eventId: string): Plan | undefined {
    const event = webhookEvents.get(eventId);
    if (!event || event.state !== 'pending') return undefined;
    const parsed = parseEnvelope(event.raw_body);
    if (!parsed.ok) {
      webhookEvents.markUnparseable(eventId, parsed.reason, now());
      return undefined;
    }
    const workspaceId = conversations.workspaceOfConnection(event.connection_id);
    if (!workspaceId) {
      webhookEvents.markFailed(eventId, 'The connection no longer exists.', now());
      return undefined;
    }
    const plan: Plan = {
      eventId,
      connectionId: event.connection_id,
      workspaceId,
      ops: [],
      outcome: emptyOutcome(),
    };
    const problems = plan.outcome.problems;
    for (const entry of parsed.envelope.entry) {
      for (const change of entry.changes) {
        if (change.field === 'messages') {
          const value = messagesValueSchema.safeParse(change.value);
          if (!value.success) {
            problems.push(`messages value: ${value.error.issues[0]?.message ?? 'invalid'}`);
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
              problems.push(`message: ${r.error.issues[0]?.message ?? 'invalid'}`);
              return [];
            })
            .sort((a, b) => a.timestamp - b.timestamp);
          for (const message of messages) {
            plan.ops.push({ kind: 'inbound', message, profileName: names.get(message.from) ?? null });
          }
          for (const raw of value.data.statuses ?? []) {
            const status = statusSchema.safeParse(raw);
            if (!status.success) {
              problems.push(`status: ${status.error.issues[0]?.message ?? 'invalid'}`);
              continue;
            }
            plan.ops.push({ kind: 'status', status: status.data });
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
            problems.push(`template status: ${update.error.issues[0]?.message ?? 'invalid'}`);
            continue;
          }
          plan.ops.push({ kind: 'template', update: update.data });
        }
        // Other fields (account alerts, quality updates...) are kept raw in webhook_events.
      }
    }
    return plan;
  }

  /**
   * Applies one item; call inside a transaction, holding the item's locks. Returns the push event to
   * send once the transaction has committed, if any.
   */
  function applyOp(plan: Plan, op: Op, at: number): (() => void) | undefined {
    const { connectionId, outcome } = plan;
    switch (op.kind) {
      case 'inbound': {
        const { message } = op;
        const contactId = conversations.getOrCreateContact({
          workspaceId: plan.workspaceId,
          phoneE164: `+${message.from}`,
          waId: message.from,
          name: op.profileName,
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
        if (!conversations.insertInboundMessage(row, at)) {
          outcome.inboundDuplicates++;
          return undefined;
        }
        options.onInboundStored?.({ ...row, connectionId, raw: message });
        outcome.inboundStored++;
        return () =>
          events.emit('messages:received', {
            connectionId,
            conversationId: row.conversationId,
            messageId: row.id,
            contactId: row.contactId,
            preview: row.preview,
          });
      }
      case 'status': {
        const { status } = op;
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
        const messageIds = conversations.applyOutboundStatus(change, at);
        const campaignIds = campaignStatus.apply(change, at);
        if (messageIds.length + campaignIds.length === 0) {
          outcome.statusesIgnored++;
          return undefined;
        }
        outcome.statusesApplied++;
        return () => {
          if (messageIds.length) events.emit('messages:status-changed', { messageIds });
          if (campaignIds.length)
            events.emit('campaigns:counters-changed', { campaignIds: [...new Set(campaignIds)] });
        };
      }
      case 'template': {
        const { update } = op;
        const language = normaliseLanguage(update.message_template_language);
        const { changes } = updateTemplate.run({
          connectionId,
          status: update.event,
          reason: update.reason ?? null,
          name: update.message_template_name,
          language,
          metaId: update.message_template_id,
          now: at,
        });
        outcome.templatesUpdated += changes;
        return () =>
          events.emit('templates:status-changed', {
            connectionId,
            name: update.message_template_name,
            language,
            status: update.event,
          });
      }
    }
  }

  function markDone(plan: Plan, at: number): void {
    const { problems } = plan.outcome;
    webhookEvents.markProcessed(plan.eventId, problems.length ? problems.slice(0, 20).join('; ') : null, at);
  }

  /**
   * Applies the plans of one connection's events, holding its lock and every item lock, in one
   * transaction: one commit for the lot instead of two per event (the item's, then the event's mark).
   */
  async function applyTogether(connectionId: string, plans: readonly Plan[]): Promise<void> {
    await locks.withLock(lockKeys.webhookProcess(connectionId), lockOptions, () =>
      withLocks(
        plans.flatMap((plan) => plan.ops.flatMap(lockSpecsOf)),
        () => {
          const at = now();
          const pushes: (() => void)[] = [];
          db.transaction(() => {
            for (const plan of plans) {
              for (const op of plan.ops) {
                const push = applyOp(plan, op, at);
                if (push) pushes.push(push);
              }
              markDone(plan, at);
            }
          }).immediate();
          for (const push of pushes) push();
        },
      ),
    );
  }

  /** Processes one stored event. Idempotent: an event already processed is skipped. */
  async function process(eventId: string): Promise<ProcessOutcome> {
    const plan = planOf(eventId);
    if (!plan) return emptyOutcome();
    // Each item in its own transaction under its own locks, then the event's mark.
    await locks.withLock(lockKeys.webhookProcess(plan.connectionId), lockOptions, async () => {
      for (const op of plan.ops) {
        await withLocks(lockSpecsOf(op), () => {
          const push = db.transaction(() => applyOp(plan, op, now())).immediate();
          push?.();
        });
      }
    });
    markDone(plan, now());
    return plan.outcome;
  }

  return {
    process,
    /**
     * Processes the events of one intake batch. Each connection's events go through in one transaction
     * (order kept); if that fails, each event is processed alone so one bad event cannot hold back its
     * neighbours, and its failure is rethrown at the end: the queue retries the job, and the retry skips
     * the events no longer pending, so it redoes exactly what failed.
     */
    async processAll(eventIds: readonly string[]): Promise<void> {
      const byConnection = new Map<string, Plan[]>();
      for (const eventId of eventIds) {
        const plan = planOf(eventId);
        if (!plan) continue;
        const plans = byConnection.get(plan.connectionId) ?? [];
        if (plans.length === 0) byConnection.set(plan.connectionId, plans);
        plans.push(plan);
      }
      const failures: string[] = [];
      for (const [connectionId, plans] of byConnection) {
        try {
          await applyTogether(connectionId, plans);
          continue;
        } catch (error) {
          log.warn('webhook: a batch failed together; processing its events one by one', {
            connectionId,
            error,
          });
        }
        for (const plan of plans) {
          try {
            await process(plan.eventId);
          } catch (error) {
            failures.push(`${plan.eventId}: ${error instanceof Error ? error.message : String(error)}`);
          }
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

type Op =
  | { kind: 'inbound'; message: InboundMessage; profileName: string | null }
  | { kind: 'status'; status: StatusUpdate }
  | { kind: 'template'; update: TemplateStatusUpdate };

interface Plan {
  eventId: string;
  connectionId: string;
  workspaceId: string;
  /** The event's items in the order they came (inbound messages by Meta's timestamp within a change). */
  ops: Op[];
  outcome: ProcessOutcome;
}

function emptyOutcome(): ProcessOutcome {
  return {
    inboundStored: 0,
    inboundDuplicates: 0,
    statusesApplied: 0,
    statusesIgnored: 0,
    templatesUpdated: 0,
    problems: [],
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
