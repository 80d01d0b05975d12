// What a chatbot is: an ordered list of rules, each a trigger and a list of actions, plus the business
// hours the away trigger uses. The zod schemas are the single check for everything that is saved (the
// repo stores triggers and actions as JSON and re-parses them on read) and give the messages the editor
// shows. Interactive-message limits are Meta's (whatsapp-cloud-api.md §2): a bot that saves is a bot
// whose replies Meta accepts.
import { z } from 'zod';
import { botMessageLimits as limits, botLimits } from '../../src-preload/chatbots.contract';
import { isValidTimeZone, minutesOf, weekdays } from './chatbots.hours';
import { analyzeRegex, normalizeForMatch, placeholderProblems, stripOuterPunctuation } from './chatbots.text';

/** Meta's limits (§2) and the bot-side ones live in the contract, so the editor reads the same numbers. */
export { limits, botLimits };

const length = (value: unknown): number => (typeof value === 'string' ? value.length : 0);

/** A required text with a label for messages: "Button title must be at most 20 characters (got 23)." */
function text(label: string, max: number) {
  return z
    .string({ error: `${label} must be text.` })
    .refine((value) => value.trim().length > 0, { error: `${label} must not be empty.` })
    .refine((value) => value.length <= max, {
      error: (issue) => `${label} must be at most ${max} characters (got ${length(issue.input)}).`,
    });
}

/** Same, for text that may hold contact placeholders. */
function templatedText(label: string, max: number) {
  return text(label, max).superRefine((value, ctx) => {
    for (const problem of placeholderProblems(value)) ctx.addIssue({ code: 'custom', message: problem });
  });
}

// ---------------------------------------------------------------------------------------------------
// Triggers

export const keywordMatchSchema = z.enum(['exact', 'contains', 'starts_with', 'regex'], {
  error: 'Match must be one of exact, contains, starts_with or regex.',
});

export const keywordTriggerSchema = z
  .strictObject({
    type: z.literal('keyword'),
    match: keywordMatchSchema,
    keywords: z
      .array(text('Keyword', botLimits.keyword))
      .min(1, { error: 'Add at least one keyword.' })
      .max(botLimits.keywordsPerRule, {
        error: (issue) =>
          `At most ${botLimits.keywordsPerRule} keywords per rule (got ${Array.isArray(issue.input) ? issue.input.length : 0}).`,
      }),
  })
  .superRefine((trigger, ctx) => {
    trigger.keywords.forEach((keyword, index) => {
      if (trigger.match === 'regex') {
        const analysis = analyzeRegex(keyword);
        if (!analysis.ok)
          ctx.addIssue({ code: 'custom', message: analysis.problem, path: ['keywords', index] });
      } else if (stripOuterPunctuation(normalizeForMatch(keyword)) === '') {
        ctx.addIssue({
          code: 'custom',
          message: `Keyword "${keyword}" has only punctuation or spaces; it could never match.`,
          path: ['keywords', index],
        });
      }
    });
  });

export const triggerSchema = z.discriminatedUnion(
  'type',
  [
    keywordTriggerSchema,
    /** The first message of a new conversation (the caller knows; the engine is told). */
    z.strictObject({ type: z.literal('first_message') }),
    /** Any message while the bot's business hours say closed; at most once per conversation per local day. */
    z.strictObject({ type: z.literal('outside_business_hours') }),
    /**
     * A tap on one of the bot's reply buttons or list rows (interactive button_reply / list_reply id), or
     * on a template quick-reply whose payload is one of these ids (§6: that arrives as type `button`).
     */
    z.strictObject({
      type: z.literal('reply_id'),
      ids: z
        .array(text('Reply id', limits.buttonId))
        .min(1, { error: 'Add at least one button or list row id.' })
        .max(botLimits.replyIdsPerRule, {
          error: `At most ${botLimits.replyIdsPerRule} reply ids per rule.`,
        }),
    }),
    /** When no other rule matched, whatever its position. */
    z.strictObject({ type: z.literal('fallback') }),
  ],
  {
    error:
      'Trigger type must be one of keyword, first_message, outside_business_hours, reply_id or fallback.',
  },
);
export type Trigger = z.infer<typeof triggerSchema>;
export type TriggerType = Trigger['type'];

// ---------------------------------------------------------------------------------------------------
// Actions

const optionalHeader = templatedText('Header', limits.header).optional();
const optionalFooter = templatedText('Footer', limits.footer).optional();

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) repeated.add(value);
    seen.add(value);
  }
  return [...repeated];
}

export const replyButtonSchema = z.strictObject({
  id: text('Button id', limits.buttonId),
  title: text('Button title', limits.buttonTitle),
});

export const replyButtonsActionSchema = z
  .strictObject({
    type: z.literal('reply_buttons'),
    header: optionalHeader,
    body: templatedText('Button message body', limits.buttonsBody),
    footer: optionalFooter,
    buttons: z
      .array(replyButtonSchema)
      .refine((buttons) => buttons.length >= limits.buttonsMin && buttons.length <= limits.buttonsMax, {
        error: (issue) =>
          `Reply buttons need ${limits.buttonsMin} to ${limits.buttonsMax} buttons (got ${Array.isArray(issue.input) ? issue.input.length : 0}).`,
      }),
  })
  .superRefine((action, ctx) => {
    for (const title of duplicates(action.buttons.map((button) => button.title.trim()))) {
      ctx.addIssue({
        code: 'custom',
        path: ['buttons'],
        message: `Button titles must be unique: "${title}" is used more than once.`,
      });
    }
    for (const id of duplicates(action.buttons.map((button) => button.id))) {
      ctx.addIssue({
        code: 'custom',
        path: ['buttons'],
        message: `Button ids must be unique: "${id}" is used more than once.`,
      });
    }
  });

export const listRowSchema = z.strictObject({
  id: text('Row id', limits.listRowId),
  title: text('Row title', limits.listRowTitle),
  description: text('Row description', limits.listRowDescription).optional(),
});

export const listSectionSchema = z.strictObject({
  title: text('Section title', limits.listSectionTitle).optional(),
  rows: z.array(listRowSchema).min(1, { error: 'A list section needs at least one row.' }),
});

export const replyListActionSchema = z
  .strictObject({
    type: z.literal('reply_list'),
    header: optionalHeader,
    body: templatedText('List message body', limits.listBody),
    footer: optionalFooter,
    button: text('List button text', limits.listButton),
    sections: z
      .array(listSectionSchema)
      .min(1, { error: 'A list needs at least one section.' })
      .max(limits.listSectionsMax, {
        error: (issue) =>
          `A list can have at most ${limits.listSectionsMax} sections (got ${Array.isArray(issue.input) ? issue.input.length : 0}).`,
      }),
  })
  .superRefine((action, ctx) => {
    const rows = action.sections.flatMap((section) => section.rows);
    if (rows.length > limits.listRowsMax) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: `A list can have at most ${limits.listRowsMax} rows in total across its sections (got ${rows.length}).`,
      });
    }
    if (action.sections.length >= 2) {
      action.sections.forEach((section, index) => {
        if (section.title === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['sections', index, 'title'],
            message: 'Section title is required when a list has 2 or more sections.',
          });
        }
      });
    }
    for (const id of duplicates(rows.map((row) => row.id))) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: `Row ids must be unique across the list: "${id}" is used more than once.`,
      });
    }
  });

/** Template name and language as Meta keys them (§5): lowercase name, exact language code (en ≠ en_US). */
export const sendTemplateActionSchema = z
  .strictObject({
    type: z.literal('send_template'),
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, {
      error: 'Template name must be lowercase letters, digits and _ (as in Meta).',
    }),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, {
      error: 'Template language must be a code like en or en_US.',
    }),
    /**
     * Body parameters in order ({{1}}, {{2}} …), or each with `name` for a named template; contact
     * placeholders are allowed in the text.
     */
    params: z
      .array(
        z.strictObject({
          name: z
            .string()
            .regex(/^[a-z0-9_]{1,100}$/, {
              error: 'Template parameter name must be lowercase letters, digits and _.',
            })
            .optional(),
          text: templatedText('Template parameter', botLimits.templateParam),
        }),
      )
      .max(botLimits.templateParams, { error: `At most ${botLimits.templateParams} template parameters.` })
      .default([]),
  })
  .superRefine((action, ctx) => {
    const named = action.params.filter((param) => param.name !== undefined).length;
    if (named !== 0 && named !== action.params.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['params'],
        message: 'Template parameters must be all named or all positional, not a mix.',
      });
    }
  });

const tagText = text('Tag', botLimits.tag);
const attributeKey = text('Attribute name', botLimits.attributeKey).refine((key) => !/[{}|]/.test(key), {
  error: 'Attribute name must not contain {, } or |.',
});

export const actionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('reply_text'),
      text: templatedText('Reply text', limits.textBody),
      previewUrl: z.boolean().default(false),
    }),
    replyButtonsActionSchema,
    replyListActionSchema,
    sendTemplateActionSchema,
    z.strictObject({ type: z.literal('add_tag'), tag: tagText }),
    z.strictObject({ type: z.literal('remove_tag'), tag: tagText }),
    z.strictObject({
      type: z.literal('set_attribute'),
      key: attributeKey,
      value: z
        .string()
        .refine((value) => value.length <= botLimits.attributeValue, {
          error: `Attribute value must be at most ${botLimits.attributeValue} characters.`,
        })
        .superRefine((value, ctx) => {
          for (const problem of placeholderProblems(value))
            ctx.addIssue({ code: 'custom', message: problem });
        }),
    }),
    /** The optional confirmation is sent only if the contact was not already opted out. */
    z.strictObject({
      type: z.literal('opt_out'),
      confirmation: templatedText('Opt-out confirmation', limits.textBody).optional(),
    }),
    z.strictObject({
      type: z.literal('opt_in'),
      confirmation: templatedText('Opt-in confirmation', limits.textBody).optional(),
    }),
    /** Pauses the bot for the conversation and flags it for a human in the inbox. */
    z.strictObject({ type: z.literal('handoff'), note: text('Handoff note', botLimits.note).optional() }),
    /** Runs another rule's actions here (menus, sub-menus, "back to menu"). */
    z.strictObject({
      type: z.literal('go_to_rule'),
      ruleId: z.string().min(1, { error: 'Pick a rule to go to.' }),
    }),
  ],
  {
    error:
      'Action type must be one of reply_text, reply_buttons, reply_list, send_template, add_tag, remove_tag, ' +
      'set_attribute, opt_out, opt_in, handoff or go_to_rule.',
  },
);
export type Action = z.infer<typeof actionSchema>;
export type ActionType = Action['type'];

// ---------------------------------------------------------------------------------------------------
// Rules and bots

export const ruleSchema = z
  .strictObject({
    id: z.string().min(1).max(100),
    name: text('Rule name', botLimits.ruleName),
    enabled: z.boolean(),
    trigger: triggerSchema,
    actions: z.array(actionSchema).max(botLimits.actionsPerRule, {
      error: `A rule can have at most ${botLimits.actionsPerRule} actions.`,
    }),
  })
  .superRefine((rule, ctx) => {
    if (rule.enabled && rule.actions.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['actions'],
        message: 'An enabled rule needs at least one action.',
      });
    }
  });
export type Rule = z.infer<typeof ruleSchema>;

const clock = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const timeRangeSchema = z
  .strictObject({
    start: z.string().regex(clock, { error: 'Start must be a time like 09:00.' }),
    end: z.string().regex(clock, { error: 'End must be a time like 18:00 (24:00 for midnight).' }),
  })
  .refine((range) => minutesOf(range.end) > minutesOf(range.start), {
    error: (issue) => {
      const range = issue.input as { start?: string; end?: string };
      return `Time range ${range.start}–${range.end} ends before it starts; split a range across midnight into two days.`;
    },
  });

function isCalendarDate(value: string): boolean {
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export const businessHoursSchema = z
  .strictObject({
    timeZone: z.string().refine(isValidTimeZone, {
      error: (issue) =>
        `Time zone "${String(issue.input)}" is not an IANA time zone such as America/Sao_Paulo.`,
    }),
    weekly: z.strictObject(
      Object.fromEntries(
        weekdays.map((day) => [day, z.array(timeRangeSchema).max(10).default([])]),
      ) as Record<(typeof weekdays)[number], z.ZodDefault<z.ZodArray<typeof timeRangeSchema>>>,
    ),
    holidays: z
      .array(
        z.string().refine(isCalendarDate, {
          error: (issue) => `Holiday "${String(issue.input)}" is not a date like 2025-12-25.`,
        }),
      )
      .max(366)
      .default([]),
  })
  .transform((hours) => ({ ...hours, holidays: [...new Set(hours.holidays)].sort() }));
export type BusinessHours = z.infer<typeof businessHoursSchema>;

export const complianceSettingsSchema = z.strictObject({
  /** Replaces the built-in, per-language opt-out confirmation. */
  optOutConfirmation: templatedText('Opt-out confirmation', limits.textBody).nullable().default(null),
  optInConfirmation: templatedText('Opt-in confirmation', limits.textBody).nullable().default(null),
});
export type ComplianceSettings = z.infer<typeof complianceSettingsSchema>;

/** Everything about a bot except its identity and rules: what the bot-level editor saves. */
export const botSettingsSchema = z.strictObject({
  name: text('Bot name', botLimits.botName),
  connectionId: z.string().min(1).nullable(),
  enabled: z.boolean(),
  businessHours: businessHoursSchema.nullable(),
  compliance: complianceSettingsSchema,
});
export type BotSettings = z.infer<typeof botSettingsSchema>;

export const botSchema = z
  .strictObject({
    id: z.string().min(1),
    workspaceId: z.string().min(1),
    ...botSettingsSchema.shape,
    /** In the order they are tried. */
    rules: z
      .array(ruleSchema)
      .max(botLimits.rules, { error: `A bot can have at most ${botLimits.rules} rules.` }),
  })
  .superRefine((bot, ctx) => checkRuleGraph(bot, ctx));
export type Bot = z.infer<typeof botSchema>;
export type BotInput = z.input<typeof botSchema>;

/**
 * Checks that need the whole bot: unique rule ids, go-to targets that exist, no go-to cycle (A → B → A
 * would loop forever), bounded go-to depth and sends per message, business hours for the away trigger,
 * and a single enabled fallback.
 */
function checkRuleGraph(bot: Bot, ctx: z.RefinementCtx): void {
  const byId = new Map<string, { rule: Rule; index: number }>();
  bot.rules.forEach((rule, index) => {
    if (byId.has(rule.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', index, 'id'],
        message: `Rule id "${rule.id}" is used twice.`,
      });
    }
    byId.set(rule.id, { rule, index });
  });

  bot.rules.forEach((rule, index) => {
    rule.actions.forEach((action, actionIndex) => {
      if (action.type !== 'go_to_rule') return;
      const target = byId.get(action.ruleId);
      if (!target) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'actions', actionIndex, 'ruleId'],
          message: `Go to rule: there is no rule with id "${action.ruleId}" in this bot.`,
        });
      } else if (target.rule.id === rule.id) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'actions', actionIndex, 'ruleId'],
          message: `Go to rule: rule "${rule.name}" cannot go to itself.`,
        });
      }
    });
  });

  // Depth-first walk of the go-to graph: a rule met again on the current path is a cycle. `cost`
  // memoizes, per rule, the deepest go-to chain and the most sends reachable from it.
  const visiting: string[] = [];
  const cost = new Map<string, { depth: number; sends: number }>();
  const reported = new Set<string>();
  const sendTypes = new Set<ActionType>(['reply_text', 'reply_buttons', 'reply_list', 'send_template']);
  const walk = (ruleId: string): { depth: number; sends: number } | null => {
    const known = cost.get(ruleId);
    if (known) return known;
    const at = visiting.indexOf(ruleId);
    if (at !== -1) {
      const cycle = [...visiting.slice(at), ruleId].map((id) => `"${byId.get(id)!.rule.name}"`);
      const key = [...visiting.slice(at)].sort().join(' ');
      if (!reported.has(key)) {
        reported.add(key);
        ctx.addIssue({
          code: 'custom',
          path: ['rules', byId.get(ruleId)!.index, 'actions'],
          message: `Go to rule makes a loop: ${cycle.join(' → ')}. Remove one of the go-to actions.`,
        });
      }
      return null;
    }
    const entry = byId.get(ruleId);
    if (!entry) return { depth: 0, sends: 0 };
    visiting.push(ruleId);
    let depth = 0;
    let sends = 0;
    let broken = false;
    for (const action of entry.rule.actions) {
      if (action.type === 'go_to_rule') {
        if (action.ruleId === ruleId || !byId.has(action.ruleId)) continue; // reported above
        const inner = walk(action.ruleId);
        if (!inner) {
          broken = true;
          continue;
        }
        depth = Math.max(depth, inner.depth + 1);
        sends += inner.sends;
      } else if (sendTypes.has(action.type)) {
        sends += 1;
      }
    }
    visiting.pop();
    if (broken) return null;
    const result = { depth, sends };
    cost.set(ruleId, result);
    return result;
  };
  bot.rules.forEach((rule, index) => {
    const result = walk(rule.id);
    if (!result) return;
    if (result.depth > botLimits.goToDepth) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', index, 'actions'],
        message: `Rule "${rule.name}" chains ${result.depth} go-to steps; at most ${botLimits.goToDepth} are allowed.`,
      });
    }
    if (result.sends > botLimits.sendsPerMessage) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', index, 'actions'],
        message: `Rule "${rule.name}" would send ${result.sends} messages to one customer message (go-to steps included); at most ${botLimits.sendsPerMessage} are allowed.`,
      });
    }
  });

  if (bot.businessHours === null) {
    bot.rules.forEach((rule, index) => {
      if (rule.trigger.type === 'outside_business_hours') {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'trigger'],
          message: `Rule "${rule.name}" fires outside business hours, but the bot has no business hours yet.`,
        });
      }
    });
  }

  const fallbacks = bot.rules.filter((rule) => rule.enabled && rule.trigger.type === 'fallback');
  if (fallbacks.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['rules'],
      message: `Only one enabled fallback rule is allowed (found ${fallbacks.length}: ${fallbacks.map((rule) => `"${rule.name}"`).join(', ')}).`,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Validation errors in words the editor can show next to the field.

export interface ValidationIssue {
  /** The zod path, e.g. ['rules', 1, 'actions', 0, 'buttons', 2, 'title']. */
  path: (string | number)[];
  /** The same path in words: 'rule 2 › action 1 › button 3 › title'. */
  where: string;
  message: string;
}

const pathWords: Record<string, string> = {
  rules: 'rule',
  actions: 'action',
  buttons: 'button',
  sections: 'section',
  rows: 'row',
  keywords: 'keyword',
  ids: 'reply id',
  params: 'parameter',
  holidays: 'holiday',
};

export function describePath(path: readonly PropertyKey[]): string {
  const words: string[] = [];
  for (let i = 0; i < path.length; i += 1) {
    const key = path[i];
    const next = path[i + 1];
    if (typeof key === 'string' && typeof next === 'number' && pathWords[key]) {
      words.push(`${pathWords[key]} ${next + 1}`);
      i += 1;
    } else if (typeof key === 'number') {
      words.push(`#${key + 1}`);
    } else {
      words.push(String(key));
    }
  }
  return words.join(' › ');
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    return { path, where: describePath(path), message: issue.message };
  });
}

export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => (issue.where ? `${issue.where}: ${issue.message}` : issue.message)).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// What the engine is told about one message, its conversation and its contact.

/**
 * One message as the engine sees it. `type` is Meta's `messages[].type` (§6). A tap on a bot's reply
 * button or list row is `interactive` with `reply`; a template quick-reply tap is `button` with `button`
 * — Meta keeps the two apart, and so does the engine.
 */
export const engineMessageSchema = z.strictObject({
  /** The bot never reacts to outbound messages, its own or an agent's. */
  direction: z.enum(['inbound', 'outbound']).default('inbound'),
  type: z.string().min(1).max(40),
  /** text.body for `text` messages. */
  text: z.string().max(limits.textBody).optional(),
  reply: z
    .strictObject({
      kind: z.enum(['button_reply', 'list_reply']),
      id: z.string().min(1).max(limits.buttonId),
      title: z.string().max(100),
    })
    .optional(),
  button: z.strictObject({ payload: z.string().max(4096), text: z.string().max(4096) }).optional(),
});
export type EngineMessage = z.output<typeof engineMessageSchema>;

export const engineContactSchema = z.strictObject({
  name: z.string().nullable().default(null),
  /** E.164 with + (§2, §9). */
  phone: z.string().regex(/^\+[1-9]\d{3,14}$/, { error: 'Phone must be E.164, like +16505551234.' }),
  attributes: z.record(z.string(), z.unknown()).default({}),
  tags: z.array(z.string()).default([]),
  optedOut: z.boolean().default(false),
});
export type EngineContact = z.output<typeof engineContactSchema>;

export const engineConversationSchema = z.strictObject({
  /** The message opened a new conversation (the first-message trigger). */
  isFirstMessage: z.boolean().default(false),
  /** Paused by a handoff or by an agent: only STOP/START are still handled. */
  botPaused: z.boolean().default(false),
  /** Local date (bot's time zone) the away message was last sent in this conversation. */
  awayMessageLastLocalDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable()
    .default(null),
});
export type EngineConversation = z.output<typeof engineConversationSchema>;

/**
 * Maps an inbound `messages[]` item of a webhook (§6) to the engine's view. Unknown types pass with their
 * type only; fields that are missing or malformed are simply absent.
 */
export function engineMessageFromCloud(raw: unknown): EngineMessage {
  const item = (raw ?? {}) as Record<string, unknown>;
  const type = typeof item.type === 'string' && item.type.length > 0 ? item.type.slice(0, 40) : 'unknown';
  const message: EngineMessage = { direction: 'inbound', type };
  const record = (value: unknown): Record<string, unknown> | null =>
    value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  if (type === 'text') {
    const body = str(record(item.text)?.body);
    if (body !== null) message.text = body.slice(0, limits.textBody);
  } else if (type === 'interactive') {
    const interactive = record(item.interactive);
    const kind = str(interactive?.type);
    if (kind === 'button_reply' || kind === 'list_reply') {
      const reply = record(interactive?.[kind]);
      const id = str(reply?.id);
      if (id) {
        message.reply = {
          kind,
          id: id.slice(0, limits.buttonId),
          title: (str(reply?.title) ?? '').slice(0, 100),
        };
      }
    }
  } else if (type === 'button') {
    const button = record(item.button);
    message.button = { payload: str(button?.payload) ?? '', text: str(button?.text) ?? '' };
  }
  return message;
}
