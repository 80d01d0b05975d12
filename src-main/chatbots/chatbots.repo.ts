// The only SQL on chatbots, chatbot_rules and chatbot_conversation_state (migration 0003). Triggers and
// actions are JSON columns parsed with the model's schemas on every read, so a row that does not fit the
// model is reported with its id instead of reaching the engine. Writes take values the service has
// already validated as a whole bot (go-to targets, cycles); the repo never validates across rules.
import type { Db } from '../db/open';
import {
  actionSchema,
  businessHoursSchema,
  complianceSettingsSchema,
  triggerSchema,
  type Bot,
  type BotSettings,
  type Rule,
} from './chatbots.model';
import { z } from 'zod';

interface BotRow {
  id: string;
  workspace_id: string;
  connection_id: string | null;
  name: string;
  enabled: number;
  business_hours: string | null;
  compliance: string;
  created_at: number;
  updated_at: number;
}

interface RuleRow {
  id: string;
  chatbot_id: string;
  position: number;
  name: string;
  enabled: number;
  trigger: string;
  actions: string;
}

export interface BotSummary {
  id: string;
  workspaceId: string;
  connectionId: string | null;
  name: string;
  enabled: boolean;
  ruleCount: number;
  updatedAt: number;
}

export interface ConversationBotState {
  conversationId: string;
  awaySentLocalDate: string | null;
  awaySentAt: number | null;
  handoffRequestedAt: number | null;
  handoffNote: string | null;
}

export class StoredBotCorruptError extends Error {
  constructor(what: string, detail: string) {
    super(`Stored chatbot data does not fit the model (${what}): ${detail}`);
    this.name = 'StoredBotCorruptError';
  }
}

function parseJson<T>(schema: z.ZodType<T>, json: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new StoredBotCorruptError(what, 'not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new StoredBotCorruptError(what, parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  return parsed.data;
}

const actionsSchema = z.array(actionSchema);

export function createChatbotsRepo(db: Db) {
  const selectBot = db.prepare<[string], BotRow>('SELECT * FROM chatbots WHERE id = ?');
  const selectRules = db.prepare<[string], RuleRow>(
    `SELECT id, chatbot_id, position, name, enabled, trigger, actions FROM chatbot_rules
      WHERE chatbot_id = ? ORDER BY position, created_at, id`,
  );
  const selectSummaries = db.prepare<[string], BotRow & { rule_count: number }>(
    `SELECT b.*, (SELECT count(*) FROM chatbot_rules r WHERE r.chatbot_id = b.id) AS rule_count
       FROM chatbots b WHERE b.workspace_id = ? ORDER BY b.name COLLATE NOCASE, b.id`,
  );
  const selectSummariesOfConnection = db.prepare<[string], BotRow & { rule_count: number }>(
    `SELECT b.*, (SELECT count(*) FROM chatbot_rules r WHERE r.chatbot_id = b.id) AS rule_count
       FROM chatbots b WHERE b.connection_id = ? ORDER BY b.created_at, b.id`,
  );
  // A bot with connection_id NULL serves every number of its workspace (0001's comment); a bot tied to
  // the number comes first.
  const selectForConnection = db.prepare<[string], { id: string }>(
    `SELECT b.id FROM chatbots b JOIN connections c ON c.id = ?
      WHERE b.enabled = 1 AND b.workspace_id = c.workspace_id AND (b.connection_id = c.id OR b.connection_id IS NULL)
      ORDER BY b.connection_id IS NULL, b.created_at, b.id`,
  );
  const selectConnectionWorkspace = db.prepare<[string], { workspace_id: string }>(
    'SELECT workspace_id FROM connections WHERE id = ?',
  );
  const selectWorkspace = db.prepare<[string], { id: string }>('SELECT id FROM workspaces WHERE id = ?');
  const insertBot = db.prepare(
    `INSERT INTO chatbots (id, workspace_id, connection_id, name, enabled, business_hours, compliance, created_at, updated_at)
     VALUES (@id, @workspaceId, @connectionId, @name, @enabled, @businessHours, @compliance, @now, @now)`,
  );
  const updateBot = db.prepare(
    `UPDATE chatbots SET connection_id = @connectionId, name = @name, enabled = @enabled,
       business_hours = @businessHours, compliance = @compliance, updated_at = @now
     WHERE id = @id`,
  );
  const updateBotEnabled = db.prepare<[number, number, string]>(
    'UPDATE chatbots SET enabled = ?, updated_at = ? WHERE id = ?',
  );
  const touchBot = db.prepare<[number, string]>('UPDATE chatbots SET updated_at = ? WHERE id = ?');
  const deleteBotStatement = db.prepare<[string]>('DELETE FROM chatbots WHERE id = ?');
  // A rule id already used by another bot must not be taken over: the WHERE makes that upsert a no-op,
  // which the caller sees as 0 changes.
  const upsertRule = db.prepare(
    `INSERT INTO chatbot_rules (id, chatbot_id, position, name, enabled, trigger, actions, created_at, updated_at)
     VALUES (@id, @botId, @position, @name, @enabled, @trigger, @actions, @now, @now)
     ON CONFLICT (id) DO UPDATE SET position = excluded.position, name = excluded.name, enabled = excluded.enabled,
       trigger = excluded.trigger, actions = excluded.actions, updated_at = excluded.updated_at
     WHERE chatbot_rules.chatbot_id = excluded.chatbot_id`,
  );
  const deleteRuleStatement = db.prepare<[string, string]>(
    'DELETE FROM chatbot_rules WHERE chatbot_id = ? AND id = ?',
  );
  const selectRuleIds = db.prepare<[string], { id: string }>(
    'SELECT id FROM chatbot_rules WHERE chatbot_id = ?',
  );
  const updatePosition = db.prepare<[number, number, string, string]>(
    'UPDATE chatbot_rules SET position = ?, updated_at = ? WHERE chatbot_id = ? AND id = ?',
  );
  const updateRuleEnabled = db.prepare<[number, number, string, string]>(
    'UPDATE chatbot_rules SET enabled = ?, updated_at = ? WHERE chatbot_id = ? AND id = ?',
  );

  const selectState = db.prepare<
    [string],
    {
      conversation_id: string;
      away_sent_local_date: string | null;
      away_sent_at: number | null;
      handoff_requested_at: number | null;
      handoff_note: string | null;
    }
  >('SELECT * FROM chatbot_conversation_state WHERE conversation_id = ?');
  // One statement decides who sends today's away message: the row is created or moved to the new date
  // only if it holds another date, and RETURNING tells the caller whether it won.
  const claimAway = db.prepare<[string, string, number, number], { conversation_id: string }>(
    `INSERT INTO chatbot_conversation_state (conversation_id, away_sent_local_date, away_sent_at, updated_at)
     VALUES (?, ?, ?, ?)
     ON CONFLICT (conversation_id) DO UPDATE SET away_sent_local_date = excluded.away_sent_local_date,
       away_sent_at = excluded.away_sent_at, updated_at = excluded.updated_at
     WHERE chatbot_conversation_state.away_sent_local_date IS NOT excluded.away_sent_local_date
     RETURNING conversation_id`,
  );
  const upsertHandoff = db.prepare<[string, number, string | null, number]>(
    `INSERT INTO chatbot_conversation_state (conversation_id, handoff_requested_at, handoff_note, updated_at)
     VALUES (?, ?, ?, ?)
     ON CONFLICT (conversation_id) DO UPDATE SET handoff_requested_at = excluded.handoff_requested_at,
       handoff_note = excluded.handoff_note, updated_at = excluded.updated_at`,
  );
  const clearHandoffStatement = db.prepare<[number, string]>(
    `UPDATE chatbot_conversation_state SET handoff_requested_at = NULL, handoff_note = NULL, updated_at = ?
     WHERE conversation_id = ? AND handoff_requested_at IS NOT NULL`,
  );

  function toSummary(row: BotRow & { rule_count: number }): BotSummary {
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      connectionId: row.connection_id,
      name: row.name,
      enabled: row.enabled === 1,
      ruleCount: row.rule_count,
      updatedAt: row.updated_at,
    };
  }

  function toRule(row: RuleRow): Rule {
    const what = `rule ${row.id}`;
    return {
      id: row.id,
      name: row.name,
      enabled: row.enabled === 1,
      trigger: parseJson(triggerSchema, row.trigger, `${what} trigger`),
      actions: parseJson(actionsSchema, row.actions, `${what} actions`),
    };
  }

  function toBot(row: BotRow): Bot {
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      connectionId: row.connection_id,
      name: row.name,
      enabled: row.enabled === 1,
      businessHours:
        row.business_hours === null
          ? null
          : parseJson(businessHoursSchema, row.business_hours, `bot ${row.id} business hours`),
      compliance: parseJson(complianceSettingsSchema, row.compliance, `bot ${row.id} compliance`),
      rules: selectRules.all(row.id).map(toRule),
    };
  }

  function settingsParams(id: string, settings: BotSettings, now: number) {
    return {
      id,
      connectionId: settings.connectionId,
      name: settings.name,
      enabled: settings.enabled ? 1 : 0,
      businessHours: settings.businessHours === null ? null : JSON.stringify(settings.businessHours),
      compliance: JSON.stringify(settings.compliance),
      now,
    };
  }

  return {
    getBot(id: string): Bot | null {
      const row = selectBot.get(id);
      return row ? toBot(row) : null;
    },

    listBots(workspaceId: string): BotSummary[] {
      return selectSummaries.all(workspaceId).map(toSummary);
    },

    /** The bots tied to this number, oldest first: the order in which they are asked to answer. */
    listBotsOfConnection(connectionId: string): BotSummary[] {
      return selectSummariesOfConnection.all(connectionId).map(toSummary);
    },

    /** Enabled bots serving a number: the number's own first, then workspace-wide ones. */
    botsForConnection(connectionId: string): Bot[] {
      return selectForConnection
        .all(connectionId)
        .map((row) => selectBot.get(row.id))
        .filter((row): row is BotRow => row !== undefined)
        .map(toBot);
    },

    workspaceExists(workspaceId: string): boolean {
      return selectWorkspace.get(workspaceId) !== undefined;
    },

    workspaceOfConnection(connectionId: string): string | null {
      return selectConnectionWorkspace.get(connectionId)?.workspace_id ?? null;
    },

    insertBot(id: string, workspaceId: string, settings: BotSettings, now: number): void {
      insertBot.run({ ...settingsParams(id, settings, now), workspaceId });
    },

    /** False when there is no such bot. */
    updateBotSettings(id: string, settings: BotSettings, now: number): boolean {
      return updateBot.run(settingsParams(id, settings, now)).changes === 1;
    },

    setBotEnabled(id: string, enabled: boolean, now: number): boolean {
      return updateBotEnabled.run(enabled ? 1 : 0, now, id).changes === 1;
    },

    deleteBot(id: string): boolean {
      return deleteBotStatement.run(id).changes === 1;
    },

    /**
     * Makes the bot's rules exactly `rules`, in that order: new ids are inserted, known ones updated,
     * missing ones deleted. Returns the ids that belong to another bot (nothing is written for them;
     * the caller rolls the transaction back).
     */
    replaceRules(botId: string, rules: readonly Rule[], now: number): string[] {
      const keep = new Set(rules.map((rule) => rule.id));
      for (const { id } of selectRuleIds.all(botId)) {
        if (!keep.has(id)) deleteRuleStatement.run(botId, id);
      }
      const foreign: string[] = [];
      rules.forEach((rule, position) => {
        const changes = upsertRule.run({
          id: rule.id,
          botId,
          position,
          name: rule.name,
          enabled: rule.enabled ? 1 : 0,
          trigger: JSON.stringify(rule.trigger),
          actions: JSON.stringify(rule.actions),
          now,
        }).changes;
        if (changes === 0) foreign.push(rule.id);
      });
      touchBot.run(now, botId);
      return foreign;
    },

    /** `orderedIds` must be every rule of the bot (the service checks); positions become 0..n-1. */
    setRulePositions(botId: string, orderedIds: readonly string[], now: number): void {
      orderedIds.forEach((id, position) => updatePosition.run(position, now, botId, id));
      touchBot.run(now, botId);
    },

    setRuleEnabled(botId: string, ruleId: string, enabled: boolean, now: number): boolean {
      const changed = updateRuleEnabled.run(enabled ? 1 : 0, now, botId, ruleId).changes === 1;
      if (changed) touchBot.run(now, botId);
      return changed;
    },

    conversationState(conversationId: string): ConversationBotState | null {
      const row = selectState.get(conversationId);
      return row
        ? {
            conversationId: row.conversation_id,
            awaySentLocalDate: row.away_sent_local_date,
            awaySentAt: row.away_sent_at,
            handoffRequestedAt: row.handoff_requested_at,
            handoffNote: row.handoff_note,
          }
        : null;
    },

    /**
     * True when this call is the one that sends the away message for `localDate` in the conversation:
     * at most one caller per conversation and local date ever gets true (issue 9: once per day).
     */
    claimAwayMessage(conversationId: string, localDate: string, now: number): boolean {
      return claimAway.get(conversationId, localDate, now, now) !== undefined;
    },

    markHandoff(conversationId: string, note: string | null, now: number): void {
      upsertHandoff.run(conversationId, now, note, now);
    },

    /** An agent took over (or resumed the bot): the inbox badge goes away. */
    clearHandoff(conversationId: string, now: number): boolean {
      return clearHandoffStatement.run(now, conversationId).changes === 1;
    },
  };
}

export type ChatbotsRepo = ReturnType<typeof createChatbotsRepo>;
