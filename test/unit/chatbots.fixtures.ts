// Builders for chatbot tests: a valid bot with as few words as possible, and the engine's inputs.
import { decide, type Decision } from '../../src-main/chatbots/chatbots.engine';
import {
  botSchema,
  engineContactSchema,
  engineConversationSchema,
  engineMessageSchema,
  type Bot,
  type EngineContact,
  type EngineConversation,
} from '../../src-main/chatbots/chatbots.model';

export type RuleDraft = Record<string, unknown> & { id: string };

export function rule(
  id: string,
  trigger: Record<string, unknown>,
  actions: unknown[],
  extra: Record<string, unknown> = {},
): RuleDraft {
  return { id, name: extra.name ?? id, enabled: true, trigger, actions, ...extra };
}

export const keyword = (match: string, ...keywords: string[]) => ({ type: 'keyword', match, keywords });
export const say = (text: string) => ({ type: 'reply_text', text });

export function botDraft(rules: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'bot-1',
    workspaceId: 'ws-1',
    connectionId: null,
    name: 'Shop bot',
    enabled: true,
    businessHours: null,
    compliance: {},
    rules,
    ...extra,
  };
}

export function makeBot(rules: unknown[], extra: Record<string, unknown> = {}): Bot {
  return botSchema.parse(botDraft(rules, extra));
}

export const text = (body: string) => engineMessageSchema.parse({ type: 'text', text: body });
export const buttonReply = (id: string, title = id) =>
  engineMessageSchema.parse({ type: 'interactive', reply: { kind: 'button_reply', id, title } });
export const listReply = (id: string, title = id) =>
  engineMessageSchema.parse({ type: 'interactive', reply: { kind: 'list_reply', id, title } });
export const quickReply = (payload: string, label = payload) =>
  engineMessageSchema.parse({ type: 'button', button: { payload, text: label } });

export function contact(overrides: Partial<EngineContact> = {}): EngineContact {
  return engineContactSchema.parse({ name: 'Ana', phone: '+5511987654321', ...overrides });
}

export function conversation(overrides: Partial<EngineConversation> = {}): EngineConversation {
  return engineConversationSchema.parse(overrides);
}

/** A Monday, 10:00 UTC. */
export const MONDAY_10_UTC = Date.parse('2025-06-02T10:00:00Z');

export function run(
  bot: Bot | null,
  message: ReturnType<typeof text>,
  options: {
    contact?: Partial<EngineContact>;
    conversation?: Partial<EngineConversation>;
    now?: number;
  } = {},
): Decision {
  return decide({
    bot,
    message,
    contact: contact(options.contact),
    conversation: conversation(options.conversation),
    now: options.now ?? MONDAY_10_UTC,
  });
}

/** The bodies of the text messages a decision sends, in order. */
export function sentTexts(decision: Decision): string[] {
  return decision.effects.flatMap((effect) => {
    if (effect.kind === 'send' && effect.message.type === 'text') return [effect.message.text.body];
    if ((effect.kind === 'opt_out' || effect.kind === 'opt_in') && effect.confirmation) {
      return [effect.confirmation.text.body];
    }
    return [];
  });
}
