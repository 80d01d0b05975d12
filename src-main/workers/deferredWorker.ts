// A worker thread that can start on first use. Booting one costs tens of ms of CPU (a Node.js
// environment, its modules, its own connections); a caller that may not need it at once (the webhook
// intake's threads, before the browser host's first paint) makes it deferred: listeners added before
// the start are attached when it starts, and the first message sent starts it (Node queues messages
// sent to a thread still booting, so nothing is lost or reordered).
import type { TransferListItem, Worker } from 'node:worker_threads';

/** The parts of a Worker its callers use, plus the start. */
export type DeferredWorker = Pick<Worker, 'on' | 'once' | 'postMessage'> & {
  /** Starts the thread if it has not started. */
  start(): void;
  readonly started: boolean;
};

type Listener = (...args: unknown[]) => void;

/** The thread `start` makes (startWorker of workerEntry.ts), made at once unless `deferred`. */
export function deferredWorker(start: () => Worker, deferred: boolean): DeferredWorker {
  let worker: Worker | undefined;
  const early: { once: boolean; event: string; listener: Listener }[] = [];
  const started = (): Worker => {
    if (!worker) {
      worker = start();
      for (const { once, event, listener } of early) {
        if (once) worker.once(event, listener);
        else worker.on(event, listener);
      }
      early.length = 0;
    }
    return worker;
  };
  const handle = {
    on(event: string, listener: Listener) {
      if (worker) worker.on(event, listener);
      else early.push({ once: false, event, listener });
      return handle;
    },
    once(event: string, listener: Listener) {
      if (worker) worker.once(event, listener);
      else early.push({ once: true, event, listener });
      return handle;
    },
    postMessage(value: unknown, transferList?: readonly TransferListItem[]) {
      started().postMessage(value, transferList);
    },
    start() {
      started();
    },
    get started() {
      return worker !== undefined;
    },
  };
  if (!deferred) started();
  // Worker's on/once are overloads per event name; each is served by the general form above, which
  // forwards to the Worker itself.
  return handle as unknown as DeferredWorker;
}
