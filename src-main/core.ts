// The composition root: builds every service from plain options. No 'electron' import here or below,
// so the same core runs in the Electron main process, in the browser host, in tests and in benchmarks.
import { mkdirSync } from 'node:fs';
import type { AppInfo, Health, HostKind } from '../src-preload/contract';
import { createEventBus, type EventBus } from './events';
import { createIpcRouter, type Handlers, type IpcRouter } from './ipc/router';
import { createLogger, type Logger } from './log';
import { appVersion } from './version';

export interface CoreOptions {
  dataDir: string;
  hostKind: HostKind;
  log?: Logger;
  /** Injected clock, so tests can move time. */
  now?: () => number;
}

export interface Core {
  readonly dataDir: string;
  readonly log: Logger;
  readonly events: EventBus;
  readonly router: IpcRouter;
  info(): AppInfo;
  health(): Health;
  /** Stops workers, waits for in-flight jobs, closes the database. Safe to call twice. */
  close(): Promise<void>;
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const log = options.log ?? createLogger();
  mkdirSync(options.dataDir, { recursive: true });
  const events = createEventBus();

  const info = (): AppInfo => ({
    name: 'Bellhop',
    version: appVersion,
    dataDir: options.dataDir,
    schemaVersion: 0,
    hostKind: options.hostKind,
  });
  const health = (): Health => ({
    database: 'ok',
    queue: 'ok',
    connection: 'off',
    tunnel: 'off',
    details: { connection: 'No connection set up yet.', tunnel: 'The tunnel is not running.' },
  });

  const handlers: Partial<Handlers> = {
    'app:info': () => info(),
    'app:health': () => health(),
  };

  let closed = false;
  return {
    dataDir: options.dataDir,
    log,
    events,
    router: createIpcRouter(handlers, log),
    info,
    health,
    async close() {
      if (closed) return;
      closed = true;
    },
  };
}
