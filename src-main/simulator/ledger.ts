// What the simulator accepted and answered, kept for tests and benchmarks: every accepted message (to
// prove "sent exactly once"), every request with its outcome (to check rate windows), and how many times
// each error code was returned (e.g. the 130429 counter that must stay at zero).

export interface LedgerEntry {
  wamid: string;
  phoneNumberId: string;
  /** `to` exactly as the request gave it. */
  to: string;
  /** Digits-only form Meta returns as `wa_id`. */
  waId: string;
  type: string;
  templateName?: string;
  templateLanguage?: string;
  templateCategory?: string;
  bizOpaqueCallbackData?: string;
  /** Simulator clock, epoch ms. */
  acceptedAt: number;
  /** The parsed request body. */
  payload: Record<string, unknown>;
}

/** A customer message the simulator delivered by webhook (injectInbound): the customer's side of a chat. */
export interface InboundRecord {
  wamid: string;
  phoneNumberId: string;
  /** The customer's number, digits only (`from`). */
  waId: string;
  type: string;
  /** Simulator clock, epoch ms. */
  at: number;
  /** The `messages[]` item exactly as delivered (§6). */
  message: Record<string, unknown>;
}

export interface RequestRecord {
  /** Simulator clock when the request arrived, epoch ms. */
  at: number;
  method: string;
  /** Path without the version prefix or query, e.g. `/106540352242922/messages`. */
  path: string;
  status: number;
  /** Graph error code when the answer was an error. */
  errorCode?: number;
}

export interface WebhookDeliveryRecord {
  at: number;
  url: string;
  attempt: number;
  /** HTTP status the receiver answered, or null when the POST failed at the network level. */
  status: number | null;
  body: string;
}

export interface LedgerFilter {
  to?: string;
  waId?: string;
  type?: string;
  bizOpaqueCallbackData?: string;
  templateName?: string;
}

/** Drops the oldest tenth of `list` once it is over `max` (amortized, so appends stay cheap). */
function trim<T>(list: T[], max: number, onDrop?: (item: T) => void): void {
  if (list.length <= max) return;
  const dropped = list.splice(0, Math.max(1, Math.ceil(max / 10)) + (list.length - max - 1));
  if (onDrop) for (const item of dropped) onDrop(item);
}

export class Ledger {
  /**
   * @param maxRecords Keep at most about this many of each record kind. Unbounded by default (tests,
   * benchmarks); the app's long-running Sandbox sets a bound so memory does not grow without end.
   * Error counters are never trimmed.
   */
  constructor(private readonly maxRecords: number = Number.POSITIVE_INFINITY) {}

  private readonly entries: LedgerEntry[] = [];
  private readonly byWamid = new Map<string, LedgerEntry>();
  private readonly inboundLog: InboundRecord[] = [];
  private readonly requestLog: RequestRecord[] = [];
  private readonly webhookLog: WebhookDeliveryRecord[] = [];
  private readonly errorCounts = new Map<number, number>();

  recordAccepted(entry: LedgerEntry): void {
    this.entries.push(entry);
    this.byWamid.set(entry.wamid, entry);
    trim(this.entries, this.maxRecords, (e) => this.byWamid.delete(e.wamid));
  }

  recordInbound(record: InboundRecord): void {
    this.inboundLog.push(record);
    trim(this.inboundLog, this.maxRecords);
  }

  /** Customer messages in the order they were sent, optionally only one customer's. */
  inbound(filter: { waId?: string } = {}): InboundRecord[] {
    return this.inboundLog.filter((r) => filter.waId === undefined || r.waId === filter.waId);
  }

  recordRequest(record: RequestRecord): void {
    this.requestLog.push(record);
    trim(this.requestLog, this.maxRecords);
    if (record.errorCode !== undefined) {
      this.errorCounts.set(record.errorCode, (this.errorCounts.get(record.errorCode) ?? 0) + 1);
    }
  }

  recordWebhookDelivery(record: WebhookDeliveryRecord): void {
    this.webhookLog.push(record);
    trim(this.webhookLog, this.maxRecords);
  }

  /** Accepted messages in acceptance order, optionally filtered. */
  messages(filter: LedgerFilter = {}): LedgerEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.to === undefined || e.to === filter.to) &&
        (filter.waId === undefined || e.waId === filter.waId) &&
        (filter.type === undefined || e.type === filter.type) &&
        (filter.bizOpaqueCallbackData === undefined ||
          e.bizOpaqueCallbackData === filter.bizOpaqueCallbackData) &&
        (filter.templateName === undefined || e.templateName === filter.templateName),
    );
  }

  get(wamid: string): LedgerEntry | undefined {
    return this.byWamid.get(wamid);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Every request the server answered, in arrival order. */
  requests(): readonly RequestRecord[] {
    return this.requestLog;
  }

  webhookDeliveries(): readonly WebhookDeliveryRecord[] {
    return this.webhookLog;
  }

  /** How many responses carried this Graph error code (e.g. 130429). */
  errorCount(code: number): number {
    return this.errorCounts.get(code) ?? 0;
  }

  /** The largest number of requests seen in any window of `windowMs` (half-open), optionally filtered. */
  maxRequestsInWindow(windowMs: number, include: (r: RequestRecord) => boolean = () => true): number {
    const times = this.requestLog.filter(include).map((r) => r.at);
    times.sort((a, b) => a - b);
    let max = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }
}
