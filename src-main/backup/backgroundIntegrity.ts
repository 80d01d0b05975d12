// Decides whether the start-up integrity check runs before the store opens or beside the running app.
// A store past BACKGROUND_CHECK_BYTES is checked on a worker thread while the app starts (quick_check
// costs time in proportion to the store: over half a minute on a loaded machine for a million messages,
// all of it before the first paint); a failing result then switches the app to recovery mode as a
// failing check at start would have. A smaller store is checked first, as before: that costs well under
// a second and keeps the strongest guarantee where it is cheap. SQLite also refuses a damaged page the
// moment anything reads it (SQLITE_CORRUPT), so the app is not blind in the meantime.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers/workerEntry';
import type { IntegrityResult } from './integrity';

export const BACKGROUND_CHECK_BYTES = 256 * 1024 * 1024;

export function checkInBackground(file: string, thresholdBytes = BACKGROUND_CHECK_BYTES): boolean {
  try {
    return statSync(file).size > thresholdBytes;
  } catch {
    return false;
  }
}

export interface BackgroundCheck {
  /** The check's verdict; null when it could not run (the worker failed to start or was stopped). */
  readonly result: Promise<IntegrityResult | null>;
  stop(): void;
}

/**
 * Runs quick_check on a worker thread at a lowered priority, `delayMs` after the call: the hosts let
 * the first paint and the first queries have the machine's cores and disk before a pass that reads
 * every page (SQLite still refuses a damaged page the moment anything reads it meanwhile).
 */
export function checkDatabaseFileOffThread(
  file: string,
  options: { delayMs?: number } = {},
): BackgroundCheck {
  let worker: Worker | null = null;
  let stopped = false;
  let settle: (verdict: IntegrityResult | null) => void = () => undefined;
  const result = new Promise<IntegrityResult | null>((resolve) => (settle = resolve));
  const start = (): void => {
    if (stopped) return;
    const started = startWorker('integrityWorker', dirname(__filename), { workerData: { file } });
    worker = started;
    started.once('message', (verdict: IntegrityResult) => settle(verdict));
    started.once('error', () => settle(null));
    started.once('exit', () => settle(null));
  };
  const timer = options.delayMs ? setTimeout(start, options.delayMs) : null;
  // A host waiting only for this timer has nothing left to do: it must not keep the process alive.
  timer?.unref();
  if (!timer) start();
  return {
    result,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (worker) void worker.terminate();
      else settle(null);
    },
  };
}
