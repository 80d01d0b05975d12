// Asynchronous delivery reports for accepted messages (whatsapp-cloud-api.md §6 "Statuses"): `sent`,
// `delivered`, `read` after configurable delays, echoing biz_opaque_callback_data, or a single `failed`
// with the error Meta reports asynchronously (131026, 131047, 131049, 131009 on a bad reaction target).
import { errorTitles } from './graphErrors';
import type { LedgerEntry } from './ledger';

export interface StatusDelays {
  sentMs: number;
  deliveredMs: number;
  /** null: the customer never reads (or has read receipts off). */
  readMs: number | null;
}

export const defaultStatusDelays: StatusDelays = { sentMs: 50, deliveredMs: 250, readMs: 1000 };

/** How a simulated customer's phone behaves. */
export interface RecipientBehavior {
  /** Not on WhatsApp / blocked the business → `failed` 131026. */
  undeliverable?: boolean;
  /** Over Meta's per-user marketing cap → marketing templates fail with 131049. */
  marketingCapped?: boolean;
  /** false: read receipts off, so no `read` status is ever sent (§6). Default true. */
  readReceipts?: boolean;
}

export type StatusPlan =
  | { kind: 'failed'; code: number; details: string }
  | { kind: 'delivery'; sent: true; delivered: boolean; read: boolean };

export interface PlanInput {
  entry: LedgerEntry;
  behavior: RecipientBehavior;
  windowOpen: boolean;
  /** For reactions: whether the target message exists and may be reacted to. */
  reactionTargetOk: boolean;
  dropDelivered: boolean;
  readMs: number | null;
}

export function planStatuses(input: PlanInput): StatusPlan {
  const { entry, behavior } = input;
  if (behavior.undeliverable) {
    return { kind: 'failed', code: 131026, details: 'Message Undeliverable.' };
  }
  // §7: outside the 24 h window only templates go out; Meta answers 200 and reports 131047 later (§3).
  if (entry.type !== 'template' && !input.windowOpen) {
    return {
      kind: 'failed',
      code: 131047,
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    };
  }
  if (entry.templateCategory === 'MARKETING' && behavior.marketingCapped) {
    return {
      kind: 'failed',
      code: 131049,
      details: 'This message was not delivered to maintain healthy ecosystem engagement.',
    };
  }
  if (entry.type === 'reaction') {
    if (!input.reactionTargetOk) {
      return {
        kind: 'failed',
        code: 131009,
        details: 'The reaction target does not exist, is a reaction, or is older than 30 days.',
      };
    }
    // §2: only a `sent` status is ever emitted for reactions.
    return { kind: 'delivery', sent: true, delivered: false, read: false };
  }
  return {
    kind: 'delivery',
    sent: true,
    delivered: !input.dropDelivered,
    read: input.readMs !== null && behavior.readReceipts !== false,
  };
}

/** The `pricing` block (§6): per-message pricing; free inside a customer-opened window for non-templates. */
function pricing(entry: LedgerEntry, windowOpen: boolean): Record<string, unknown> {
  const category = entry.templateCategory?.toLowerCase() ?? 'service';
  const free = entry.type !== 'template' || (category === 'utility' && windowOpen);
  return {
    billable: !free,
    pricing_model: 'PMP',
    type: free ? 'free_customer_service' : 'regular',
    category,
  };
}

/**
 * One `statuses[]` item. `conversation` is omitted, as from v24.0 outside free entry points (§6).
 */
export function statusObject(
  entry: LedgerEntry,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  atMs: number,
  windowOpen: boolean,
  failure?: { code: number; details: string },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: entry.wamid,
    status,
    timestamp: String(Math.floor(atMs / 1000)),
    recipient_id: entry.waId,
  };
  if (entry.bizOpaqueCallbackData !== undefined) out.biz_opaque_callback_data = entry.bizOpaqueCallbackData;
  if (status === 'sent' || status === 'delivered') out.pricing = pricing(entry, windowOpen);
  if (status === 'failed' && failure) {
    const title = errorTitles[failure.code] ?? 'Error';
    out.errors = [
      {
        code: failure.code,
        title,
        message: title,
        error_data: { details: failure.details },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ];
  }
  return out;
}
