// The simulated WhatsApp Business Account: one WABA with one business phone number, its templates,
// media, limits, faults, ledger and webhook emitter, and the rules that turn an accepted message into
// statuses. The HTTP router (router.ts) and the test control (simulator.ts) both drive this object.
import { randomBytes, randomFillSync } from 'node:crypto';
import { DelayLines } from './delayLines';
import { Faults, type FaultConfig } from './faults';
import { graphError, GraphError } from './graphErrors';
import { buildInboundMessage, type InboundSpec } from './inbound';
import { Ledger, type LedgerEntry } from './ledger';
import { Limits, throughputSetting, type MessagingTier } from './limits';
import { MediaStore } from './media';
import {
  checkTemplateSend,
  TemplateStore,
  webhookLanguage,
  type TemplateRecord,
  type TemplateSeed,
  type TemplateStatus,
} from './templates';
import type { TemplateSendBody, ValidatedRequest } from './messages';
import {
  defaultStatusDelays,
  planStatuses,
  statusObject,
  type RecipientBehavior,
  type StatusDelays,
} from './statuses';
import type { CallbackUrls } from './subscriptions';
import { UploadSessions } from './uploadSessions';
import { defaultRetryPolicy, WebhookEmitter, type RetryPolicy } from './webhooks';

export interface SimulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  appSecret?: string;
  verifyToken?: string;
  accessToken?: string;
  wabaId?: string;
  /** The Meta app the token belongs to (`GET /app`, and `/{app-id}/uploads`). */
  appId?: string;
  phoneNumberId?: string;
  /** Digits only, as in webhook metadata (§9). */
  displayPhoneNumber?: string;
  verifiedName?: string;
  /** Logical clock (epoch ms) for expiry, windows, limits and timestamps. Timers still run in real time. */
  now?: () => number;
  /** §4 throughput per number; default 80 mps. */
  throughputMps?: number;
  throughputBurst?: number;
  /** §4 messaging limit (unique users outside a window per 24 h); default TIER_2K. */
  messagingLimit?: MessagingTier;
  statusDelays?: Partial<StatusDelays>;
  /** The app's default callback URL (what the App Dashboard holds). */
  callbackUrl?: string | null;
  faults?: Partial<FaultConfig>;
  webhookRetry?: Partial<RetryPolicy>;
  webhookTimeoutMs?: number;
  /** When set, templates created through the API become APPROVED after this delay (with a webhook). */
  autoApproveTemplatesMs?: number | null;
  /** §4 Graph call limit on WABA endpoints per rolling hour → 80007; default 5,000. */
  managementCallsPerHour?: number;
  /** §9 test number: only these wa_ids (max 5) may be messaged → 131030. null (default): anyone. */
  allowedRecipients?: string[] | null;
  /** §3 131047 "A in practice" (default 'webhook'), or 'response' for the rarer synchronous form. */
  outsideWindowErrors?: 'webhook' | 'response';
  /** Bound on each ledger list (messages, requests, webhook deliveries); unbounded by default. */
  maxLedgerRecords?: number;
  /** Templates present at start. */
  templates?: TemplateSeed[];
}

export interface AcceptedSend {
  entry: LedgerEntry;
  template?: TemplateRecord;
}

const hourMs = 60 * 60 * 1000;

function randomDigits(length: number): string {
  let out = String(1 + ((randomBytes(1)[0] ?? 0) % 9));
  while (out.length < length) out += String((randomBytes(1)[0] ?? 0) % 10);
  return out;
}

/** Random bytes for wamids, filled a few hundred ids at a time (one system call instead of one each). */
const wamidRandom = Buffer.alloc(14 * 256);
let wamidRandomAt = wamidRandom.length;
const wamidMiddle = Buffer.from([0x15, 0x02, 0x00, 0x12, 0x18, 0x14]);

/** wamids are opaque, long and may contain `=+/` (§1); this mimics Meta's base64 look. */
function newWamid(waId: string): string {
  if (wamidRandomAt === wamidRandom.length) {
    randomFillSync(wamidRandom);
    wamidRandomAt = 0;
  }
  const idLength = Buffer.byteLength(waId);
  const inner = Buffer.allocUnsafe(2 + idLength + wamidMiddle.length + 14);
  inner[0] = 0x18;
  inner[1] = waId.length;
  inner.write(waId, 2);
  wamidMiddle.copy(inner, 2 + idLength);
  wamidRandom.copy(inner, 2 + idLength + wamidMiddle.length, wamidRandomAt, wamidRandomAt + 14);
  wamidRandomAt += 14;
  return `wamid.HBgL${inner.toString('base64')}`;
}

export class SimulatorState {
  readonly now: () => number;
  readonly appSecret: string;
  readonly verifyToken: string;
  accessToken: string;
  tokenExpired = false;
  readonly wabaId: string;
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
  readonly verifiedName: string;
  readonly ledger: Ledger;
  readonly faults: Faults;
  readonly limits: Limits;
  readonly templates: TemplateStore;
  readonly media: MediaStore;
  readonly appId: string;
  /** Resumable Upload API sessions and the handles they issued (template media examples, §5). */
  readonly uploads = new UploadSessions();
  readonly emitter: WebhookEmitter;
  readonly callbackUrls: CallbackUrls;
  subscribed = false;
  statusDelays: StatusDelays;
  retryPolicy: RetryPolicy;
  autoApproveTemplatesMs: number | null;
  readonly managementCallsPerHour: number;
  readonly allowedRecipients: string[] | null;
  outsideWindowErrors: 'webhook' | 'response';
  baseUrl = '';
  private readonly recipients = new Map<string, RecipientBehavior>();
  /** Inbound messages by wamid, for read receipts, typing indicators and reaction targets. */
  private readonly inbound = new Map<string, { from: string; at: number; type: string }>();
  private readonly managementCalls: number[] = [];
  /** Statuses, held responses and template approvals waiting to happen. */
  private readonly delays = new DelayLines();
  private settleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: SimulatorOptions) {
    this.now = options.now ?? Date.now;
    this.ledger = new Ledger(options.maxLedgerRecords);
    this.appSecret = options.appSecret ?? randomBytes(16).toString('hex');
    this.verifyToken = options.verifyToken ?? randomBytes(12).toString('base64url');
    this.accessToken = options.accessToken ?? `EAAG${randomBytes(48).toString('base64url')}`;
    this.wabaId = options.wabaId ?? randomDigits(15);
    this.appId = options.appId ?? randomDigits(15);
    this.phoneNumberId = options.phoneNumberId ?? randomDigits(15);
    this.displayPhoneNumber = options.displayPhoneNumber ?? `1555${randomDigits(7)}`;
    this.verifiedName = options.verifiedName ?? 'Bellhop Sandbox';
    this.faults = new Faults(options.faults);
    this.limits = new Limits(
      throughputSetting(options.throughputMps ?? 80, options.throughputBurst),
      options.messagingLimit ?? 'TIER_2K',
    );
    this.templates = new TemplateStore(this.now);
    this.media = new MediaStore(this.now, () => this.baseUrl);
    this.callbackUrls = { appDefault: options.callbackUrl ?? null, wabaOverride: null, phoneOverride: null };
    this.statusDelays = { ...defaultStatusDelays, ...options.statusDelays };
    this.retryPolicy = { ...defaultRetryPolicy, ...options.webhookRetry };
    this.autoApproveTemplatesMs = options.autoApproveTemplatesMs ?? null;
    this.managementCallsPerHour = options.managementCallsPerHour ?? 5_000;
    this.allowedRecipients = options.allowedRecipients ?? null;
    this.outsideWindowErrors = options.outsideWindowErrors ?? 'webhook';
    this.emitter = new WebhookEmitter({
      wabaId: this.wabaId,
      appSecret: () => this.appSecret,
      messagesUrl: () =>
        this.callbackUrls.phoneOverride ?? this.callbackUrls.wabaOverride ?? this.callbackUrls.appDefault,
      defaultUrl: () => this.callbackUrls.appDefault,
      faults: this.faults,
      ledger: this.ledger,
      now: this.now,
      retry: () => this.retryPolicy,
      timeoutMs: options.webhookTimeoutMs ?? 10_000,
    });
    for (const seed of options.templates ?? []) {
      const added = this.templates.add({ status: 'APPROVED', ...seed }, false);
      if (added instanceof GraphError)
        throw new Error(`Invalid seed template ${seed.name}: ${added.details ?? added.message}`);
    }
  }

  behaviorOf(waId: string): RecipientBehavior {
    return this.recipients.get(waId) ?? {};
  }

  setRecipient(waId: string, behavior: RecipientBehavior): void {
    this.recipients.set(waId.replace(/\D/g, ''), { ...this.behaviorOf(waId), ...behavior });
  }

  /** Runs `fn` after `ms` unless the simulator closes first; counted by settle(). */
  schedule(ms: number, fn: () => void): void {
    if (this.closed) return;
    this.delays.add(ms, () => {
      if (!this.closed) fn();
      this.settleIfIdle();
    });
  }

  /**
   * §4 Graph call limit for WABA-level endpoints (rolling hour). Returns the usage header to send, or
   * the 80007 error when over the limit.
   */
  takeManagementCall(): { headers: Record<string, string> } | GraphError {
    const now = this.now();
    while (this.managementCalls.length > 0 && now - (this.managementCalls[0] as number) >= hourMs) {
      this.managementCalls.shift();
    }
    const over = this.managementCalls.length >= this.managementCallsPerHour;
    if (!over) this.managementCalls.push(now);
    const oldest = this.managementCalls[0] ?? now;
    const regainMinutes = over ? Math.max(1, Math.ceil((oldest + hourMs - now) / 60_000)) : 0;
    const percent = Math.min(
      100,
      Math.round((this.managementCalls.length / this.managementCallsPerHour) * 100),
    );
    const usage = {
      [this.wabaId]: [
        {
          type: 'whatsapp_business_management',
          call_count: percent,
          total_cputime: Math.min(100, Math.round(percent / 2)),
          total_time: Math.min(100, Math.round(percent / 2)),
          estimated_time_to_regain_access: regainMinutes,
        },
      ],
    };
    const headers = { 'x-business-use-case-usage': JSON.stringify(usage) };
    if (over) {
      return graphError(80007, 'The WhatsApp Business Account has reached its rate limit.', { headers });
    }
    return { headers };
  }

  /** Mark-as-read / typing indicator: the message must be an inbound one on this number, ≤30 days old (§2). */
  markRead(request: Extract<ValidatedRequest, { kind: 'read' }>): GraphError | null {
    const message = this.inbound.get(request.messageId);
    if (!message) return graphError(131009, `Message ${request.messageId} was not received by this number.`);
    if (this.now() - message.at > 30 * 24 * hourMs) {
      return graphError(131009, 'Messages older than 30 days cannot be marked as read.');
    }
    return null;
  }

  /**
   * Checks and accepts a send: recipient rules, media, template, throughput, pair rate, messaging limit.
   * On success the message is in the ledger and its statuses are scheduled.
   */
  acceptSend(
    request: Extract<ValidatedRequest, { kind: 'send' }>,
    body: Record<string, unknown>,
  ): AcceptedSend | GraphError {
    const now = this.now();
    // §4: throughput counts every outbound message on the number, valid or not, before anything else.
    const throughput = this.limits.takeThroughput(this.phoneNumberId, now);
    if (!throughput.ok) {
      return graphError(
        130429,
        'Message failed to send because there were too many messages sent from this phone number in a short period of time.',
      );
    }
    if (request.waId === this.displayPhoneNumber)
      return graphError(131021, 'Recipient cannot be the sender.');
    if (this.allowedRecipients && !this.allowedRecipients.includes(request.waId)) {
      return graphError(131030, `Recipient phone number not in allowed list: ${request.to}`, {
        subcode: 2655007,
      });
    }
    for (const id of request.mediaIds) {
      if (!this.media.has(id, this.phoneNumberId)) {
        return graphError(131053, `Media ${id} does not exist or was uploaded on another phone number.`);
      }
    }
    let template: TemplateRecord | undefined;
    if (request.type === 'template') {
      const checked = checkTemplateSend(this.templates, request.content as TemplateSendBody);
      if (checked instanceof GraphError) return checked;
      template = checked;
    }
    const windowOpen = this.limits.windowOpen(this.phoneNumberId, request.waId, now);
    if (!windowOpen && request.type !== 'template' && this.outsideWindowErrors === 'response') {
      return graphError(
        131047,
        'More than 24 hours have passed since the recipient last replied to the sender number.',
      );
    }
    const pair = this.limits.takePair(this.phoneNumberId, request.waId, now);
    if (!pair.ok) {
      return graphError(
        131056,
        'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      );
    }
    // §4 messaging limit: only business-initiated (template, window closed) sends count. The error Meta
    // returns for a send over the limit is unverified; the simulator uses 131048, which old docs worded so.
    if (
      template &&
      !windowOpen &&
      !this.limits.admitBusinessInitiated(this.phoneNumberId, request.waId, now)
    ) {
      return graphError(
        131048,
        `Message failed to send because this number reached its messaging limit (${this.limits.tier}) of unique customers in 24 hours.`,
      );
    }
    const entry: LedgerEntry = {
      wamid: newWamid(request.waId),
      phoneNumberId: this.phoneNumberId,
      to: request.to,
      waId: request.waId,
      type: request.type,
      ...(template
        ? {
            templateName: template.name,
            templateLanguage: template.language,
            templateCategory: template.category,
          }
        : {}),
      ...(request.bizOpaqueCallbackData !== undefined
        ? { bizOpaqueCallbackData: request.bizOpaqueCallbackData }
        : {}),
      acceptedAt: now,
      payload: body,
    };
    this.ledger.recordAccepted(entry);
    this.scheduleStatuses(entry, windowOpen);
    return template ? { entry, template } : { entry };
  }

  private reactionTargetOk(entry: LedgerEntry): boolean {
    const targetId = (entry.payload.reaction as { message_id?: string } | undefined)?.message_id ?? '';
    const inbound = this.inbound.get(targetId);
    const outbound = this.ledger.get(targetId);
    const at = inbound?.at ?? outbound?.acceptedAt;
    const isReaction = inbound?.type === 'reaction' || outbound?.type === 'reaction';
    return at !== undefined && !isReaction && this.now() - at <= 30 * 24 * hourMs;
  }

  private scheduleStatuses(entry: LedgerEntry, windowOpen: boolean): void {
    const delays = this.statusDelays;
    const plan = planStatuses({
      entry,
      behavior: this.behaviorOf(entry.waId),
      windowOpen,
      reactionTargetOk: entry.type === 'reaction' ? this.reactionTargetOk(entry) : true,
      dropDelivered: this.faults.dropDelivered(),
      readMs: delays.readMs,
    });
    const emit = (
      status: 'sent' | 'delivered' | 'read' | 'failed',
      failure?: { code: number; details: string },
    ) =>
      this.emitter.emit({
        kind: 'status',
        phoneNumberId: this.phoneNumberId,
        displayPhoneNumber: this.displayPhoneNumber,
        status: statusObject(entry, status, this.now(), windowOpen, failure),
      });
    if (plan.kind === 'failed') {
      this.schedule(delays.sentMs, () => emit('failed', plan));
      return;
    }
    this.schedule(delays.sentMs, () => emit('sent'));
    if (plan.delivered) this.schedule(delays.deliveredMs, () => emit('delivered'));
    if (plan.read && delays.readMs !== null) this.schedule(delays.readMs, () => emit('read'));
  }

  /** A customer message (§6), delivered through the webhook pipeline; opens the 24 h window (§7). */
  injectInbound(spec: InboundSpec): { wamid: string; message: Record<string, unknown> } {
    const from = spec.from.replace(/\D/g, '');
    if (from.length < 7 || from.length > 15) throw new RangeError(`Invalid customer number ${spec.from}`);
    const at = spec.timestamp ?? this.now();
    const wamid = newWamid(from);
    const message = buildInboundMessage(
      spec,
      { wamid, from, timestampSec: Math.floor(at / 1000) },
      (data, mime, filename) => this.media.addInbound(this.phoneNumberId, data, mime, filename),
    );
    this.inbound.set(wamid, { from, at, type: spec.type });
    this.ledger.recordInbound({
      wamid,
      phoneNumberId: this.phoneNumberId,
      waId: from,
      type: spec.type,
      at,
      message,
    });
    if (spec.type !== 'system') this.limits.recordInbound(this.phoneNumberId, from, at);
    this.emitter.emit({
      kind: 'message',
      phoneNumberId: this.phoneNumberId,
      displayPhoneNumber: this.displayPhoneNumber,
      contact: { profile: { name: spec.profileName ?? '' }, wa_id: from },
      message,
    });
    return { wamid, message };
  }

  /** Changes a template's status and sends message_template_status_update to the app's default URL (§5, §12). */
  setTemplateStatus(
    template: TemplateRecord,
    status: TemplateStatus,
    details: { reason?: string | null; otherInfo?: { title: string; description: string } } = {},
  ): void {
    this.templates.setStatus(
      template.id,
      status,
      status === 'REJECTED' ? (details.reason ?? 'INVALID_FORMAT') : undefined,
    );
    const value: Record<string, unknown> = {
      event: status,
      // §5: a number here, a string in REST; the language uses the hyphenated spelling.
      message_template_id: Number(template.id),
      message_template_name: template.name,
      message_template_language: webhookLanguage(template.language),
      reason: details.reason ?? (status === 'REJECTED' ? 'INVALID_FORMAT' : null),
      message_template_category: template.category,
    };
    if (status === 'PAUSED') {
      value.other_info = details.otherInfo ?? {
        title: 'FIRST_PAUSE',
        description: 'Your message template has been paused for 3 hours due to low quality.',
      };
    }
    if (status === 'DISABLED') value.disable_info = { disable_date: Math.floor(this.now() / 1000) };
    if (status === 'REJECTED') {
      value.rejection_info = {
        reason: String(value.reason),
        recommendation: 'Review the template content and resubmit.',
      };
    }
    this.emitter.emit({ kind: 'template', value });
  }

  get idle(): boolean {
    return this.delays.pending === 0 && this.emitter.idle;
  }

  /** Resolves once no status is scheduled and no webhook is buffered, in flight or awaiting a retry. */
  async settle(): Promise<void> {
    for (;;) {
      if (this.delays.pending > 0) await new Promise<void>((resolve) => this.settleWaiters.push(resolve));
      await this.emitter.whenIdle();
      if (this.idle) return;
    }
  }

  private settleIfIdle(): void {
    if (this.delays.pending > 0) return;
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.closed = true;
    this.delays.clear();
    this.settleIfIdle();
    this.emitter.close();
  }
}
