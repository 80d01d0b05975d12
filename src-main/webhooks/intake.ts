// Durable webhook intake with group commit. Meta never re-sends an acknowledged webhook (§6), so the
// 200 goes out only after the raw event — and its processing job — is fsynced. The writing happens on
// a worker thread with its own connection (intakeWorker.ts): events that arrive while one batch is
// being fsynced form the next batch, so durability costs one fsync per batch, not per event, and the
// main thread never waits for the disk.
import { dirname } from 'node:path';
import type { Logger } from '../log';
import { startWorker } from '../workers/workerEntry';
import type { IntakeBatch, IntakeReply } from './intakeProtocol';

export interface IncomingEvent {
  connectionId: string;
  /** The signed body as received; processing checks its shape and marks odd ones 'unparseable'. */
  rawBody: Buffer;
}

export interface IntakeStats {
  stored: number;
  batches: number;
  largestBatch: number;
}

export interface WebhookIntake {
  /** Resolves with the event id once the event is on disk; rejects if it could not be stored. */
  accept(event: IncomingEvent): Promise<string>;
  readonly stats: IntakeStats;
  /** Waits until everything accepted so far is stored. */
  flush(): Promise<void>;
  /** Flushes, then stops the writer thread. */
  close(): Promise<void>;
}

export interface WebhookIntakeOptions {
  dbFile: string;
  log: Logger;
  /** Called after each batch is on disk, with the ids of the events whose processing jobs are queued. */
  onStored?(eventIds: string[]): void;
}

interface Waiting {
  resolve(id: string): void;
  reject(error: Error): void;
}

interface Pending extends Waiting {
  connectionId: string;
  body: Buffer;
}

export function createWebhookIntake(options: WebhookIntakeOptions): WebhookIntake {
  const worker = startWorker('intakeWorker', dirname(__filename), { workerData: { dbFile: options.dbFile } });
  const stats: IntakeStats = { stored: 0, batches: 0, largestBatch: 0 };
  /** Accepted, not yet sent to the writer. */
  let outbox: Pending[] = [];
  /** Sent to the writer, waiting for its commit (at most one batch at a time: that is the group commit). */
  let inFlight: Waiting[] | undefined;
  let sendScheduled = false;
  let drained: (() => void)[] = [];
  let closed = false;
  let stopped: Error | undefined;

  const settleDrained = (): void => {
    if (inFlight || outbox.length) return;
    for (const done of drained) done();
    drained = [];
  };

  // Everything accepted while the writer commits goes over in one message, the bodies packed into one
  // transferred buffer: a message (or a transfer) per event cost more CPU than the event's own insert.
  const send = (): void => {
    sendScheduled = false;
    if (inFlight || outbox.length === 0) return;
    const batch = outbox;
    outbox = [];
    let size = 0;
    for (const item of batch) size += item.body.length;
    const packed = Buffer.allocUnsafeSlow(size);
    const ends: number[] = [];
    let offset = 0;
    for (const item of batch) {
      offset += item.body.copy(packed, offset);
      ends.push(offset);
    }
    const message: IntakeBatch = {
      bodies: packed.buffer,
      connectionIds: batch.map((item) => item.connectionId),
      ends,
    };
    inFlight = batch;
    worker.postMessage(message, [packed.buffer]);
  };
  const scheduleSend = (): void => {
    // Same-turn arrivals join the batch; while a batch is in flight its reply triggers the next send.
    if (!sendScheduled && !inFlight) {
      sendScheduled = true;
      setImmediate(send);
    }
  };

  worker.on('message', (reply: IntakeReply) => {
    const batch = inFlight ?? [];
    inFlight = undefined;
    stats.batches++;
    stats.largestBatch = Math.max(stats.largestBatch, batch.length);
    const stored: string[] = [];
    reply.results.forEach((result, i) => {
      const item = batch[i];
      if ('error' in result) {
        item?.reject(new Error(result.error));
        return;
      }
      stats.stored++;
      stored.push(result.id);
      item?.resolve(result.id);
    });
    if (stored.length) options.onStored?.(stored);
    if (outbox.length) send();
    settleDrained();
  });
  const failAll = (error: Error): void => {
    stopped = error;
    for (const item of [...(inFlight ?? []), ...outbox]) item.reject(error);
    inFlight = undefined;
    outbox = [];
    settleDrained();
  };
  worker.on('error', (error) => {
    options.log.error('webhook intake writer crashed', { error });
    failAll(error);
  });
  worker.on('exit', () => failAll(new Error('The webhook intake writer has stopped.')));

  const flush = (): Promise<void> =>
    !inFlight && outbox.length === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => drained.push(resolve));

  return {
    stats,
    accept(event) {
      if (closed) return Promise.reject(new Error('The webhook intake is closed.'));
      if (stopped) return Promise.reject(stopped);
      return new Promise<string>((resolve, reject) => {
        outbox.push({ connectionId: event.connectionId, body: event.rawBody, resolve, reject });
        scheduleSend();
      });
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      await flush();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      await exited;
    },
  };
}
