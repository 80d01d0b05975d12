// The `chatbots.reply` job (queue `chatbots`, issue 9): one per stored inbound message, enqueued by the
// webhook processor's onInboundStored hook in the transaction that stored the message, unique on the
// wamid — Meta's duplicate deliveries (§6) never store a second row, so they never enqueue a second job.
//
// The handler is one SQLite transaction with no await in it: load the message, its conversation and
// contact; decide() (the pure engine); then the rate limit, the away-message claim, every effect (sends
// are rows + `messages.send` jobs created by the single send point), and the chatbot_runs record. All
// of it commits together or not at all, and the chatbot_runs row is the "already handled" marker, so a
// re-run — after a crash, or a second job for the same message — changes nothing and sends nothing. The
// send client ids are deterministic (`bot:{wamid}:{effect index}`) as a second guard: even a record lost
// some other way cannot make the send point create a second message.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { clientIdSchema } from '../../src-preload/messaging.contract';
import type { MessagesService } from '../conversations/messages.service';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import type { Logger } from '../log';
import type { JobQueue } from '../queue/runner';
import { deadLetter, type EnqueueResult, type JobOutcome } from '../queue/types';
import { botLimit } from '../ratelimit/limits';
import type { RateLimiter } from '../ratelimit/types';
import { decide, type Effect } from './chatbots.engine';
import {
  createChatbotEffects,
  toMessageContent,
  type RunRecord,
  type RunSilentReason,
} from './chatbots.effects';
import { engineMessageFromCloud } from './chatbots.model';
import { createChatbotsRepo, StoredBotCorruptError } from './chatbots.repo';

export const botReplyJobType = 'chatbots.reply';

export const botReplyPayloadSchema = z.strictObject({ messageId: z.string().min(1).max(64) });
export type BotReplyPayload = z.infer<typeof botReplyPayloadSchema>;

/**
 * For the webhook processor's onInboundStored hook: call it inside the transaction that stored the
 * message, so the job commits with the row.
 */
export function enqueueBotReply(queue: JobQueue, message: { id: string; wamid: string }): EnqueueResult {
  return queue.enqueue(botReplyJobType, { messageId: message.id }, { uniqueKey: `bot:${message.wamid}` });
}

/**
 * The client id of the `index`-th effect for an inbound message. Real wamids are base64 with `=` and may
 * be long; when `bot:{wamid}:{index}` does not fit the contract's client id rules, a hash of the wamid
 * stands in (still deterministic).
 */
export function botClientId(wamid: string, index: number): string {
  const plain = `bot:${wamid}:${index}`;
  if (clientIdSchema.safeParse(plain).success) return plain;
  return `bot:h${createHash('sha256').update(wamid).digest('hex').slice(0, 48)}:${index}`;
}

export interface ChatbotJobsOptions {
  db: Db;
  queue: JobQueue;
  limiter: RateLimiter;
  events: EventBus;
  log: Logger;
  now?: () => number;
  /** core.messaging.messages: the single send point. */
  messages: MessagesService;
}

export interface ChatbotJobs {
  /** What the bot did with one inbound message; null until its job ran. */
  runFor(messageId: string): RunRecord | null;
  runsOfConversation(conversationId: string): RunRecord[];
}

interface Applied {
  record: RunRecord;
  workspaceId: string | null;
  contactChanged: boolean;
  conversationChanged: boolean;
}

export function registerChatbotJobs(options: ChatbotJobsOptions): ChatbotJobs {
  const { db, queue, limiter, events, log, messages } = options;
  const now = options.now ?? Date.now;
  const repo = createChatbotsRepo(db);
  const effects = createChatbotEffects(db);

  /** One transaction: everything the bot does for this message, or nothing. */
  const handleInTransaction = db.transaction((messageId: string): Applied | null => {
    if (effects.run(messageId)) return null;
    const context = effects.context(messageId);
    if (!context) return null; // the message (or its conversation) was deleted meanwhile
    const at = now();
    const base = {
      messageId,
      conversationId: context.conversationId,
      chatbotId: null as string | null,
      ruleId: null as string | null,
      messagesSent: 0,
      problems: [] as string[],
      createdAt: at,
    };
    const silent = (reason: RunSilentReason, chatbotId: string | null, ruleId: string | null): Applied => {
      const record: RunRecord = { ...base, chatbotId, ruleId, outcome: 'silent', silentReason: reason };
      effects.recordRun(record);
      return { record, workspaceId: null, contactChanged: false, conversationChanged: false };
    };
    // Only customers' messages are answered: the job is keyed by an inbound row, but a payload naming
    // an outbound one (the bot's own or an agent's) must never make the bot talk to itself.
    if (context.direction !== 'inbound' || context.wamid === null) {
      return silent('outbound_message', null, null);
    }
    const wamid = context.wamid;

    const bot = repo.botsForConnection(context.connectionId)[0] ?? null;
    const state = repo.conversationState(context.conversationId);
    const decision = decide({
      bot,
      message: engineMessageFromCloud(JSON.parse(context.body)),
      conversation: {
        isFirstMessage: context.isFirstMessage,
        botPaused: context.botPaused,
        awayMessageLastLocalDate: state?.awaySentLocalDate ?? null,
      },
      contact: context.contact,
      now: at,
    });
    const chatbotId = bot?.id ?? null;
    const ruleId = decision.rule?.id ?? null;
    if (decision.outcome === 'silent') {
      return silent(decision.silentReason ?? 'no_rule_matched', chatbotId, ruleId);
    }

    // bot_rate_limit (seed): a rule's messages take a slot each; without a slot for the first one the
    // bot stays silent and does nothing else for this message. STOP/START confirmations are exempt:
    // they are owed to the customer, and at most one goes per change of the opt-out state.
    const limit = botLimit(context.conversationId);
    const sendCount = decision.effects.filter((effect) => effect.kind === 'send').length;
    if (decision.outcome === 'rule' && sendCount > 0 && !limiter.tryTake(limit.key, limit.rule).ok) {
      return silent('rate_limited', chatbotId, ruleId);
    }
    // Once per conversation per local day: the claim is the single decider between racing jobs.
    if (
      decision.awayClaim &&
      !repo.claimAwayMessage(context.conversationId, decision.awayClaim.localDate, at)
    ) {
      return silent('away_already_sent', chatbotId, ruleId);
    }

    const record: RunRecord = {
      ...base,
      chatbotId,
      ruleId,
      outcome: decision.outcome,
      silentReason: null,
    };
    let contactChanged = false;
    let conversationChanged = false;
    let sendsSeen = 0;
    const send = (index: number, message: Parameters<typeof toMessageContent>[0]): void => {
      try {
        messages.send({
          connectionId: context.connectionId,
          conversationId: context.conversationId,
          clientId: botClientId(wamid, index),
          content: toMessageContent(message),
          origin: 'bot',
        });
        record.messagesSent += 1;
      } catch (error) {
        // A refused send (a template not synced, a closed window, a body over a limit) is that rule's
        // problem, not a reason to roll back the rest: recorded for the editor, never retried blindly.
        if (error instanceof AppError || error instanceof z.ZodError) {
          record.problems.push(
            `Effect ${index + 1}: ${error instanceof AppError ? `${error.code}: ${error.message}` : error.issues.map((issue) => issue.message).join('; ')}`,
          );
          return;
        }
        throw error;
      }
    };
    const apply = (effect: Effect, index: number): void => {
      switch (effect.kind) {
        case 'send':
          sendsSeen += 1;
          if (sendsSeen > 1 && !limiter.tryTake(limit.key, limit.rule).ok) {
            record.problems.push(`Effect ${index + 1}: not sent, bot_rate_limit reached (5 a minute).`);
            return;
          }
          send(index, effect.message);
          return;
        case 'add_tag':
          contactChanged = effects.addTag(context.contactId, effect.tag, at) || contactChanged;
          return;
        case 'remove_tag':
          contactChanged = effects.removeTag(context.contactId, effect.tag, at) || contactChanged;
          return;
        case 'set_attribute':
          effects.setAttribute(context.contactId, effect.key, effect.value, at);
          contactChanged = true;
          return;
        case 'opt_out': {
          const reason =
            effect.source === 'rule'
              ? `Chatbot rule${ruleId ? ` ${ruleId}` : ''}`
              : `Customer sent "${decision.compliance?.matched ?? 'STOP'}"`;
          // Only the job that changed the row confirms: two STOPs racing confirm once.
          if (!effects.optOut(context.contactId, reason, at)) return;
          contactChanged = true;
          // A text reply in the open window: the send point lets it through to an opted-out contact
          // (it refuses templates only), which is exactly the one message they are owed.
          if (effect.confirmation) send(index, effect.confirmation);
          return;
        }
        case 'opt_in':
          if (!effects.optIn(context.contactId, at)) return;
          contactChanged = true;
          if (effect.confirmation) send(index, effect.confirmation);
          return;
        case 'handoff':
          messages.repo.setBotPaused(context.conversationId, true, at);
          repo.markHandoff(context.conversationId, effect.note, at);
          conversationChanged = true;
          return;
      }
    };
    decision.effects.forEach(apply);
    effects.recordRun(record);
    return {
      record,
      workspaceId: contactChanged
        ? (messages.repo.workspaceOfConnection(context.connectionId) ?? null)
        : null,
      contactChanged,
      conversationChanged,
    };
  });

  queue.register(botReplyJobType, {
    queue: 'chatbots',
    schema: botReplyPayloadSchema,
    maxAttempts: 5,
    handler({ messageId }): JobOutcome | void {
      let applied: Applied | null;
      try {
        applied = handleInTransaction.immediate(messageId);
      } catch (error) {
        // A stored bot that no longer fits the model fails the same way on every attempt.
        if (error instanceof StoredBotCorruptError) return deadLetter(error.message);
        throw error;
      }
      if (!applied) return;
      const { record } = applied;
      if (record.problems.length > 0) {
        log.warn('chatbots: some bot messages were not sent', {
          messageId,
          conversationId: record.conversationId,
          problems: record.problems,
        });
      }
      if (applied.conversationChanged) {
        events.emit('conversations:changed', { conversationIds: [record.conversationId] });
      }
      if (applied.contactChanged && applied.workspaceId) {
        events.emit('contacts:changed', { workspaceId: applied.workspaceId });
      }
    },
  });

  return {
    runFor: (messageId) => effects.run(messageId),
    runsOfConversation: (conversationId) => effects.runsOfConversation(conversationId),
  };
}
