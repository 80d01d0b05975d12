// The campaign runner: one `campaigns.run` job (queue `campaigns`) per running campaign, holding the seed
// lock `campaign_send:{id}` (1 min, extended by a heartbeat while it runs), so a second start, a double
// click or a scheduler tick never fans out a second sender. Every write it makes is fenced with the
// lock's fence (locks/fence.store.ts): a runner whose lock ran out cannot overwrite a newer one's work.
//
// Exactly once, as far as the Cloud API allows (whatsapp-cloud-api.md §10, "No idempotency key"):
// - a recipient is claimed ("sending": send_started_at) only once the connection's rate-limit slot is
//   granted, and its request is written only after the claim has committed (WhatsAppClient
//   beforeRequest), so a crash while requests wait for their slot leaves them plain pending. The claims
//   of slots granted together (one limiter pump) commit in one transaction, with any outcomes waiting;
// - the client has a socket for every request the runner keeps in flight (socketsForRate), so a claimed
//   request leaves at once rather than waiting for a socket, where a crash would leave it unconfirmed
//   although it never left;
// - a runner starting finds the claims a dead runner left ('pending' with send_started_at): their
//   outcome is unknown, so they become 'unknown' ("unconfirmed") and are not resent. The status
//   webhook carrying biz_opaque_callback_data (= the client id) resolves them (campaignStatus.repo.ts);
//   only a campaign configured with unconfirmed_resend_after_ms sends them again after that wait;
// - the client's UNKNOWN_OUTCOME (timeout after the request left) is unconfirmed the same way.
// Errors (§3, §10): 131056 delays only that recipient (4^X s); transient errors and 130429 back off per
// recipient; 368, 131031, 131042, 131048, 0/190 and a paused / disabled / missing template pause the
// whole campaign with the reason (the recipient goes back to pending: it was not sent).
import { setMaxListeners } from 'node:events';
import type { Db } from '../db/open';
import { newId } from '../db/ids';
import type { EventBus } from '../events';
import { lockKeys } from '../locks/keys';
import { StaleFenceError, type FenceGuard } from '../locks/fence.store';
import type { LockRegistry } from '../locks/registry';
import type { Logger } from '../log';
import { done, retryAt, type JobContext, type JobOutcome } from '../queue/types';
import { buildTemplateMessage } from '../conversations/messageContent';
import type { TemplateParams } from '../../src-preload/messaging.contract';
import { callerWindowForRate, SHARED_SOCKETS, type WhatsAppClient } from '../whatsapp/client';
import type { WaResult, WhatsAppError } from '../whatsapp/errors';
import type { SendResult } from '../whatsapp/types';
import { campaignCallbackData, type CampaignsRepo, type DueRecipient } from './campaigns.repo';
import { materialise } from './materialise';

export const runJobType = 'campaigns.run';
export const runJobKey = (campaignId: string): string => `${runJobType}:${campaignId}`;

/** Account-level codes that stop the whole campaign (§10 "Campaigns"). */
const pauseCodes = new Map<number, string>([
  [368, 'WhatsApp temporarily blocked this account for policy violations (368)'],
  [131031, 'The WhatsApp account is locked (131031)'],
  [131042, 'A billing or eligibility problem stopped sending; fix the payment method with Meta (131042)'],
  [131048, 'Meta limited sending from this number for spam reports or its messaging limit (131048)'],
]);

const MAX_TRANSIENT_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 5 * 60_000;
const HEARTBEAT_MS = 10_000;
const COUNTER_EVENT_MS = 250;
/** How long claims and outcomes wait to share a commit (see "Group commit" in loop()). */
export const GROUP_COMMIT_MS = 4;

export interface RunnerOptions {
  db: Db;
  repo: CampaignsRepo;
  locks: LockRegistry;
  fences: FenceGuard;
  events: EventBus;
  log: Logger;
  now: () => number;
  clientFor(connectionId: string): WhatsAppClient;
  /** The connection's configured rate (per second), to size the number of requests kept in flight. */
  ratePerSecond(connectionId: string): number;
  random?: () => number;
  /** Upper bound on requests in flight per campaign; by default callerWindowForRate of the rate. */
  maxInFlight?: number;
  /** How long writes wait to share a commit; GROUP_COMMIT_MS by default. */
  groupCommitMs?: number;
  /** Called after the campaign's status changed (paused, completed). */
  onStatusChanged(campaignId: string): void;
}

type Settle =
  | { kind: 'accepted'; wamid: string }
  | { kind: 'unknown'; reason: string }
  | { kind: 'failed'; code: number | null; reason: string }
  | { kind: 'retry'; at: number; code: number | null; reason: string }
  | { kind: 'pause'; reason: string };

export function createCampaignRunner(options: RunnerOptions) {
  const { db, repo, locks, fences, events, log, now } = options;
  const random = options.random ?? Math.random;
  const groupCommitMs = options.groupCommitMs ?? GROUP_COMMIT_MS;
  /**
   * The most sends in flight the connection client's sockets allow: all but SHARED_SOCKETS of them (its
   * pool sizes them from the rate), or all of a small pool as before pools were sized.
   */
  const socketWindowFor = (connectionId: string): number => {
    let sockets = 32;
    try {
      sockets = options.clientFor(connectionId).maxSockets;
    } catch {
      // No client yet (e.g. the Sandbox is not running): each send reports that itself.
    }
    return Math.max(Math.min(32, sockets), sockets - SHARED_SOCKETS);
  };

  const pendingCounterEvents = new Set<string>();
  let counterTimer: NodeJS.Timeout | undefined;
  const countersChanged = (campaignId: string): void => {
    pendingCounterEvents.add(campaignId);
    if (counterTimer) return;
    counterTimer = setTimeout(() => {
      counterTimer = undefined;
      const ids = [...pendingCounterEvents];
      pendingCounterEvents.clear();
      events.emit('campaigns:counters-changed', { campaignIds: ids });
    }, COUNTER_EVENT_MS);
    counterTimer.unref();
  };

  const backoff = (attempts: number): number => {
    const base = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(20, Math.max(0, attempts - 1)));
    return Math.round(base * (0.5 + random() / 2));
  };

  function classify(result: WaResult<SendResult>, attempts: number): Settle {
    if (result.ok) return { kind: 'accepted', wamid: result.value.wamid };
    const error: WhatsAppError = result.error;
    const detail = error.details ?? error.message;
    const at = now();
    if (error.code !== null && pauseCodes.has(error.code)) {
      return { kind: 'pause', reason: `${pauseCodes.get(error.code)}. ${error.advice}` };
    }
    switch (error.kind) {
      case 'UNKNOWN_OUTCOME':
        return { kind: 'unknown', reason: `${error.advice} (${detail})` };
      case 'AUTH':
        return {
          kind: 'pause',
          reason: `WhatsApp refused the access token (${error.code ?? error.httpStatus ?? 'auth'}): ${error.advice}`,
        };
      case 'TEMPLATE_PAUSED':
      case 'TEMPLATE_DISABLED':
      case 'TEMPLATE_NOT_FOUND':
        return { kind: 'pause', reason: `${error.advice} (${error.code ?? ''})` };
      case 'PAIR_RATE_LIMITED': {
        // §4: Meta's rule for 131056 is to wait 4^X seconds, X = 0, 1, 2 …, for that recipient only.
        const wait = Math.max(error.retryAfterMs ?? 0, 1_000 * 4 ** Math.min(6, Math.max(0, attempts - 1)));
        return { kind: 'retry', at: at + wait, code: error.code, reason: `${error.advice} (${detail})` };
      }
      case 'RATE_LIMITED':
      case 'TRANSIENT':
        if (attempts >= MAX_TRANSIENT_ATTEMPTS) {
          return {
            kind: 'failed',
            code: error.code,
            reason: `Gave up after ${attempts} attempts: ${error.advice} (${detail})`,
          };
        }
        return {
          kind: 'retry',
          at: at + Math.max(error.retryAfterMs ?? 0, backoff(attempts)),
          code: error.code,
          reason: `${error.advice} (${detail})`,
        };
      case 'OUTSIDE_WINDOW':
      case 'TEMPLATE_PARAM_MISMATCH':
      case 'TEMPLATE_TEXT_TOO_LONG':
      case 'TEMPLATE_POLICY':
      case 'TEMPLATE_FORMAT_MISMATCH':
      case 'FATAL':
        return {
          kind: 'failed',
          code: error.code,
          reason: error.code !== null ? detail : `${error.advice} (${detail})`,
        };
    }
  }

  async function run(campaignId: string, ctx: JobContext): Promise<JobOutcome> {
    const spec = lockKeys.campaignSend(campaignId);
    const acquired = locks.tryAcquire(spec, { owner: `campaign runner (job ${ctx.jobId})` });
    if (!acquired.ok) {
      // Another runner of this campaign is still finishing its requests (e.g. a resume right after a
      // pause): try again shortly rather than run beside it.
      return retryAt(now() + 500, acquired.message);
    }
    let lost = false;
    const lose = (): void => {
      lost = true;
    };
    const heartbeat = setInterval(() => {
      if (!locks.extend(acquired.key, acquired.token, spec.ttlMs)) lost = true;
      ctx.extendLease();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const fenced = <T>(fn: () => T): T => fences.write(acquired.key, acquired.fence, fn);
    try {
      return await loop(campaignId, ctx, fenced, () => lost || ctx.signal.aborted, lose);
    } catch (error) {
      if (error instanceof StaleFenceError) {
        log.warn('campaigns: runner lost its lock; a newer runner continues', { campaignId });
        return done();
      }
      throw error;
    } finally {
      clearInterval(heartbeat);
      locks.release(acquired.key, acquired.token);
    }
  }

  async function loop(
    campaignId: string,
    ctx: JobContext,
    fenced: <T>(fn: () => T) => T,
    stopped: () => boolean,
    lose: () => void,
  ): Promise<JobOutcome> {
    const campaign = repo.get(campaignId);
    if (!campaign || campaign.status !== 'running') return done();
    if (campaign.materialized_at === null) {
      await materialise({ db, repo, campaign, fenced, now, shouldStop: stopped });
      if (stopped()) return retryAt(now(), 'Interrupted while preparing recipients.');
      options.onStatusChanged(campaignId);
    }
    const recovered = fenced(() => repo.recoverInFlight(campaignId, now()));
    if (recovered > 0) {
      log.warn('campaigns: sends in flight when the app stopped are unconfirmed', { campaignId, recovered });
      countersChanged(campaignId);
    }

    const connectionId = campaign.connection_id;
    const template = { name: campaign.template_name, language: campaign.template_language };
    // Up to a quarter second of sends past the runner (at most one second's): they wait for their slot in
    // the connection limiter's FIFO (so the pace is the limiter's), and an inbox message queued behind
    // them waits at most that long. Never more than the client has sockets for beyond SHARED_SOCKETS: a
    // claimed request waiting for a socket would be left unconfirmed by a crash although it never left
    // (kill-test runs with twice the sockets left ~half of the in-flight claims in that state).
    const limit = Math.max(
      1,
      Math.min(
        options.maxInFlight ?? callerWindowForRate(options.ratePerSecond(connectionId)),
        socketWindowFor(connectionId),
      ),
    );
    setMaxListeners(limit * 4 + 16, ctx.signal);
    const claimed = new Set<string>();
    const inFlight = new Set<Promise<void>>();
    // Resolved when a send finishes: the loop waits on this rather than Promise.race over every send in
    // flight, which attached a reaction to each of them per completion.
    let wake: (() => void) | null = null;
    const sendFinished = (): Promise<void> =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    let buffer: DueRecipient[] = [];
    let pausedBy: string | null = null;

    // Group commit: every claim and every outcome waits up to GROUP_COMMIT_MS, and all of them written in
    // that window commit in one transaction. A commit (its WAL frames and their system calls) cost more
    // than the statements in it: grouping the claims of one limiter pump and the responses of one poll
    // phase still left about two commits per send at 1,000/s, ~380 µs of SQLite per send; a few sends per
    // commit take ~130 µs (measured with the runner's statements alone).
    // - A claimed request leaves only once its claim has committed (beforeRequest), so it leaves up to
    //   GROUP_COMMIT_MS after its rate-limit slot: well inside the pacing's jitter allowance (10 ms on a
    //   per-second rule, client.ts). A crash before the commit leaves the recipient plain pending.
    // - A crash before an outcome is written leaves the recipient "sending", which the next runner makes
    //   unconfirmed, exactly as a crash just before the response.
    // One transaction for the batch: if it fails, every write in it fails (nothing is sent for a claim
    // that failed; the send's error path releases the recipient).
    interface Staged {
      apply: () => unknown;
      resolve: (value: unknown) => void;
      reject: (error: unknown) => void;
    }
    let staged: Staged[] = [];
    let flushTimer: NodeJS.Timeout | undefined;
    // The campaign's status, read once per batch: within one transaction only a pause written by the
    // batch itself can change it (it clears this), since IPC calls run between tasks, not inside one.
    let batchStatus: string | undefined | null = null;
    const statusInBatch = (): string | undefined => {
      if (batchStatus === null) batchStatus = repo.statusOf(campaignId);
      return batchStatus;
    };
    const flush = (): void => {
      flushTimer = undefined;
      if (staged.length === 0) return;
      const items = staged;
      staged = [];
      batchStatus = null;
      let results: unknown[];
      try {
        results = fenced(() => items.map((item) => item.apply()));
      } catch (error) {
        for (const item of items) item.reject(error);
        return;
      }
      items.forEach((item, i) => item.resolve(results[i]));
    };
    const stage = <T>(apply: () => T): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        staged.push({ apply, resolve: resolve as (value: unknown) => void, reject });
        flushTimer ??= setTimeout(flush, groupCommitMs);
      });
    const claim = (recipient: DueRecipient): Promise<boolean> =>
      stage(() => {
        // The last moment to honour a pause, a cancel or an opt-out: nothing has left yet.
        if (statusInBatch() !== 'running') return false;
        if (recipient.contact_id !== null && repo.contactOptedOut(recipient.contact_id)) {
          repo.skip(recipient.id, 'The contact opted out before this was sent.', now());
          return false;
        }
        return repo.markSending(campaignId, recipient, newId(now()), now());
      });
    const record = (apply: () => void): Promise<void> => stage(apply);

    const sendOne = async (recipient: DueRecipient): Promise<void> => {
      let started = false;
      let client: WhatsAppClient;
      try {
        client = options.clientFor(connectionId);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        fenced(() => repo.release(recipient.id, now() + 30_000, null, reason, now()));
        return;
      }
      const params = JSON.parse(recipient.params) as TemplateParams;
      const content = {
        type: 'template' as const,
        template: buildTemplateMessage(template.name, template.language, params),
      };
      const result = await client.send(recipient.phone_e164, content, {
        bizOpaqueCallbackData: campaignCallbackData(recipient.id, recipient.cap_retries),
        signal: ctx.signal,
        bulk: true,
        beforeRequest: async () => {
          started = await claim(recipient);
          return started;
        },
      });
      if (!started) return;
      const outcome = classify(result, recipient.attempts + 1);
      await record(() => {
        const at = now();
        switch (outcome.kind) {
          case 'accepted':
            repo.markAccepted(recipient.id, outcome.wamid, at);
            break;
          case 'unknown':
            repo.markUnknown(recipient.id, outcome.reason, at);
            break;
          case 'failed':
            repo.markFailed(campaignId, recipient.id, outcome.code, outcome.reason, at);
            break;
          case 'retry':
            repo.release(recipient.id, outcome.at, outcome.code, outcome.reason, at);
            break;
          case 'pause':
            repo.release(recipient.id, 0, null, null, at);
            if (repo.pause(campaignId, outcome.reason, at)) pausedBy = outcome.reason;
            batchStatus = null;
            break;
        }
      });
      countersChanged(campaignId);
    };

    const launch = (recipient: DueRecipient): void => {
      claimed.add(recipient.id);
      const task = sendOne(recipient)
        .catch((error: unknown) => {
          if (error instanceof StaleFenceError) {
            // A newer runner owns the campaign: this one writes nothing more and stops.
            lose();
            return;
          }
          log.error('campaigns: send failed inside the app', {
            campaignId,
            recipientId: recipient.id,
            error,
          });
          // Back to pending a minute later: a bug or a closed store must not drop the recipient.
          try {
            fenced(() =>
              repo.release(recipient.id, now() + 60_000, null, 'The app hit an error; retrying.', now()),
            );
          } catch (inner) {
            if (inner instanceof StaleFenceError) lose();
            log.error('campaigns: could not release a recipient', { campaignId, error: inner });
          }
        })
        .finally(() => {
          claimed.delete(recipient.id);
          inFlight.delete(task);
          const resume = wake;
          wake = null;
          resume?.();
        });
      inFlight.add(task);
    };

    let outcome: JobOutcome = done();
    let completed = false;
    // The status is read again only after an await: between two, the loop runs in one task, where a
    // pause or cancel (an IPC call, a webhook) cannot land.
    let statusChecked = false;
    for (;;) {
      if (stopped()) break;
      if (!statusChecked) {
        if (repo.statusOf(campaignId) !== 'running') break;
        statusChecked = true;
      }
      if (inFlight.size >= limit) {
        await sendFinished();
        statusChecked = false;
        continue;
      }
      if (buffer.length === 0) {
        buffer = repo.due(campaignId, now(), limit * 4 + claimed.size).filter((r) => !claimed.has(r.id));
      }
      const next = buffer.shift();
      if (next) {
        launch(next);
        continue;
      }
      if (inFlight.size > 0) {
        await sendFinished();
        statusChecked = false;
        continue;
      }
      // Nothing due and nothing in flight: wait for delayed recipients, resend or finish.
      const at = now();
      // Read now, not at the run's start: the user may change it on a running campaign.
      const resendAfter = repo.resendWaitOf(campaignId);
      if (resendAfter !== null) {
        const requeued = fenced(() => repo.requeueUnconfirmed(campaignId, at - resendAfter, at));
        if (requeued > 0) {
          log.warn('campaigns: resending unconfirmed sends after the configured wait', {
            campaignId,
            requeued,
          });
          continue;
        }
      }
      const nextDue = repo.nextDue(campaignId);
      const oldestUnconfirmed = resendAfter !== null ? repo.oldestUnconfirmed(campaignId) : null;
      const wakeAt = Math.min(
        nextDue ?? Number.POSITIVE_INFINITY,
        oldestUnconfirmed !== null ? oldestUnconfirmed + resendAfter! : Number.POSITIVE_INFINITY,
      );
      if (Number.isFinite(wakeAt)) {
        outcome = retryAt(Math.max(wakeAt, at + 50), 'Waiting for delayed recipients.');
        break;
      }
      if (fenced(() => repo.complete(campaignId, now()))) {
        completed = true;
        log.info('campaigns: completed', { campaignId });
        options.onStatusChanged(campaignId);
      }
      break;
    }
    // A pause or cancel lets requests already on the wire finish and record their outcome.
    await Promise.allSettled([...inFlight]);
    if (pausedBy !== null) {
      log.warn('campaigns: paused automatically', { campaignId, reason: pausedBy });
      options.onStatusChanged(campaignId);
    }
    if (stopped() && repo.statusOf(campaignId) === 'running')
      return retryAt(now(), 'The runner was interrupted.');
    // A resume while this run was finishing its last requests found this job still live (its unique key),
    // so it enqueued nothing: this job carries on instead of ending.
    if (outcome.kind === 'done' && !completed && repo.statusOf(campaignId) === 'running') {
      return retryAt(now(), 'Resumed while the previous run was finishing.');
    }
    return outcome;
  }

  return {
    run,
    close(): void {
      if (counterTimer) clearTimeout(counterTimer);
      counterTimer = undefined;
    },
  };
}

export type CampaignRunner = ReturnType<typeof createCampaignRunner>;
