// Template sync in the background: on connect (a connection never synced), on a timer, and after
// template webhooks. §12: template webhooks go to the app's default URL, not to a callback override, so
// a desktop app must poll on a timer as well as react to the webhooks it does get.
//
// - `templates.sync` (uniqueKey per connection): one sync soon. A burst of webhooks collapses into one
//   queued job. A sync already running (LOCKED) means this one runs after it, so a change that arrived
//   mid-sync is not missed; over the rate limit it waits for the next free slot.
// - `templates.sync-timer` (uniqueKey per connection): a job that reschedules itself every intervalMs
//   (retryAt spends no attempt), and ends when the connection is removed.
import { z } from 'zod';
import type { Db } from '../db/open';
import { AppError } from '../ipc/errors';
import type { Logger } from '../log';
import type { JobQueue } from '../queue/runner';
import { done, retry, retryAt, type JobOutcome } from '../queue/types';
import { TemplateSyncRateLimitedError, type TemplatesService } from './templates.service';

export const templateSyncJobType = 'templates.sync';
export const templateSyncTimerJobType = 'templates.sync-timer';

const payloadSchema = z.object({ connectionId: z.string().min(1) });

export interface TemplateJobsOptions {
  db: Db;
  queue: JobQueue;
  templates: TemplatesService;
  log: Logger;
  now: () => number;
  /** Periodic sync interval; default 15 min. */
  intervalMs?: number;
  /** Webhook-triggered syncs wait this long so a burst of template webhooks makes one sync. Default 2 s. */
  debounceMs?: number;
  /**
   * Syncs on connect asked for within this long of start-up run at its end: the first paint needs
   * nothing from Meta, and a sync's HTTP round trips and upserts would otherwise compete with the
   * renderer's first requests. Default 2 s.
   */
  startupQuietMs?: number;
}

const DEFAULT_INTERVAL_MS = 15 * 60_000;
const LOCKED_RETRY_MS = 10_000;

export function registerTemplateJobs(options: TemplateJobsOptions) {
  const { db, queue, templates, log, now } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const debounceMs = options.debounceMs ?? 2_000;
  const quietUntil = now() + (options.startupQuietMs ?? 2_000);
  const connectionStatus = db.prepare<[string], { status: string }>(
    'SELECT status FROM connections WHERE id = ?',
  );
  const activeConnections = db.prepare<[], { id: string }>(
    `SELECT id FROM connections WHERE status = 'active' ORDER BY created_at`,
  );

  async function runSync(connectionId: string, retryOnLocked: boolean): Promise<JobOutcome> {
    try {
      await templates.sync(connectionId);
      return done();
    } catch (error) {
      if (error instanceof TemplateSyncRateLimitedError)
        return retryAt(now() + error.retryAfterMs, error.message);
      if (error instanceof AppError) {
        if (error.code === 'LOCKED')
          return retryOnLocked ? retryAt(now() + LOCKED_RETRY_MS, error.message) : done();
        // Removed, or the token was refused (the connection shows "needs re-authentication").
        if (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') return done();
        return retry(error.message);
      }
      throw error;
    }
  }

  queue.register(templateSyncJobType, {
    queue: 'default',
    schema: payloadSchema,
    maxAttempts: 5,
    handler: ({ connectionId }) => runSync(connectionId, true),
  });

  queue.register(templateSyncTimerJobType, {
    queue: 'default',
    schema: payloadSchema,
    handler: async ({ connectionId }) => {
      const row = connectionStatus.get(connectionId);
      if (!row) return done();
      if (row.status === 'active') {
        const outcome = await runSync(connectionId, false);
        if (outcome.kind === 'retry') {
          log.warn('templates: periodic sync failed; the next one is on schedule', {
            connectionId,
            reason: outcome.reason,
          });
        }
      }
      return retryAt(now() + intervalMs, 'next periodic template sync');
    },
  });

  /** One sync soon (collapsed per connection). Synchronous: may run inside the caller's transaction. */
  const requestSync = (connectionId: string, delayMs: number = debounceMs): void => {
    queue.enqueue(
      templateSyncJobType,
      { connectionId },
      { uniqueKey: `${templateSyncJobType}:${connectionId}`, runAt: now() + delayMs },
    );
  };

  return {
    requestSync,

    /**
     * Every active connection gets its periodic sync, and one never synced gets a sync now ("sync on
     * connect"). Idempotent: the unique keys make repeated calls no-ops.
     */
    ensureSchedules(): void {
      for (const { id } of activeConnections.all()) {
        queue.enqueue(
          templateSyncTimerJobType,
          { connectionId: id },
          { uniqueKey: `${templateSyncTimerJobType}:${id}`, runAt: now() + intervalMs },
        );
        if (templates.repo.lastSyncedAt(id) === null) requestSync(id, Math.max(0, quietUntil - now()));
      }
    },
  };
}

export type TemplateJobs = ReturnType<typeof registerTemplateJobs>;
