// The WhatsApp Cloud API client. One instance per connection (business phone number). Every request —
// sends, template sync, media, subscriptions — first takes a slot from the connection's shared rate
// limiter (seed §1: `whatsapp_api_rate_limit:connection:{id}`), so all modules together stay under it.
// Methods never throw for API outcomes: they return WaResult with a typed error (errors.ts).
import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { RateLimiter, RateRule } from '../ratelimit/types';
import {
  invalidRequestError,
  mapHttpError,
  notSentError,
  unknownOutcomeError,
  type WaResult,
  type WhatsAppError,
} from './errors';
import { bulkHttpRequest, createBulkAgent, type BulkAgent } from './bulkHttp';
import { createAgents, destroyAgents, httpRequest, type Agents, type HttpOutcome } from './http';
import {
  appResponseSchema,
  createTemplateResponseSchema,
  mediaUploadResponseSchema,
  mediaUrlResponseSchema,
  phoneNumberFields,
  phoneNumberSchema,
  sendResponseSchema,
  subscribedAppsSchema,
  successSchema,
  templateListFields,
  templateListResponseSchema,
  templateSchema,
  uploadHandleResponseSchema,
  uploadSessionResponseSchema,
  type ContactCard,
  type CreatedTemplate,
  type DownloadedMedia,
  type InteractiveButtons,
  type InteractiveList,
  type MediaRef,
  type MediaUpload,
  type MediaUrl,
  type MessageTemplate,
  type OutboundContent,
  type PhoneNumberField,
  type PhoneNumberInfo,
  type SendOptions,
  type SendResult,
  type SubscribedApps,
  type TemplateDefinition,
  type TemplateListQuery,
  type TemplateMessage,
  type TemplatePage,
} from './types';

export interface ConnectionRateLimit {
  /** e.g. `whatsapp_api_rate_limit:connection:{id}` — the same key for every module using this connection. */
  key: string;
  rule: RateRule;
  /**
   * Transport jitter the pacing absorbs, in ms. The limiter keeps at most `count` grants in any window
   * of `periodMs`, exactly; but requests reach Meta a variable few milliseconds after their grant, so
   * two grants exactly one period apart can land inside one window at the receiving end. Pacing over
   * `periodMs + jitterAllowanceMs` keeps arrivals within the limit too. Default: 1 % of the period,
   * at most 50 ms (so 50 ms on the seed's 100/min, 10 ms on a per-second rule).
   */
  jitterAllowanceMs?: number;
}

export interface WhatsAppClientOptions {
  /** `https://graph.facebook.com`, or the simulator's base URL. No trailing version. */
  baseUrl: string;
  /** `vNN.0` (§1). */
  apiVersion: string;
  accessToken: string;
  phoneNumberId: string;
  wabaId: string;
  limiter: RateLimiter;
  rateLimit: ConnectionRateLimit;
  /** Per-request timeout for API calls; default 20 s. */
  timeoutMs?: number;
  /** Timeout for media uploads and downloads; default 120 s. */
  mediaTimeoutMs?: number;
  /** Called once when Meta rejects the token (codes 0/190): mark the connection "needs re-authentication". */
  onAuthFailure?: (error: WhatsAppError) => void;
  /**
   * Keep-alive sockets per host; default 32. A request granted its rate-limit slot while every socket is
   * busy waits for one after its slot (and after its beforeRequest claim): size it from the rate with
   * socketsForRate() so that callers keeping up to callerWindowForRate() in flight never wait.
   */
  maxSockets?: number;
}

interface CallSpec<T> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path after the version (`/{pnid}/messages`), or an absolute URL (media download). */
  path?: string;
  url?: URL;
  query?: Record<string, string | undefined>;
  json?: unknown;
  body?: Buffer;
  contentType?: string;
  /** Extra request headers (the Resumable Upload API's file_offset). */
  headers?: Record<string, string>;
  schema: z.ZodType<T>;
  /**
   * True when repeating the call could do something twice (a send, an upload, a create): a failure after
   * the request was written is then UNKNOWN_OUTCOME rather than TRANSIENT.
   */
  sideEffect: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  maxResponseBytes?: number;
  beforeRequest?: () => boolean | Promise<boolean>;
  /** Through the bulk transport (SendOptions.bulk). */
  bulk?: boolean;
}

const jsonLimit = 8 * 1024 * 1024;
/** §8: documents go up to 100 MB. */
const mediaLimit = 100 * 1024 * 1024 + 1024;
/** §2: biz_opaque_callback_data max length (unverified) 512. */
const maxCallbackDataLength = 512;
/** Hosts that may receive the Bearer token when downloading media (§8: lookaside.fbsbx.com). */
const trustedMediaHostSuffixes = ['.fbsbx.com', '.facebook.com', '.whatsapp.net'];

/** Sockets kept for callers other than a connection's bulk sender (inbox, template sync, media). */
export const SHARED_SOCKETS = 32;

/**
 * How many requests a bulk sender (a campaign) keeps in flight on a connection paced at `perSecond`: a
 * quarter second of its rate, at least 32 but never more than one second's worth, at least 4. By Little's
 * law the rate it can reach is this divided by the round trip, so at 1,000/s 250 in flight tolerate a
 * 250 ms round trip where 32 needed under 32 ms.
 */
export function callerWindowForRate(perSecond: number): number {
  return Math.max(4, Math.min(Math.ceil(perSecond), Math.max(32, Math.ceil(perSecond / 4))));
}

/** Sockets for a connection paced at `perSecond`: the bulk sender's window plus SHARED_SOCKETS. */
export function socketsForRate(perSecond: number): number {
  return Math.max(32, Math.ceil(perSecond / 4)) + SHARED_SOCKETS;
}

const ok = <T>(value: T): WaResult<T> => ({ ok: true, value });
const fail = <T>(error: WhatsAppError): WaResult<T> => ({ ok: false, error });

/** A download answered 404 without a Graph error code: its lookaside URL expired (§8). */
function isExpiredDownloadUrl(
  result: WaResult<DownloadedMedia>,
): result is { ok: false; error: WhatsAppError } {
  return !result.ok && result.error.httpStatus === 404 && result.error.code === null;
}

export class WhatsAppClient {
  private readonly agents: Agents;
  private readonly bulkAgent: BulkAgent;
  private readonly base: URL;
  private accessToken: string;
  /** Set on 0/190: no further request goes out until the token is replaced (§10). */
  private authError: WhatsAppError | null = null;

  /** The rule actually given to the limiter: the connection's rule stretched by the jitter allowance. */
  private readonly pacedRule: RateRule;
  /** Keep-alive sockets per host: requests beyond this many in flight wait for a socket. */
  readonly maxSockets: number;

  constructor(private readonly options: WhatsAppClientOptions) {
    if (!/^v\d+\.0$/.test(options.apiVersion))
      throw new Error(`Invalid Graph API version ${options.apiVersion}`);
    const { rule, jitterAllowanceMs } = options.rateLimit;
    const allowance = jitterAllowanceMs ?? Math.min(50, rule.periodMs / 100);
    if (!(allowance >= 0)) throw new RangeError('jitterAllowanceMs must be zero or positive');
    this.pacedRule = { ...rule, periodMs: rule.periodMs + allowance };
    this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    this.accessToken = options.accessToken;
    this.maxSockets = options.maxSockets ?? 32;
    this.agents = createAgents(this.maxSockets);
    this.bulkAgent = createBulkAgent(this.maxSockets);
  }

  get phoneNumberId(): string {
    return this.options.phoneNumberId;
  }

  get wabaId(): string {
    return this.options.wabaId;
  }

  /** True after Meta rejected the token; cleared by updateAccessToken. */
  get needsReauthentication(): boolean {
    return this.authError !== null;
  }

  updateAccessToken(token: string): void {
    this.accessToken = token;
    this.authError = null;
  }

  /** Closes the keep-alive sockets. */
  close(): void {
    destroyAgents(this.agents);
    this.bulkAgent.destroy();
  }

  // ---------- sending (§2) ----------

  /** Sends any message type. `options.bizOpaqueCallbackData` is required and echoed in status webhooks. */
  async send(to: string, content: OutboundContent, options: SendOptions): Promise<WaResult<SendResult>> {
    // §2: without the +, Meta may prepend the business number's country code and reach the wrong person.
    if (!/^\+[\d\s()-]{7,}$/.test(to)) {
      return fail(
        invalidRequestError(
          `Recipient ${to} is not in international format`,
          'Use the full international number, starting with +.',
        ),
      );
    }
    if (
      options.bizOpaqueCallbackData.length === 0 ||
      options.bizOpaqueCallbackData.length > maxCallbackDataLength
    ) {
      return fail(
        invalidRequestError(
          'biz_opaque_callback_data must be 1–512 characters',
          'Internal error: the message reference is invalid.',
        ),
      );
    }
    if (content.type === 'reaction' && options.replyTo !== undefined) {
      return fail(invalidRequestError('Reactions cannot quote a message', 'A reaction cannot be a reply.'));
    }
    const payload: Record<string, unknown> = {
      messaging_product: 'whatsapp',
      recipient_type: options.recipientType ?? 'individual',
      to,
      type: content.type,
      [content.type]: (content as Record<string, unknown>)[content.type],
      biz_opaque_callback_data: options.bizOpaqueCallbackData,
    };
    if (options.replyTo !== undefined) payload.context = { message_id: options.replyTo };
    const result = await this.call({
      method: 'POST',
      path: `/${this.options.phoneNumberId}/messages`,
      json: payload,
      schema: sendResponseSchema,
      sideEffect: true,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.beforeRequest ? { beforeRequest: options.beforeRequest } : {}),
      ...(options.bulk ? { bulk: true } : {}),
    });
    if (!result.ok) return result;
    const contact = result.value.contacts[0];
    const message = result.value.messages[0];
    if (!message) return fail(unknownOutcomeError('Meta answered without a message id'));
    return ok({
      wamid: message.id,
      input: contact?.input ?? to,
      ...(contact?.wa_id !== undefined ? { waId: contact.wa_id } : {}),
      ...(message.message_status !== undefined ? { messageStatus: message.message_status } : {}),
    });
  }

  sendText(
    to: string,
    body: string,
    options: SendOptions & { previewUrl?: boolean },
  ): Promise<WaResult<SendResult>> {
    const text = options.previewUrl === undefined ? { body } : { body, preview_url: options.previewUrl };
    return this.send(to, { type: 'text', text }, options);
  }

  sendImage(
    to: string,
    image: MediaRef & { caption?: string },
    options: SendOptions,
  ): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'image', image }, options);
  }

  sendVideo(
    to: string,
    video: MediaRef & { caption?: string },
    options: SendOptions,
  ): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'video', video }, options);
  }

  sendDocument(
    to: string,
    document: MediaRef & { caption?: string; filename?: string },
    options: SendOptions,
  ): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'document', document }, options);
  }

  sendAudio(
    to: string,
    audio: MediaRef & { voice?: boolean },
    options: SendOptions,
  ): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'audio', audio }, options);
  }

  sendSticker(to: string, sticker: MediaRef, options: SendOptions): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'sticker', sticker }, options);
  }

  sendLocation(
    to: string,
    location: { latitude: number; longitude: number; name?: string; address?: string },
    options: SendOptions,
  ): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'location', location }, options);
  }

  sendContacts(to: string, contacts: ContactCard[], options: SendOptions): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'contacts', contacts }, options);
  }

  sendButtons(
    to: string,
    interactive: Omit<InteractiveButtons, 'type'>,
    options: SendOptions,
  ): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'interactive', interactive: { type: 'button', ...interactive } }, options);
  }

  sendList(
    to: string,
    interactive: Omit<InteractiveList, 'type'>,
    options: SendOptions,
  ): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'interactive', interactive: { type: 'list', ...interactive } }, options);
  }

  sendTemplate(to: string, template: TemplateMessage, options: SendOptions): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'template', template }, options);
  }

  /** An empty emoji removes the reaction (§2, unverified). */
  sendReaction(
    to: string,
    messageId: string,
    emoji: string,
    options: SendOptions,
  ): Promise<WaResult<SendResult>> {
    return this.send(to, { type: 'reaction', reaction: { message_id: messageId, emoji } }, options);
  }

  /** Marks an inbound message (and the earlier ones in the thread) read (§2). */
  markRead(messageId: string, signal?: AbortSignal): Promise<WaResult<{ success: boolean }>> {
    return this.readReceipt(messageId, false, signal);
  }

  /** Marks read and shows "typing…" for up to 25 s or until our reply (§2). Only when a reply will follow. */
  showTypingIndicator(messageId: string, signal?: AbortSignal): Promise<WaResult<{ success: boolean }>> {
    return this.readReceipt(messageId, true, signal);
  }

  private readReceipt(
    messageId: string,
    typing: boolean,
    signal?: AbortSignal,
  ): Promise<WaResult<{ success: boolean }>> {
    return this.call({
      method: 'POST',
      path: `/${this.options.phoneNumberId}/messages`,
      json: {
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: messageId,
        ...(typing ? { typing_indicator: { type: 'text' } } : {}),
      },
      schema: successSchema,
      // Repeating a read receipt is harmless.
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
  }

  // ---------- templates (§5) ----------

  /** One page of templates, newest first. */
  async listTemplates(query: TemplateListQuery = {}, signal?: AbortSignal): Promise<WaResult<TemplatePage>> {
    const { fields, limit, ...filters } = query;
    const result = await this.call({
      method: 'GET',
      path: `/${this.options.wabaId}/message_templates`,
      query: { ...filters, fields: (fields ?? templateListFields).join(','), limit: String(limit ?? 100) },
      schema: templateListResponseSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
    if (!result.ok) return result;
    const after = result.value.paging?.cursors?.after;
    // §5: keep paging while paging.next is present.
    const next = result.value.paging?.next !== undefined && after !== undefined ? after : undefined;
    return ok({ templates: result.value.data, ...(next !== undefined ? { next } : {}) });
  }

  /** Every template, following the cursors until `paging.next` is absent (§10: template sync). */
  async listAllTemplates(
    query: Omit<TemplateListQuery, 'after'> = {},
    signal?: AbortSignal,
  ): Promise<WaResult<MessageTemplate[]>> {
    const all: MessageTemplate[] = [];
    const seen = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await this.listTemplates({ ...query, ...(after !== undefined ? { after } : {}) }, signal);
      if (!page.ok) return page;
      all.push(...page.value.templates);
      if (page.value.next === undefined) return ok(all);
      // A cursor that repeats would loop forever; Meta never does it, a broken proxy might.
      if (seen.has(page.value.next))
        return fail(
          invalidRequestError(
            'Template paging repeated a cursor',
            'Template sync stopped: Meta returned the same page twice.',
          ),
        );
      seen.add(page.value.next);
      after = page.value.next;
    }
  }

  getTemplate(templateId: string, signal?: AbortSignal): Promise<WaResult<MessageTemplate>> {
    return this.call({
      method: 'GET',
      path: `/${templateId}`,
      query: { fields: templateListFields.join(',') },
      schema: templateSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
  }

  createTemplate(definition: TemplateDefinition, signal?: AbortSignal): Promise<WaResult<CreatedTemplate>> {
    return this.call({
      method: 'POST',
      path: `/${this.options.wabaId}/message_templates`,
      json: definition,
      schema: createTemplateResponseSchema,
      sideEffect: true,
      ...(signal ? { signal } : {}),
    });
  }

  /** §5: by name removes every language; with `hsmId` only that language version. */
  deleteTemplate(
    target: { name: string; hsmId?: string },
    signal?: AbortSignal,
  ): Promise<WaResult<{ success: boolean }>> {
    return this.call({
      method: 'DELETE',
      path: `/${this.options.wabaId}/message_templates`,
      query: { name: target.name, hsm_id: target.hsmId },
      schema: successSchema,
      sideEffect: true,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * A sample file for a template's IMAGE / VIDEO / DOCUMENT header, through the Resumable Upload API
   * (§5): the token's app (`GET /app`), an upload session on it, then the bytes from offset 0. Returns
   * the handle that goes into `example.header_handle`.
   */
  async uploadTemplateExample(
    file: { fileName: string; mimeType: string; data: Uint8Array },
    signal?: AbortSignal,
  ): Promise<WaResult<{ handle: string }>> {
    const app = await this.call({
      method: 'GET',
      path: '/app',
      schema: appResponseSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
    if (!app.ok) return app;
    const session = await this.call({
      method: 'POST',
      path: `/${app.value.id}/uploads`,
      query: { file_name: file.fileName, file_length: String(file.data.length), file_type: file.mimeType },
      schema: uploadSessionResponseSchema,
      sideEffect: true,
      ...(signal ? { signal } : {}),
    });
    if (!session.ok) return session;
    const uploaded = await this.call({
      method: 'POST',
      path: `/${session.value.id}`,
      body: Buffer.from(file.data),
      contentType: 'application/octet-stream',
      // The upload endpoint documents the token as `OAuth <token>` rather than Bearer.
      headers: { file_offset: '0', authorization: `OAuth ${this.accessToken}` },
      schema: uploadHandleResponseSchema,
      sideEffect: true,
      timeoutMs: this.options.mediaTimeoutMs ?? 120_000,
      ...(signal ? { signal } : {}),
    });
    return uploaded.ok ? ok({ handle: uploaded.value.h }) : uploaded;
  }

  // ---------- media (§8) ----------

  async uploadMedia(media: MediaUpload, signal?: AbortSignal): Promise<WaResult<{ id: string }>> {
    const boundary = `----bellhop${randomBytes(12).toString('hex')}`;
    const safeName = media.filename.replace(/["\r\n]/g, '_');
    const field = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const body = Buffer.concat([
      Buffer.from(field('messaging_product', 'whatsapp') + field('type', media.mimeType)),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${media.mimeType}\r\n\r\n`,
      ),
      Buffer.from(media.data),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return this.call({
      method: 'POST',
      path: `/${this.options.phoneNumberId}/media`,
      body,
      contentType: `multipart/form-data; boundary=${boundary}`,
      schema: mediaUploadResponseSchema,
      sideEffect: true,
      timeoutMs: this.options.mediaTimeoutMs ?? 120_000,
      ...(signal ? { signal } : {}),
    });
  }

  /** A download URL, valid for 5 minutes (§8). */
  getMediaUrl(mediaId: string, signal?: AbortSignal): Promise<WaResult<MediaUrl>> {
    return this.call({
      method: 'GET',
      path: `/${mediaId}`,
      query: { phone_number_id: this.options.phoneNumberId },
      schema: mediaUrlResponseSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Gets a URL, then downloads it with the Bearer header (§8). A 404 means the URL expired: fetch a new
   * URL once and retry; a second 404 is reported as worth retrying later, since the media id itself
   * stays valid for 7 days while its URLs live 5 minutes.
   */
  async downloadMedia(mediaId: string, signal?: AbortSignal): Promise<WaResult<DownloadedMedia>> {
    const first = await this.downloadOnce(mediaId, signal);
    if (!isExpiredDownloadUrl(first)) return first;
    const second = await this.downloadOnce(mediaId, signal);
    return isExpiredDownloadUrl(second) ? fail({ ...second.error, retry: 'backoff' }) : second;
  }

  /** One URL lookup and one download. A download 404 comes back as a FATAL error with code null. */
  private async downloadOnce(mediaId: string, signal?: AbortSignal): Promise<WaResult<DownloadedMedia>> {
    const described = await this.getMediaUrl(mediaId, signal);
    if (!described.ok) return described;
    const url = new URL(described.value.url);
    if (!this.trustedMediaUrl(url)) {
      return fail(
        invalidRequestError(
          `Refusing to send the token to ${url.host}`,
          'The media link points to an unexpected host.',
        ),
      );
    }
    const outcome = await this.raw({
      method: 'GET',
      url,
      timeoutMs: this.options.mediaTimeoutMs ?? 120_000,
      maxResponseBytes: mediaLimit,
      ...(signal ? { signal } : {}),
    });
    if (outcome.kind === 'error') return fail(outcome.error);
    const response = outcome.response;
    if (response.status < 200 || response.status >= 300) return fail(this.httpError(response));
    const sha256 = described.value.sha256;
    if (sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256)) {
      const actual = createHash('sha256').update(response.body).digest('hex');
      if (actual !== sha256) {
        return fail({
          ...notSentError('Downloaded media does not match its SHA-256'),
          advice: 'The download was corrupted; try again.',
        });
      }
    }
    const type = response.headers['content-type'];
    return ok({
      data: response.body,
      mimeType: typeof type === 'string' ? type : described.value.mime_type,
      ...(sha256 !== undefined ? { sha256 } : {}),
    });
  }

  deleteMedia(mediaId: string, signal?: AbortSignal): Promise<WaResult<{ success: boolean }>> {
    return this.call({
      method: 'DELETE',
      path: `/${mediaId}`,
      query: { phone_number_id: this.options.phoneNumberId },
      schema: successSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
  }

  // ---------- phone number and subscriptions (§9, §12) ----------

  getPhoneNumber(
    fields: readonly PhoneNumberField[] = phoneNumberFields,
    signal?: AbortSignal,
  ): Promise<WaResult<PhoneNumberInfo>> {
    return this.call({
      method: 'GET',
      path: `/${this.options.phoneNumberId}`,
      query: { fields: fields.join(',') },
      schema: phoneNumberSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
  }

  /** Subscribes the app to the WABA (needed once before any override, §12). */
  subscribeApp(signal?: AbortSignal): Promise<WaResult<{ success: boolean }>> {
    return this.call({
      method: 'POST',
      path: `/${this.options.wabaId}/subscribed_apps`,
      schema: successSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Points the WABA's `messages` webhooks at `url` (§12). Meta first runs the GET handshake against the
   * URL with `verifyToken`, so the local webhook server and tunnel must already be up.
   */
  setCallbackOverride(
    url: string,
    verifyToken: string,
    signal?: AbortSignal,
  ): Promise<WaResult<{ success: boolean }>> {
    return this.call({
      method: 'POST',
      path: `/${this.options.wabaId}/subscribed_apps`,
      json: { override_callback_uri: url, verify_token: verifyToken },
      schema: successSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
  }

  getSubscribedApps(signal?: AbortSignal): Promise<WaResult<SubscribedApps>> {
    return this.call({
      method: 'GET',
      path: `/${this.options.wabaId}/subscribed_apps`,
      schema: subscribedAppsSchema,
      sideEffect: false,
      ...(signal ? { signal } : {}),
    });
  }

  // ---------- plumbing ----------

  private trustedMediaUrl(url: URL): boolean {
    if (url.origin === this.base.origin) return true;
    return (
      url.protocol === 'https:' && trustedMediaHostSuffixes.some((suffix) => url.hostname.endsWith(suffix))
    );
  }

  private httpError(response: Extract<HttpOutcome, { kind: 'response' }>): WhatsAppError {
    const error = mapHttpError(response.status, response.body, response.headers);
    if (error.kind === 'AUTH') this.markAuthFailed(error);
    return error;
  }

  private markAuthFailed(error: WhatsAppError): void {
    const first = this.authError === null;
    this.authError = error;
    if (first) this.options.onAuthFailure?.(error);
  }

  /** Rate limit, then one HTTP exchange; returns the response or a transport-level error. */
  private async raw(request: {
    method: 'GET' | 'POST' | 'DELETE';
    url: URL;
    body?: Buffer;
    contentType?: string;
    headers?: Record<string, string>;
    timeoutMs: number;
    signal?: AbortSignal;
    maxResponseBytes: number;
    sideEffect?: boolean;
    beforeRequest?: () => boolean | Promise<boolean>;
    bulk?: boolean;
  }): Promise<
    | { kind: 'response'; response: Extract<HttpOutcome, { kind: 'response' }> }
    | { kind: 'error'; error: WhatsAppError }
  > {
    // §10: after 0/190 stop calling Meta until the token is replaced.
    if (this.authError) return { kind: 'error', error: this.authError };
    try {
      await this.options.limiter.take(this.options.rateLimit.key, this.pacedRule, request.signal);
    } catch (error) {
      return {
        kind: 'error',
        error: notSentError(
          `Cancelled before sending: ${error instanceof Error ? error.message : String(error)}`,
        ),
      };
    }
    if (request.beforeRequest && !(await request.beforeRequest())) {
      return { kind: 'error', error: notSentError('Withheld by the caller before sending') };
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.accessToken}`,
      accept: 'application/json',
      ...request.headers,
    };
    if (request.contentType) headers['content-type'] = request.contentType;
    const httpCall = {
      method: request.method,
      url: request.url,
      headers,
      ...(request.body ? { body: request.body } : {}),
      timeoutMs: request.timeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
      maxResponseBytes: request.maxResponseBytes,
    };
    const outcome = request.bulk
      ? await bulkHttpRequest(this.bulkAgent, httpCall)
      : await httpRequest(this.agents, httpCall);
    if (outcome.kind === 'response') return { kind: 'response', response: outcome };
    if (outcome.sent && request.sideEffect === true) {
      return { kind: 'error', error: unknownOutcomeError(`${outcome.reason}: ${outcome.message}`) };
    }
    return { kind: 'error', error: notSentError(`${outcome.reason}: ${outcome.message}`) };
  }

  private async call<T>(spec: CallSpec<T>): Promise<WaResult<T>> {
    const url = spec.url ?? new URL(`${this.options.apiVersion}${spec.path ?? ''}`, this.base);
    for (const [key, value] of Object.entries(spec.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    const body = spec.body ?? (spec.json !== undefined ? Buffer.from(JSON.stringify(spec.json)) : undefined);
    const contentType = spec.contentType ?? (spec.json !== undefined ? 'application/json' : undefined);
    const outcome = await this.raw({
      method: spec.method,
      url,
      ...(body ? { body } : {}),
      ...(contentType ? { contentType } : {}),
      ...(spec.headers ? { headers: spec.headers } : {}),
      timeoutMs: spec.timeoutMs ?? this.options.timeoutMs ?? 20_000,
      ...(spec.signal ? { signal: spec.signal } : {}),
      maxResponseBytes: spec.maxResponseBytes ?? jsonLimit,
      sideEffect: spec.sideEffect,
      ...(spec.beforeRequest ? { beforeRequest: spec.beforeRequest } : {}),
      ...(spec.bulk ? { bulk: true } : {}),
    });
    if (outcome.kind === 'error') return fail(outcome.error);
    const response = outcome.response;
    if (response.status < 200 || response.status >= 300) return fail(this.httpError(response));
    let json: unknown;
    try {
      json = JSON.parse(response.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = spec.schema.safeParse(json);
    if (parsed.success) return ok(parsed.data);
    // A 2xx we cannot read: for a send, Meta accepted something we cannot identify.
    const message = `Unexpected response from Meta: ${parsed.error.issues[0]?.message ?? 'unreadable'}`;
    return fail(
      spec.sideEffect
        ? unknownOutcomeError(message)
        : {
            ...invalidRequestError(message, 'Meta answered in an unexpected format; try again later.'),
            httpStatus: response.status,
          },
    );
  }
}
