// Messages between the main thread and the intake writer thread. One batch goes each way per group
// commit: the main thread holds what arrives while the writer is committing and sends it all when the
// writer answers, so the number of messages follows the commits, not the requests.
import type { QueueName } from '../queue/types';

export interface IntakeBatch {
  /** Every body of the batch back to back in one buffer, transferred (not copied) to the writer. */
  bodies: ArrayBuffer;
  /** Per event, in order: its connection, and where its body ends in `bodies`. */
  connectionIds: string[];
  ends: number[];
}

/** Per event of the batch, in the same order. */
export type IntakeResult = { id: string } | { error: string };

export interface IntakeReply {
  results: IntakeResult[];
}

/**
 * The job that processes the events of one committed batch (one job per batch, not per event: the
 * job's insert cost as much as the event's own). Registered by the webhooks module.
 */
export const processJobType = 'webhooks.process';
export const processJobDefaults: { queue: QueueName; maxAttempts: number } = {
  queue: 'default',
  maxAttempts: 10,
};
