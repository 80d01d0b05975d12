// Start-up work that the page's first paint does not need, held back until the first conversation list
// is served: in the browser host, the Sandbox's simulator (an HTTP server, its templates and the
// connection's client) and the job queue (whose first claims write to the store) start once the inbox's
// list has gone out, instead of before the host says it is ready (bench:inbox); the webhook intake's
// threads a while after that (`afterwards`), or with the first webhook (webhooks/intake.ts).
//
// Nothing waits on a guess: the first call of any channel that could reach the Sandbox, start a job or
// show their state (everything but the reads below) starts the held work itself and is answered once it
// is done, so a send or a simulated customer message made at once waits instead of failing. A host
// whose page never asks for the list (another screen, no page at all) starts it after `fallbackMs`.
import type { InvokeChannel } from '../../src-preload/channels';
import type { Handlers } from '../ipc/router';
import type { Logger } from '../log';
import { markStartup } from './startupTrace';

/**
 * The page's first requests that only read the store and depend on nothing held: answered at once.
 * (Not workspaces:list: on a first start the Sandbox's seeding creates the workspace.)
 */
export const FIRST_PAINT_CHANNELS: ReadonlySet<InvokeChannel> = new Set<InvokeChannel>([
  'app:info',
  'conversations:list',
  'conversations:unread-summary',
  'conversations:thread',
]);

/** Once this one is answered, the held work starts. */
export const FIRST_PAINT_TRIGGER: InvokeChannel = 'conversations:list';

export interface FirstPaintGate {
  /** The handlers, every channel outside FIRST_PAINT_CHANNELS waiting for the held work first. */
  wrap(handlers: Partial<Handlers>): Partial<Handlers>;
  /** Starts the held work if it has not started; resolves once it is done (failed or not). */
  open(): Promise<void>;
  /** At close: the held work never starts after this; resolves once a start in progress is done. */
  cancel(): Promise<void>;
}

export interface FirstPaintGateOptions {
  /** The held work. A failure is logged; calls waiting for it then go on (and meet what is missing). */
  start(): Promise<void>;
  log: Logger;
  /** Start anyway this long after the gate was made, if nothing asked earlier. */
  fallbackMs: number;
  /**
   * Work run `delayMs` after the held work is done (never after cancel): what can wait until the page
   * has had time to render the list it was just sent, instead of taking CPU from that render.
   */
  afterwards?: { run(): void; delayMs: number };
}

type LooseHandler = (request: unknown) => unknown;

export function createFirstPaintGate(options: FirstPaintGateOptions): FirstPaintGate {
  let started: Promise<void> | undefined;
  let cancelled = false;
  const fallback = setTimeout(() => void open(), options.fallbackMs);
  let afterwards: NodeJS.Timeout | undefined;

  const open = (): Promise<void> => {
    if (cancelled) return started ?? Promise.resolve();
    started ??= (async () => {
      clearTimeout(fallback);
      // From the next turn of the event loop: answers computed in this one (the first list) go out first.
      await new Promise((resolve) => setImmediate(resolve));
      markStartup('gate: held start-up work started');
      try {
        await options.start();
      } catch (error) {
        options.log.error('startup: work held for the first paint failed to start', { error });
      }
      markStartup('gate: held start-up work done');
      const later = options.afterwards;
      if (later && !cancelled) afterwards = setTimeout(() => later.run(), later.delayMs);
    })();
    return started;
  };

  return {
    wrap(handlers) {
      const wrapped: Partial<Record<InvokeChannel, LooseHandler>> = {};
      for (const [name, handler] of Object.entries(handlers) as [InvokeChannel, LooseHandler][]) {
        if (name === FIRST_PAINT_TRIGGER) {
          wrapped[name] = async (request) => {
            try {
              return await handler(request);
            } finally {
              void open();
            }
          };
        } else if (FIRST_PAINT_CHANNELS.has(name)) {
          wrapped[name] = handler;
        } else {
          wrapped[name] = async (request) => {
            await open();
            return handler(request);
          };
        }
      }
      // Same channels, same request and response types: each wrapper calls the handler it replaces.
      return wrapped as Partial<Handlers>;
    },
    open,
    async cancel() {
      cancelled = true;
      clearTimeout(fallback);
      await started;
      clearTimeout(afterwards);
    },
  };
}
