// The composition root: builds every service from plain options. No 'electron' import here or below,
// so the same core runs in the Electron main process, in the browser host, in tests and in benchmarks.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo, Health, HostKind } from '../src-preload/contract';
import { migrate } from './db/migrate';
import { migrations } from './db/migrations';
import { openDatabase, schemaVersionOf, type Db } from './db/open';
import { createEventBus, type EventBus } from './events';
import { createIpcRouter, type Handlers, type IpcRouter } from './ipc/router';
import { createFenceBlockSource, createFenceGuard, type FenceGuard } from './locks/fence.store';
import { createLockRegistry, type LockRegistry } from './locks/registry';
import { createLogger, createSecretValues, type Logger, type SecretValues } from './log';
import { createJobQueue, type JobQueue } from './queue/runner';
import { createRateLimiter, type PersistentRateLimiter } from './ratelimit/limiter';
import { createKeyFileSecretBox, type SecretBox } from './secrets/secretBox';
import { rememberingSecretBox, resealSecrets } from './secrets/reseal';
import { bindBackups, createBackupService, type BackupService } from './backup/backups.ipc';
import { createSettingsRepo, type SettingsStore } from './settings/settings.repo';
import { createConnectionsModule, type ConnectionsModule } from './connections/connections.module';
import { startSandbox, type Sandbox } from './connections/sandbox';
import { enqueueBotReply, registerChatbotJobs } from './chatbots/chatbots.jobs';
import { bindChatbots } from './chatbots/chatbots.ipc';
import { createChatbotsService } from './chatbots/chatbots.service';
import { createCampaignsModule, type CampaignsModule } from './campaigns/campaigns.module';
import { bindContacts } from './contacts/contacts.ipc';
import { bindContactFiles, type DesktopShell } from './contacts/contacts.files';
import { createMessagingModule, type MessagingModule } from './conversations/messaging.module';
import { createContactsService, type ContactsService } from './contacts/contacts.service';
import { createTunnelModule, type TunnelModule } from './tunnel/tunnel.module';
import { mediaDownloadJobType, registerMediaDownload } from './webhooks/mediaDownload.jobs';
import { createSilenceAlarm, defaultSilenceMinutes, silenceMinutesSetting } from './webhooks/silenceAlarm';
import { bindWebhooks, tunnelView } from './webhooks/webhooks.ipc';
import { startWebhooksModule, type WebhooksModule } from './webhooks/webhooks.module';
import { mediaTypes } from './webhooks/webhooks.processor';
import { appVersion } from './version';
import { createFirstPaintGate } from './startup/firstPaintGate';
import { markStartup } from './startup/startupTrace';

export interface CoreOptions {
  dataDir: string;
  hostKind: HostKind;
  log?: Logger;
  /** Injected clock, so tests can move time. */
  now?: () => number;
  /** How secrets are sealed at rest: Electron passes safeStorage; default is the browser host's key file. */
  secrets?: SecretBox;
  /** Port of the local webhook server (127.0.0.1); default BELLHOP_WEBHOOK_PORT, else any free port. */
  webhookPort?: number;
  /** The embedded simulator behind the Sandbox connection; on unless false (some tests). */
  sandbox?: boolean;
  /**
   * Start the Sandbox and the job queue once the first conversation list is served (or a call needs
   * them), and the webhook intake's threads a while later (or with the first webhook), instead of before
   * createCore resolves: the browser host's first paint (startup/firstPaintGate.ts).
   */
  holdUntilFirstPaint?: boolean;
  /** Every secret sealed or opened is added here, so loggers sharing it mask it by value. */
  secretValues?: SecretValues;
  /** The daily automatic backup (the hosts turn it on; tests that build a core leave it off). */
  dailyBackups?: boolean;
  /** Where 'cloud' connections send (default Meta's Graph API); tests point it at a simulator. */
  graphBaseUrl?: string;
  /** OS dialogs and drags, from the Electron host (host/electronShell.ts); the browser host has none. */
  shell?: DesktopShell;
}

export interface Core {
  readonly dataDir: string;
  readonly log: Logger;
  readonly events: EventBus;
  readonly router: IpcRouter;
  /** The SQLite store (`<dataDir>/bellhop.sqlite`), migrated to the current schema. */
  readonly db: Db;
  readonly locks: LockRegistry;
  /** Refuses writes from lock owners whose lock expired (pass the lease's fence). */
  readonly fences: FenceGuard;
  readonly limiter: PersistentRateLimiter;
  readonly queue: JobQueue;
  readonly secrets: SecretBox;
  readonly backups: BackupService;
  readonly settings: SettingsStore;
  readonly webhooks: WebhooksModule;
  readonly connections: ConnectionsModule;
  readonly tunnel: TunnelModule;
  readonly messaging: MessagingModule;
  readonly contacts: ContactsService;
  readonly campaigns: CampaignsModule;
  /** The Sandbox connection and its embedded simulator; null when turned off (or not started yet). */
  readonly sandbox: Sandbox | null;
  info(): AppInfo;
  health(): Health;
  /** Stops workers, waits for in-flight jobs, closes the database. Safe to call twice. */
  close(): Promise<void>;
}

export const DATABASE_FILE = 'bellhop.sqlite';
/** No lock outlives its TTL (10 min at most, locks/keys.ts) by a day: older fence records are noise. */
const FENCE_RETENTION_MS = 24 * 60 * 60_000;
/** With holdUntilFirstPaint: a host whose page never asks for the conversation list starts after this. */
const HELD_START_FALLBACK_MS = 2_000;
/**
 * With holdUntilFirstPaint: the webhook intake's threads start this long after the held work (when the
 * page has had time to render its list), or with the first webhook.
 */
const INTAKE_THREADS_DELAY_MS = 2_000;

export async function createCore(options: CoreOptions): Promise<Core> {
  const secretValues = options.secretValues ?? createSecretValues();
  const log = options.log ?? createLogger(undefined, undefined, secretValues);
  const now = options.now ?? Date.now;
  mkdirSync(options.dataDir, { recursive: true });
  const events = createEventBus();

  const db = openDatabase(join(options.dataDir, DATABASE_FILE));
  let limiter: PersistentRateLimiter | undefined;
  let locks: LockRegistry | undefined;
  let queue: JobQueue;
  let fences: FenceGuard;
  try {
    // Throws DatabaseTooNewError (nothing changed) when the folder was written by a newer Bellhop.
    migrate(db, migrations, { log });
    fences = createFenceGuard(db, now);
    fences.prune(FENCE_RETENTION_MS);
    locks = createLockRegistry({ now, nextFenceBlock: createFenceBlockSource(db) });
    limiter = createRateLimiter({ db, now });
    queue = createJobQueue({ db, log, now });
  } catch (error) {
    locks?.close();
    limiter?.close();
    db.close();
    throw error;
  }
  markStartup('core: database open and migrated');
  let schemaVersion = schemaVersionOf(db);
  const dbFile = join(options.dataDir, DATABASE_FILE);
  const secrets = rememberingSecretBox(options.secrets ?? createKeyFileSecretBox(options.dataDir), (plain) =>
    secretValues.add(plain),
  );
  // Secrets sealed by another box (the key file, before the keychain was used) move to this one.
  resealSecrets(db, secrets, log);
  const backups = createBackupService({ db, dataDir: options.dataDir, log, now });
  const settings = createSettingsRepo(db, now);
  const silenceAlarm = createSilenceAlarm(db, now);

  const connections = createConnectionsModule({
    db,
    secrets,
    limiter,
    log,
    events,
    settings,
    now,
    ...(options.graphBaseUrl !== undefined ? { graphBaseUrl: options.graphBaseUrl } : {}),
  });
  // Filled in below, before the queue starts: no inbound message is processed before that.
  const late: { campaigns?: CampaignsModule } = {};
  // Job types register before the queue starts claiming (a crash may have left some of theirs queued).
  const webhooks = await startWebhooksModule({
    db,
    dbFile,
    queue,
    locks,
    events,
    log,
    now,
    port:
      options.webhookPort ??
      (process.env.BELLHOP_WEBHOOK_PORT ? Number(process.env.BELLHOP_WEBHOOK_PORT) : 0),
    secretsFor: (connectionId) => connections.secretsFor(connectionId),
    deferIntakeThreads: options.holdUntilFirstPaint === true,
    onInboundStored(message) {
      // Inside the transaction that stored the message: its bot and media jobs commit with it.
      enqueueBotReply(queue, message);
      late.campaigns?.onInboundStored(message);
      if (!mediaTypes.has(message.type)) return;
      const media = (message.raw as Record<string, unknown>)[message.type] as { id?: unknown } | undefined;
      if (typeof media?.id !== 'string') return;
      queue.enqueue(
        mediaDownloadJobType,
        { messageId: message.id, connectionId: message.connectionId, mediaId: media.id },
        { uniqueKey: `media:${message.wamid}` },
      );
    },
  });
  markStartup('core: webhooks started');
  registerMediaDownload({
    queue,
    db,
    dataDir: options.dataDir,
    now,
    events,
    clientFor: (id) => connections.clientFor(id),
  });
  const messaging = createMessagingModule({ db, queue, locks, limiter, events, log, now, connections });
  registerChatbotJobs({ db, queue, limiter, events, log, now, messages: messaging.messages });
  const campaigns = createCampaignsModule({
    db,
    queue,
    locks,
    fences,
    events,
    log,
    now,
    dataDir: options.dataDir,
    templates: messaging.templates,
    connections,
  });
  late.campaigns = campaigns;
  const contacts = createContactsService({
    db,
    dbFile,
    dataDir: options.dataDir,
    locks,
    events,
    log,
    now,
    currentWorkspaceId: () => connections.service.currentWorkspaceId(),
  });
  let sandbox: Sandbox | null = null;
  const startTheSandbox = async (): Promise<void> => {
    if (options.sandbox === false) return;
    sandbox = await startSandbox({
      module: connections,
      db,
      secrets,
      settings,
      log,
      now,
      webhookUrlFor: (connectionId) => webhooks.webhookUrlFor(connectionId),
    });
    markStartup('core: sandbox started');
  };
  const held = options.holdUntilFirstPaint
    ? createFirstPaintGate({
        log,
        fallbackMs: HELD_START_FALLBACK_MS,
        afterwards: { run: () => webhooks.startIntakeThreads(), delayMs: INTAKE_THREADS_DELAY_MS },
        async start() {
          try {
            await startTheSandbox();
          } finally {
            queue.start();
            announceHealth();
          }
        },
      })
    : null;
  if (!held) await startTheSandbox();

  const cloudTargets = db.prepare<[], { id: string; name: string; verify_token: string }>(
    `SELECT id, name, verify_token FROM connections WHERE kind = 'cloud' AND status = 'active' ORDER BY created_at`,
  );
  const tunnel = createTunnelModule({
    settings,
    log,
    localPort: webhooks.server.port,
    targets: () =>
      cloudTargets.all().map((row) => ({
        id: row.id,
        name: row.name,
        verifyToken: row.verify_token,
        async setOverride(callbackUrl, verifyToken) {
          const result = await connections.clientFor(row.id).setCallbackOverride(callbackUrl, verifyToken);
          return result.ok
            ? { ok: true }
            : { ok: false, message: `${result.error.advice} (${result.error.message})` };
        },
      })),
    onChanged: () => {
      events.emit('tunnel:changed', tunnelView(tunnel));
      announceHealth();
    },
  });

  const info = (): AppInfo => {
    // The real ledger while the store is open; the last value read once it is closed.
    if (db.open) schemaVersion = schemaVersionOf(db);
    return {
      name: 'Bellhop',
      version: appVersion,
      dataDir: options.dataDir,
      schemaVersion,
      hostKind: options.hostKind,
    };
  };

  // Prepared once: health() runs on every queue state change and every minute.
  const countConnections = db.prepare('SELECT count(*) AS n FROM connections');
  const health = (): Health => {
    const details: Health['details'] = {
      connection: 'No connection set up yet.',
      tunnel: 'The tunnel is not running.',
    };
    let database: Health['database'] = 'ok';
    if (!db.open) {
      database = 'down';
      details.database = 'The database is closed.';
    }
    const queueHealth = db.open
      ? queue.health()
      : { state: 'down' as const, detail: 'The job queue is stopped.' };
    if (queueHealth.detail) details.queue = queueHealth.detail;
    let connection: Health['connection'] = 'off';
    if (db.open) {
      if ((countConnections.get() as { n: number }).n > 0) {
        connection = 'ok';
        delete details.connection;
        const silent = silenceAlarm.check(
          Number(settings.get(silenceMinutesSetting) ?? defaultSilenceMinutes),
        );
        const webhookHealth = webhooks.health();
        if (silent.length > 0) {
          connection = 'degraded';
          details.connection = silent.map((s) => s.message).join(' ');
        } else if (webhookHealth.state !== 'ok') {
          connection = webhookHealth.state;
          if (webhookHealth.detail) details.connection = webhookHealth.detail;
        }
      }
    }
    if (!db.open) return { database, queue: queueHealth.state, connection: 'off', tunnel: 'off', details };
    const connectionHealth = connections.health();
    if (connection === 'ok' && connectionHealth.state !== 'ok') {
      connection = connectionHealth.state;
      if (connectionHealth.detail) details.connection = connectionHealth.detail;
    }
    const tunnelHealth = tunnel.health();
    if (tunnelHealth.detail) details.tunnel = tunnelHealth.detail;
    else delete details.tunnel;
    return { database, queue: queueHealth.state, connection, tunnel: tunnelHealth.state, details };
  };

  // Push a health change to every renderer when the queue's state can have changed it.
  let lastHealth = JSON.stringify(health());
  const announceHealth = (): void => {
    const current = health();
    const serialized = JSON.stringify(current);
    if (serialized === lastHealth) return;
    lastHealth = serialized;
    events.emit('app:health-changed', current);
  };
  queue.onEvent((event) => {
    switch (event.type) {
      case 'job:dead':
      case 'queue:paused':
      case 'queue:resumed':
        announceHealth();
        break;
      case 'job:started':
      case 'job:progress':
      case 'job:done':
      case 'job:retrying':
      case 'job:lost':
        break;
    }
  });

  // Domain services register their job types here (later issues), before the queue starts claiming.
  if (!held) {
    queue.start();
    announceHealth();
  }
  if (options.dailyBackups) backups.startSchedule();

  const handlers: Partial<Handlers> = {
    'app:info': () => info(),
    'app:health': () => health(),
    ...connections.handlers,
    ...bindContacts(contacts),
    ...bindContactFiles(contacts, options.shell),
    ...bindWebhooks(webhooks, tunnel, settings),
    ...messaging.handlers,
    ...bindChatbots(createChatbotsService({ db, now }), events),
    ...bindBackups({ backups, db, dataDir: options.dataDir, now, log }),
    ...campaigns.handlers,
  };
  // A connection added, changed or removed may start or stop the tunnel and re-point Meta.
  events.subscribe((event, payload) => {
    if (event === 'connections:changed') {
      tunnel.refresh();
      announceHealth();
    } else if (event === 'templates:status-changed') {
      // Template webhooks reach only the app's default URL (§12); when one does come, resync soon.
      messaging.onTemplateStatusChanged(payload as { connectionId: string });
    }
  });
  tunnel.refresh();
  // The silent-webhook alarm and similar slow-moving states are re-checked once a minute.
  const healthTimer = setInterval(announceHealth, 60_000);
  healthTimer.unref();

  markStartup('core: ready');
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    clearInterval(healthTimer);
    await held?.cancel();
    // Stop taking webhooks first (in-flight ones finish and are fsynced), then drain the queue.
    await tunnel.close();
    await backups.close();
    await webhooks.close();
    await queue.stop();
    await sandbox?.close();
    await contacts.close();
    messaging.close();
    campaigns.close();
    connections.close();
    locks.close();
    // After the queue: no handler can take a slot any more, so the exact state can be written back.
    limiter.close();
    db.close();
    log.info('core: closed', { dataDir: options.dataDir });
  };

  return {
    dataDir: options.dataDir,
    log,
    events,
    router: createIpcRouter(held ? held.wrap(handlers) : handlers, log),
    db,
    locks,
    fences,
    limiter,
    queue,
    secrets,
    backups,
    settings,
    webhooks,
    connections,
    tunnel,
    get sandbox() {
      return sandbox;
    },
    messaging,
    contacts,
    campaigns,
    info,
    health,
    close() {
      closing ??= close();
      return closing;
    },
  };
}
