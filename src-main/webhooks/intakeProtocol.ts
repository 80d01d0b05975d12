// Messages between the main thread and the intake writer thread. The main thread sends what it
// accepted in one turn of its event loop as one batch; the writer commits every batch that reached it
// while it was committing the previous ones in one transaction (the group commit) and answers them
// with one reply. So messages follow the event-loop turns and the commits, not the requests, and the
// writer starts its next commit the moment the last one is on disk, without waiting for the main
// thread to notice the reply.
import type { QueueName } from '../queue/types';
import type { SignatureRefusal } from './verify';

export interface IntakeBatch {
  /** Every body of the batch back to back in one buffer, transferred (not copied) to the writer. */
  bodies: ArrayBuffer;
  /**
   * Per event, in order: its connection, where its body ends in `bodies`, its signature header, and
   * the app secret to check that signature with (as looked up when the request arrived).
   */
  connectionIds: string[];
  ends: number[];
  signatures: (string | null)[];
  appSecrets: string[];
}

/** Per event: its id once stored, why its signature was refused (nothing stored), or why it failed. */
export type IntakeResult = string | { refused: SignatureRefusal } | { error: string };

export interface IntakeReply {
  /** How many batches this commit answers: the oldest unanswered ones, in the order they were sent. */
  batches: number;
  /** Per event of those batches, in order. */
  results: IntakeResult[];
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
