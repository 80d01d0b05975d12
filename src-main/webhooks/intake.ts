// Durable webhook intake with group commit. Meta never re-sends an acknowledged webhook (§6), so the
// 200 goes out only after the raw event — and its processing job — is fsynced. The writing happens on
// a worker thread with its own connection (intakeWorker.ts): events that arrive while one batch is
// being fsynced form the next batch, so durability costs one fsync per batch, not per event, and the
// main thread never waits for the disk.
import { dirname } from 'node:path';
import { newId } from '../db/ids';
import type { Logger } from '../log';
import { startWorker } from '../workers/workerEntry';
import type { IntakeReply, IntakeRequest } from './intakeProtocol';

export interface IncomingEvent {
  connectionId: string;
  /** The signed body as received; the writer checks its shape and stores odd ones as 'unparseable'. */
  rawBody: Buffer;
}

export interface IntakeStats {
  stored: number;
  unparseable: number;
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

export function createWebhookIntake(options: WebhookIntakeOptions): WebhookIntake {
  const worker = startWorker('intakeWorker', dirname(__filename), { workerData: { dbFile: options.dbFile } });
  const waiting = new Map<string, Waiting>();
  const stats: IntakeStats = { stored: 0, unparseable: 0, batches: 0, largestBatch: 0 };
  let drained: (() => void)[] = [];
  let closed = false;

  worker.on('message', (reply: IntakeReply) => {
    stats.batches++;
    stats.largestBatch = Math.max(stats.largestBatch, reply.stored.length + reply.failed.length);
    const unparseable = new Set(reply.unparseable);
    const processable: string[] = [];
    for (const id of reply.stored) {
      const item = waiting.get(id);
      waiting.delete(id);
      stats.stored++;
      if (unparseable.has(id)) stats.unparseable++;
      else processable.push(id);
      item?.resolve(id);
    }
    for (const failure of reply.failed) {
      waiting.get(failure.id)?.reject(new Error(failure.message));
      waiting.delete(failure.id);
    }
    if (processable.length) options.onStored?.(processable);
    if (waiting.size === 0) {
      for (const done of drained) done();
      drained = [];
    }
  });
  const failAll = (error: Error): void => {
    for (const item of waiting.values()) item.reject(error);
    waiting.clear();
    for (const done of drained) done();
    drained = [];
  };
  worker.on('error', (error) => {
    options.log.error('webhook intake writer crashed', { error });
    failAll(error);
  });
  worker.on('exit', () => failAll(new Error('The webhook intake writer has stopped.')));

  const flush = (): Promise<void> =>
    waiting.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve));

  // Events accepted during one turn of the event loop cross to the writer in one message: under load a
  // turn parses many requests, and a message per event cost more than the event's own insert.
  let outbox: IntakeRequest[] = [];
  const send = (): void => {
    const batch = outbox;
    outbox = [];
    worker.postMessage(
      batch,
      batch.map((request) => request.body),
    );
  };

  return {
    stats,
    accept(event) {
      if (closed) return Promise.reject(new Error('The webhook intake is closed.'));
      const id = newId();
      // Copy into a buffer of its own so it can be transferred without touching Node's shared pool.
      const body = new Uint8Array(event.rawBody).buffer;
      if (outbox.length === 0) setImmediate(send);
      outbox.push({ id, connectionId: event.connectionId, body });
      return new Promise<string>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
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
