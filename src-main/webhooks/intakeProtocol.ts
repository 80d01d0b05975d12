// Messages between the main thread and the intake writer thread.
import type { QueueName } from '../queue/types';

export interface IntakeRequest {
  id: string;
  connectionId: string;
  /** The raw body, transferred (not copied) to the writer. */
  body: ArrayBuffer;
}

export interface IntakeReply {
  stored: string[];
  /** Stored, but as 'unparseable' (no processing job). */
  unparseable: string[];
  failed: { id: string; message: string }[];
}

/** The job that processes one stored event; registered by the core (webhooks.jobs.ts). */
export const processJobType = 'webhooks.process';
export const processJobDefaults: { queue: QueueName; maxAttempts: number } = {
  queue: 'default',
  maxAttempts: 10,
};
