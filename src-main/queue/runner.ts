// The durable job queue (Signal's JobQueue, in SQLite): jobs are rows, enqueued synchronously so they
// can commit in the caller's transaction; three lanes (default, campaigns, chatbots) each with its own
// concurrency; at-least-once execution with the attempt number visible to the handler.
//
// Throughput without one fsync per job: a lane claims a batch of due jobs in one UPDATE ... RETURNING,
// and the outcomes of every job that finished in the same event-loop turn are written in one
// transaction. With WAL + synchronous=NORMAL (db/open.ts) a commit is an append to the WAL, durable
// against a crash of the app. The window between a handler finishing and its outcome being written is
// one turn of the event loop; a crash inside it means the job runs again, with a higher attempt number,
// which is the at-least-once contract handlers are written for anyway.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ComponentState } from '../../src-preload/contract';
import { newId } from '../db/ids';
import type { Db } from '../db/open';
import type { Logger } from '../log';
import { backoffDelay } from './backoff';
import { createJobStore, type ClaimedJob, type JobRow, type JobStore, type Settlement } from './store';
import {
  queueNames,
  type EnqueueOptions,
  type EnqueueResult,
  type JobContext,
  type JobDefinition,
  type JobOutcome,
  type JobType,
  type LaneStats,
  type QueueEvent,
  type QueueListener,
  type QueueName,
  type RetryDeadResult,
} from './types';

export interface JobQueueOptions {
  db: Db;
  log?: Logger;
  now?: () => number;
  random?: () => number;
  concurrency?: Partial<Record<QueueName, number>>;
  /** How often leases are checked and an idle lane looks for due jobs anyway. Default 1 s. */
  pollMs?: number;
  /** Upper bound on jobs claimed by one statement (bounds how long one step blocks the thread). */
  claimBatch?: number;
}

export interface JobQueue {
  /** Registers a job type; returns a typed enqueuer. Register every type before start(). */
  register<S extends z.ZodType>(type: string, definition: JobDefinition<S>): JobType<S>;
  /**
   * Synchronous, so it can run inside the caller's db.transaction: the job commits (or rolls back) with
   * the caller's rows. Validates the payload against the type's schema first; throws if it does not fit.
   */
  enqueue(type: string, payload: unknown, options?: EnqueueOptions): EnqueueResult;
  /**
   * Jobs were written by another connection (the webhook intake's writer thread): look for due work
   * now instead of at the next poll.
   */
  notify(queue: QueueName): void;
  /** Requeues jobs a crash left running, then starts claiming. */
  start(): void;
  /** Stops claiming, waits up to timeoutMs for running jobs, then aborts them. Their outcomes are saved. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  pause(queue: QueueName): void;
  resume(queue: QueueName): void;
  setConcurrency(queue: QueueName, concurrency: number): void;
  /**
   * The live job with this unique key runs no later than `runAt` (default now): a queued job due later
   * is moved up, and a running one that reschedules itself (retryAt) later than that runs by then.
   * For a setting changed while a handler sleeps on the old one. False when no such job is live.
   */
  expedite(uniqueKey: string, runAt?: number): boolean;
  /** A dead-lettered job gets a fresh set of attempts. */
  retryDead(jobId: string): RetryDeadResult;
  deadJobs(limit?: number): JobRow[];
  stats(): LaneStats[];
  health(): { state: ComponentState; detail?: string };
  onEvent(listener: QueueListener): () => void;
  /** Resolves when no job is running here and none is due (delayed jobs may remain). For tests/benches. */
  whenIdle(): Promise<void>;
}

interface Registered {
  type: string;
  queue: QueueName;
  schema: z.ZodType;
  handler: (payload: unknown, ctx: JobContext) => Promise<JobOutcome | void> | JobOutcome | void;
  maxAttempts: number;
  backoff: JobDefinition<z.ZodType>['backoff'];
  retryBudgetMs: number;
  leaseMs: number;
}

interface Lane {
  name: QueueName;
  concurrency: number;
  paused: boolean;
  active: number;
  pumpScheduled: boolean;
  wakeTimer: NodeJS.Timeout | undefined;
  wakeAt: number;
}

interface Run {
  job: ClaimedJob;
  lane: Lane;
  def: Registered | undefined;
  deadline: number;
  controller: AbortController | undefined;
  /** The claim was taken away (lease expiry): whatever the handler returns is ignored. */
  lost: boolean;
  /** expedite() during the run: a retryAt outcome runs no later than this. */
  runBy: number;
}

// Handlers mostly wait (an API call, a rate-limit slot): at 80 sends/s and ~300 ms per Cloud API call a
// lane needs ~24 in flight. Webhook processing is short SQLite work, batched per claim. Bots are per
// conversation and rate-limited to 5/min each, so a few suffice.
const DEFAULT_CONCURRENCY: Record<QueueName, number> = { default: 32, campaigns: 32, chatbots: 8 };
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_LEASE_MS = 5 * 60_000;
const DEFAULT_RETRY_BUDGET_MS = 24 * 60 * 60_000;
const MAX_CONCURRENCY = 1024;

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

const outcomeKinds = new Set<string>(['done', 'retry', 'retryAt', 'dead']);

function isOutcome(value: unknown): value is JobOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    outcomeKinds.has((value as { kind?: unknown }).kind as string)
  );
}

function checkConcurrency(queue: QueueName, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) {
    throw new RangeError(
      `Concurrency of queue ${queue} must be an integer from 1 to ${MAX_CONCURRENCY}, got ${n}.`,
    );
  }
  return n;
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { db, log } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const pollMs = options.pollMs ?? 1000;
  const claimBatch = options.claimBatch ?? 256;
  const store: JobStore = createJobStore(db);
  const types = new Map<string, Registered>();
  const listeners = new Set<QueueListener>();
  const lanes = new Map<QueueName, Lane>(
    queueNames.map((name) => [
      name,
      {
        name,
        concurrency: checkConcurrency(name, options.concurrency?.[name] ?? DEFAULT_CONCURRENCY[name]),
        paused: false,
        active: 0,
        pumpScheduled: false,
        wakeTimer: undefined,
        wakeAt: Infinity,
      },
    ]),
  );
  const runs = new Map<string, Run>();
  let pending: { run: Run; settlement: Settlement; event: QueueEvent | undefined }[] = [];
  let flushScheduled = false;
  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  let sweepTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const idleWaiters: (() => void)[] = [];
  const drainWaiters: (() => void)[] = [];

  function emit(event: QueueEvent): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log?.error('queue: event listener failed', { error });
      }
    }
  }

  function laneOf(name: QueueName): Lane {
    const lane = lanes.get(name);
    if (!lane) throw new Error(`Unknown queue ${String(name)}: queues are ${queueNames.join(', ')}.`);
    return lane;
  }

  function queueLeaseMs(lane: Lane): number {
    let lease = DEFAULT_LEASE_MS;
    for (const def of types.values()) if (def.queue === lane.name) lease = Math.max(lease, def.leaseMs);
    return lease;
  }

  // ---- claiming ------------------------------------------------------------------------------------

  function schedulePump(lane: Lane): void {
    if (lane.pumpScheduled || state !== 'running') return;
    lane.pumpScheduled = true;
    setImmediate(() => {
      lane.pumpScheduled = false;
      pump(lane);
    });
  }

  function pump(lane: Lane): void {
    if (state !== 'running') return;
    if (lane.paused) {
      checkIdle();
      return;
    }
    flush();
    while (lane.active < lane.concurrency) {
      const want = Math.min(lane.concurrency - lane.active, claimBatch);
      const t = now();
      let claimed: ClaimedJob[];
      try {
        claimed = store.claim(lane.name, want, t, t + queueLeaseMs(lane), randomUUID());
      } catch (error) {
        // A busy or failing store: try again at the next poll instead of giving up the lane.
        log?.error('queue: claim failed', { queue: lane.name, error });
        setWake(lane, t + pollMs);
        break;
      }
      for (const job of claimed) start(lane, job, t);
      if (claimed.length < want) {
        armWake(lane);
        break;
      }
    }
    checkIdle();
  }

  /** Sets the lane's timer for its next delayed job, or a poll if it has none. */
  function armWake(lane: Lane): void {
    const next = store.nextRunAt(lane.name);
    const t = now();
    if (next === undefined) {
      setWake(lane, t + pollMs);
    } else if (next <= t) {
      // Became due since the claim read the clock (a timer can fire a millisecond early against
      // Date.now): claim again now. Waiting for the poll here once slept a due job a whole poll.
      schedulePump(lane);
    } else {
      setWake(lane, Math.min(next, t + pollMs));
    }
  }

  function setWake(lane: Lane, at: number): void {
    if (lane.wakeTimer && lane.wakeAt <= at) return;
    if (lane.wakeTimer) clearTimeout(lane.wakeTimer);
    lane.wakeAt = at;
    lane.wakeTimer = setTimeout(
      () => {
        lane.wakeTimer = undefined;
        lane.wakeAt = Infinity;
        pump(lane);
      },
      Math.max(1, Math.ceil(at - now())),
    );
  }

  // ---- running ---------------------------------------------------------------------------------------

  function start(lane: Lane, job: ClaimedJob, t: number): void {
    const def = types.get(job.type);
    const run: Run = {
      job,
      lane,
      def,
      deadline: t + (def?.leaseMs ?? DEFAULT_LEASE_MS),
      controller: undefined,
      lost: false,
      runBy: Infinity,
    };
    lane.active += 1;
    runs.set(job.id, run);
    if (listeners.size > 0) {
      emit({
        type: 'job:started',
        queue: lane.name,
        jobType: job.type,
        jobId: job.id,
        attempt: job.attempts,
      });
    }
    void execute(run).then(
      (outcome) => finish(run, outcome),
      (error: unknown) => finish(run, { kind: 'retry', reason: errorMessage(error) }),
    );
  }

  async function execute(run: Run): Promise<JobOutcome> {
    const { job, def } = run;
    if (!def) return { kind: 'dead', reason: `No handler is registered for job type "${job.type}".` };
    let raw: unknown;
    try {
      raw = JSON.parse(job.payload);
    } catch (error) {
      return { kind: 'dead', reason: `Unparseable payload: not valid JSON (${errorMessage(error)}).` };
    }
    const parsed = def.schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      return {
        kind: 'dead',
        reason: `Unparseable payload for ${job.type}${where}: ${issue?.message ?? 'invalid'}.`,
      };
    }
    const ctx: JobContext = {
      jobId: job.id,
      type: job.type,
      queue: run.lane.name,
      attempt: job.attempts,
      runs: job.runs,
      maxAttempts: job.maxAttempts,
      // Created on first use: most handlers never look, and an AbortController per job is not free.
      get signal() {
        run.controller ??= new AbortController();
        return run.controller.signal;
      },
      progress(data) {
        if (!run.lost && listeners.size > 0) {
          emit({ type: 'job:progress', queue: run.lane.name, jobType: job.type, jobId: job.id, data });
        }
      },
      extendLease(ms = def.leaseMs) {
        if (run.lost || state === 'stopped') return false;
        const t = now();
        if (!store.extendLease(job.id, job.token, t + ms, t)) return false;
        run.deadline = t + ms;
        return true;
      },
    };
    try {
      const result: unknown = await def.handler(parsed.data, ctx);
      // A handler typed `() => void` may still return something (an arrow's expression): only a real
      // outcome means anything; everything else is "done", as for any void function.
      return isOutcome(result) ? result : { kind: 'done' };
    } catch (error) {
      return { kind: 'retry', reason: errorMessage(error) };
    }
  }

  function finish(run: Run, outcome: JobOutcome): void {
    const { job, lane, def } = run;
    lane.active -= 1;
    // A lost run's job may already be running again under the same id: leave that run's entry alone.
    if (runs.get(job.id) === run) runs.delete(job.id);
    if (run.lost) {
      log?.warn('queue: a job finished after its claim was taken away; its outcome is ignored', {
        jobId: job.id,
        type: job.type,
      });
    } else {
      queueSettlement(run, outcome, def);
    }
    if (lane.active === 0 && state === 'stopping' && totalActive() === 0) {
      for (const resolve of drainWaiters.splice(0)) resolve();
    }
    schedulePump(lane);
  }

  function queueSettlement(run: Run, outcome: JobOutcome, def: Registered | undefined): void {
    const { job, lane } = run;
    const base = { queue: lane.name, jobType: job.type, jobId: job.id };
    const t = now();
    let settlement: Settlement;
    let event: QueueEvent;
    switch (outcome.kind) {
      case 'done':
        settlement = { kind: 'done', id: job.id, token: job.token };
        event = { type: 'job:done', attempt: job.attempts, ...base };
        break;
      case 'retryAt': {
        const asked = Number.isFinite(outcome.at) ? Math.trunc(outcome.at) : t;
        const runAt = Math.max(t, Math.min(asked, run.runBy));
        const reason = outcome.reason ?? 'Rescheduled by the handler.';
        settlement = {
          kind: 'retry',
          id: job.id,
          token: job.token,
          runAt,
          error: reason,
          spendAttempt: false,
        };
        event = { type: 'job:retrying', attempt: job.attempts, runAt, reason, ...base };
        break;
      }
      case 'retry': {
        const delay =
          outcome.delayMs !== undefined && Number.isFinite(outcome.delayMs) && outcome.delayMs >= 0
            ? Math.trunc(outcome.delayMs)
            : backoffDelay(job.attempts, def?.backoff, random);
        const runAt = t + delay;
        const budgetEnd = job.firstAttemptAt + (def?.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS);
        if (job.attempts >= job.maxAttempts || runAt > budgetEnd) {
          const why =
            job.attempts >= job.maxAttempts
              ? `Failed ${job.attempts} time(s), no attempts left`
              : `Still failing when its retry time budget ran out`;
          const reason = `${why}. Last error: ${outcome.reason}`;
          settlement = { kind: 'dead', id: job.id, token: job.token, error: reason };
          event = { type: 'job:dead', attempt: job.attempts, reason, ...base };
        } else {
          settlement = {
            kind: 'retry',
            id: job.id,
            token: job.token,
            runAt,
            error: outcome.reason,
            spendAttempt: true,
          };
          event = { type: 'job:retrying', attempt: job.attempts, runAt, reason: outcome.reason, ...base };
        }
        break;
      }
      case 'dead':
        settlement = { kind: 'dead', id: job.id, token: job.token, error: outcome.reason };
        event = { type: 'job:dead', attempt: job.attempts, reason: outcome.reason, ...base };
        break;
    }
    if (event.type === 'job:dead')
      log?.warn('queue: job dead-lettered', { jobId: job.id, type: job.type, reason: event.reason });
    pending.push({ run, settlement, event });
    if (settlement.kind === 'retry') setWake(lane, settlement.runAt);
    scheduleFlush();
  }

  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  }

  /** Writes every outcome gathered since the last flush in one transaction, then announces them. */
  function flush(): void {
    flushScheduled = false;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    if (!db.open) {
      log?.warn('queue: outcomes arrived after the database closed; those jobs will run again', {
        count: batch.length,
      });
      return;
    }
    let applied: boolean[];
    try {
      applied = store.settle(
        batch.map((p) => p.settlement),
        now(),
      );
    } catch (error) {
      // The jobs stay 'running' in the store and run again at the next start (at-least-once).
      log?.error('queue: could not save job outcomes; those jobs will run again', {
        count: batch.length,
        error,
      });
      return;
    }
    batch.forEach((item, i) => {
      if (!applied[i]) {
        const reason = 'Its claim token no longer matched (the job was reclaimed); outcome ignored.';
        log?.warn('queue: stale outcome ignored', { jobId: item.settlement.id });
        if (listeners.size > 0) {
          emit({
            type: 'job:lost',
            queue: item.run.lane.name,
            jobType: item.run.job.type,
            jobId: item.run.job.id,
            reason,
          });
        }
      } else if (item.event && listeners.size > 0) {
        emit(item.event);
      }
    });
  }

  // ---- leases and idleness -------------------------------------------------------------------------

  function sweep(): void {
    if (state !== 'running') return;
    const t = now();
    for (const run of runs.values()) {
      if (run.lost || t < run.deadline) continue;
      run.lost = true;
      const reason = `Ran longer than its lease (${run.def?.leaseMs ?? DEFAULT_LEASE_MS} ms); presumed stuck.`;
      const fate = store.expire(run.job.id, run.job.token, t, reason);
      run.controller?.abort(new Error(reason));
      log?.warn('queue: job lease expired', { jobId: run.job.id, type: run.job.type, fate });
      if (listeners.size > 0) {
        emit({ type: 'job:lost', queue: run.lane.name, jobType: run.job.type, jobId: run.job.id, reason });
      }
      // Its slot stays taken until the handler really returns: concurrency bounds real work.
      schedulePump(run.lane);
    }
  }

  function totalActive(): number {
    let n = 0;
    for (const lane of lanes.values()) n += lane.active;
    return n;
  }

  function checkIdle(): void {
    if (idleWaiters.length === 0) return;
    if (totalActive() > 0 || pending.length > 0) return;
    const t = now();
    for (const lane of lanes.values()) if (!lane.paused && store.hasDue(lane.name, t)) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  async function drainAndStop(timeoutMs: number): Promise<void> {
    const wasRunning = state === 'running';
    state = 'stopping';
    if (sweepTimer) clearInterval(sweepTimer);
    for (const lane of lanes.values()) {
      if (lane.wakeTimer) clearTimeout(lane.wakeTimer);
      lane.wakeTimer = undefined;
    }
    if (wasRunning && totalActive() > 0) {
      const drained = new Promise<void>((resolve) => drainWaiters.push(resolve));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
      );
      if ((await Promise.race([drained, timedOut])) === 'timeout') {
        log?.warn('queue: jobs still running at shutdown were aborted; they will run again at next start', {
          running: totalActive(),
        });
        for (const run of runs.values()) {
          run.controller ??= new AbortController();
          run.controller.abort(new Error('The app is shutting down.'));
        }
        // Give aborted handlers a moment to return, so their outcome can still be saved.
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([drained, new Promise<void>((resolve) => (grace = setTimeout(resolve, 1000)))]);
        clearTimeout(grace);
      }
      clearTimeout(timer);
    }
    flush();
    state = 'stopped';
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  // ---- public API ----------------------------------------------------------------------------------

  const queue: JobQueue = {
    register<S extends z.ZodType>(type: string, definition: JobDefinition<S>): JobType<S> {
      if (typeof type !== 'string' || type.length === 0 || type.length > 100) {
        throw new Error('A job type must be a non-empty string of at most 100 characters.');
      }
      if (types.has(type)) throw new Error(`Job type ${type} is already registered.`);
      laneOf(definition.queue);
      const maxAttempts = definition.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
        throw new RangeError(`maxAttempts must be >= 1 for ${type}.`);
      types.set(type, {
        type,
        queue: definition.queue,
        schema: definition.schema,
        handler: definition.handler as Registered['handler'],
        maxAttempts,
        backoff: definition.backoff,
        retryBudgetMs: definition.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS,
        leaseMs: definition.leaseMs ?? DEFAULT_LEASE_MS,
      });
      return {
        type,
        queue: definition.queue,
        enqueue: (payload, enqueueOptions) => queue.enqueue(type, payload, enqueueOptions),
      };
    },

    enqueue(type, payload, enqueueOptions = {}) {
      const def = types.get(type);
      if (!def) throw new Error(`Cannot enqueue unknown job type "${type}": register it first.`);
      const parsed = def.schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
        throw new Error(`Invalid payload for job ${type}${where}: ${issue?.message ?? 'invalid'}`);
      }
      const { runAt, uniqueKey } = enqueueOptions;
      const maxAttempts = enqueueOptions.maxAttempts ?? def.maxAttempts;
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
        throw new RangeError('maxAttempts must be an integer >= 1.');
      if (runAt !== undefined && !Number.isFinite(runAt))
        throw new RangeError('runAt must be epoch milliseconds.');
      if (uniqueKey !== undefined && (typeof uniqueKey !== 'string' || uniqueKey.length === 0)) {
        throw new Error('uniqueKey must be a non-empty string.');
      }
      const t = now();
      const result = store.insert({
        id: newId(t),
        queue: def.queue,
        type,
        // The parsed value, so defaults and transforms in the schema are applied once, at enqueue.
        payload: JSON.stringify(parsed.data),
        runAt: Math.trunc(runAt ?? t),
        maxAttempts,
        uniqueKey,
        now: t,
      });
      if (result.created && state === 'running') {
        const lane = laneOf(def.queue);
        // If the caller's transaction is still open, this runs after it commits (or rolls back): better-
        // sqlite3 transactions are synchronous and cannot span a turn of the event loop.
        if (runAt !== undefined && runAt > t) setWake(lane, runAt);
        else schedulePump(lane);
      }
      return result;
    },

    notify(name) {
      if (state === 'running') schedulePump(laneOf(name));
    },

    start() {
      if (state !== 'new') throw new Error(`The job queue cannot start: it is ${state}.`);
      // Whatever is still 'running' was claimed by a process that is gone (the app is single-instance).
      const reclaimed = store.reclaimInterrupted(now());
      if (reclaimed.requeued.length + reclaimed.dead.length > 0) {
        log?.warn('queue: requeued jobs interrupted by the last stop', {
          requeued: reclaimed.requeued.length,
          dead: reclaimed.dead.length,
        });
      }
      state = 'running';
      sweepTimer = setInterval(sweep, pollMs);
      sweepTimer.unref();
      for (const lane of lanes.values()) schedulePump(lane);
    },

    stop({ timeoutMs = 10_000 } = {}) {
      stopping ??= drainAndStop(timeoutMs);
      return stopping;
    },

    pause(name) {
      const lane = laneOf(name);
      if (lane.paused) return;
      lane.paused = true;
      emit({ type: 'queue:paused', queue: name });
    },

    resume(name) {
      const lane = laneOf(name);
      if (!lane.paused) return;
      lane.paused = false;
      emit({ type: 'queue:resumed', queue: name });
      schedulePump(lane);
    },

    setConcurrency(name, n) {
      laneOf(name).concurrency = checkConcurrency(name, n);
      schedulePump(laneOf(name));
    },

    expedite(uniqueKey, runAt = now()) {
      const job = store.liveByKey(uniqueKey);
      if (!job) return false;
      const at = Math.trunc(runAt);
      // The job is in one of three places, and all are checked in this one synchronous step: running (its
      // handler has not returned), finished with its outcome waiting for the next flush (still 'running'
      // in the store), or queued in the store.
      const run = runs.get(job.id);
      if (run) run.runBy = Math.min(run.runBy, at);
      for (const { settlement } of pending) {
        // Only a handler's own reschedule (retryAt): an error's backoff stays as it is.
        if (settlement.id === job.id && settlement.kind === 'retry' && !settlement.spendAttempt) {
          settlement.runAt = Math.min(settlement.runAt, at);
        }
      }
      store.runBy(job.id, at, now());
      if (state === 'running') {
        const lane = laneOf(job.queue);
        if (at > now()) setWake(lane, at);
        else schedulePump(lane);
      }
      return true;
    },

    retryDead(jobId) {
      const result = store.retryDead(jobId, now());
      if (result.ok) {
        const row = store.get(jobId);
        if (row) schedulePump(laneOf(row.queue));
      }
      return result;
    },

    deadJobs(limit = 100) {
      return store.deadJobs(limit);
    },

    stats() {
      const counts = store.counts();
      return [...lanes.values()].map((lane) => {
        const n = (s: 'queued' | 'dead'): number =>
          counts.find((c) => c.queue === lane.name && c.state === s)?.n ?? 0;
        return {
          queue: lane.name,
          concurrency: lane.concurrency,
          paused: lane.paused,
          active: lane.active,
          queued: n('queued'),
          dead: n('dead'),
        };
      });
    },

    health() {
      if (state !== 'running') {
        return { state: state === 'new' ? 'off' : 'down', detail: 'The job queue is not running.' };
      }
      const paused = [...lanes.values()].filter((l) => l.paused).map((l) => l.name);
      // Cheap enough for every health check: the count walks the dead-jobs partial index only.
      const dead = db.open ? store.deadCount() : 0;
      const problems: string[] = [];
      if (paused.length > 0) problems.push(`Paused: ${paused.join(', ')}.`);
      if (dead > 0) problems.push(`${dead} job(s) failed for good and wait to be retried or dismissed.`);
      return problems.length > 0 ? { state: 'degraded', detail: problems.join(' ') } : { state: 'ok' };
    },

    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    whenIdle() {
      if (state !== 'running') return Promise.resolve();
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        for (const lane of lanes.values()) schedulePump(lane);
      });
    },
  };
  return queue;
}
