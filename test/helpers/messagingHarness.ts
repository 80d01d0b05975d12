// The messaging module over real parts: a migrated SQLite store in a temp folder, the real queue, lock
// registry, persistent limiter, key-file secrets, the connections module (one rate-limited client per
// connection, pointed at a real simulator), the real webhook module (server on 127.0.0.1, intake, the
// processing job) with the simulator's callback URL set to it, and an IPC router over the handlers.
import { rmSync } from 'node:fs';
import type { InvokeChannel } from '../../src-preload/channels';
import type { Result } from '../../src-preload/contract';
import {
  createConnectionsModule,
  type ConnectionsModule,
} from '../../src-main/connections/connections.module';
import {
  createMessagingModule,
  type MessagingModule,
  type MessagingModuleOptions,
} from '../../src-main/conversations/messaging.module';
import { newId } from '../../src-main/db/ids';
import type { Db } from '../../src-main/db/open';
import { createEventBus, type EventBus } from '../../src-main/events';
import { createIpcRouter } from '../../src-main/ipc/router';
import { createLockRegistry, type LockRegistry } from '../../src-main/locks/registry';
import { createMemoryLogger } from '../../src-main/log';
import { createJobQueue, type JobQueue } from '../../src-main/queue/runner';
import { createRateLimiter, type PersistentRateLimiter } from '../../src-main/ratelimit/limiter';
import { createKeyFileSecretBox } from '../../src-main/secrets/secretBox';
import { createSettingsRepo } from '../../src-main/settings/settings.repo';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src-main/simulator/simulator';
import {
  startWebhooksModule,
  type WebhooksModule,
  type WebhooksModuleOptions,
} from '../../src-main/webhooks/webhooks.module';
import { openTempStore } from './storeFixtures';

export interface MessagingHarness {
  sim: Simulator;
  db: Db;
  dir: string;
  file: string;
  queue: JobQueue;
  locks: LockRegistry;
  limiter: PersistentRateLimiter;
  events: EventBus;
  connections: ConnectionsModule;
  webhooks: WebhooksModule;
  messaging: MessagingModule;
  workspaceId: string;
  connectionId: string;
  call(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>>;
  value<T>(channel: InvokeChannel, payload: unknown): Promise<T>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  /** The shared clients' per-request timeout (an UNKNOWN_OUTCOME needs a short one). Default 5 s. */
  clientTimeoutMs?: number;
  /** connections.rate_limit_per_minute; default 4800 (80/s) so the API limit does not slow tests. */
  ratePerMinute?: number;
  startQueue?: boolean;
  /** The limiter's clock (tests move it to free template-sync slots) and a grant recorder. */
  limiterNow?: () => number;
  onGrant?: (key: string, atMs: number) => void;
  messaging?: Partial<Pick<MessagingModuleOptions, 'templateSync' | 'send'>>;
  /** The webhook processor's hook, as the core passes it (chatbot and media jobs). */
  onInboundStored?: WebhooksModuleOptions['onInboundStored'];
}

export async function openMessagingHarness(options: HarnessOptions = {}): Promise<MessagingHarness> {
  const sim = await startSimulator({ throughputMps: 10_000, ...options.sim });
  const { db, dir, file } = openTempStore('bellhop-messaging-');
  const log = createMemoryLogger();
  const events = createEventBus();
  const secrets = createKeyFileSecretBox(dir);
  const limiter = createRateLimiter({
    db,
    ...(options.limiterNow ? { now: options.limiterNow } : {}),
    ...(options.onGrant ? { onGrant: options.onGrant } : {}),
  });
  const locks = createLockRegistry();
  const queue = createJobQueue({ db, log, pollMs: 100 });
  const settings = createSettingsRepo(db);
  const workspaceId = newId();
  const connectionId = newId();
  const now = Date.now();
  db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
    workspaceId,
    'Shop',
    now,
    now,
  );
  db.prepare(
    `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
       app_secret_enc, verify_token, rate_limit_per_minute, created_at, updated_at)
     VALUES (?, ?, 'cloud', 'Main number', ?, ?, 'v24.0', ?, ?, ?, ?, ?, ?)`,
  ).run(
    connectionId,
    workspaceId,
    sim.phoneNumberId,
    sim.wabaId,
    secrets.seal(sim.accessToken),
    secrets.seal(sim.appSecret),
    sim.verifyToken,
    options.ratePerMinute ?? 4800,
    now,
    now,
  );
  const connections = createConnectionsModule({
    db,
    secrets,
    limiter,
    log,
    events,
    settings,
    graphBaseUrl: sim.baseUrl,
    clientTimeoutMs: options.clientTimeoutMs ?? 5_000,
  });
  const webhooks = await startWebhooksModule({
    db,
    dbFile: file,
    queue,
    locks,
    events,
    log,
    port: 0,
    secretsFor: (id) => connections.secretsFor(id),
    ...(options.onInboundStored ? { onInboundStored: options.onInboundStored } : {}),
  });
  const messaging = createMessagingModule({
    db,
    queue,
    locks,
    limiter,
    events,
    log,
    connections,
    templateSync: { schedule: false, ...options.messaging?.templateSync },
    ...(options.messaging?.send ? { send: options.messaging.send } : {}),
  });
  sim.control.setCallbackUrl(webhooks.webhookUrlFor(connectionId));
  if (options.startQueue !== false) queue.start();
  const router = createIpcRouter(messaging.handlers, log);
  const call = (channel: InvokeChannel, payload: unknown) =>
    router.dispatch(channel, payload, { trusted: true, description: 'test' });
  let closed = false;
  return {
    sim,
    db,
    dir,
    file,
    queue,
    locks,
    limiter,
    events,
    connections,
    webhooks,
    messaging,
    workspaceId,
    connectionId,
    call,
    async value<T>(channel: InvokeChannel, payload: unknown): Promise<T> {
      const result = await call(channel, payload);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
      return result.value as T;
    },
    async close() {
      if (closed) return;
      closed = true;
      await sim.close();
      await webhooks.close();
      await queue.stop({ timeoutMs: 2_000 });
      messaging.close();
      connections.close();
      locks.close();
      limiter.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
