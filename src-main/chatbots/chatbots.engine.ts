// The bot's decision for one inbound message, as a pure function: no database, no clock, no network.
// The `chatbots` queue job loads the inputs, calls decide(), and applies the effects; the rule tester
// calls it with a simulated message and shows the trace. Order of evaluation:
//   1. outbound messages and reactions are ignored (the bot never answers itself or an agent);
//   2. built-in STOP / START (chatbots.compliance.ts), even when the bot is paused or disabled;
//   3. an opted-out contact, a missing/disabled bot or a paused conversation get nothing else;
//   4. the enabled rules in order, first match wins; the fallback only when nothing else matched;
//   5. the winning rule's actions, go-to jumps included, under a step cap.
import {
  complianceFromQuickReply,
  complianceFromText,
  defaultConfirmations,
  type ComplianceAction,
  type ComplianceLanguage,
} from './chatbots.compliance';
import { checkOpen } from './chatbots.hours';
import {
  botLimits,
  limits,
  type Action,
  type Bot,
  type EngineContact,
  type EngineConversation,
  type EngineMessage,
  type Rule,
  type Trigger,
} from './chatbots.model';
import { keywordMatches, normalizeForMatch, regexMatches, renderPlaceholders } from './chatbots.text';

// ---------------------------------------------------------------------------------------------------
// Messages in the Cloud API body shape (§2), without the envelope (messaging_product, to) that the send
// path adds.

export interface TextContent {
  type: 'text';
  text: { body: string; preview_url: boolean };
}

interface InteractiveText {
  type: 'text';
  text: string;
}

export interface ButtonsContent {
  type: 'interactive';
  interactive: {
    type: 'button';
    header?: InteractiveText;
    body: { text: string };
    footer?: { text: string };
    action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
  };
}

export interface ListContent {
  type: 'interactive';
  interactive: {
    type: 'list';
    header?: InteractiveText;
    body: { text: string };
    footer?: { text: string };
    action: {
      button: string;
      sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
    };
  };
}

export interface TemplateContent {
  type: 'template';
  template: {
    name: string;
    language: { code: string };
    components?: {
      type: 'body';
      parameters: { type: 'text'; text: string; parameter_name?: string }[];
    }[];
  };
}

export type OutboundContent = TextContent | ButtonsContent | ListContent | TemplateContent;

// ---------------------------------------------------------------------------------------------------
// The decision

export type ComplianceSource = 'keyword' | 'quick_reply' | 'rule';

export type Effect =
  | { kind: 'send'; ruleId: string; message: OutboundContent }
  | { kind: 'add_tag'; tag: string }
  | { kind: 'remove_tag'; tag: string }
  | { kind: 'set_attribute'; key: string; value: string }
  /**
   * Apply atomically (UPDATE … WHERE opted_out_at IS NULL) and send `confirmation` only if that changed
   * the row, so two STOPs racing in two jobs confirm once. The confirmation must pass the send point's
   * opt-out exclusion: it is the one message an opted-out contact is owed.
   */
  | { kind: 'opt_out'; source: ComplianceSource; confirmation: TextContent | null }
  /** Same, the other way round (… WHERE opted_out_at IS NOT NULL). */
  | { kind: 'opt_in'; source: ComplianceSource; confirmation: TextContent | null }
  /** Set the conversation's bot_paused flag and show it as waiting for a human in the inbox. */
  | { kind: 'handoff'; note: string | null };

export type SilentReason =
  | 'outbound_message'
  | 'ignored_message_type'
  | 'contact_opted_out'
  | 'no_bot'
  | 'bot_disabled'
  | 'bot_paused'
  | 'no_rule_matched';

export interface TraceLine {
  step: 'gate' | 'compliance' | 'rule' | 'action' | 'warning';
  ruleId?: string;
  message: string;
}

export interface Decision {
  /** `rule`: a user rule fired; `compliance`: a STOP/START word was handled; `silent`: nothing to do. */
  outcome: 'rule' | 'compliance' | 'silent';
  rule: { id: string; name: string } | null;
  compliance: { action: ComplianceAction; language: ComplianceLanguage; matched: string } | null;
  silentReason: SilentReason | null;
  /** In the order the actions ran. */
  effects: Effect[];
  /**
   * Set when the away trigger fired: before applying anything, claim the away message for this local
   * date (chatbots.repo claimAwayMessage). If the claim fails another job already sent today's, and
   * none of the effects may be applied.
   */
  awayClaim: { localDate: string } | null;
  trace: TraceLine[];
}

export interface DecideInput {
  /** Null when no bot serves the number: STOP/START still work. */
  bot: Bot | null;
  message: EngineMessage;
  conversation: EngineConversation;
  contact: EngineContact;
  /** Epoch ms; business hours are read in the bot's time zone. */
  now: number;
}

/** Meta types that carry no customer intent for a bot: a reaction, a number-change notice (§6). */
const ignoredTypes = new Set(['reaction', 'system']);

const sendActionTypes = new Set<Action['type']>([
  'reply_text',
  'reply_buttons',
  'reply_list',
  'send_template',
]);

export function decide(input: DecideInput): Decision {
  const { bot, message, conversation } = input;
  const trace: TraceLine[] = [];
  const silent = (reason: SilentReason, why: string): Decision => {
    trace.push({ step: 'gate', message: why });
    return {
      outcome: 'silent',
      rule: null,
      compliance: null,
      silentReason: reason,
      effects: [],
      awayClaim: null,
      trace,
    };
  };

  if (message.direction === 'outbound') {
    return silent('outbound_message', 'Outbound message: the bot only answers customers.');
  }
  if (ignoredTypes.has(message.type)) {
    return silent('ignored_message_type', `A ${message.type} message is not something the bot answers.`);
  }

  const compliance =
    message.type === 'text' && message.text !== undefined
      ? { match: complianceFromText(message.text), source: 'keyword' as const }
      : message.type === 'button' && message.button
        ? {
            match: complianceFromQuickReply(message.button.payload, message.button.text),
            source: 'quick_reply' as const,
          }
        : null;
  if (compliance?.match) {
    const { action, language, matched } = compliance.match;
    const result = (effects: Effect[]): Decision => ({
      outcome: 'compliance',
      rule: null,
      compliance: { action, language, matched },
      silentReason: null,
      effects,
      awayClaim: null,
      trace,
    });
    const custom =
      action === 'opt_out' ? bot?.compliance.optOutConfirmation : bot?.compliance.optInConfirmation;
    const confirmation = textContent(
      renderPlaceholders(custom ?? defaultConfirmations[action][language], input.contact),
      limits.textBody,
      trace,
    );
    if (action === 'opt_out') {
      if (input.contact.optedOut) {
        trace.push({
          step: 'compliance',
          message: `"${matched}" is an opt-out word, but the contact is already opted out: no second confirmation.`,
        });
        return result([]);
      }
      trace.push({
        step: 'compliance',
        message: `"${matched}" is an opt-out word (${language}): opt the contact out and confirm once.`,
      });
      return result([{ kind: 'opt_out', source: compliance.source, confirmation }]);
    }
    if (input.contact.optedOut) {
      trace.push({
        step: 'compliance',
        message: `"${matched}" is an opt-in word (${language}): opt the contact back in and confirm once.`,
      });
      return result([{ kind: 'opt_in', source: compliance.source, confirmation }]);
    }
    trace.push({
      step: 'compliance',
      message: `"${matched}" is an opt-in word, but the contact is subscribed: handled as an ordinary message.`,
    });
  }

  if (input.contact.optedOut) {
    return silent('contact_opted_out', 'The contact opted out: only START (or an equivalent) is answered.');
  }
  if (!bot) return silent('no_bot', 'No bot serves this number.');
  if (!bot.enabled) return silent('bot_disabled', `Bot "${bot.name}" is disabled.`);
  if (conversation.botPaused) {
    return silent('bot_paused', 'The bot is paused for this conversation (handed off to a human).');
  }

  let awayClaim: Decision['awayClaim'] = null;
  const tryRule = (rule: Rule): boolean => {
    const verdict = matchTrigger(rule.trigger, bot, input);
    trace.push({ step: 'rule', ruleId: rule.id, message: `"${rule.name}": ${verdict.why}` });
    if (verdict.matched && verdict.awayDate) awayClaim = { localDate: verdict.awayDate };
    return verdict.matched;
  };
  const enabled = bot.rules.filter((rule) => rule.enabled);
  const fired =
    enabled.find((rule) => rule.trigger.type !== 'fallback' && tryRule(rule)) ??
    enabled.find((rule) => rule.trigger.type === 'fallback' && tryRule(rule));
  if (!fired) return silent('no_rule_matched', 'No rule matched.');

  return {
    outcome: 'rule',
    rule: { id: fired.id, name: fired.name },
    compliance: null,
    silentReason: null,
    effects: runActions(fired, bot, input.contact, trace),
    awayClaim,
    trace,
  };
}

// ---------------------------------------------------------------------------------------------------
// Triggers

interface Verdict {
  matched: boolean;
  why: string;
  /** Local date of an away trigger that fired. */
  awayDate?: string;
}

/** The words a keyword rule reads: typed text, a quick-reply label, a reply button or row title. */
function wordsOf(message: EngineMessage): string | null {
  if (message.type === 'text') return message.text ?? null;
  if (message.type === 'button') return message.button?.text ?? null;
  if (message.type === 'interactive') return message.reply?.title ?? null;
  return null;
}

function matchTrigger(trigger: Trigger, bot: Bot, input: DecideInput): Verdict {
  const { message } = input;
  switch (trigger.type) {
    case 'keyword': {
      const words = wordsOf(message);
      if (words === null) return { matched: false, why: `no text to match in a ${message.type} message` };
      const normalized = normalizeForMatch(words);
      const hit = trigger.keywords.find((keyword) =>
        trigger.match === 'regex'
          ? regexMatches(keyword, normalized)
          : keywordMatches(trigger.match, normalized, normalizeForMatch(keyword)),
      );
      return hit !== undefined
        ? { matched: true, why: `keyword ${trigger.match} "${hit}" matched` }
        : { matched: false, why: `no keyword (${trigger.match}) matched` };
    }
    case 'first_message':
      return input.conversation.isFirstMessage
        ? { matched: true, why: 'first message of a new conversation' }
        : { matched: false, why: 'not the first message of the conversation' };
    case 'outside_business_hours': {
      if (!bot.businessHours) return { matched: false, why: 'the bot has no business hours' };
      const check = checkOpen(bot.businessHours, input.now);
      if (check.open) return { matched: false, why: `open: ${check.why}` };
      if (input.conversation.awayMessageLastLocalDate === check.local.date) {
        return { matched: false, why: `closed (${check.why}), but the away message was already sent today` };
      }
      return { matched: true, why: `closed: ${check.why}`, awayDate: check.local.date };
    }
    case 'reply_id': {
      const id =
        message.type === 'interactive'
          ? message.reply?.id
          : message.type === 'button'
            ? message.button?.payload
            : undefined;
      if (id === undefined) return { matched: false, why: 'not a button or list reply' };
      return trigger.ids.includes(id)
        ? { matched: true, why: `reply id "${id}" matched` }
        : { matched: false, why: `reply id "${id}" is not one of this rule's` };
    }
    case 'fallback':
      return { matched: true, why: 'fallback: no other rule matched' };
  }
}

// ---------------------------------------------------------------------------------------------------
// Actions

/** Cuts a rendered text that placeholders pushed over Meta's limit (§2), and says so in the trace. */
function fit(value: string, max: number, trace: TraceLine[], ruleId?: string): string {
  if (value.length <= max) return value;
  trace.push({
    step: 'warning',
    ...(ruleId ? { ruleId } : {}),
    message: `A filled-in text was ${value.length} characters; cut to Meta's limit of ${max}.`,
  });
  return `${value.slice(0, max - 1)}…`;
}

function textContent(body: string, max: number, trace: TraceLine[], ruleId?: string): TextContent {
  return { type: 'text', text: { body: fit(body, max, trace, ruleId), preview_url: false } };
}

function runActions(first: Rule, bot: Bot, contact: EngineContact, trace: TraceLine[]): Effect[] {
  const effects: Effect[] = [];
  // Later actions see earlier ones: set_attribute then "{{attribute.x}}" renders the new value.
  const working = {
    ...contact,
    attributes: { ...contact.attributes },
    tags: [...contact.tags],
  };
  let steps = 0;
  let sends = 0;
  const byId = new Map(bot.rules.map((rule) => [rule.id, rule]));

  const run = (rule: Rule, path: readonly string[]): void => {
    for (const action of rule.actions) {
      steps += 1;
      if (steps > botLimits.steps) {
        if (steps === botLimits.steps + 1) {
          trace.push({
            step: 'warning',
            ruleId: rule.id,
            message: `Stopped after ${botLimits.steps} actions: the rules jump to each other too much.`,
          });
        }
        return;
      }
      const render = (value: string, max: number): string =>
        fit(renderPlaceholders(value, working), max, trace, rule.id);
      const note = (message: string): void => {
        trace.push({ step: 'action', ruleId: rule.id, message });
      };

      if (sendActionTypes.has(action.type)) {
        if (working.optedOut) {
          note(`${action.type}: skipped, the contact was opted out by an earlier action.`);
          continue;
        }
        if (sends >= botLimits.sendsPerMessage) {
          trace.push({
            step: 'warning',
            ruleId: rule.id,
            message: `${action.type}: skipped, already ${botLimits.sendsPerMessage} messages for this customer message.`,
          });
          continue;
        }
        sends += 1;
      }

      switch (action.type) {
        case 'reply_text':
          effects.push({
            kind: 'send',
            ruleId: rule.id,
            message: {
              type: 'text',
              text: { body: render(action.text, limits.textBody), preview_url: action.previewUrl },
            },
          });
          note('reply_text: send a text message.');
          break;
        case 'reply_buttons':
          effects.push({
            kind: 'send',
            ruleId: rule.id,
            message: {
              type: 'interactive',
              interactive: {
                type: 'button',
                ...(action.header
                  ? { header: { type: 'text', text: render(action.header, limits.header) } }
                  : {}),
                body: { text: render(action.body, limits.buttonsBody) },
                ...(action.footer ? { footer: { text: render(action.footer, limits.footer) } } : {}),
                action: {
                  buttons: action.buttons.map((button) => ({
                    type: 'reply',
                    reply: { id: button.id, title: button.title },
                  })),
                },
              },
            },
          });
          note(
            `reply_buttons: send ${action.buttons.length} button(s): ${action.buttons.map((b) => b.title).join(' | ')}.`,
          );
          break;
        case 'reply_list':
          effects.push({
            kind: 'send',
            ruleId: rule.id,
            message: {
              type: 'interactive',
              interactive: {
                type: 'list',
                ...(action.header
                  ? { header: { type: 'text', text: render(action.header, limits.header) } }
                  : {}),
                body: { text: render(action.body, limits.listBody) },
                ...(action.footer ? { footer: { text: render(action.footer, limits.footer) } } : {}),
                action: {
                  button: action.button,
                  sections: action.sections.map((section) => ({
                    ...(section.title !== undefined ? { title: section.title } : {}),
                    rows: section.rows.map((row) => ({
                      id: row.id,
                      title: row.title,
                      ...(row.description !== undefined ? { description: row.description } : {}),
                    })),
                  })),
                },
              },
            },
          });
          note(`reply_list: send a list of ${action.sections.flatMap((s) => s.rows).length} row(s).`);
          break;
        case 'send_template': {
          const parameters = action.params.map((param) => {
            const value = render(param.text, botLimits.templateParam);
            if (value.trim() === '') {
              trace.push({
                step: 'warning',
                ruleId: rule.id,
                message: `send_template: a parameter rendered empty; Meta refuses empty parameters (§2, 131008). Add a fallback like {{name | there}}.`,
              });
            }
            return {
              type: 'text' as const,
              text: value,
              ...(param.name ? { parameter_name: param.name } : {}),
            };
          });
          effects.push({
            kind: 'send',
            ruleId: rule.id,
            message: {
              type: 'template',
              template: {
                name: action.name,
                language: { code: action.language },
                ...(parameters.length > 0 ? { components: [{ type: 'body' as const, parameters }] } : {}),
              },
            },
          });
          note(`send_template: ${action.name} (${action.language}).`);
          break;
        }
        case 'add_tag':
          if (!working.tags.includes(action.tag)) working.tags.push(action.tag);
          effects.push({ kind: 'add_tag', tag: action.tag });
          note(`add_tag: "${action.tag}".`);
          break;
        case 'remove_tag':
          working.tags = working.tags.filter((tag) => tag !== action.tag);
          effects.push({ kind: 'remove_tag', tag: action.tag });
          note(`remove_tag: "${action.tag}".`);
          break;
        case 'set_attribute': {
          const value = renderPlaceholders(action.value, working);
          working.attributes[action.key] = value;
          effects.push({ kind: 'set_attribute', key: action.key, value });
          note(`set_attribute: ${action.key} = "${value}".`);
          break;
        }
        case 'opt_out':
        case 'opt_in': {
          const optingOut = action.type === 'opt_out';
          if (working.optedOut === optingOut) {
            note(optingOut ? 'opt_out: already opted out.' : 'opt_in: the contact is already subscribed.');
            break;
          }
          working.optedOut = optingOut;
          effects.push({
            kind: action.type,
            source: 'rule',
            confirmation: action.confirmation
              ? textContent(renderPlaceholders(action.confirmation, working), limits.textBody, trace, rule.id)
              : null,
          });
          note(
            optingOut
              ? 'opt_out: opt the contact out; later messages in this rule are not sent.'
              : 'opt_in: opt the contact back in.',
          );
          break;
        }
        case 'handoff':
          effects.push({ kind: 'handoff', note: action.note ?? null });
          note('handoff: pause the bot for this conversation and flag it for a human.');
          break;
        case 'go_to_rule': {
          const target = byId.get(action.ruleId);
          if (!target) {
            trace.push({
              step: 'warning',
              ruleId: rule.id,
              message: `go_to_rule: rule "${action.ruleId}" no longer exists.`,
            });
          } else if (!target.enabled) {
            trace.push({
              step: 'warning',
              ruleId: rule.id,
              message: `go_to_rule: "${target.name}" is disabled; skipped.`,
            });
          } else if (path.includes(target.id)) {
            trace.push({
              step: 'warning',
              ruleId: rule.id,
              message: `go_to_rule: "${target.name}" is already running (a loop); skipped.`,
            });
          } else {
            note(`go_to_rule: run "${target.name}".`);
            run(target, [...path, target.id]);
          }
          break;
        }
      }
    }
  };
  run(first, [first.id]);
  return effects;
}
