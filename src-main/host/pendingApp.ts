// Stands in for the app while it starts, so the browser host can listen and serve the renderer before
// the core's modules are even loaded: the page, its script and the SQLite store then load side by
// side instead of one after the other. IPC calls made meanwhile wait for the app and go through its
// router (the same contract checks as ever); push events are relayed from the app's bus once it is up.
import type { Result } from '../../src-preload/contract';
import { createEventBus } from '../events';
import type { IpcRouter } from '../ipc/router';
import { createLogger, type Logger } from '../log';
import type { HostedApp } from './browser';

export interface PendingApp {
  /** What the host talks to from the start. */
  readonly app: HostedApp;
  /** The app is up: waiting calls go through, events flow. */
  ready(app: HostedApp): void;
  /** The app could not start: waiting and later calls get UNAVAILABLE with this message. */
  failed(message: string): void;
}

export function createPendingApp(): PendingApp {
  const events = createEventBus();
  // Until the app's own (rotating, redacting) log exists, host errors go to stderr as createLogger does.
  const earlyLog = createLogger();
  let current: HostedApp | null = null;
  let settle: (outcome: HostedApp | string) => void = () => undefined;
  const outcome = new Promise<HostedApp | string>((resolve) => (settle = resolve));

  const router: IpcRouter = {
    async dispatch(channel, payload, sender): Promise<Result<unknown>> {
      const app = current ?? (await outcome);
      if (typeof app === 'string') return { ok: false, error: { code: 'UNAVAILABLE', message: app } };
      return app.router.dispatch(channel, payload, sender);
    },
  };
  const logAt =
    (level: keyof Logger) =>
    (message: string, context?: Record<string, unknown>): void =>
      (current?.log ?? earlyLog)[level](message, context);
  const log: Logger = {
    debug: logAt('debug'),
    info: logAt('info'),
    warn: logAt('warn'),
    error: logAt('error'),
  };

  return {
    app: { router, events, log },
    ready(app) {
      current = app;
      app.events.subscribe((event, payload) => events.emit(event, payload));
      settle(app);
    },
    failed(message) {
      settle(message);
    },
  };
}
