// Entry point of the Cloud API simulator: a real HTTP server on 127.0.0.1 that behaves like Meta's Graph
// API for WhatsApp (whatsapp-cloud-api.md §11), plus a `control` handle for tests, benchmarks and the
// app's Sandbox connection.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultConfig, InjectedErrors } from './faults';
import { GraphError } from './graphErrors';
import type { InboundSpec } from './inbound';
import type { Ledger } from './ledger';
import { throughputSetting, type MessagingTier } from './limits';
import { createRequestHandler } from './router';
import { SimulatorState, type SimulatorOptions } from './state';
import type { RecipientBehavior, StatusDelays } from './statuses';
import { verifyCallback } from './subscriptions';
import type { TemplateRecord, TemplateSeed, TemplateStatus } from './templates';
import type { RetryPolicy } from './webhooks';

export type { SimulatorOptions } from './state';
export type { FaultConfig, InjectedErrors } from './faults';
export type { InboundSpec } from './inbound';
export type {
  InboundRecord,
  Ledger,
  LedgerEntry,
  LedgerFilter,
  RequestRecord,
  WebhookDeliveryRecord,
} from './ledger';
export type { MessagingTier } from './limits';
export type { RecipientBehavior, StatusDelays } from './statuses';
export type { TemplateRecord, TemplateSeed, TemplateStatus } from './templates';
export type { RetryPolicy } from './webhooks';
export { serializeLikeMeta, signBody } from './webhooks';

export type TemplateRef = { id: string } | { name: string; language: string };

export interface SimulatorControl {
  /** Adds a template (APPROVED unless `status` says otherwise). Throws on an invalid definition. */
  seedTemplate(seed: TemplateSeed): TemplateRecord;
  templates(): TemplateRecord[];
  /** Changes a template's status and emits message_template_status_update to the app's default URL. */
  setTemplateStatus(
    ref: TemplateRef,
    status: TemplateStatus,
    details?: { reason?: string | null; otherInfo?: { title: string; description: string } },
  ): TemplateRecord;
  /** The app's default callback URL (App Dashboard). Overrides set through the API take precedence. */
  setCallbackUrl(url: string | null): void;
  /** Like the App Dashboard: runs the GET handshake with the simulator's verifyToken, then sets the URL. */
  registerCallbackUrl(url: string): Promise<void>;
  callbackUrls(): { appDefault: string | null; wabaOverride: string | null; phoneOverride: string | null };
  setFaults(patch: Partial<FaultConfig>): void;
  resetFaults(): void;
  faults(): Readonly<FaultConfig>;
  /** The next `count` requests (matching `pathSuffix`, if given) answer with this Graph error code. */
  injectErrors(spec: InjectedErrors): void;
  /** The next `count` media URLs are issued already expired, so their download answers 404 (§8). */
  expireNextMediaUrls(count: number): void;
  /** TCP connections accepted so far (keep-alive clients reuse a few). */
  connectionsAccepted(): number;
  /** Every call then answers HTTP 401, code 190, until setAccessToken. */
  expireToken(): void;
  /** Installs a new valid token (and clears the expiry switch). */
  setAccessToken(token: string): void;
  setThroughput(mps: number, burst?: number): void;
  setMessagingLimit(tier: MessagingTier): void;
  setStatusDelays(delays: Partial<StatusDelays>): void;
  setWebhookRetry(policy: Partial<RetryPolicy>): void;
  setRecipient(waId: string, behavior: RecipientBehavior): void;
  /** A customer message of any §6 type, delivered by webhook; opens that customer's 24 h window. */
  injectInbound(spec: InboundSpec): { wamid: string; message: Record<string, unknown> };
  /** Resolves once no status is pending and every webhook delivery (with retries) has finished. */
  settle(): Promise<void>;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>`; the Graph version goes after it (`/v24.0/...`). */
  baseUrl: string;
  appSecret: string;
  verifyToken: string;
  accessToken: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  ledger: Ledger;
  control: SimulatorControl;
  close(): Promise<void>;
}

function resolveTemplate(state: SimulatorState, ref: TemplateRef): TemplateRecord {
  const found = 'id' in ref ? state.templates.get(ref.id) : state.templates.find(ref.name, ref.language);
  if (!found) throw new Error(`No template ${JSON.stringify(ref)}`);
  return found;
}

function createControl(state: SimulatorState, connections: () => number): SimulatorControl {
  return {
    expireNextMediaUrls(count) {
      state.media.expireNextUrls = count;
    },
    connectionsAccepted: connections,
    seedTemplate(seed) {
      const added = state.templates.add({ status: 'APPROVED', ...seed }, false);
      if (added instanceof GraphError)
        throw new Error(`Invalid template ${seed.name}: ${added.details ?? added.message}`);
      return added;
    },
    templates: () => state.templates.all(),
    setTemplateStatus(ref, status, details) {
      const template = resolveTemplate(state, ref);
      state.setTemplateStatus(template, status, details);
      return template;
    },
    setCallbackUrl(url) {
      state.callbackUrls.appDefault = url;
    },
    async registerCallbackUrl(url) {
      const failed = await verifyCallback(url, state.verifyToken, 10_000);
      if (failed) throw new Error(failed.message);
      state.callbackUrls.appDefault = url;
    },
    callbackUrls: () => ({ ...state.callbackUrls }),
    setFaults: (patch) => state.faults.set(patch),
    resetFaults: () => state.faults.reset(),
    faults: () => state.faults.config,
    injectErrors: (spec) => state.faults.inject(spec),
    expireToken() {
      state.tokenExpired = true;
    },
    setAccessToken(token) {
      state.accessToken = token;
      state.tokenExpired = false;
    },
    setThroughput(mps, burst) {
      state.limits.throughput = throughputSetting(mps, burst);
    },
    setMessagingLimit(tier) {
      state.limits.tier = tier;
    },
    setStatusDelays(delays) {
      state.statusDelays = { ...state.statusDelays, ...delays };
    },
    setWebhookRetry(policy) {
      state.retryPolicy = { ...state.retryPolicy, ...policy };
    },
    setRecipient: (waId, behavior) => state.setRecipient(waId, behavior),
    injectInbound: (spec) => state.injectInbound(spec),
    settle: () => state.settle(),
  };
}

/** Starts the simulator on 127.0.0.1 (port 0 by default) and resolves once it is listening. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimulatorState(options);
  const server: Server = createServer(createRequestHandler(state));
  // Keep idle sockets longer than clients typically do, so a keep-alive client closes first (no
  // reset when it reuses a socket the server just dropped). Node's agent honours the Keep-Alive hint.
  server.keepAliveTimeout = 30_000;
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl: state.baseUrl,
    appSecret: state.appSecret,
    verifyToken: state.verifyToken,
    get accessToken() {
      return state.accessToken;
    },
    wabaId: state.wabaId,
    phoneNumberId: state.phoneNumberId,
    displayPhoneNumber: state.displayPhoneNumber,
    ledger: state.ledger,
    control: createControl(state, () => connections),
    async close() {
      state.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
