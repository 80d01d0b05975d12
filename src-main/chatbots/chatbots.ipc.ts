// Binds the chatbots channels of the contract to the service. The router has already checked each
// request's envelope; the service checks the bot as a whole against the model and throws AppErrors
// (BAD_REQUEST with one line per problem, NOT_FOUND, CONFLICT) before writing anything. Every change is
// announced as `chatbots:changed` so other windows reload.
import type {
  BotOutboundView,
  BotTestResult,
  ChatbotTestRequest,
  TestMessage,
} from '../../src-preload/chatbots.contract';
import type { EventBus } from '../events';
import type { Handlers } from '../ipc/router';
import type { Decision } from './chatbots.engine';
import type { Bot, EngineMessage } from './chatbots.model';
import type { ChatbotsService, TestInput } from './chatbots.service';

/** The tester's customer message in Meta's inbound terms (§6), as the engine reads real webhooks. */
function engineMessageOf(message: TestMessage): EngineMessage {
  switch (message.kind) {
    case 'text':
      return { direction: 'inbound', type: 'text', text: message.text };
    case 'button_reply':
    case 'list_reply':
      return {
        direction: 'inbound',
        type: 'interactive',
        reply: { kind: message.kind, id: message.id, title: message.title ?? '' },
      };
    case 'quick_reply':
      return {
        direction: 'inbound',
        type: 'button',
        button: { payload: message.payload, text: message.text ?? message.payload },
      };
  }
}

export function testInputOf(request: ChatbotTestRequest): TestInput {
  return {
    message: engineMessageOf(request.message),
    ...(request.optedOut
      ? {
          contact: {
            name: 'Test customer',
            phone: '+15550000000',
            attributes: {},
            tags: [],
            optedOut: true,
          },
        }
      : {}),
    conversation: {
      isFirstMessage: request.isFirstMessage ?? false,
      botPaused: false,
      awayMessageLastLocalDate: request.awaySentOn ?? null,
    },
    ...(request.at !== undefined ? { at: request.at } : {}),
  };
}

/** The decision plus the flat list of messages that would go out, confirmations included. */
export function testResultOf(decision: Decision): BotTestResult {
  const messages: BotOutboundView[] = [];
  for (const effect of decision.effects) {
    if (effect.kind === 'send') messages.push(effect.message);
    else if ((effect.kind === 'opt_out' || effect.kind === 'opt_in') && effect.confirmation) {
      messages.push(effect.confirmation);
    }
  }
  return {
    outcome: decision.outcome,
    rule: decision.rule,
    compliance: decision.compliance,
    silentReason: decision.silentReason,
    effects: decision.effects,
    messages,
    trace: decision.trace,
  };
}

export function bindChatbots(service: ChatbotsService, events: EventBus): Partial<Handlers> {
  const changed = (bot: Pick<Bot, 'id' | 'connectionId'>): void => {
    events.emit('chatbots:changed', { connectionId: bot.connectionId, botId: bot.id });
  };
  const announce = (bot: Bot): Bot => {
    changed(bot);
    return bot;
  };
  return {
    'chatbots:list': ({ connectionId }) => service.listBotsOfConnection(connectionId),
    'chatbots:get': ({ botId }) => service.getBot(botId),
    'chatbots:create': ({ connectionId, name }) =>
      announce(service.createBotForConnection(connectionId, name)),
    'chatbots:rename': ({ botId, name }) => announce(service.updateSettings(botId, { name })),
    'chatbots:delete': ({ botId }) => {
      const bot = service.getBot(botId);
      service.deleteBot(botId);
      changed(bot);
      return { botId };
    },
    'chatbots:set-enabled': ({ botId, enabled }) => announce(service.setBotEnabled(botId, enabled)),
    'chatbots:set-rule-enabled': ({ botId, ruleId, enabled }) =>
      announce(service.setRuleEnabled(botId, ruleId, enabled)),
    'chatbots:save-rules': ({ botId, rules }) => announce(service.saveBot(botId, { rules })),
    'chatbots:reorder-rules': ({ botId, ruleIds }) => announce(service.reorderRules(botId, ruleIds)),
    'chatbots:update-settings': ({ botId, businessHours, compliance }) => {
      // Read and write run in one synchronous stretch (better-sqlite3, no await), so no other call can
      // change the confirmations in between; the service re-validates the merged bot in a transaction.
      const current = service.getBot(botId);
      return announce(
        service.updateSettings(botId, {
          ...(businessHours !== undefined ? { businessHours } : {}),
          ...(compliance !== undefined ? { compliance: { ...current.compliance, ...compliance } } : {}),
        }),
      );
    },
    'chatbots:test': (request) => testResultOf(service.test(request.botId, testInputOf(request))),
  };
}
