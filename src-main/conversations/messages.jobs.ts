// `messages.send`: sends one outbound message through the connection's shared, rate-limited client.
//
// Never twice (seed §5, whatsapp-cloud-api.md §10 "No idempotency key"):
// - the job's uniqueKey is the client id, and the row is claimed (send_started_at) in its own commit
//   before the request; a run that finds the claim on a still-pending row was interrupted after the
//   request may have left (a crash): the message becomes 'unknown' and is not sent again;
// - UNKNOWN_OUTCOME (timeout or reset after the request was written) becomes 'unknown' ("unconfirmed");
//   the status webhook carrying biz_opaque_callback_data = client id resolves it later.
// In order (per conversation): a job does not send while an older message of its conversation is still
// pending; it sleeps until that one's next attempt. So messages composed while the connection is rate
// limited, failing (5xx) or waiting for a new token go out in composing order once it recovers.
// Waits use retryAt (no attempt spent, no queue budget): the message's own age bounds them.
import { z } from 'zod';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import type { Logger } from '../log';
import type { JobQueue } from '../queue/runner';
import { deadLetter, done, retryAt, type JobContext, type JobOutcome } from '../queue/types';
import type { WhatsAppClient } from '../whatsapp/client';
import type { WhatsAppError } from '../whatsapp/errors';
import type { OutboundContent } from '../whatsapp/types';
import type { ConversationsRepo } from './conversations.repo';
import { sendJobType } from './messages.service';

const payloadSchema = z.object({ messageId: z.string().min(1) });

export interface SendJobOptions {
  db: Db;
  queue: JobQueue;
  repo: ConversationsRepo;
  events: EventBus;
  log: Logger;
  now: () => number;
  clientFor(connectionId: string): WhatsAppClient;
  random?: () => number;
  /** A message still not sent after this long fails ("could not reach WhatsApp"). Default 24 h. */
  giveUpAfterMs?: number;
  /** How soon a message queued behind an in-flight one looks again. Default 100 ms. */
  behindPollMs?: number;
}

const AUTH_PAUSE_MS = 60_000;
const UNAVAILABLE_PAUSE_MS = 30_000;
const MAX_BACKOFF_MS = 5 * 60_000;

export function registerSendJob(options: SendJobOptions): void {
  const { repo, events, log, now } = options;
  const random = options.random ?? Math.random;
  const giveUpAfterMs = options.giveUpAfterMs ?? 24 * 60 * 60_000;
  const behindPollMs = options.behindPollMs ?? 100;

  const changed = (id: string): void => events.emit('messages:status-changed', { messageIds: [id] });

  /** Exponential backoff with jitter when Meta gives no wait of its own. */
  const backoff = (runs: number): number => {
    const base = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(20, Math.max(0, runs - 1)));
    return Math.round(base * (0.5 + random() / 2));
  };

  function wait(id: string, createdAt: number, delayMs: number, reason: string): JobOutcome {
    const at = now();
    if (at - createdAt > giveUpAfterMs) {
      repo.markFailed(
        id,
        null,
        `Could not reach WhatsApp for a day; the message was not sent. Last problem: ${reason}`,
        at,
      );
      changed(id);
      return done();
    }
    repo.reschedule(id, at + delayMs, reason, at);
    return retryAt(at + delayMs, reason);
  }

  function settleError(id: string, createdAt: number, error: WhatsAppError, runs: number): JobOutcome {
    const at = now();
    const detail = error.details ?? error.message;
    switch (error.kind) {
      case 'UNKNOWN_OUTCOME':
        repo.markUnknown(id, `${error.advice} (${detail})`, at);
        changed(id);
        return done();
      case 'RATE_LIMITED':
      case 'PAIR_RATE_LIMITED':
      case 'TRANSIENT':
        return wait(id, createdAt, error.retryAfterMs ?? backoff(runs), `${error.advice} (${detail})`);
      case 'AUTH':
        // The pool's onAuthFailure has marked the connection needs_reauth (the UI asks for a new token);
        // the message waits and goes once a new token is saved.
        return wait(id, createdAt, AUTH_PAUSE_MS, error.advice);
      case 'OUTSIDE_WINDOW':
      case 'TEMPLATE_PARAM_MISMATCH':
      case 'TEMPLATE_NOT_FOUND':
      case 'TEMPLATE_TEXT_TOO_LONG':
      case 'TEMPLATE_POLICY':
      case 'TEMPLATE_FORMAT_MISMATCH':
      case 'TEMPLATE_PAUSED':
      case 'TEMPLATE_DISABLED':
      case 'FATAL':
        repo.markFailed(id, error.code, error.code !== null ? detail : `${error.advice} (${detail})`, at);
        changed(id);
        return done();
    }
  }

  async function handle(messageId: string, ctx: JobContext): Promise<JobOutcome> {
    const row = repo.outboundForSend(messageId);
    if (!row || row.status !== 'pending') return done();
    if (row.send_started_at !== null) {
      repo.markUnknown(
        row.id,
        'The app stopped while this message was being sent: it may have gone out, so it is not sent again.',
        now(),
      );
      changed(row.id);
      return done();
    }
    const older = repo.olderPending(row.conversation_id, row.seq);
    if (older) {
      const at = now();
      const next = Math.max(at, older.next_attempt_at ?? at) + behindPollMs;
      return retryAt(next, 'Waiting for an earlier message of this conversation.');
    }
    const connection = repo.connectionStatus(row.connection_id);
    if (!connection) {
      repo.markFailed(row.id, null, 'The connection was removed before the message could be sent.', now());
      changed(row.id);
      return done();
    }
    if (connection.status !== 'active') {
      return wait(
        row.id,
        row.created_at,
        AUTH_PAUSE_MS,
        connection.status === 'needs_reauth'
          ? 'The connection needs a new access token; the message goes once it is saved.'
          : 'The connection is disabled; the message goes once it is enabled.',
      );
    }
    let client: WhatsAppClient;
    try {
      client = options.clientFor(row.connection_id);
    } catch (error) {
      if (error instanceof AppError) return wait(row.id, row.created_at, UNAVAILABLE_PAUSE_MS, error.message);
      throw error;
    }
    if (!repo.markSendStarted(row.id, now())) return done();
    const content = JSON.parse(row.body) as OutboundContent;
    const result = await client.send(row.phone_e164, content, {
      bizOpaqueCallbackData: row.client_id,
      ...(row.context_wamid !== null ? { replyTo: row.context_wamid } : {}),
      signal: ctx.signal,
    });
    if (result.ok) {
      repo.markAccepted(row.id, result.value.wamid, now());
      changed(row.id);
      return done();
    }
    return settleError(row.id, row.created_at, result.error, ctx.runs);
  }

  options.queue.register(sendJobType, {
    queue: 'default',
    schema: payloadSchema,
    maxAttempts: 5,
    handler: async ({ messageId }, ctx) => {
      try {
        return await handle(messageId, ctx);
      } catch (error) {
        // A bug or a closed store, not an API outcome. The row must not stay 'pending' for ever (it would
        // hold back its conversation), so the last attempt fails it.
        log.error('messages: send job failed', { messageId, error });
        if (ctx.attempt >= ctx.maxAttempts) {
          const at = now();
          const row = repo.messageById(messageId);
          if (row?.status === 'pending') {
            if (row.send_started_at !== null)
              repo.markUnknown(messageId, 'The send was interrupted by an error.', at);
            else repo.markFailed(messageId, null, 'The app could not send this message (see the log).', at);
            changed(messageId);
          }
          return deadLetter(error instanceof Error ? error.message : String(error));
        }
        throw error;
      }
    },
  });
}
