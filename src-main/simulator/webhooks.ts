// The webhook emitter (whatsapp-cloud-api.md §6). Bodies are serialized the way Meta does (non-ASCII
// escaped as \uXXXX, lowercase hex) and signed with HMAC-SHA256 over exactly those bytes. Delivery is
// at-least-once with retries and backoff while the receiver answers non-200, and the fault switches
// (duplicates, reordering, batching) act here.
import { createHmac } from 'node:crypto';
import { createAgents, destroyAgents, httpRequest } from '../whatsapp/http';
import type { Faults } from './faults';
import type { Ledger } from './ledger';

export type WebhookField = 'messages' | 'message_template_status_update';

/** One update: what goes in a `changes[].value` (statuses and messages may be merged when batching). */
export type WebhookUpdate =
  | { kind: 'status'; phoneNumberId: string; displayPhoneNumber: string; status: Record<string, unknown> }
  | {
      kind: 'message';
      phoneNumberId: string;
      displayPhoneNumber: string;
      contact: Record<string, unknown>;
      message: Record<string, unknown>;
    }
  | { kind: 'template'; value: Record<string, unknown> };

export interface RetryPolicy {
  /** Total attempts including the first. Meta keeps trying for up to 7 days; tests need a bound. */
  maxAttempts: number;
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  factor: 2,
  maxDelayMs: 60_000,
};

/** Meta's serialization: JSON with every non-ASCII UTF-16 unit escaped as \uXXXX in lowercase hex. */
export function serializeLikeMeta(payload: unknown): string {
  return JSON.stringify(payload).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `sha256=<lowercase hex>` over the raw bytes, as in X-Hub-Signature-256. */
export function signBody(appSecret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export interface EmitterDeps {
  wabaId: string;
  appSecret: () => string;
  /** Where `messages` updates go: phone override, then WABA override, then the app default (§12). */
  messagesUrl: () => string | null;
  /** Where template updates go: always the app's default URL (§12). */
  defaultUrl: () => string | null;
  faults: Faults;
  ledger: Ledger;
  now: () => number;
  retry: () => RetryPolicy;
  timeoutMs: number;
}

export class WebhookEmitter {
  private buffer: WebhookUpdate[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly abort = new AbortController();
  /**
   * node:http with keep-alive, not the global fetch: Node loads and compiles undici on the first fetch
   * (0.6–2 s on a busy machine), and that first fetch was the Sandbox's first customer message after
   * every start, late by that much. A handful of sockets, as Meta opens a few per receiver.
   */
  private readonly agents = createAgents(4);
  /** Serializes first delivery attempts (see send()). */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: EmitterDeps) {}

  emit(update: WebhookUpdate): void {
    if (this.closed) return;
    const { reorder, batch, reorderWindowMs, batchWindowMs } = this.deps.faults.config;
    if (!reorder && !batch) {
      this.send([update]);
      return;
    }
    this.buffer.push(update);
    if (!this.flushTimer) {
      const windowMs = Math.max(batch ? batchWindowMs : 0, reorder ? reorderWindowMs : 0);
      this.flushTimer = setTimeout(() => this.flush(), windowMs);
    }
  }

  private flush(): void {
    this.flushTimer = null;
    const { reorder, batch, batchMax } = this.deps.faults.config;
    const items = this.buffer;
    this.buffer = [];
    if (reorder) this.deps.faults.prng.shuffle(items);
    const groups: WebhookUpdate[][] = [];
    if (batch) {
      for (let i = 0; i < items.length; i += batchMax) groups.push(items.slice(i, i + batchMax));
    } else {
      for (const item of items) groups.push([item]);
    }
    for (const group of groups) this.send(group);
    this.settleIfIdle();
  }

  /** Builds one POST body for updates that go to the same URL. */
  private body(updates: WebhookUpdate[]): Record<string, unknown> {
    const changes: Record<string, unknown>[] = [];
    let current: {
      kind: 'status' | 'message';
      phoneNumberId: string;
      value: Record<string, unknown>;
    } | null = null;
    for (const u of updates) {
      if (u.kind === 'template') {
        current = null;
        changes.push({ field: 'message_template_status_update', value: u.value });
        continue;
      }
      // §6: several array items can share one value; consecutive updates of one kind are merged.
      if (!current || current.kind !== u.kind || current.phoneNumberId !== u.phoneNumberId) {
        const value: Record<string, unknown> = {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: u.displayPhoneNumber, phone_number_id: u.phoneNumberId },
        };
        if (u.kind === 'status') value.statuses = [];
        else {
          value.contacts = [];
          value.messages = [];
        }
        current = { kind: u.kind, phoneNumberId: u.phoneNumberId, value };
        changes.push({ field: 'messages', value });
      }
      if (u.kind === 'status') (current.value.statuses as unknown[]).push(u.status);
      else {
        const contacts = current.value.contacts as Record<string, unknown>[];
        if (!contacts.some((c) => c.wa_id === u.contact.wa_id)) contacts.push(u.contact);
        (current.value.messages as unknown[]).push(u.message);
      }
    }
    const entry: Record<string, unknown> = { id: this.deps.wabaId, changes };
    if (updates.some((u) => u.kind === 'template')) entry.time = Math.floor(this.deps.now() / 1000);
    return { object: 'whatsapp_business_account', entry: [entry] };
  }

  private send(updates: WebhookUpdate[]): void {
    const byUrl = new Map<string, WebhookUpdate[]>();
    for (const u of updates) {
      const url = u.kind === 'template' ? this.deps.defaultUrl() : this.deps.messagesUrl();
      if (url === null) continue;
      byUrl.set(url, [...(byUrl.get(url) ?? []), u]);
    }
    for (const [url, group] of byUrl) {
      const raw = serializeLikeMeta(this.body(group));
      const duplicate = this.deps.faults.duplicate();
      this.inFlight += 1;
      const run = async () => {
        await this.deliver(url, raw, 1);
        if (duplicate) await this.deliver(url, raw, 1);
      };
      const done = () => this.finishOne();
      // First attempts go out one after another, so arrival order is emission order (or the seeded
      // shuffle of the reorder fault): runs are repeatable. Retries are scheduled apart and overtake.
      this.chain = this.chain.then(run).then(done, done);
    }
  }

  /** One attempt; on a non-200 answer, schedules the next with exponential backoff. */
  private async deliver(url: string, raw: string, attempt: number): Promise<void> {
    if (this.closed) return;
    const target = URL.canParse(url) ? new URL(url) : null;
    const outcome =
      target &&
      (await httpRequest(this.agents, {
        method: 'POST',
        url: target,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signBody(this.deps.appSecret(), raw),
          'x-hub-signature': `sha1=${createHmac('sha1', this.deps.appSecret()).update(raw).digest('hex')}`,
          'user-agent': 'facebookexternalua',
        },
        body: Buffer.from(raw),
        timeoutMs: this.deps.timeoutMs,
        signal: this.abort.signal,
        // Only the status matters; a receiver's answer body is read and dropped.
        maxResponseBytes: 1024 * 1024,
      }));
    const status = outcome?.kind === 'response' ? outcome.status : null;
    this.deps.ledger.recordWebhookDelivery({ at: this.deps.now(), url, attempt, status, body: raw });
    if (status === 200 || this.closed) return;
    const policy = this.deps.retry();
    if (attempt >= policy.maxAttempts) return;
    const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (attempt - 1));
    this.inFlight += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const done = () => this.finishOne();
      this.deliver(url, raw, attempt + 1).then(done, done);
    }, delay);
    this.timers.add(timer);
  }

  get idle(): boolean {
    return this.inFlight === 0 && this.buffer.length === 0 && this.flushTimer === null;
  }

  /** Resolves once nothing is buffered, in flight or waiting for a retry. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private finishOne(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.settleIfIdle();
  }

  private settleIfIdle(): void {
    if (!this.idle) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    destroyAgents(this.agents);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.buffer = [];
    this.inFlight = 0;
    this.settleIfIdle();
  }
}
