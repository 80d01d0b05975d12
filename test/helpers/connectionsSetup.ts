// A connections module over a real migrated SQLite store in a temp folder, with the real key-file secret
// box, the real persistent limiter, a memory logger, and an IPC router in front of its handlers, so tests
// go through exactly what the renderer reaches.
import { rmSync } from 'node:fs';
import type { InvokeChannel } from '../../src-preload/channels';
import type { EventPayload, Result } from '../../src-preload/contract';
import type { EventChannel } from '../../src-preload/channels';
import {
  createConnectionsModule,
  type ConnectionsModule,
} from '../../src-main/connections/connections.module';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase, type Db } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { createIpcRouter } from '../../src-main/ipc/router';
import { createMemoryLogger } from '../../src-main/log';
import { createRateLimiter, type PersistentRateLimiter } from '../../src-main/ratelimit/limiter';
import { createKeyFileSecretBox, type SecretBox } from '../../src-main/secrets/secretBox';
import { createSettingsRepo, type SettingsStore } from '../../src-main/settings/settings.repo';
import { openTempStore } from './storeFixtures';

export interface PushedEvent {
  event: EventChannel;
  payload: EventPayload<EventChannel>;
}

export interface ConnectionsHarness {
  dir: string;
  file: string;
  db: Db;
  secrets: SecretBox;
  limiter: PersistentRateLimiter;
  settings: SettingsStore;
  log: ReturnType<typeof createMemoryLogger>;
  pushed: PushedEvent[];
  module: ConnectionsModule;
  /** Calls a channel through the IPC router (validation, AppError → Result). */
  call(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>>;
  /** Calls a channel and returns its value, failing the test on an error Result. */
  value<T>(channel: InvokeChannel, payload: unknown): Promise<T>;
  close(): void;
}

export interface HarnessOptions {
  graphBaseUrl?: string;
  testTimeoutMs?: number;
  /** Reuse a data folder (a restart); otherwise a fresh temp store. */
  dir?: string;
}

export function openConnectionsHarness(options: HarnessOptions = {}): ConnectionsHarness {
  let dir: string;
  let file: string;
  let db: Db;
  if (options.dir !== undefined) {
    dir = options.dir;
    file = `${dir}/bellhop.sqlite`;
    db = openDatabase(file);
    migrate(db, migrations);
  } else {
    ({ dir, file, db } = openTempStore('bellhop-connections-'));
  }
  const secrets = createKeyFileSecretBox(dir);
  const limiter = createRateLimiter({ db });
  const settings = createSettingsRepo(db);
  const log = createMemoryLogger();
  const events = createEventBus();
  const pushed: PushedEvent[] = [];
  events.subscribe((event, payload) => pushed.push({ event, payload }));
  const module = createConnectionsModule({
    db,
    secrets,
    limiter,
    log,
    events,
    settings,
    ...(options.graphBaseUrl !== undefined ? { graphBaseUrl: options.graphBaseUrl } : {}),
    ...(options.testTimeoutMs !== undefined ? { testTimeoutMs: options.testTimeoutMs } : {}),
    clientTimeoutMs: 5_000,
  });
  const router = createIpcRouter(module.handlers, log);
  const call = (channel: InvokeChannel, payload: unknown) =>
    router.dispatch(channel, payload, { trusted: true, description: 'test' });
  let closed = false;
  return {
    dir,
    file,
    db,
    secrets,
    limiter,
    settings,
    log,
    pushed,
    module,
    call,
    async value<T>(channel: InvokeChannel, payload: unknown): Promise<T> {
      const result = await call(channel, payload);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
      return result.value as T;
    },
    close() {
      if (closed) return;
      closed = true;
      module.close();
      limiter.close();
      if (db.open) db.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
