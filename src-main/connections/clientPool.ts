// One WhatsAppClient per connection, all drawing on the process-wide limiter under the connection's
// `whatsapp_api_rate_limit:connection:{id}` rule (seed §1), so campaigns, the inbox, chatbots and template
// sync together never exceed the connection's limit.
//
// A client is rebuilt when what it was built from changes (token, ids, version, limit, base URL). The old
// one is retired, not closed at once: requests already in flight on it (a send, a media upload) finish on
// their own sockets. Callers should ask clientFor() per use rather than keep a client across edits.
import { connectionLimit } from '../ratelimit/limits';
import type { RateLimiter } from '../ratelimit/types';
import type { SecretBox } from '../secrets/secretBox';
import { socketsForRate, WhatsAppClient } from '../whatsapp/client';
import type { WhatsAppError } from '../whatsapp/errors';
import type { ConnectionRow } from './connections.repo';

/** Meta's Graph API (whatsapp-cloud-api.md §1). */
export const GRAPH_BASE_URL = 'https://graph.facebook.com';
/** Longer than the client's longest request (media, 120 s), so a retired client's calls can finish. */
const RETIRE_AFTER_MS = 150_000;

export interface ClientPoolOptions {
  limiter: RateLimiter;
  secrets: SecretBox;
  /** Base URL for 'cloud' connections; tests point it at the simulator. */
  graphBaseUrl?: string;
  timeoutMs?: number;
  /**
   * Meta refused the token (0/190). `tokenEnc` is the sealed token the failing client was built with, so
   * a late 190 from a token the user has already replaced can be told apart and ignored.
   */
  onAuthFailure(connectionId: string, tokenEnc: Buffer, error: WhatsAppError): void;
}

interface Pooled {
  client: WhatsAppClient;
  fingerprint: string;
}

export class SandboxNotRunningError extends Error {
  constructor(readonly connectionId: string) {
    super('The Sandbox is not running.');
    this.name = 'SandboxNotRunningError';
  }
}

export class ClientPool {
  private readonly clients = new Map<string, Pooled>();
  /** Base URLs of Sandbox connections whose simulator runs in this session (its port changes per start). */
  private readonly sandboxBases = new Map<string, string>();
  private readonly retired = new Map<WhatsAppClient, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: ClientPoolOptions) {}

  /** The base URL requests of this connection go to, or undefined for a Sandbox that is not running. */
  baseUrlOf(row: Pick<ConnectionRow, 'id' | 'kind'>): string | undefined {
    if (row.kind === 'sandbox') return this.sandboxBases.get(row.id);
    return this.options.graphBaseUrl ?? GRAPH_BASE_URL;
  }

  setSandboxBase(connectionId: string, baseUrl: string | null): void {
    if (baseUrl === null) this.sandboxBases.delete(connectionId);
    else this.sandboxBases.set(connectionId, baseUrl);
    this.invalidate(connectionId);
  }

  /** The shared client of a connection, built on first use. `row` must be the connection's current row. */
  get(row: ConnectionRow): WhatsAppClient {
    if (this.closed) throw new Error('The connections module is closed.');
    const fingerprint = this.fingerprintOf(row);
    const pooled = this.clients.get(row.id);
    if (pooled && pooled.fingerprint === fingerprint) return pooled.client;
    if (pooled) this.retire(pooled.client);
    const client = this.build(row);
    this.clients.set(row.id, { client, fingerprint });
    return client;
  }

  /** A cached client, if one was built and is still current; no database read needed. */
  cached(connectionId: string): WhatsAppClient | undefined {
    return this.clients.get(connectionId)?.client;
  }

  /**
   * A client of its own for one check (Test connection): it shares the connection's limiter key, but
   * not the shared client's "token refused" latch, so a test always asks Meta afresh.
   */
  fresh(row: ConnectionRow, timeoutMs?: number): WhatsAppClient {
    return this.build(row, timeoutMs);
  }

  /** Drops the connection's client after an edit or removal; the next get() builds a new one. */
  invalidate(connectionId: string): void {
    const pooled = this.clients.get(connectionId);
    if (!pooled) return;
    this.clients.delete(connectionId);
    this.retire(pooled.client);
  }

  close(): void {
    this.closed = true;
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
    for (const [client, timer] of this.retired) {
      clearTimeout(timer);
      client.close();
    }
    this.retired.clear();
  }

  private build(row: ConnectionRow, timeoutMs?: number): WhatsAppClient {
    const baseUrl = this.baseUrlOf(row);
    if (baseUrl === undefined) throw new SandboxNotRunningError(row.id);
    const limit = connectionLimit(row);
    const tokenEnc = row.token_enc;
    const timeout = timeoutMs ?? this.options.timeoutMs;
    return new WhatsAppClient({
      baseUrl,
      apiVersion: row.api_version,
      accessToken: this.options.secrets.open(tokenEnc),
      phoneNumberId: row.phone_number_id,
      wabaId: row.waba_id,
      limiter: this.options.limiter,
      rateLimit: { key: limit.key, rule: limit.rule },
      // Enough sockets for a campaign's window at this rate plus everyone else, so a granted and claimed
      // campaign send leaves at once instead of waiting for a socket (campaigns.runner.ts).
      maxSockets: socketsForRate((limit.rule.count * 1000) / limit.rule.periodMs),
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      onAuthFailure: (error) => this.options.onAuthFailure(row.id, tokenEnc, error),
    });
  }

  private fingerprintOf(row: ConnectionRow): string {
    return JSON.stringify([
      this.baseUrlOf(row) ?? null,
      row.api_version,
      row.phone_number_id,
      row.waba_id,
      row.rate_limit_per_minute,
      row.rate_limit_per_second,
      row.token_enc.toString('base64'),
    ]);
  }

  private retire(client: WhatsAppClient): void {
    if (this.closed) {
      client.close();
      return;
    }
    const timer = setTimeout(() => {
      this.retired.delete(client);
      client.close();
    }, RETIRE_AFTER_MS);
    timer.unref();
    this.retired.set(client, timer);
  }
}
