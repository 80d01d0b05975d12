// The job queue's public types. Handlers live in each domain's <domain>.jobs.ts and register here.
import type { z } from 'zod';

export const queueNames = ['default', 'campaigns', 'chatbots'] as const;
export type QueueName = (typeof queueNames)[number];

/** What a handler may return. Returning nothing means done. */
export type JobOutcome =
  | { kind: 'done' }
  /** Try again after a backoff (or `delayMs`); spends an attempt. */
  | { kind: 'retry'; reason: string; delayMs?: number }
  /** Run again at `at` without spending an attempt: for rate limits and "not yet". */
  | { kind: 'retryAt'; at: number; reason?: string }
  /** Give up now: the job is dead-lettered with `reason` and can be retried by hand. */
  | { kind: 'dead'; reason: string };

export const done = (): JobOutcome => ({ kind: 'done' });
export const retry = (reason: string, delayMs?: number): JobOutcome => ({ kind: 'retry', reason, delayMs });
export const retryAt = (at: number, reason?: string): JobOutcome => ({ kind: 'retryAt', at, reason });
export const deadLetter = (reason: string): JobOutcome => ({ kind: 'dead', reason });

export interface JobContext {
  readonly jobId: string;
  readonly type: string;
  readonly queue: QueueName;
  /**
   * 1 on the first run. Larger on every re-run that spent an attempt — including a run interrupted by a
   * crash — so an idempotent handler can tell "I may have done this before".
   */
  readonly attempt: number;
  /** Every start so far including this one; never given back (a retryAt re-run counts here). */
  readonly runs: number;
  readonly maxAttempts: number;
  /** Aborted when the job's lease runs out or the queue stops without waiting any longer. */
  readonly signal: AbortSignal;
  /** A push event for the UI (not persisted). */
  progress(data: unknown): void;
  /** Heartbeat for long work: the lease runs `ms` from now (default: the type's leaseMs). */
  extendLease(ms?: number): boolean;
}

export interface BackoffOptions {
  /** First retry delay (before jitter). Default 1 s. */
  baseMs?: number;
  /** Each retry waits factor times longer. Default 2. */
  factor?: number;
  /** Cap on one delay. Default 10 min. */
  maxMs?: number;
}

export interface JobDefinition<S extends z.ZodType> {
  queue: QueueName;
  schema: S;
  handler: (payload: z.output<S>, ctx: JobContext) => Promise<JobOutcome | void> | JobOutcome | void;
  /** Default 5. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Retries stop (dead-letter) once this long has passed since the first attempt. Default 24 h. */
  retryBudgetMs?: number;
  /** A run taking longer is presumed stuck: its signal aborts and the job is requeued. Default 5 min. */
  leaseMs?: number;
}

export interface EnqueueOptions {
  /** Not before this time (epoch ms). Default now. */
  runAt?: number;
  /** While a job with this key is queued or running, enqueueing another is a no-op. */
  uniqueKey?: string;
  maxAttempts?: number;
}

export interface EnqueueResult {
  id: string;
  /** False when uniqueKey matched a live job: `id` is that job. */
  created: boolean;
}

export interface JobType<S extends z.ZodType> {
  readonly type: string;
  readonly queue: QueueName;
  enqueue(payload: z.input<S>, options?: EnqueueOptions): EnqueueResult;
}

interface JobEventBase {
  queue: QueueName;
  jobType: string;
  jobId: string;
}

export type QueueEvent =
  | ({ type: 'job:started'; attempt: number } & JobEventBase)
  | ({ type: 'job:progress'; data: unknown } & JobEventBase)
  | ({ type: 'job:done'; attempt: number } & JobEventBase)
  | ({ type: 'job:retrying'; attempt: number; runAt: number; reason: string } & JobEventBase)
  | ({ type: 'job:dead'; attempt: number; reason: string } & JobEventBase)
  | ({ type: 'job:lost'; reason: string } & JobEventBase)
  | { type: 'queue:paused'; queue: QueueName }
  | { type: 'queue:resumed'; queue: QueueName };

export type QueueListener = (event: QueueEvent) => void;

export interface LaneStats {
  queue: QueueName;
  concurrency: number;
  paused: boolean;
  /** Running in this process now (the only process that runs jobs). */
  active: number;
  queued: number;
  dead: number;
}

export type RetryDeadResult = { ok: true } | { ok: false; code: 'NOT_FOUND' | 'CONFLICT'; message: string };
