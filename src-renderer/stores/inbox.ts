// The inbox for the renderer: the conversation list (keyset pages, loaded as the virtual list scrolls),
// the open thread (newest page, older pages on demand, or a page around a search hit), the unread
// summary for the window title, message search, quick replies, and desktop notifications for new
// customer messages. Fed by api calls and kept fresh by push events, whatever screen is showing.
import { create } from 'zustand';
import type { MessageReceived } from '../../src-preload/contract';
import type { MessageSearchHit, QuickReply } from '../../src-preload/inbox.contract';
import type { ConversationView, MessageView } from '../../src-preload/messaging.contract';
import { api, errorMessage } from '../lib/api';

export type ConversationFilter = 'all' | 'open' | 'closed' | 'unread' | 'bot_paused';

const PAGE_SIZE = 50;
const THREAD_PAGE = 100;

export interface ThreadState {
  conversation: ConversationView;
  /** Oldest first, as the thread shows them. */
  items: MessageView[];
  olderCursor: string | null;
  /** Opened around a search hit and newer messages exist beyond the page. */
  hasNewer: boolean;
  /** The message to scroll to and highlight (a search hit). */
  focusMessageId: string | null;
  loadingOlder: boolean;
}

interface InboxState {
  filter: ConversationFilter;
  search: string;
  conversations: ConversationView[];
  nextCursor: string | null;
  listLoaded: boolean;
  listLoading: boolean;
  listError?: string;
  selectedId: string | null;
  thread: ThreadState | null;
  threadLoading: boolean;
  threadError?: string;
  unread: { conversations: number; messages: number };
  messageHits: MessageSearchHit[];
  searching: boolean;
  searchError?: string;
  quickReplies: QuickReply[];

  setFilter(filter: ConversationFilter): void;
  setSearch(search: string): void;
  loadList(): Promise<void>;
  loadMore(): Promise<void>;
  open(conversationId: string, aroundMessageId?: string): Promise<void>;
  close(): void;
  loadOlder(): Promise<void>;
  jumpToLatest(): Promise<void>;
  refreshThread(): Promise<void>;
  refreshUnread(): Promise<void>;
  loadQuickReplies(): Promise<void>;
  upsertConversation(view: ConversationView): void;
  /** Put a message the composer just created into the open thread without waiting for the event. */
  addOwnMessage(message: MessageView): void;
}

const byTime = (a: MessageView, b: MessageView): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function mergeMessages(current: MessageView[], incoming: MessageView[]): MessageView[] {
  const map = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) map.set(m.id, m);
  return [...map.values()].sort(byTime);
}

const newestFirst = (a: ConversationView, b: ConversationView): number =>
  (b.lastMessageAt ?? 0) - (a.lastMessageAt ?? 0) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

function matchesFilter(c: ConversationView, filter: ConversationFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'open':
      return c.status === 'open';
    case 'closed':
      return c.status === 'closed';
    case 'unread':
      return c.unreadCount > 0;
    case 'bot_paused':
      return c.botPaused;
  }
}

let listGeneration = 0;
let searchGeneration = 0;
let threadGeneration = 0;

export const useInboxStore = create<InboxState>((set, get) => {
  const listRequest = (cursor: string | null) => {
    const { filter, search } = get();
    return api.invoke('conversations:list', {
      filter,
      limit: PAGE_SIZE,
      ...(search.trim() ? { search: search.trim() } : {}),
      ...(cursor ? { cursor } : {}),
    });
  };

  const runMessageSearch = async (): Promise<void> => {
    const query = get().search.trim();
    const generation = ++searchGeneration;
    if (!/[\p{L}\p{N}]/u.test(query)) {
      set({ messageHits: [], searching: false, searchError: undefined });
      return;
    }
    set({ searching: true });
    try {
      const { hits } = await api.invoke('messages:search', { query, limit: 50 });
      if (generation === searchGeneration)
        set({ messageHits: hits, searching: false, searchError: undefined });
    } catch (error) {
      if (generation === searchGeneration) set({ searching: false, searchError: errorMessage(error) });
    }
  };

  return {
    filter: 'all',
    search: '',
    conversations: [],
    nextCursor: null,
    listLoaded: false,
    listLoading: false,
    selectedId: null,
    thread: null,
    threadLoading: false,
    unread: { conversations: 0, messages: 0 },
    messageHits: [],
    searching: false,
    quickReplies: [],

    setFilter(filter) {
      set({ filter });
      void get().loadList();
    },

    setSearch(search) {
      set({ search });
      void get().loadList();
      void runMessageSearch();
    },

    async loadList() {
      const generation = ++listGeneration;
      set({ listLoading: true });
      try {
        const page = await listRequest(null);
        if (generation !== listGeneration) return;
        set({
          conversations: page.items,
          nextCursor: page.nextCursor,
          listLoaded: true,
          listLoading: false,
          listError: undefined,
        });
      } catch (error) {
        if (generation === listGeneration) set({ listLoading: false, listError: errorMessage(error) });
      }
    },

    async loadMore() {
      const { nextCursor, listLoading } = get();
      if (!nextCursor || listLoading) return;
      const generation = listGeneration;
      set({ listLoading: true });
      try {
        const page = await listRequest(nextCursor);
        if (generation !== listGeneration) return;
        const seen = new Set(get().conversations.map((c) => c.id));
        set({
          conversations: [...get().conversations, ...page.items.filter((c) => !seen.has(c.id))],
          nextCursor: page.nextCursor,
          listLoading: false,
        });
      } catch (error) {
        if (generation === listGeneration) set({ listLoading: false, listError: errorMessage(error) });
      }
    },

    async open(conversationId, aroundMessageId) {
      const generation = ++threadGeneration;
      set({ selectedId: conversationId, threadLoading: true, threadError: undefined });
      if (get().thread?.conversation.id !== conversationId) set({ thread: null });
      try {
        const page = await api.invoke('conversations:thread', {
          conversationId,
          limit: THREAD_PAGE,
          ...(aroundMessageId ? { aroundMessageId } : {}),
        });
        if (generation !== threadGeneration) return;
        set({
          thread: {
            conversation: page.conversation,
            items: [...page.items].reverse(),
            olderCursor: page.nextCursor,
            hasNewer: page.hasNewer,
            focusMessageId: aroundMessageId ?? null,
            loadingOlder: false,
          },
          threadLoading: false,
        });
        get().upsertConversation(page.conversation);
        if (page.conversation.unreadCount > 0) {
          // Opening the thread is reading it: zero the count and send the read receipt (§2).
          const read = await api.invoke('conversations:mark-read', { conversationId });
          get().upsertConversation(read.conversation);
          void get().refreshUnread();
        }
      } catch (error) {
        if (generation === threadGeneration) set({ threadLoading: false, threadError: errorMessage(error) });
      }
    },

    close() {
      ++threadGeneration;
      set({ selectedId: null, thread: null, threadError: undefined });
    },

    async loadOlder() {
      const thread = get().thread;
      if (!thread?.olderCursor || thread.loadingOlder) return;
      set({ thread: { ...thread, loadingOlder: true } });
      try {
        const page = await api.invoke('conversations:thread', {
          conversationId: thread.conversation.id,
          cursor: thread.olderCursor,
          limit: THREAD_PAGE,
        });
        const current = get().thread;
        if (current?.conversation.id !== thread.conversation.id) return;
        set({
          thread: {
            ...current,
            items: mergeMessages(current.items, page.items),
            olderCursor: page.nextCursor,
            loadingOlder: false,
            focusMessageId: null,
          },
        });
      } catch (error) {
        const current = get().thread;
        if (current) set({ thread: { ...current, loadingOlder: false }, threadError: errorMessage(error) });
      }
    },

    async jumpToLatest() {
      const id = get().selectedId;
      if (id) await get().open(id);
    },

    async refreshThread() {
      const thread = get().thread;
      if (!thread) return;
      const conversationId = thread.conversation.id;
      try {
        const page = await api.invoke('conversations:thread', { conversationId, limit: THREAD_PAGE });
        const current = get().thread;
        if (current?.conversation.id !== conversationId) return;
        if (current.hasNewer) {
          // Reading around a search hit: update what is shown, do not pull the newest page in.
          const shown = new Set(current.items.map((m) => m.id));
          set({
            thread: {
              ...current,
              conversation: page.conversation,
              items: mergeMessages(
                current.items,
                page.items.filter((m) => shown.has(m.id)),
              ),
            },
          });
        } else {
          set({
            thread: {
              ...current,
              conversation: page.conversation,
              items: mergeMessages(current.items, page.items),
            },
          });
        }
        get().upsertConversation(page.conversation);
        if (page.conversation.unreadCount > 0 && document.visibilityState === 'visible') {
          const read = await api.invoke('conversations:mark-read', { conversationId });
          get().upsertConversation(read.conversation);
          void get().refreshUnread();
        }
      } catch (error) {
        set({ threadError: errorMessage(error) });
      }
    },

    async refreshUnread() {
      try {
        set({ unread: await api.invoke('conversations:unread-summary', {}) });
      } catch {
        // The title simply keeps its last count; the list shows its own errors.
      }
    },

    async loadQuickReplies() {
      try {
        set({ quickReplies: await api.invoke('quickReplies:list', {}) });
      } catch {
        set({ quickReplies: [] });
      }
    },

    upsertConversation(view) {
      const { conversations, filter, thread } = get();
      const without = conversations.filter((c) => c.id !== view.id);
      const next = matchesFilter(view, filter) ? [...without, view].sort(newestFirst) : without;
      // A conversation that moved to the top is inserted; one below the loaded pages stays out.
      const last = next[next.length - 1];
      const trimmed =
        get().nextCursor !== null && last?.id === view.id && conversations.every((c) => c.id !== view.id)
          ? without
          : next;
      set({
        conversations: trimmed,
        ...(thread?.conversation.id === view.id ? { thread: { ...thread, conversation: view } } : {}),
      });
    },

    addOwnMessage(message) {
      const thread = get().thread;
      if (thread?.conversation.id !== message.conversationId || thread.hasNewer) return;
      set({ thread: { ...thread, items: mergeMessages(thread.items, [message]) } });
    },
  };
});

// ---- push events: keep the list, the thread and the title fresh from any screen ----

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let lastRefreshAt = 0;
const changedIds = new Set<string>();
const REFRESH_SPACING_MS = 50;

/**
 * Coalesces bursts of events (a campaign's statuses) into one refresh of the list's first page every
 * 50 ms. The first event after a quiet spell refreshes at once: a customer's message should not wait
 * out a window meant for bursts.
 */
function scheduleRefresh(conversationIds: string[]): void {
  for (const id of conversationIds) changedIds.add(id);
  if (refreshTimer !== undefined) return;
  const wait = Math.max(0, lastRefreshAt + REFRESH_SPACING_MS - Date.now());
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    lastRefreshAt = Date.now();
    const ids = [...changedIds];
    changedIds.clear();
    void refreshChanged(ids);
  }, wait);
}

async function refreshChanged(ids: string[]): Promise<void> {
  const store = useInboxStore.getState();
  void store.refreshUnread();
  if (!store.listLoaded && !store.thread) return;
  try {
    const page = await api.invoke('conversations:list', {
      filter: store.filter,
      limit: PAGE_SIZE,
      ...(store.search.trim() ? { search: store.search.trim() } : {}),
    });
    for (const view of [...page.items].reverse()) useInboxStore.getState().upsertConversation(view);
  } catch {
    // The next event or a reload retries.
  }
  const thread = useInboxStore.getState().thread;
  if (thread && ids.includes(thread.conversation.id)) await useInboxStore.getState().refreshThread();
}

async function notify(event: MessageReceived): Promise<void> {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  // No notification for the thread the user is looking at.
  if (
    document.visibilityState === 'visible' &&
    useInboxStore.getState().selectedId === event.conversationId
  ) {
    return;
  }
  let conversation = useInboxStore.getState().conversations.find((c) => c.id === event.conversationId);
  if (!conversation) {
    try {
      conversation = (
        await api.invoke('conversations:thread', { conversationId: event.conversationId, limit: 1 })
      ).conversation;
    } catch {
      // Named by the number below.
    }
  }
  const title = conversation?.contact.name || conversation?.contact.phone || 'New WhatsApp message';
  // The OS shows notification text as plain text.
  const notification = new Notification(title, { body: event.preview, tag: event.conversationId });
  notification.onclick = () => {
    window.focus();
    location.hash = '#/inbox';
    void useInboxStore.getState().open(event.conversationId);
  };
}

api.on('messages:received', (event) => {
  scheduleRefresh([event.conversationId]);
  void notify(event);
});
api.on('conversations:changed', ({ conversationIds }) => scheduleRefresh(conversationIds));
api.on('messages:sent', ({ conversationId }) => scheduleRefresh([conversationId]));
api.on('messages:status-changed', ({ messageIds }) => {
  const thread = useInboxStore.getState().thread;
  if (thread && thread.items.some((m) => messageIds.includes(m.id))) {
    void useInboxStore.getState().refreshThread();
  }
});
// A campaign message's ticks move with the campaign's status webhooks (they are not messages rows).
api.on('campaigns:counters-changed', ({ campaignIds }) => {
  const thread = useInboxStore.getState().thread;
  if (thread?.items.some((m) => m.campaign !== null && campaignIds.includes(m.campaign.id))) {
    scheduleRefresh([thread.conversation.id]);
  }
});
api.on('workspaces:changed', () => {
  useInboxStore.getState().close();
  void useInboxStore.getState().loadList();
  void useInboxStore.getState().refreshUnread();
  void useInboxStore.getState().loadQuickReplies();
});
