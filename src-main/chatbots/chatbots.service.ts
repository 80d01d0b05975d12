// Chatbot editing and the rule tester. Every change is read-validate-write in one SQLite transaction
// with no await inside (house style: our row lock): the whole bot, as it would be after the change, must
// pass botSchema — so a rule cannot be deleted while another rule still goes to it, and a go-to loop can
// never be stored. Errors are AppErrors: BAD_REQUEST with the editor's field messages, NOT_FOUND, CONFLICT.
import { z } from 'zod';
import { newId } from '../db/ids';
import type { Db } from '../db/open';
import { AppError } from '../ipc/errors';
import { decide, type Decision } from './chatbots.engine';
import {
  botSchema,
  engineContactSchema,
  engineConversationSchema,
  engineMessageSchema,
  formatIssues,
  toIssues,
  type Bot,
  type BotSettings,
  type ValidationIssue,
} from './chatbots.model';
import { createChatbotsRepo, type BotSummary } from './chatbots.repo';

export class ChatbotValidationError extends AppError {
  constructor(readonly issues: ValidationIssue[]) {
    super('BAD_REQUEST', formatIssues(issues));
    this.name = 'ChatbotValidationError';
  }
}

function invalid(message: string, path: (string | number)[] = []): ChatbotValidationError {
  return new ChatbotValidationError([{ path, where: '', message }]);
}

/** A rule as the editor sends it: the id is optional for a new rule. */
const ruleIdSchema = z.looseObject({ id: z.string().min(1).max(100).optional() });

const settingKeys = ['name', 'connectionId', 'enabled', 'businessHours', 'compliance'] as const;
export type SettingsPatch = Partial<Record<(typeof settingKeys)[number], unknown>>;

/** Only the bot-level fields of a patch: ids, workspace and rules cannot be changed through it. */
function settingsOf(patch: SettingsPatch | undefined): SettingsPatch {
  const picked: SettingsPatch = {};
  for (const key of settingKeys) if (patch && key in patch) picked[key] = patch[key];
  return picked;
}

function settingsFrom(bot: Bot): BotSettings {
  return {
    name: bot.name,
    connectionId: bot.connectionId,
    enabled: bot.enabled,
    businessHours: bot.businessHours,
    compliance: bot.compliance,
  };
}

export const createBotInputSchema = z.strictObject({
  workspaceId: z.string().min(1),
  connectionId: z.string().min(1).nullable().default(null),
  name: z.unknown(),
  /** New bots start switched off: people build and test the rules first. */
  enabled: z.boolean().default(false),
  businessHours: z.unknown().default(null),
  compliance: z.unknown().default({}),
  rules: z.array(z.unknown()).default([]),
});
export type CreateBotInput = z.input<typeof createBotInputSchema>;

/** What the tester simulates: a customer message, and optionally who sent it and the thread's state. */
export const testInputSchema = z.strictObject({
  message: engineMessageSchema,
  contact: engineContactSchema.optional(),
  conversation: engineConversationSchema.optional(),
  /** Epoch ms to test business hours at another time; defaults to now. */
  at: z.number().int().nonnegative().optional(),
});
export type TestInput = z.input<typeof testInputSchema>;

const testContact = {
  name: 'Test customer',
  phone: '+15550000000',
  attributes: {},
  tags: [],
  optedOut: false,
};

export interface ChatbotsServiceOptions {
  db: Db;
  now?: () => number;
}

export function createChatbotsService(options: ChatbotsServiceOptions) {
  const { db } = options;
  const now = options.now ?? Date.now;
  const repo = createChatbotsRepo(db);

  function validateBot(candidate: unknown): Bot {
    const parsed = botSchema.safeParse(candidate);
    if (!parsed.success) throw new ChatbotValidationError(toIssues(parsed.error));
    return parsed.data;
  }

  function requireBot(botId: string): Bot {
    const bot = repo.getBot(botId);
    if (!bot) throw new AppError('NOT_FOUND', `Chatbot ${botId} was not found.`);
    return bot;
  }

  function checkConnection(workspaceId: string, connectionId: string | null): void {
    if (connectionId === null) return;
    const owner = repo.workspaceOfConnection(connectionId);
    if (owner === null) throw new AppError('NOT_FOUND', `Connection ${connectionId} was not found.`);
    if (owner !== workspaceId) {
      throw invalid('The bot and its WhatsApp number must belong to the same workspace.', ['connectionId']);
    }
  }

  function withRuleIds(rules: readonly unknown[]): unknown[] {
    return rules.map((rule) => {
      const parsed = ruleIdSchema.safeParse(rule);
      return parsed.success && parsed.data.id === undefined ? { ...parsed.data, id: newId(now()) } : rule;
    });
  }

  /** Writes a validated bot's rules; a rule id owned by another bot aborts the transaction. */
  function writeRules(bot: Bot, at: number): void {
    const foreign = repo.replaceRules(bot.id, bot.rules, at);
    if (foreign.length > 0) {
      throw new AppError(
        'CONFLICT',
        `Rule id ${foreign.map((id) => `"${id}"`).join(', ')} belongs to another bot.`,
      );
    }
  }

  /** Loads, changes and re-validates a bot in one transaction, then lets `write` store the change. */
  function change(botId: string, edit: (bot: Bot) => unknown, write: (bot: Bot, at: number) => void): Bot {
    return db
      .transaction((): Bot => {
        const current = requireBot(botId);
        const next = validateBot(edit(current));
        write(next, now());
        return requireBot(botId);
      })
      .immediate();
  }

  function ruleIndex(bot: Bot, ruleId: string): number {
    const index = bot.rules.findIndex((rule) => rule.id === ruleId);
    if (index === -1)
      throw new AppError('NOT_FOUND', `Rule ${ruleId} was not found in chatbot "${bot.name}".`);
    return index;
  }

  const service = {
    createBot(input: CreateBotInput): Bot {
      const parsedInput = createBotInputSchema.safeParse(input);
      if (!parsedInput.success) throw new ChatbotValidationError(toIssues(parsedInput.error));
      const { workspaceId, rules, ...settings } = parsedInput.data;
      return db
        .transaction((): Bot => {
          if (!repo.workspaceExists(workspaceId)) {
            throw new AppError('NOT_FOUND', `Workspace ${workspaceId} was not found.`);
          }
          const at = now();
          const bot = validateBot({ id: newId(at), workspaceId, ...settings, rules: withRuleIds(rules) });
          checkConnection(workspaceId, bot.connectionId);
          repo.insertBot(bot.id, workspaceId, bot, at);
          writeRules(bot, at);
          return requireBot(bot.id);
        })
        .immediate();
    },

    /** A new, switched-off bot with no rules on this number (the editor's "New chatbot"). */
    createBotForConnection(connectionId: string, name: string): Bot {
      const workspaceId = repo.workspaceOfConnection(connectionId);
      if (workspaceId === null) throw new AppError('NOT_FOUND', `Connection ${connectionId} was not found.`);
      return service.createBot({ workspaceId, connectionId, name });
    },

    getBot: requireBot,

    /** The bots of one number, oldest first (the first enabled one answers). */
    listBotsOfConnection(connectionId: string): BotSummary[] {
      if (repo.workspaceOfConnection(connectionId) === null) {
        throw new AppError('NOT_FOUND', `Connection ${connectionId} was not found.`);
      }
      return repo.listBotsOfConnection(connectionId);
    },

    listBots(workspaceId: string): BotSummary[] {
      return repo.listBots(workspaceId);
    },

    /** Enabled bots for an inbound message on this number (the queue job's lookup). */
    botsForConnection(connectionId: string): Bot[] {
      return repo.botsForConnection(connectionId);
    },

    /** Name, number, enabled, business hours and confirmations; the rules stay as they are. */
    updateSettings(botId: string, patch: SettingsPatch): Bot {
      return change(
        botId,
        (bot) => ({ ...bot, ...settingsOf(patch) }),
        (bot, at) => {
          checkConnection(bot.workspaceId, bot.connectionId);
          repo.updateBotSettings(bot.id, settingsFrom(bot), at);
        },
      );
    },

    /** The editor's "save": settings and the whole ordered rule list at once. */
    saveBot(botId: string, draft: { settings?: SettingsPatch; rules: readonly unknown[] }): Bot {
      return change(
        botId,
        (bot) => ({ ...bot, ...settingsOf(draft.settings), rules: withRuleIds(draft.rules) }),
        (bot, at) => {
          checkConnection(bot.workspaceId, bot.connectionId);
          repo.updateBotSettings(bot.id, settingsFrom(bot), at);
          writeRules(bot, at);
        },
      );
    },

    setBotEnabled(botId: string, enabled: boolean): Bot {
      return change(
        botId,
        (bot) => ({ ...bot, enabled }),
        (bot, at) => repo.setBotEnabled(bot.id, bot.enabled, at),
      );
    },

    deleteBot(botId: string): void {
      if (!repo.deleteBot(botId)) throw new AppError('NOT_FOUND', `Chatbot ${botId} was not found.`);
    },

    /** Adds a rule at `position` (default: the end, before nothing). */
    addRule(botId: string, rule: unknown, position?: number): Bot {
      const [withId] = withRuleIds([rule]);
      return change(
        botId,
        (bot) => {
          const rules: unknown[] = [...bot.rules];
          const at =
            position === undefined ? rules.length : Math.max(0, Math.min(rules.length, Math.trunc(position)));
          rules.splice(at, 0, withId);
          return { ...bot, rules };
        },
        writeRules,
      );
    },

    updateRule(botId: string, rule: unknown): Bot {
      const ruleId = ruleIdSchema.safeParse(rule).data?.id;
      if (ruleId === undefined) throw invalid('The rule to update has no id.', ['id']);
      return change(
        botId,
        (bot) => {
          const rules: unknown[] = [...bot.rules];
          rules[ruleIndex(bot, ruleId)] = rule;
          return { ...bot, rules };
        },
        writeRules,
      );
    },

    deleteRule(botId: string, ruleId: string): Bot {
      return change(
        botId,
        (bot) => {
          ruleIndex(bot, ruleId);
          return { ...bot, rules: bot.rules.filter((rule) => rule.id !== ruleId) };
        },
        writeRules,
      );
    },

    setRuleEnabled(botId: string, ruleId: string, enabled: boolean): Bot {
      return change(
        botId,
        (bot) => {
          ruleIndex(bot, ruleId);
          return {
            ...bot,
            rules: bot.rules.map((rule) => (rule.id === ruleId ? { ...rule, enabled } : rule)),
          };
        },
        (bot, at) => repo.setRuleEnabled(bot.id, ruleId, enabled, at),
      );
    },

    /** `orderedRuleIds` must name every rule of the bot exactly once (the drag-to-reorder result). */
    reorderRules(botId: string, orderedRuleIds: readonly string[]): Bot {
      return change(
        botId,
        (bot) => {
          const known = new Set(bot.rules.map((rule) => rule.id));
          const given = new Set(orderedRuleIds);
          if (
            given.size !== orderedRuleIds.length ||
            given.size !== known.size ||
            [...given].some((id) => !known.has(id))
          ) {
            throw invalid(
              `Reorder must list each of the bot's ${known.size} rules exactly once (got ${orderedRuleIds.length} ids).`,
              ['rules'],
            );
          }
          const byId = new Map(bot.rules.map((rule) => [rule.id, rule]));
          return { ...bot, rules: orderedRuleIds.map((id) => byId.get(id)!) };
        },
        (bot, at) =>
          repo.setRulePositions(
            bot.id,
            bot.rules.map((rule) => rule.id),
            at,
          ),
      );
    },

    /**
     * The rule tester: what the bot would do with this message, without sending or storing anything.
     * A disabled bot is tested as if enabled (people test before switching a bot on); the trace says so.
     */
    test(botId: string, input: TestInput): Decision {
      const parsed = testInputSchema.safeParse(input);
      if (!parsed.success) throw new ChatbotValidationError(toIssues(parsed.error));
      const bot = requireBot(botId);
      const decision = decide({
        bot: { ...bot, enabled: true },
        message: parsed.data.message,
        contact: parsed.data.contact ?? engineContactSchema.parse(testContact),
        conversation: parsed.data.conversation ?? engineConversationSchema.parse({}),
        now: parsed.data.at ?? now(),
      });
      if (!bot.enabled) {
        decision.trace.unshift({
          step: 'gate',
          message: `Bot "${bot.name}" is disabled; tested as if it were enabled.`,
        });
      }
      return decision;
    },
  };
  return service;
}

export type ChatbotsService = ReturnType<typeof createChatbotsService>;
