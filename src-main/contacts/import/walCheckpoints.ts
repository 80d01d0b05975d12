// WAL checkpoints of an import, off its writer thread. Left to SQLite, the writer's own commit that
// crosses 1,000 WAL pages copies the WAL into the database file and fsyncs it (synchronous=NORMAL still
// syncs at a checkpoint): measured at 1M rows, 61 such commits held the writer 5.1 s of its 17.8 s, and
// the reader waited on the writer meanwhile. Here the writer's connection never checkpoints on its own;
// every CHECKPOINT_EVERY_ROWS rows it asks a small thread (role import-checkpoint, contactsWorker.ts)
// for PASSIVE checkpoints, which take no write lock, so the writer keeps committing while pages are
// copied and the file is synced. When that thread is done, the writer copies the few pages committed
// meanwhile between two of its batches, so the WAL is wholly copied and restarts from its beginning at
// the next commit: it stays near 1,000 pages, and a main-thread commit never meets a big WAL to
// checkpoint (same idea as the webhook intake's intakeCheckpointWorker.ts).
// The two threads share a small Int32Array (no messages: the checkpoint thread blocks in Atomics.wait).
import type { Worker } from 'node:worker_threads';
import { openDatabase, type Db } from '../../db/open';

const REQUESTED = 0;
const DONE = 1;
const STOP = 2;

/** Rows between two checkpoint requests: ~250 bytes of WAL a row, so ~2 MB (500 pages) of WAL. */
export const CHECKPOINT_EVERY_ROWS = 8000;

/** See intakeCheckpointWorker.ts: passes repeat while each copies many frames, up to this many. */
const SHORT_PASS_FRAMES = 64;
const MAX_PASSES = 4;

export function newCheckpointSignal(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** The checkpoint thread's body: waits for requests until told to stop. Blocks its thread throughout. */
export function runCheckpointLoop(dbFile: string, signal: Int32Array): void {
  const db = openDatabase(dbFile);
  db.pragma('wal_autocheckpoint = 0');
  let seen = 0;
  try {
    for (;;) {
      Atomics.wait(signal, REQUESTED, seen);
      if (Atomics.load(signal, STOP) !== 0) return;
      seen = Atomics.load(signal, REQUESTED);
      let copiedBefore = 0;
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const [result] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
        if (!result || result.checkpointed - copiedBefore <= SHORT_PASS_FRAMES) break;
        copiedBefore = result.checkpointed;
      }
      Atomics.store(signal, DONE, seen);
    }
  } finally {
    db.close();
  }
}

/** The writer's side: call afterCommit after each batch's transaction. */
export class WalCheckpoints {
  private rowsSinceRequest = 0;
  private requested = 0;
  private finishPending = false;
  private fallenBack = false;

  constructor(
    private readonly db: Db,
    private readonly signal: Int32Array,
    private readonly thread: Worker,
  ) {
    db.pragma('wal_autocheckpoint = 0');
    // Without its checkpoint thread the WAL would grow without end: SQLite checkpoints again, as before.
    const fallBack = (): void => {
      if (this.fallenBack) return;
      this.fallenBack = true;
      try {
        db.pragma('wal_autocheckpoint = 1000');
      } catch {
        // The connection is already closed: nothing is written any more.
      }
    };
    thread.on('error', fallBack);
    thread.on('exit', fallBack);
    thread.unref();
  }

  afterCommit(rows: number): void {
    if (this.fallenBack) return;
    this.rowsSinceRequest += rows;
    if (this.finishPending && Atomics.load(this.signal, DONE) === this.requested) {
      this.finishPending = false;
      this.db.pragma('wal_checkpoint(PASSIVE)');
    }
    if (!this.finishPending && this.rowsSinceRequest >= CHECKPOINT_EVERY_ROWS) {
      this.rowsSinceRequest = 0;
      this.finishPending = true;
      this.requested++;
      Atomics.store(this.signal, REQUESTED, this.requested);
      Atomics.notify(this.signal, REQUESTED);
    }
  }

  /** Stops the thread (it closes its connection and ends). */
  stop(): void {
    Atomics.store(this.signal, STOP, 1);
    Atomics.add(this.signal, REQUESTED, 1);
    Atomics.notify(this.signal, REQUESTED);
  }
}
