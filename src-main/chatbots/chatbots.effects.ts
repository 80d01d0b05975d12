// The SQL the `chatbots.reply` job needs beyond chatbots.repo.ts: loading one inbound message with its
// conversation and contact, the contact changes a bot makes (tags, attributes, opt-out/in), and the
// chatbot_runs record (migration 0005). It lives here rather than in contacts.repo.ts because those
// helpers rewrite the whole tags/attributes value read earlier (read-modify-write in JS); a bot's changes
// must be single statements so two jobs for the same contact cannot lose each other's tag (house style:
// counters and sets move in SQL). Also maps the engine's Cloud API bodies (§2) to the send point's
// MessageContent.
import {
  messageContentSchema,
  type MessageContent,
  type TemplateParams,
} from '../../src-preload/messaging.contract';
import type { Db } from '../db/open';
import type { Decision, OutboundContent } from './chatbots.engine';
import type { EngineContact } from './chatbots.model';

export interface InboundContext {
  messageId: string;
  direction: 'inbound' | 'outbound';
  wamid: string | null;
  body: string;
  conversationId: string;
  connectionId: string;
  botPaused: boolean;
  isFirstMessage: boolean;
  contactId: string;
  contact: EngineContact;
}

interface ContextRow {
  id: string;
  direction: 'inbound' | 'outbound';
  wamid: string | null;
  body: string;
  conversation_id: string;
  connection_id: string;
  bot_paused: number;
  contact_id: string;
  name: string | null;
  phone_e164: string;
  tags: string;
  attributes: string;
  opted_out_at: number | null;
  first_inbound_id: string | null;
}

export type RunOutcome = Decision['outcome'];
/** The engine's reasons, plus the two the job adds. */
export type RunSilentReason = NonNullable<Decision['silentReason']> | 'rate_limited' | 'away_already_sent';

export interface RunRecord {
  messageId: string;
  conversationId: string;
  chatbotId: string | null;
  outcome: RunOutcome;
  ruleId: string | null;
  silentReason: RunSilentReason | null;
  messagesSent: number;
  problems: string[];
  createdAt: number;
}

function parseJson(json: string, fallback: unknown): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return fallback;
  }
}

export function createChatbotEffects(db: Db) {
  // The conversation's first inbound message by Meta's timestamp (arrival order breaks ties): the
  // first-message trigger fires for that one only, however the webhooks were reordered.
  const selectContext = db.prepare<[string], ContextRow>(/* sql */ `
    SELECT m.id, m.direction, m.wamid, m.body, m.conversation_id, c.connection_id, c.bot_paused, c.contact_id,
           ct.name, ct.phone_e164, ct.tags, ct.attributes, ct.opted_out_at,
           (SELECT f.id FROM messages f WHERE f.conversation_id = m.conversation_id AND f.direction = 'inbound'
             ORDER BY f.wa_timestamp, f.created_at, f.id LIMIT 1) AS first_inbound_id
      FROM messages m
      JOIN conversations c ON c.id = m.conversation_id
      JOIN contacts ct ON ct.id = c.contact_id
     WHERE m.id = ?`);
  const addTag = db.prepare<{ id: string; tag: string; now: number }>(/* sql */ `
    UPDATE contacts SET tags = json_insert(tags, '$[#]', @tag), updated_at = @now
     WHERE id = @id AND NOT EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE value = @tag)`);
  const removeTag = db.prepare<{ id: string; tag: string; now: number }>(/* sql */ `
    UPDATE contacts SET updated_at = @now,
      tags = (SELECT coalesce(json_group_array(value), '[]')
                FROM (SELECT value FROM json_each(contacts.tags) WHERE value <> @tag ORDER BY key))
     WHERE id = @id AND EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE value = @tag)`);
  // json_patch with json_object rather than json_set with a path: any key (dots, quotes, brackets) is
  // taken literally, never as path syntax.
  const setAttribute = db.prepare<{ id: string; key: string; value: string; now: number }>(/* sql */ `
    UPDATE contacts SET attributes = json_patch(attributes, json_object(@key, @value)), updated_at = @now
     WHERE id = @id`);
  const optOut = db.prepare<{ id: string; reason: string; now: number }>(/* sql */ `
    UPDATE contacts SET opted_out_at = @now, opted_out_reason = @reason, updated_at = @now
     WHERE id = @id AND opted_out_at IS NULL`);
  const optIn = db.prepare<{ id: string; now: number }>(/* sql */ `
    UPDATE contacts SET opted_out_at = NULL, opted_out_reason = NULL, updated_at = @now
     WHERE id = @id AND opted_out_at IS NOT NULL`);
  const insertRun = db.prepare(/* sql */ `
    INSERT INTO chatbot_runs (message_id, conversation_id, chatbot_id, outcome, rule_id, silent_reason,
      messages_sent, problems, created_at)
    VALUES (@messageId, @conversationId, @chatbotId, @outcome, @ruleId, @silentReason, @messagesSent,
      @problems, @createdAt)
    ON CONFLICT (message_id) DO NOTHING`);
  const selectRun = db.prepare<
    [string],
    {
      message_id: string;
      conversation_id: string;
      chatbot_id: string | null;
      outcome: RunOutcome;
      rule_id: string | null;
      silent_reason: RunSilentReason | null;
      messages_sent: number;
      problems: string;
      created_at: number;
    }
  >('SELECT * FROM chatbot_runs WHERE message_id = ?');
  const selectRunsOfConversation = db.prepare<[string], { message_id: string }>(
    'SELECT message_id FROM chatbot_runs WHERE conversation_id = ? ORDER BY created_at, message_id',
  );

  function toRun(messageId: string): RunRecord | null {
    const row = selectRun.get(messageId);
    if (!row) return null;
    return {
      messageId: row.message_id,
      conversationId: row.conversation_id,
      chatbotId: row.chatbot_id,
      outcome: row.outcome,
      ruleId: row.rule_id,
      silentReason: row.silent_reason,
      messagesSent: row.messages_sent,
      problems: (parseJson(row.problems, []) as unknown[]).map(String),
      createdAt: row.created_at,
    };
  }

  return {
    context(messageId: string): InboundContext | null {
      const row = selectContext.get(messageId);
      if (!row) return null;
      const tags = parseJson(row.tags, []);
      const attributes = parseJson(row.attributes, {});
      return {
        messageId: row.id,
        direction: row.direction,
        wamid: row.wamid,
        body: row.body,
        conversationId: row.conversation_id,
        connectionId: row.connection_id,
        botPaused: row.bot_paused === 1,
        isFirstMessage: row.first_inbound_id === row.id,
        contactId: row.contact_id,
        contact: {
          name: row.name,
          phone: row.phone_e164,
          tags: Array.isArray(tags) ? tags.map(String) : [],
          attributes:
            attributes !== null && typeof attributes === 'object' && !Array.isArray(attributes)
              ? (attributes as Record<string, unknown>)
              : {},
          optedOut: row.opted_out_at !== null,
        },
      };
    },

    addTag(contactId: string, tag: string, now: number): boolean {
      return addTag.run({ id: contactId, tag, now }).changes === 1;
    },

    removeTag(contactId: string, tag: string, now: number): boolean {
      return removeTag.run({ id: contactId, tag, now }).changes === 1;
    },

    setAttribute(contactId: string, key: string, value: string, now: number): void {
      setAttribute.run({ id: contactId, key, value, now });
    },

    /** True only for the call that changed the row: that one sends the confirmation. */
    optOut(contactId: string, reason: string, now: number): boolean {
      return optOut.run({ id: contactId, reason, now }).changes === 1;
    },

    optIn(contactId: string, now: number): boolean {
      return optIn.run({ id: contactId, now }).changes === 1;
    },

    /** False when the message already has a record: it was handled before (a re-run). */
    recordRun(run: RunRecord): boolean {
      return (
        insertRun.run({
          ...run,
          problems: JSON.stringify(run.problems),
        }).changes === 1
      );
    },

    run: toRun,

    runsOfConversation(conversationId: string): RunRecord[] {
      return selectRunsOfConversation
        .all(conversationId)
        .map((row) => toRun(row.message_id))
        .filter((run): run is RunRecord => run !== null);
    },
  };
}

export type ChatbotEffects = ReturnType<typeof createChatbotEffects>;

/**
 * The engine speaks Cloud API bodies (§2); the send point takes the inbox's MessageContent and builds the
 * body itself. Parsed with the contract's schema, so a body the send point would refuse fails here with
 * the same message.
 */
export function toMessageContent(message: OutboundContent): MessageContent {
  switch (message.type) {
    case 'text':
      return messageContentSchema.parse({
        type: 'text',
        body: message.text.body,
        previewUrl: message.text.preview_url,
      });
    case 'interactive': {
      const { interactive } = message;
      const common = {
        ...(interactive.header ? { header: interactive.header.text } : {}),
        body: interactive.body.text,
        ...(interactive.footer ? { footer: interactive.footer.text } : {}),
      };
      if (interactive.type === 'button') {
        return messageContentSchema.parse({
          type: 'buttons',
          ...common,
          buttons: interactive.action.buttons.map((button) => ({
            id: button.reply.id,
            title: button.reply.title,
          })),
        });
      }
      return messageContentSchema.parse({
        type: 'list',
        ...common,
        button: interactive.action.button,
        sections: interactive.action.sections,
      });
    }
    case 'template': {
      const parameters = message.template.components?.flatMap((component) => component.parameters) ?? [];
      let body: TemplateParams['body'];
      if (parameters.length > 0) {
        body = parameters.every((param) => param.parameter_name !== undefined)
          ? Object.fromEntries(parameters.map((param) => [param.parameter_name!, param.text]))
          : parameters.map((param) => param.text);
      }
      return messageContentSchema.parse({
        type: 'template',
        template: {
          name: message.template.name,
          language: message.template.language.code,
          ...(body !== undefined ? { params: { body } } : {}),
        },
      });
    }
  }
}
