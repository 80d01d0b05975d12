// The only SQL on `jobs`. Every statement is prepared once. Every change to a claimed job names its
// claim token, so a worker whose claim was lost (lease expired, crash recovery) changes nothing.
import type { Db } from '../db/open';
import { isUniqueViolation } from '../db/sql';
import type { QueueName, RetryDeadResult } from './types';

export interface NewJob {
  id: string;
  queue: QueueName;
  type: string;
  payload: string;
  runAt: number;
  maxAttempts: number;
  uniqueKey: string | undefined;
  now: number;
}

export interface ClaimedJob {
  id: string;
  type: string;
  payload: string;
  attempts: number;
  runs: number;
  maxAttempts: number;
  firstAttemptAt: number;
  token: string;
}

export interface JobRow {
  id: string;
  queue: QueueName;
  type: string;
  payload: string;
  state: 'queued' | 'running' | 'dead';
  run_at: number;
  attempts: number;
  runs: number;
  max_attempts: number;
  unique_key: string | null;
  claim_token: string | null;
  lease_until: number | null;
  last_error: string | null;
  first_attempt_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The fate of one claimed job, applied with its token. */
export type Settlement =
  | { kind: 'done'; id: string; token: string }
  | { kind: 'retry'; id: string; token: string; runAt: number; error: string; spendAttempt: boolean }
  | { kind: 'dead'; id: string; token: string; error: string };

export interface ReclaimResult {
  requeued: string[];
  dead: string[];
}

export interface JobStore {
  insert(job: NewJob): { id: string; created: boolean };
  /** Claims up to `limit` due jobs of a queue in one atomic UPDATE ... RETURNING, with a fresh token. */
  claim(queue: QueueName, limit: number, now: number, leaseUntil: number, token: string): ClaimedJob[];
  /** Applies many settlements in one transaction. Returns, per settlement, whether its token still held. */
  settle(settlements: readonly Settlement[], now: number): boolean[];
  extendLease(id: string, token: string, leaseUntil: number, now: number): boolean;
  /** Requeues (or dead-letters, when out of attempts) one job whose in-process run overran its lease. */
  expire(id: string, token: string, now: number, reason: string): 'queued' | 'dead' | undefined;
  /** At start-up: every job still 'running' was claimed by a process that is gone. One table scan. */
  reclaimInterrupted(now: number): ReclaimResult;
  retryDead(id: string, now: number): RetryDeadResult;
  nextRunAt(queue: QueueName): number | undefined;
  hasDue(queue: QueueName, now: number): boolean;
  /** Queued and dead jobs per queue, read from the partial indexes (no table scan). */
  counts(): { queue: QueueName; state: 'queued' | 'dead'; n: number }[];
  deadCount(): number;
  deadJobs(limit: number): JobRow[];
  get(id: string): JobRow | undefined;
  /** The queued or running job with this unique key, if any. */
  liveByKey(uniqueKey: string): Pick<JobRow, 'id' | 'queue' | 'state'> | undefined;
  /** A queued job due later than `runAt` becomes due at `runAt`. False when there was nothing to move. */
  runBy(id: string, runAt: number, now: number): boolean;
}

const MAX_ERROR_LENGTH = 2000;

export function clipError(message: string): string {
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH - 1)}…` : message;
}

export function createJobStore(db: Db): JobStore {
  const insert = db.prepare<unknown[], { id: string }>(
    `INSERT INTO jobs (id, queue, type, payload, state, run_at, attempts, runs, max_attempts, unique_key,
                       created_at, updated_at)
     VALUES (?, ?, ?, ?, 'queued', ?, 0, 0, ?, ?, ?, ?)
     ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING
     RETURNING id`,
  );
  const liveByKey = db
    .prepare<[string], string>(`SELECT id FROM jobs WHERE unique_key = ? AND state IN ('queued', 'running')`)
    .pluck();
  const liveRowByKey = db.prepare<[string], Pick<JobRow, 'id' | 'queue' | 'state'>>(
    `SELECT id, queue, state FROM jobs WHERE unique_key = ? AND state IN ('queued', 'running')`,
  );
  const runBy = db.prepare<[number, number, string, number]>(
    `UPDATE jobs SET run_at = ?, updated_at = ? WHERE id = ? AND state = 'queued' AND run_at > ?`,
  );
  // One statement: the subquery picks due jobs in order from the jobs_due index, the UPDATE takes them.
  // SQLite runs it under the write lock, so two claimers can never take the same row.
  const claim = db.prepare<
    { queue: string; now: number; limit: number; leaseUntil: number; token: string },
    {
      id: string;
      type: string;
      payload: string;
      attempts: number;
      runs: number;
      max_attempts: number;
      first_attempt_at: number;
    }
  >(
    `UPDATE jobs
        SET state = 'running', claim_token = @token, lease_until = @leaseUntil,
            attempts = attempts + 1, runs = runs + 1,
            first_attempt_at = coalesce(first_attempt_at, @now), updated_at = @now
      WHERE id IN (SELECT id FROM jobs WHERE queue = @queue AND state = 'queued' AND run_at <= @now
                   ORDER BY run_at LIMIT @limit)
      RETURNING id, type, payload, attempts, runs, max_attempts, first_attempt_at`,
  );
  const complete = db.prepare<[string, string]>(`DELETE FROM jobs WHERE id = ? AND claim_token = ?`);
  const requeue = db.prepare<{
    id: string;
    token: string;
    runAt: number;
    error: string;
    giveBack: number;
    now: number;
  }>(
    `UPDATE jobs
        SET state = 'queued', claim_token = NULL, lease_until = NULL, run_at = @runAt, last_error = @error,
            attempts = attempts - @giveBack, updated_at = @now
      WHERE id = @id AND claim_token = @token`,
  );
  const kill = db.prepare<{ id: string; token: string; error: string; now: number }>(
    `UPDATE jobs
        SET state = 'dead', claim_token = NULL, lease_until = NULL, last_error = @error, updated_at = @now
      WHERE id = @id AND claim_token = @token`,
  );
  const extend = db.prepare<[number, number, string, string]>(
    `UPDATE jobs SET lease_until = ?, updated_at = ? WHERE id = ? AND claim_token = ?`,
  );
  const expireOne = db.prepare<
    { id: string; token: string; now: number; reason: string },
    { state: 'queued' | 'dead' }
  >(
    `UPDATE jobs
        SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
            claim_token = NULL, lease_until = NULL, last_error = @reason, updated_at = @now
      WHERE id = @id AND claim_token = @token
      RETURNING state`,
  );
  const reclaimStmt = db.prepare<{ now: number }, { id: string; state: 'queued' | 'dead' }>(
    `UPDATE jobs
        SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
            last_error = CASE WHEN attempts >= max_attempts
                              THEN 'The app stopped while it ran, and it has no attempts left.'
                              ELSE 'The app stopped while it ran; requeued at start-up.' END,
            claim_token = NULL, lease_until = NULL, updated_at = @now
      WHERE state = 'running'
      RETURNING id, state`,
  );
  const revive = db.prepare<[number, number, string]>(
    `UPDATE jobs SET state = 'queued', attempts = 0, first_attempt_at = NULL, run_at = ?, updated_at = ?
      WHERE id = ? AND state = 'dead'`,
  );
  const nextRunAt = db
    .prepare<[string], number | null>(`SELECT min(run_at) FROM jobs WHERE queue = ? AND state = 'queued'`)
    .pluck();
  const hasDue = db
    .prepare<[string, number], number>(
      `SELECT EXISTS (SELECT 1 FROM jobs WHERE queue = ? AND state = 'queued' AND run_at <= ?)`,
    )
    .pluck();
  const counts = db.prepare<[], { queue: QueueName; state: 'queued' | 'dead'; n: number }>(
    `SELECT queue, 'queued' AS state, count(*) AS n FROM jobs WHERE state = 'queued' GROUP BY queue
     UNION ALL
     SELECT queue, 'dead' AS state, count(*) AS n FROM jobs WHERE state = 'dead' GROUP BY queue`,
  );
  const deadCount = db.prepare<[], number>(`SELECT count(*) FROM jobs WHERE state = 'dead'`).pluck();
  const deadJobs = db.prepare<[number], JobRow>(
    `SELECT * FROM jobs WHERE state = 'dead' ORDER BY updated_at DESC LIMIT ?`,
  );
  const get = db.prepare<[string], JobRow>(`SELECT * FROM jobs WHERE id = ?`);

  const settleAll = db.transaction((settlements: readonly Settlement[], now: number): boolean[] =>
    settlements.map((s) => {
      switch (s.kind) {
        case 'done':
          return complete.run(s.id, s.token).changes === 1;
        case 'retry':
          return (
            requeue.run({
              id: s.id,
              token: s.token,
              runAt: s.runAt,
              error: clipError(s.error),
              giveBack: s.spendAttempt ? 0 : 1,
              now,
            }).changes === 1
          );
        case 'dead':
          return kill.run({ id: s.id, token: s.token, error: clipError(s.error), now }).changes === 1;
      }
    }),
  );

  return {
    insert(job) {
      const row = insert.get(
        job.id,
        job.queue,
        job.type,
        job.payload,
        job.runAt,
        job.maxAttempts,
        job.uniqueKey ?? null,
        job.now,
        job.now,
      );
      if (row) return { id: row.id, created: true };
      // Only the unique_key conflict is turned into DO NOTHING, so a missing row means a live twin exists.
      const existing = liveByKey.get(job.uniqueKey!);
      if (existing === undefined)
        throw new Error(`Enqueue of ${job.type} neither inserted nor found a live job.`);
      return { id: existing, created: false };
    },

    claim(queue, limit, now, leaseUntil, token) {
      return claim.all({ queue, now, limit, leaseUntil, token }).map((row) => ({
        id: row.id,
        type: row.type,
        payload: row.payload,
        attempts: row.attempts,
        runs: row.runs,
        maxAttempts: row.max_attempts,
        firstAttemptAt: row.first_attempt_at,
        token,
      }));
    },

    settle(settlements, now) {
      return settlements.length === 0 ? [] : settleAll.immediate(settlements, now);
    },

    extendLease(id, token, leaseUntil, now) {
      return extend.run(leaseUntil, now, id, token).changes === 1;
    },

    expire(id, token, now, reason) {
      return expireOne.get({ id, token, now, reason: clipError(reason) })?.state;
    },

    reclaimInterrupted(now) {
      const rows = reclaimStmt.all({ now });
      return {
        requeued: rows.filter((r) => r.state === 'queued').map((r) => r.id),
        dead: rows.filter((r) => r.state === 'dead').map((r) => r.id),
      };
    },

    retryDead(id, now) {
      try {
        if (revive.run(now, now, id).changes === 1) return { ok: true };
      } catch (error) {
        if (isUniqueViolation(error)) {
          return {
            ok: false,
            code: 'CONFLICT',
            message:
              'Another job with the same key is already queued or running; this one was left as it is.',
          };
        }
        throw error;
      }
      return { ok: false, code: 'NOT_FOUND', message: `There is no failed job ${id} to retry.` };
    },

    nextRunAt: (queue) => nextRunAt.get(queue) ?? undefined,
    hasDue: (queue, now) => hasDue.get(queue, now) === 1,
    counts: () => counts.all(),
    deadCount: () => deadCount.get()!,
    deadJobs: (limit) => deadJobs.all(limit),
    get: (id) => get.get(id),
    liveByKey: (uniqueKey) => liveRowByKey.get(uniqueKey),
    runBy: (id, runAt, now) => runBy.run(runAt, now, id, runAt).changes === 1,
  };
}
