// Messages between the main thread and the intake writer thread. The main thread sends what it
// accepted in one turn of its event loop as one batch; the writer commits every batch that reached it
// while it was committing the previous ones in one transaction (the group commit) and answers them
// with one reply. So messages follow the event-loop turns and the commits, not the requests, and the
// writer starts its next commit the moment the last one is on disk, without waiting for the main
// thread to notice the reply.
import type { QueueName } from '../queue/types';
import type { SignatureRefusal } from './verify';

/**
 * What the main thread accepted in one turn, in one transferred buffer. Structured-cloning four
 * arrays of strings per batch (connection id, signature and app secret per event) cost ~40 µs per
 * message on the main thread, more than the transfer itself; a connection's id and secret now go
 * once per batch, and each event's signature travels in the buffer beside its body.
 */
export interface IntakeBatch {
  /** Per event: connection index (u32), signature length (u32, 0xffffffff: none), body length (u32), signature (latin1), body. */
  bytes: ArrayBuffer;
  count: number;
  /** The batch's connections and, at the same index, the app secret their events are checked with. */
  connectionIds: string[];
  appSecrets: string[];
}

/** One event as the writer sees it. */
export interface PackedEvent {
  connectionId: string;
  /** The X-Hub-Signature-256 header as received (latin1), or null without one. */
  signature: string | null;
  appSecret: string;
  body: Buffer;
}

const noSignature = 0xffffffff;
const recordHeadBytes = 12;

/** An event as the main thread hands it over (the intake's IncomingEvent). */
export interface EventToPack {
  connectionId: string;
  signature: string | undefined;
  appSecret: string;
  rawBody: Buffer;
}

/** Packs events into one IntakeBatch (its `bytes` to be transferred). */
export function packBatch(events: readonly EventToPack[]): IntakeBatch {
  const connectionIds: string[] = [];
  const appSecrets: string[] = [];
  const connectionIndex = new Map<string, number>();
  let size = 0;
  for (const { signature, rawBody } of events) {
    size += recordHeadBytes + (signature === undefined ? 0 : signature.length) + rawBody.length;
  }
  const packed = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const { connectionId, signature, appSecret, rawBody: body } of events) {
    // A connection's secret can change between two requests of a batch: key on both.
    const key = `${connectionId}\n${appSecret}`;
    let index = connectionIndex.get(key);
    if (index === undefined) {
      index = connectionIds.length;
      connectionIndex.set(key, index);
      connectionIds.push(connectionId);
      appSecrets.push(appSecret);
    }
    packed.writeUInt32LE(index, at);
    packed.writeUInt32LE(signature === undefined ? noSignature : signature.length, at + 4);
    packed.writeUInt32LE(body.length, at + 8);
    at += recordHeadBytes;
    if (signature !== undefined) at += packed.write(signature, at, 'latin1');
    at += body.copy(packed, at);
  }
  return { bytes: packed.buffer, count: events.length, connectionIds, appSecrets };
}

/** The events of a batch, in order; the bodies are views into its buffer. */
export function unpackBatch(batch: IntakeBatch): PackedEvent[] {
  const bytes = Buffer.from(batch.bytes);
  const events: PackedEvent[] = [];
  let at = 0;
  for (let i = 0; i < batch.count; i++) {
    const index = bytes.readUInt32LE(at);
    const signatureLength = bytes.readUInt32LE(at + 4);
    const bodyLength = bytes.readUInt32LE(at + 8);
    at += recordHeadBytes;
    let signature: string | null = null;
    if (signatureLength !== noSignature) {
      signature = bytes.toString('latin1', at, at + signatureLength);
      at += signatureLength;
    }
    events.push({
      connectionId: batch.connectionIds[index]!,
      appSecret: batch.appSecrets[index]!,
      signature,
      body: bytes.subarray(at, at + bodyLength),
    });
    at += bodyLength;
  }
  return events;
}

/** Per event: its id once stored, why its signature was refused (nothing stored), or why it failed. */
export type IntakeResult = string | { refused: SignatureRefusal } | { error: string };

/**
 * The writer's answer to the oldest unanswered batches, in the order they were sent. The ids of the
 * stored events go as one string (one string clones in one copy; an array of them, string by string).
 */
export interface IntakeReply {
  /** How many batches this answers. */
  batches: number;
  /** Per event of those batches, in order, separated by ',': its id if stored, '' if not. */
  ids: string;
  /** The events not stored, by their index in `ids`, with why. */
  others: [index: number, result: Exclude<IntakeResult, string>][];
}

/** Builds a reply from each event's result. */
export function replyOf(batches: number, results: readonly IntakeResult[]): IntakeReply {
  const others: IntakeReply['others'] = [];
  const ids = results.map((result, i) => {
    if (typeof result === 'string') return result;
    others.push([i, result]);
    return '';
  });
  return { batches, ids: ids.join(','), others };
}

/** Each event's result from a reply. */
export function resultsOf(reply: IntakeReply): IntakeResult[] {
  const results: IntakeResult[] = reply.ids.split(',');
  for (const [index, result] of reply.others) results[index] = result;
  return results;
}

/** Main thread to the checkpoint thread: copy the WAL into the database file. */
export type CheckpointRequest = 'checkpoint' | 'close';

/**
 * Main thread to the writer, besides batches: 'finish-checkpoint' once the checkpoint thread has
 * copied the WAL (the writer copies the rest between two commits, so the WAL restarts).
 */
export type IntakeControl = 'finish-checkpoint' | 'close';

/**
 * The job that processes the events of one committed batch (one job per commit, not per event: the
 * job's insert cost as much as the event's own). Registered by the webhooks module.
 */
export const processJobType = 'webhooks.process';
export const processJobDefaults: { queue: QueueName; maxAttempts: number } = {
  queue: 'default',
  maxAttempts: 10,
};
