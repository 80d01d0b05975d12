// Templates for the renderer, per connection: the synced list (deleted ones included, so "show deleted"
// needs no round trip), the filters, the selected template, and the state of "Sync now". A WABA holds
// at most 6,000 templates (§5), so the whole list is loaded and filtered here. Refreshed by the
// `templates:synced` and `templates:status-changed` push events (a sync by the timer or a webhook, Meta
// approving a template). Actions throw ApiError; the screen shows the message where the user acted.
import { create } from 'zustand';
import type { TemplateCreateRequest, TemplateView } from '../../src-preload/messaging.contract';
import { emptyFilters, templateKey, type TemplateFilters } from '../features/templates/templateFilters';
import { ApiError, api, errorMessage } from '../lib/api';

export interface SyncState {
  running: boolean;
  /** What the last click (or a background sync) came to: shown next to the button. */
  message?: string;
  tone?: 'ok' | 'warn' | 'error';
}

interface TemplatesState {
  connectionId: string | null;
  templates: TemplateView[];
  loaded: boolean;
  loadError?: string;
  filters: TemplateFilters;
  selectedKey: string | null;
  sync: SyncState;
  /** The answer to a click made while a sync was already running ("A template sync is already running"). */
  syncNotice?: string;
  lastSyncEventAt: number | null;

  setConnection(connectionId: string | null): void;
  setFilters(patch: Partial<TemplateFilters>): void;
  select(key: string | null): void;
  load(): Promise<void>;
  syncNow(): Promise<void>;
  create(request: TemplateCreateRequest): Promise<TemplateView>;
  remove(template: Pick<TemplateView, 'name' | 'language'>): Promise<void>;
}

/** Ignores answers to a load that a newer load (or a connection switch) has overtaken. */
let loadGeneration = 0;

export const useTemplatesStore = create<TemplatesState>((set, get) => ({
  connectionId: null,
  templates: [],
  loaded: false,
  filters: emptyFilters,
  selectedKey: null,
  sync: { running: false },
  lastSyncEventAt: null,

  setConnection(connectionId) {
    if (connectionId === get().connectionId) return;
    loadGeneration += 1;
    set({
      connectionId,
      templates: [],
      loaded: false,
      loadError: undefined,
      selectedKey: null,
      sync: { running: false },
      syncNotice: undefined,
      lastSyncEventAt: null,
    });
    if (connectionId) void get().load();
  },

  setFilters(patch) {
    set((state) => ({ filters: { ...state.filters, ...patch } }));
  },

  select(key) {
    set({ selectedKey: key });
  },

  async load() {
    const connectionId = get().connectionId;
    if (!connectionId) return;
    const generation = ++loadGeneration;
    try {
      const templates = await api.invoke('templates:list', { connectionId, includeDeleted: true });
      if (generation !== loadGeneration) return;
      set({ templates, loaded: true, loadError: undefined });
    } catch (error) {
      if (generation === loadGeneration) set({ loadError: errorMessage(error), loaded: true });
    }
  },

  async syncNow() {
    const connectionId = get().connectionId;
    if (!connectionId) return;
    // A click while this window's sync runs still asks main: main holds the lock and says so (it may
    // also be a timer or webhook sync that is running), and the answer is shown instead of a second sync.
    const mine = !get().sync.running;
    if (mine)
      set({ sync: { running: true, message: 'Syncing templates…', tone: 'ok' }, syncNotice: undefined });
    try {
      const result = await api.invoke('templates:sync', { connectionId });
      if (get().connectionId !== connectionId) return;
      set({
        sync: {
          running: false,
          message: `Synced ${result.fetched} template${result.fetched === 1 ? '' : 's'}${
            result.markedDeleted ? `; ${result.markedDeleted} removed at Meta marked deleted` : ''
          }.`,
          tone: 'ok',
        },
        lastSyncEventAt: result.finishedAt,
      });
      await get().load();
    } catch (error) {
      if (get().connectionId !== connectionId) return;
      const expected =
        error instanceof ApiError && (error.code === 'LOCKED' || error.code === 'RATE_LIMITED');
      const tone = expected ? 'warn' : 'error';
      // A refused extra click must not hide the running sync's own outcome, so it gets its own line.
      if (mine) set({ sync: { running: false, message: errorMessage(error), tone } });
      else set({ syncNotice: errorMessage(error) });
    }
  },

  async create(request) {
    const created = await api.invoke('templates:create', request);
    if (get().connectionId === request.connectionId) {
      set({ selectedKey: templateKey(created), filters: { ...get().filters, status: '', search: '' } });
      await get().load();
    }
    return created;
  },

  async remove(template) {
    const connectionId = get().connectionId;
    if (!connectionId) return;
    await api.invoke('templates:delete', { connectionId, name: template.name, language: template.language });
    await get().load();
  },
}));

api.on('templates:synced', (result) => {
  const state = useTemplatesStore.getState();
  if (result.connectionId !== state.connectionId) return;
  useTemplatesStore.setState({ lastSyncEventAt: result.finishedAt });
  void state.load();
});
api.on('templates:status-changed', (change) => {
  const state = useTemplatesStore.getState();
  if (change.connectionId === state.connectionId) void state.load();
});
