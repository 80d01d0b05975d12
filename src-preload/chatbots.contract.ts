// The chatbots part of the IPC contract (spread into contract.ts): bots per connection, their ordered
// rules, business hours and the rule tester. The request schemas check the envelope (ids, sizes, which
// fields exist); the rules themselves are checked whole by the model's schemas in main
// (src-main/chatbots/chatbots.model.ts), which answer BAD_REQUEST with one line per problem, each naming
// where it is ("rule 2 › action 1 › button 3 › title: …"). Meta's limits live here so the editor and the
// model read the same numbers (whatsapp-cloud-api.md §2).
import { z } from 'zod';
import { returns, rowId } from './contractSchema';

/** Meta's limits for the messages a bot sends (§2). Lengths are UTF-16 code units, the stricter count. */
export const botMessageLimits = {
  textBody: 4096,
  buttonsMin: 1,
  buttonsMax: 3,
  buttonTitle: 20,
  buttonId: 256,
  buttonsBody: 1024,
  listBody: 4096,
  header: 60,
  footer: 60,
  listButton: 20,
  listSectionsMax: 10,
  listRowsMax: 10,
  listSectionTitle: 24,
  listRowTitle: 24,
  listRowDescription: 72,
  listRowId: 200,
} as const;

/** Bot-side limits: bounded work per message and editor-sized data. */
export const botLimits = {
  rules: 200,
  actionsPerRule: 20,
  keywordsPerRule: 50,
  keyword: 100,
  replyIdsPerRule: 50,
  ruleName: 100,
  botName: 100,
  tag: 50,
  attributeKey: 64,
  attributeValue: 1000,
  note: 500,
  templateParams: 20,
  templateParam: 1024,
  /** Actions run for one message, go-to jumps included; also the run-time guard against cycles. */
  steps: 50,
  /** Messages sent for one inbound message. */
  sendsPerMessage: 5,
  goToDepth: 10,
} as const;

export const weekdayNames = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type WeekdayName = (typeof weekdayNames)[number];

// ---------------------------------------------------------------------------------------------------
// What main returns. The model's types (z.infer in chatbots.model.ts) are checked against these by the
// compiler where the handlers return them, so the two cannot drift apart.

export type KeywordMatch = 'exact' | 'contains' | 'starts_with' | 'regex';

export type TriggerView =
  | { type: 'keyword'; match: KeywordMatch; keywords: string[] }
  | { type: 'first_message' }
  | { type: 'outside_business_hours' }
  | { type: 'reply_id'; ids: string[] }
  | { type: 'fallback' };

export interface ReplyButtonView {
  id: string;
  title: string;
}
export interface ListRowView {
  id: string;
  title: string;
  description?: string | undefined;
}
export interface ListSectionView {
  title?: string | undefined;
  rows: ListRowView[];
}

export type ActionView =
  | { type: 'reply_text'; text: string; previewUrl: boolean }
  | {
      type: 'reply_buttons';
      header?: string | undefined;
      body: string;
      footer?: string | undefined;
      buttons: ReplyButtonView[];
    }
  | {
      type: 'reply_list';
      header?: string | undefined;
      body: string;
      footer?: string | undefined;
      button: string;
      sections: ListSectionView[];
    }
  | {
      type: 'send_template';
      name: string;
      language: string;
      params: { name?: string | undefined; text: string }[];
    }
  | { type: 'add_tag'; tag: string }
  | { type: 'remove_tag'; tag: string }
  | { type: 'set_attribute'; key: string; value: string }
  | { type: 'opt_out'; confirmation?: string | undefined }
  | { type: 'opt_in'; confirmation?: string | undefined }
  | { type: 'handoff'; note?: string | undefined }
  | { type: 'go_to_rule'; ruleId: string };

export type TriggerType = TriggerView['type'];
export type ActionType = ActionView['type'];

export interface RuleView {
  id: string;
  name: string;
  enabled: boolean;
  trigger: TriggerView;
  actions: ActionView[];
}

export interface TimeRangeView {
  start: string;
  end: string;
}

export interface BusinessHoursView {
  /** IANA time zone, e.g. America/Sao_Paulo. */
  timeZone: string;
  weekly: Record<WeekdayName, TimeRangeView[]>;
  /** YYYY-MM-DD dates the business is closed all day. */
  holidays: string[];
}

export interface ComplianceSettingsView {
  optOutConfirmation: string | null;
  optInConfirmation: string | null;
}

export interface BotView {
  id: string;
  workspaceId: string;
  connectionId: string | null;
  name: string;
  enabled: boolean;
  businessHours: BusinessHoursView | null;
  compliance: ComplianceSettingsView;
  /** In the order they are tried. */
  rules: RuleView[];
}

export interface BotSummaryView {
  id: string;
  workspaceId: string;
  connectionId: string | null;
  name: string;
  enabled: boolean;
  ruleCount: number;
  updatedAt: number;
}

/** A message exactly as the bot would send it: the Cloud API body without the envelope (§2). */
export type BotOutboundView =
  | { type: 'text'; text: { body: string; preview_url: boolean } }
  | {
      type: 'interactive';
      interactive: {
        type: 'button';
        header?: { type: 'text'; text: string };
        body: { text: string };
        footer?: { text: string };
        action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
      };
    }
  | {
      type: 'interactive';
      interactive: {
        type: 'list';
        header?: { type: 'text'; text: string };
        body: { text: string };
        footer?: { text: string };
        action: {
          button: string;
          sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
        };
      };
    }
  | {
      type: 'template';
      template: {
        name: string;
        language: { code: string };
        components?: {
          type: 'body';
          parameters: { type: 'text'; text: string; parameter_name?: string }[];
        }[];
      };
    };

export type BotEffectView =
  | { kind: 'send'; ruleId: string; message: BotOutboundView }
  | { kind: 'add_tag'; tag: string }
  | { kind: 'remove_tag'; tag: string }
  | { kind: 'set_attribute'; key: string; value: string }
  | { kind: 'opt_out'; source: 'keyword' | 'quick_reply' | 'rule'; confirmation: BotOutboundView | null }
  | { kind: 'opt_in'; source: 'keyword' | 'quick_reply' | 'rule'; confirmation: BotOutboundView | null }
  | { kind: 'handoff'; note: string | null };

export interface BotTraceLineView {
  step: 'gate' | 'compliance' | 'rule' | 'action' | 'warning';
  ruleId?: string;
  message: string;
}

/** What the bot would do with the tested message. Nothing was sent or stored. */
export interface BotTestResult {
  outcome: 'rule' | 'compliance' | 'silent';
  rule: { id: string; name: string } | null;
  compliance: { action: 'opt_out' | 'opt_in'; language: string; matched: string } | null;
  silentReason: string | null;
  /** In the order the actions would run. */
  effects: BotEffectView[];
  /** Every message that would be sent, confirmations included, in order. */
  messages: BotOutboundView[];
  trace: BotTraceLineView[];
}

// ---------------------------------------------------------------------------------------------------
// Requests

export const botNameSchema = z
  .string({ error: 'Give the chatbot a name.' })
  .trim()
  .min(1, 'Give the chatbot a name.')
  .max(botLimits.botName, `A chatbot name can be at most ${botLimits.botName} characters.`);

/**
 * One rule as the editor sends it: its envelope is checked here, its trigger and actions in main against
 * the model (which knows every type's fields and limits). A new rule has no id yet.
 */
export const ruleDraftSchema = z.strictObject({
  id: z.string().min(1).max(100).optional(),
  name: z.string({ error: 'Give the rule a name.' }).max(botLimits.ruleName * 2),
  enabled: z.boolean({ error: 'A rule is either enabled or disabled (true or false).' }),
  trigger: z.looseObject({ type: z.string({ error: 'Choose what triggers the rule.' }).max(40) }),
  actions: z
    .array(z.looseObject({ type: z.string({ error: 'Choose an action type.' }).max(40) }))
    .max(botLimits.actionsPerRule, `A rule can have at most ${botLimits.actionsPerRule} actions.`),
});
export type RuleDraft = z.infer<typeof ruleDraftSchema>;

const botRef = { botId: rowId('chatbot') };

/** The tester's customer message: typed text, a tap on a reply button or list row, or a template quick reply. */
export const testMessageSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('text'),
      text: z
        .string({ error: 'Type the customer message to test.' })
        .min(1, 'Type the customer message to test.')
        .max(botMessageLimits.textBody, 'A WhatsApp text can be at most 4,096 characters.'),
    }),
    z.strictObject({
      kind: z.enum(['button_reply', 'list_reply']),
      id: z
        .string({ error: 'Enter the button or row id to test.' })
        .min(1, 'Enter the button or row id to test.')
        .max(botMessageLimits.buttonId),
      title: z.string().max(100).optional(),
    }),
    z.strictObject({
      kind: z.literal('quick_reply'),
      payload: z.string().min(1, 'Enter the quick-reply payload.').max(4096),
      text: z.string().max(4096).optional(),
    }),
  ],
  { error: 'The test message is typed text, a button_reply, a list_reply or a quick_reply.' },
);
export type TestMessage = z.infer<typeof testMessageSchema>;

export const chatbotTestSchema = z.strictObject({
  ...botRef,
  message: testMessageSchema,
  /** Epoch ms to test business hours at another time; defaults to now. */
  at: z.number().int().nonnegative().optional(),
  /** Test as the first message of a new conversation. */
  isFirstMessage: z.boolean().optional(),
  /** Test as an opted-out contact. */
  optedOut: z.boolean().optional(),
  /** The away message was already sent on this local date (YYYY-MM-DD). */
  awaySentOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'The away-message date looks like 2025-12-24.')
    .optional(),
});
export type ChatbotTestRequest = z.infer<typeof chatbotTestSchema>;

export const chatbotsContract = {
  /** The bots that answer on this number, by name. */
  'chatbots:list': {
    request: z.strictObject({ connectionId: rowId('connection') }),
    response: returns<BotSummaryView[]>(),
  },
  'chatbots:get': { request: z.strictObject(botRef), response: returns<BotView>() },
  /** New bots start switched off with no rules: people build and test first. */
  'chatbots:create': {
    request: z.strictObject({ connectionId: rowId('connection'), name: botNameSchema }),
    response: returns<BotView>(),
  },
  'chatbots:rename': {
    request: z.strictObject({ ...botRef, name: botNameSchema }),
    response: returns<BotView>(),
  },
  'chatbots:delete': {
    request: z.strictObject(botRef),
    response: returns<{ botId: string }>(),
  },
  'chatbots:set-enabled': {
    request: z.strictObject({ ...botRef, enabled: z.boolean() }),
    response: returns<BotView>(),
  },
  'chatbots:set-rule-enabled': {
    request: z.strictObject({ ...botRef, ruleId: z.string().min(1).max(100), enabled: z.boolean() }),
    response: returns<BotView>(),
  },
  /** The editor's save: the whole ordered rule list, validated as a whole bot (go-to targets, loops). */
  'chatbots:save-rules': {
    request: z.strictObject({
      ...botRef,
      rules: z
        .array(ruleDraftSchema)
        .max(botLimits.rules, `A chatbot can have at most ${botLimits.rules} rules.`),
    }),
    response: returns<BotView>(),
  },
  /** Every rule id of the bot exactly once, in the new order (drag to reorder, move up/down). */
  'chatbots:reorder-rules': {
    request: z.strictObject({
      ...botRef,
      ruleIds: z.array(z.string().min(1).max(100)).max(botLimits.rules),
    }),
    response: returns<BotView>(),
  },
  /**
   * Business hours (null: always open, no away message) and the STOP/START confirmations (null: the
   * built-in one in the customer's language). Fields left out keep their value.
   */
  'chatbots:update-settings': {
    request: z.strictObject({
      ...botRef,
      businessHours: z
        .strictObject({
          timeZone: z.string({ error: 'Choose a time zone.' }).max(64),
          weekly: z.record(
            z.string(),
            z.array(z.strictObject({ start: z.string().max(5), end: z.string().max(5) })).max(10),
          ),
          holidays: z.array(z.string().max(10)).max(366).optional(),
        })
        .nullable()
        .optional(),
      compliance: z
        .strictObject({
          optOutConfirmation: z.string().max(botMessageLimits.textBody).nullable().optional(),
          optInConfirmation: z.string().max(botMessageLimits.textBody).nullable().optional(),
        })
        .optional(),
    }),
    response: returns<BotView>(),
  },
  /** The rule tester: which rule fires and exactly what would be sent, without sending or storing. */
  'chatbots:test': { request: chatbotTestSchema, response: returns<BotTestResult>() },
};

export const chatbotsEvents = {
  /** A bot of this connection was created, edited, switched on or off, or deleted. */
  'chatbots:changed': returns<{ connectionId: string | null; botId: string }>(),
};
