// Durable webhook intake with group commit. Meta never re-sends an acknowledged webhook (§6), so the
// 200 goes out only after the raw event — and its processing job — is fsynced. The writing happens on
// a worker thread with its own connection (intakeWorker.ts): what the main thread accepts in one turn
// of its event loop goes over as one batch, and the writer commits every batch that arrived during its
// previous commit in one transaction, then answers them once an fsync of the WAL begun after that
// commit has finished (groupCommit.ts: the writer commits the next batches meanwhile), so durability
// costs one fsync per commit or fewer, not per event, and the main thread never waits for the disk. A second thread (intakeCheckpointWorker.ts) copies the WAL into
// the database file, so no commit waits for a checkpoint either.
import { dirname } from 'node:path';
import type { Logger } from '../log';
import { deferredWorker } from '../workers/deferredWorker';
import { startWorker } from '../workers/workerEntry';
import { databaseFileDescriptor } from './databaseFileDescriptor';
import {
  packBatch,
  resultsOf,
  type CheckpointRequest,
  type IntakeControl,
  type IntakeReply,
} from './intakeProtocol';
import type { SignatureRefusal } from './verify';

export interface IncomingEvent {
  connectionId: string;
  /** The body as received; processing checks its shape and marks odd ones 'unparseable'. */
  rawBody: Buffer;
  /** The X-Hub-Signature-256 header as received (§6); the writer checks it before storing anything. */
  signature: string | undefined;
  /** The connection's app secret, the HMAC key. */
  appSecret: string;
}

export interface IntakeStats {
  stored: number;
  /** Commits (each one transaction, one fsync and one processing job). */
  batches: number;
  largestBatch: number;
}

/** An event whose signature did not check out: nothing of it was stored. */
export interface SignatureRefused {
  refused: SignatureRefusal;
}

/**
 * Called once per event: with its id once it is on disk, with the refusal of a bad signature, or with
 * why a signed event could not be stored.
 */
export type StoredCallback = (result: string | SignatureRefused | Error) => void;

export interface WebhookIntake {
  /**
   * Resolves with the event id once the event is on disk; rejects if its signature is refused (an
   * Error whose message names the reason) or it could not be stored.
   */
  accept(event: IncomingEvent): Promise<string>;
  /** `accept` for the HTTP server's hot path: a callback instead of a promise per request. */
  submit(event: IncomingEvent, done: StoredCallback): void;
  readonly stats: IntakeStats;
  /** Whether events accepted are waiting to be stored and answered (processing gives way meanwhile). */
  readonly busy: boolean;
  /** Waits until everything accepted so far is stored. */
  flush(): Promise<void>;
  /** Flushes, then stops the writer and checkpoint threads. */
  close(): Promise<void>;
  /** Starts the writer and checkpoint threads if they have not started (see `deferThreads`). */
  startThreads(): void;
  /**
   * Whether the writer thread has started (deferred, the checkpoint thread starts at `startThreads()`
   * or with the first checkpoint it is asked for).
   */
  readonly threadsStarted: boolean;
}

export interface WebhookIntakeOptions {
  dbFile: string;
  log: Logger;
  /** Called after each commit is on disk, with the ids of the events whose processing job is queued. */
  onStored?(eventIds: string[]): void;
  /**
   * Start the two threads only at `startThreads()` or with the first event, not at once. Each costs
   * 70-90 ms of CPU to boot (a Node.js environment, its modules, a connection): the browser host starts
   * them a while after its first page is painted instead of while that page loads. An event accepted
   * earlier is stored and answered as ever, once the writer is up (messages to a booting thread wait).
   */
  deferThreads?: boolean;
}

/**
 * Bodies stored between two checkpoint requests. With their index entries and the pages each commit
 * rewrites, 2 MB of bodies is about SQLite's own automatic-checkpoint size (1,000 WAL pages).
 */
const CHECKPOINT_EVERY_BYTES = 2 * 1024 * 1024;

interface Pending {
  event: IncomingEvent;
  done: StoredCallback;
}

export function createWebhookIntake(options: WebhookIntakeOptions): WebhookIntake {
  const here = dirname(__filename);
  const workerData = { dbFile: options.dbFile };
  const deferred = options.deferThreads === true;
  const worker = deferredWorker(() => startWorker('intakeWorker', here, { workerData }), deferred);
  const checkpointer = deferredWorker(
    () =>
      startWorker('intakeCheckpointWorker', here, {
        workerData: { ...workerData, dbFileDescriptor: databaseFileDescriptor(options.dbFile) },
      }),
    deferred,
  );
  const stats: IntakeStats = { stored: 0, batches: 0, largestBatch: 0 };
  /** Accepted in this turn of the event loop, not yet sent to the writer. */
  let outbox: Pending[] = [];
  /** Sent to the writer, oldest first, waiting for their commit. */
  let sent: Pending[][] = [];
  let sendScheduled = false;
  let drained: (() => void)[] = [];
  let closed = false;
  let stopped: Error | undefined;
  let writerExited = false;
  let checkpointerExited = false;
  let checkpointRunning = false;
  let bytesSinceCheckpoint = 0;

  const settleDrained = (): void => {
    if (sent.length || outbox.length) return;
    for (const done of drained) done();
    drained = [];
  };

  // A batch goes over as one transferred buffer (intakeProtocol.ts): a message (or a transfer) per
  // event cost more CPU than the event's own insert, and so did cloning arrays of strings per batch.
  const send = (): void => {
    sendScheduled = false;
    if (outbox.length === 0) return;
    const items = outbox;
    outbox = [];
    const message = packBatch(items.map((item) => item.event));
    sent.push(items);
    worker.postMessage(message, [message.bytes]);
  };

  const requestCheckpoint = (bytes: number): void => {
    bytesSinceCheckpoint += bytes;
    if (checkpointRunning || checkpointerExited || bytesSinceCheckpoint < CHECKPOINT_EVERY_BYTES) return;
    checkpointRunning = true;
    bytesSinceCheckpoint = 0;
    checkpointer.postMessage('checkpoint' satisfies CheckpointRequest);
  };
  checkpointer.on('message', () => {
    checkpointRunning = false;
    if (!writerExited && !closed) worker.postMessage('finish-checkpoint' satisfies IntakeControl);
  });
  checkpointer.on('error', (error) => {
    // Not fatal: the app's main connection still checkpoints automatically, on its own commits.
    options.log.error('webhook intake checkpoint thread crashed', { error });
  });
  checkpointer.on('exit', () => {
    checkpointerExited = true;
  });

  /** One caller's failure must not keep the rest of a commit from hearing about theirs. */
  const tell = (item: Pending, result: string | SignatureRefused | Error): void => {
    try {
      item.done(result);
    } catch (error) {
      options.log.error('webhook intake: a stored-event callback failed', { error });
    }
  };

  worker.on('message', (reply: IntakeReply) => {
    const answered = sent.slice(0, reply.batches);
    sent = sent.slice(reply.batches);
    const results = resultsOf(reply);
    const stored: string[] = [];
    let bytes = 0;
    let i = 0;
    for (const batch of answered) {
      for (const item of batch) {
        const result = results[i++];
        if (typeof result === 'string') {
          stats.stored++;
          stored.push(result);
          bytes += item.event.rawBody.length;
          tell(item, result);
        } else if (result && 'refused' in result) {
          tell(item, result);
        } else {
          tell(item, new Error(result?.error ?? 'The webhook intake writer gave no result.'));
        }
      }
    }
    if (stored.length) {
      stats.batches++;
      stats.largestBatch = Math.max(stats.largestBatch, stored.length);
      options.onStored?.(stored);
      requestCheckpoint(bytes);
    }
    settleDrained();
  });
  const failAll = (error: Error): void => {
    stopped = error;
    for (const batch of sent) for (const item of batch) tell(item, error);
    for (const item of outbox) tell(item, error);
    sent = [];
    outbox = [];
    settleDrained();
  };
  worker.on('error', (error) => {
    options.log.error('webhook intake writer crashed', { error });
    failAll(error);
  });
  worker.on('exit', () => {
    writerExited = true;
    failAll(new Error('The webhook intake writer has stopped.'));
  });

  const flush = (): Promise<void> =>
    sent.length === 0 && outbox.length === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => drained.push(resolve));

  const submit = (event: IncomingEvent, done: StoredCallback): void => {
    if (closed) return done(new Error('The webhook intake is closed.'));
    if (stopped) return done(stopped);
    outbox.push({ event, done });
    // Everything accepted in this turn goes over together.
    if (!sendScheduled) {
      sendScheduled = true;
      setImmediate(send);
    }
  };

  const stop = (thread: typeof worker, exited: boolean, request: 'close'): Promise<void> => {
    if (exited || !thread.started) return Promise.resolve();
    const gone = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.postMessage(request);
    return gone;
  };

  return {
    stats,
    get busy() {
      return outbox.length > 0 || sent.length > 0;
    },
    accept: (event) =>
      new Promise<string>((resolve, reject) =>
        submit(event, (result) => {
          if (typeof result === 'string') resolve(result);
          else if (result instanceof Error) reject(result);
          else reject(new Error(`The webhook's signature was refused (${result.refused}).`));
        }),
      ),
    submit,
    flush,
    async close() {
      if (closed) return;
      closed = true;
      await flush();
      await Promise.all([
        stop(worker, writerExited, 'close' satisfies IntakeControl),
        stop(checkpointer, checkpointerExited, 'close' satisfies CheckpointRequest),
      ]);
    },
    startThreads() {
      if (closed) return;
      worker.start();
      checkpointer.start();
    },
    get threadsStarted() {
      return worker.started;
    },
  };
}
