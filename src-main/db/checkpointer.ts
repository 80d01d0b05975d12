// WAL checkpoints off the main thread. With SQLite's default, the connection whose commit pushes the WAL
// past 1,000 pages runs the checkpoint itself: it copies the WAL into the database and fsyncs, inside
// that commit, on the main thread — a stall of tens to hundreds of milliseconds in the middle of a job
// run or a webhook acknowledgement, and about half the job queue's throughput (bench/core.bench.ts).
// Here the main connection never checkpoints; a worker thread with its own connection runs PASSIVE
// checkpoints (they never block the writer) every `intervalMs`, and a RESTART checkpoint when the WAL has
// grown past `maxWalBytes` because a busy writer kept the passive ones from catching up.
// If the worker cannot start or dies, the main connection takes checkpoints back (autocheckpoint on).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log';
import type { Db } from './open';

export interface CheckpointerOptions {
  intervalMs?: number;
  maxWalBytes?: number;
  log?: Logger;
}

export interface Checkpointer {
  /** Stops the worker after a last checkpoint. The main connection checkpoints again afterwards. */
  stop(): Promise<void>;
  /** Checkpoints run so far (for tests and diagnostics). */
  readonly runs: number;
  /** SQLite's answer to the last one: WAL frames in the log, and how many are copied into the database. */
  readonly last: { busy: number; log: number; checkpointed: number } | undefined;
}

const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

// Plain JavaScript, evaluated in the worker: it must not depend on the TypeScript toolchain, which is
// absent in the packaged app. better-sqlite3 is loaded from the path the main thread resolved.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
let timer;
function walBytes() {
  try { return statSync(workerData.file + '-wal').size; } catch { return 0; }
}
function checkpoint(mode) {
  const [result] = db.pragma('wal_checkpoint(' + mode + ')');
  parentPort.postMessage({ type: 'checkpoint', mode, result });
}
function tick() {
  try {
    checkpoint(walBytes() > workerData.maxWalBytes ? 'RESTART' : 'PASSIVE');
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
}
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  try { checkpoint('PASSIVE'); } catch {}
  db.close();
  parentPort.postMessage({ type: 'stopped' });
  parentPort.close();
});
timer = setTimeout(tick, workerData.intervalMs);
parentPort.postMessage({ type: 'ready' });
`;

export function walSize(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

export async function startCheckpointer(db: Db, options: CheckpointerOptions = {}): Promise<Checkpointer> {
  const { log } = options;
  const file = db.name;
  let runs = 0;
  let last: Checkpointer['last'];
  let stopping = false;
  const fallBack = (why: string): void => {
    if (stopping) return;
    log?.warn('db: background checkpoints stopped; the main connection checkpoints again', { why });
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };

  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      file,
      sqlitePath: createRequire(__filename).resolve('better-sqlite3'),
      intervalMs: options.intervalMs ?? 200,
      maxWalBytes: options.maxWalBytes ?? 64 * 1024 * 1024,
    },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => resolve());
  });
  db.pragma('wal_autocheckpoint = 0');
  // The app's other handles keep the process alive; this worker alone must not.
  worker.unref();
  worker.on('message', (message: { type: string; message?: string; result?: Checkpointer['last'] }) => {
    if (message.type === 'checkpoint') {
      runs += 1;
      last = message.result;
    } else if (message.type === 'error')
      log?.warn('db: background checkpoint failed', { error: message.message });
  });
  worker.on('error', (error) => fallBack(error.message));
  void exited.then(() => fallBack('the checkpoint worker exited'));

  return {
    get runs() {
      return runs;
    },
    get last() {
      return last;
    },
    async stop() {
      if (!stopping) {
        stopping = true;
        worker.ref(); // until its last checkpoint is done
        worker.postMessage('stop');
      }
      await exited;
      if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    },
  };
}
