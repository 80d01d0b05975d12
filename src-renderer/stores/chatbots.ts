// Chatbots for the renderer: the bots of the chosen connection and the open bot, fed by api calls and
// kept fresh by the `chatbots:changed` push event (another window, or this one). Actions throw ApiError;
// the components show its message where the user acted. Every edit goes to main at once (main validates
// the whole bot), so what the list shows is always what is stored.
import { create } from 'zustand';
import type {
  BotSummaryView,
  BotTestResult,
  BotView,
  BusinessHoursView,
  ChatbotTestRequest,
  ComplianceSettingsView,
  RuleDraft,
} from '../../src-preload/chatbots.contract';
import { api, errorMessage } from '../lib/api';

interface ChatbotsState {
  connectionId: string | null;
  bots: BotSummaryView[];
  selectedBotId: string | null;
  bot: BotView | null;
  listError?: string;
  setConnection(connectionId: string | null): Promise<void>;
  load(): Promise<void>;
  selectBot(botId: string | null): Promise<void>;
  createBot(name: string): Promise<BotView>;
  renameBot(name: string): Promise<void>;
  deleteBot(): Promise<void>;
  setBotEnabled(enabled: boolean): Promise<void>;
  /** The whole ordered rule list (a rule added, edited or removed). */
  saveRules(rules: RuleDraft[]): Promise<BotView>;
  reorderRules(ruleIds: string[]): Promise<void>;
  setRuleEnabled(ruleId: string, enabled: boolean): Promise<void>;
  updateSettings(patch: {
    businessHours?: BusinessHoursView | null;
    compliance?: Partial<ComplianceSettingsView>;
  }): Promise<void>;
  test(request: Omit<ChatbotTestRequest, 'botId'>): Promise<BotTestResult>;
}

/** Ignores answers to a load that a newer load (another connection, a push event) has overtaken. */
let loadGeneration = 0;

export const useChatbotsStore = create<ChatbotsState>((set, get) => {
  const requireBot = (): BotView => {
    const bot = get().bot;
    if (!bot) throw new Error('Choose a chatbot first.');
    return bot;
  };
  /** Shows a changed bot and refreshes the list (names, counts, enabled). */
  const show = async (bot: BotView): Promise<void> => {
    if (get().selectedBotId === bot.id) set({ bot });
    await get().load();
  };

  /**
   * Shows `expected` at once (a switch or a drop should not jump back while main answers), then main's
   * answer; puts `current` back if main refuses.
   */
  const optimistic = async (
    current: BotView,
    expected: BotView,
    request: () => Promise<BotView>,
  ): Promise<void> => {
    set({ bot: expected });
    try {
      await show(await request());
    } catch (error) {
      if (get().selectedBotId === current.id) set({ bot: current });
      throw error;
    }
  };

  return {
    connectionId: null,
    bots: [],
    selectedBotId: null,
    bot: null,

    async setConnection(connectionId) {
      if (connectionId === get().connectionId) return;
      set({ connectionId, bots: [], selectedBotId: null, bot: null, listError: undefined });
      await get().load();
    },

    async load() {
      const { connectionId } = get();
      const generation = ++loadGeneration;
      if (!connectionId) return;
      try {
        const bots = await api.invoke('chatbots:list', { connectionId });
        if (generation !== loadGeneration) return;
        set({ bots, listError: undefined });
        const { selectedBotId } = get();
        if (selectedBotId && !bots.some((b) => b.id === selectedBotId)) {
          set({ selectedBotId: null, bot: null });
        } else if (!selectedBotId && bots[0]) {
          await get().selectBot(bots[0].id);
        } else if (selectedBotId) {
          const bot = await api.invoke('chatbots:get', { botId: selectedBotId });
          if (generation === loadGeneration && get().selectedBotId === bot.id) set({ bot });
        }
      } catch (error) {
        if (generation === loadGeneration) set({ listError: errorMessage(error) });
      }
    },

    async selectBot(botId) {
      set({ selectedBotId: botId, bot: null });
      if (!botId) return;
      const bot = await api.invoke('chatbots:get', { botId });
      if (get().selectedBotId === botId) set({ bot });
    },

    async createBot(name) {
      const connectionId = get().connectionId;
      if (!connectionId) throw new Error('Choose a WhatsApp number first.');
      const bot = await api.invoke('chatbots:create', { connectionId, name });
      set({ selectedBotId: bot.id, bot });
      await get().load();
      return bot;
    },

    async renameBot(name) {
      await show(await api.invoke('chatbots:rename', { botId: requireBot().id, name }));
    },

    async deleteBot() {
      await api.invoke('chatbots:delete', { botId: requireBot().id });
      set({ selectedBotId: null, bot: null });
      await get().load();
    },

    async setBotEnabled(enabled) {
      const current = requireBot();
      await optimistic(current, { ...current, enabled }, () =>
        api.invoke('chatbots:set-enabled', { botId: current.id, enabled }),
      );
    },

    async saveRules(rules) {
      const bot = await api.invoke('chatbots:save-rules', { botId: requireBot().id, rules });
      await show(bot);
      return bot;
    },

    async reorderRules(ruleIds) {
      const current = requireBot();
      const byId = new Map(current.rules.map((rule) => [rule.id, rule]));
      const rules = ruleIds.map((id) => byId.get(id)).filter((rule) => rule !== undefined);
      await optimistic(current, rules.length === current.rules.length ? { ...current, rules } : current, () =>
        api.invoke('chatbots:reorder-rules', { botId: current.id, ruleIds }),
      );
    },

    async setRuleEnabled(ruleId, enabled) {
      const current = requireBot();
      await optimistic(
        current,
        {
          ...current,
          rules: current.rules.map((rule) => (rule.id === ruleId ? { ...rule, enabled } : rule)),
        },
        () => api.invoke('chatbots:set-rule-enabled', { botId: current.id, ruleId, enabled }),
      );
    },

    async updateSettings(patch) {
      await show(await api.invoke('chatbots:update-settings', { botId: requireBot().id, ...patch }));
    },

    test(request) {
      return api.invoke('chatbots:test', { botId: requireBot().id, ...request });
    },
  };
});

api.on('chatbots:changed', (change) => {
  const state = useChatbotsStore.getState();
  if (change.connectionId === state.connectionId || change.botId === state.selectedBotId) {
    void state.load();
  }
});
