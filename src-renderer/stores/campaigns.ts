// Campaigns for the renderer: the list, the campaign open in the detail page with a page cache behind its
// virtualized recipients table (pages fetched on demand), and the wizard's draft/preflight. Refreshed by
// the push events `campaigns:changed` and `campaigns:counters-changed` (collapsed to a few per second,
// since a campaign at 80/s moves its counters constantly).
import { create } from 'zustand';
import type {
  CampaignDraft,
  CampaignExportResult,
  CampaignView,
  PreflightReport,
  RecipientState,
  RecipientView,
  RetargetKind,
} from '../../src-preload/campaigns.contract';
import { api, errorMessage } from '../lib/api';

export const RECIPIENT_PAGE = 100;
const REFRESH_MS = 400;

interface CampaignsState {
  list: CampaignView[];
  loaded: boolean;
  listError?: string;
  detail: CampaignView | null;
  detailError?: string;
  stateFilter: RecipientState | undefined;
  recipientsTotal: number;
  pages: Record<number, RecipientView[]>;
  loadingPages: Record<number, boolean>;
  generation: number;
  exportResult?: CampaignExportResult;
  exportError?: string;
  load(): Promise<void>;
  open(campaignId: string | null): Promise<void>;
  setStateFilter(state: RecipientState | undefined): void;
  ensureRows(first: number, last: number): void;
  recipientAt(index: number): RecipientView | undefined;
  create(draft: CampaignDraft): Promise<CampaignView>;
  update(campaignId: string, draft: CampaignDraft): Promise<CampaignView>;
  preflight(campaignId: string): Promise<PreflightReport>;
  start(campaignId: string): Promise<void>;
  schedule(campaignId: string, at: number): Promise<void>;
  action(
    kind: 'pause' | 'resume' | 'cancel' | 'resend-unconfirmed' | 'retry-capped',
    campaignId: string,
  ): Promise<void>;
  /** The unconfirmed-resend wait of a campaign that is not finished (null: never resend by itself). */
  setResendWait(campaignId: string, ms: number | null): Promise<void>;
  exportResults(campaignId: string): Promise<void>;
  retarget(campaignId: string, which: RetargetKind): Promise<CampaignView>;
}

let listGeneration = 0;

export const useCampaignsStore = create<CampaignsState>((set, get) => {
  async function loadRecipientsPage(page: number, generation: number): Promise<void> {
    const detail = get().detail;
    if (!detail) return;
    set((s) => ({ loadingPages: { ...s.loadingPages, [page]: true } }));
    try {
      const result = await api.invoke('campaigns:recipients', {
        campaignId: detail.id,
        ...(get().stateFilter ? { state: get().stateFilter } : {}),
        offset: page * RECIPIENT_PAGE,
        limit: RECIPIENT_PAGE,
      });
      if (generation !== get().generation) return;
      set((s) => ({
        recipientsTotal: result.total,
        pages: { ...s.pages, [page]: result.rows },
        loadingPages: { ...s.loadingPages, [page]: false },
      }));
    } catch (error) {
      set((s) => ({ detailError: errorMessage(error), loadingPages: { ...s.loadingPages, [page]: false } }));
    }
  }

  /** Counters moved: reload the detail and the visible pages (kept on screen until replaced). */
  async function refreshDetail(): Promise<void> {
    const detail = get().detail;
    if (!detail) return;
    try {
      const fresh = await api.invoke('campaigns:get', { campaignId: detail.id });
      if (get().detail?.id !== fresh.id) return;
      const generation = get().generation + 1;
      const visible = Object.keys(get().pages).map(Number);
      set({ detail: fresh, generation, loadingPages: {} });
      await Promise.all((visible.length ? visible : [0]).map((page) => loadRecipientsPage(page, generation)));
    } catch (error) {
      set({ detailError: errorMessage(error) });
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const scheduleRefresh = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void get().load();
      void refreshDetail();
    }, REFRESH_MS);
  };
  api.on('campaigns:changed', scheduleRefresh);
  api.on('campaigns:counters-changed', scheduleRefresh);

  return {
    list: [],
    loaded: false,
    detail: null,
    stateFilter: undefined,
    recipientsTotal: 0,
    pages: {},
    loadingPages: {},
    generation: 0,

    async load() {
      const generation = ++listGeneration;
      try {
        const list = await api.invoke('campaigns:list', {});
        if (generation === listGeneration) set({ list, loaded: true, listError: undefined });
      } catch (error) {
        if (generation === listGeneration) set({ listError: errorMessage(error), loaded: true });
      }
    },

    async open(campaignId) {
      const generation = get().generation + 1;
      set({
        detail: null,
        detailError: undefined,
        pages: {},
        loadingPages: {},
        recipientsTotal: 0,
        generation,
        exportResult: undefined,
        exportError: undefined,
      });
      if (campaignId === null) return;
      try {
        const detail = await api.invoke('campaigns:get', { campaignId });
        set({ detail });
        await loadRecipientsPage(0, generation);
      } catch (error) {
        set({ detailError: errorMessage(error) });
      }
    },

    setStateFilter(state) {
      const generation = get().generation + 1;
      set({ stateFilter: state, pages: {}, loadingPages: {}, recipientsTotal: 0, generation });
      void loadRecipientsPage(0, generation);
    },

    ensureRows(first, last) {
      const { loadingPages, pages, generation } = get();
      for (let page = Math.floor(first / RECIPIENT_PAGE); page <= Math.floor(last / RECIPIENT_PAGE); page++) {
        if (!pages[page] && !loadingPages[page]) void loadRecipientsPage(page, generation);
      }
    },

    recipientAt(index) {
      return get().pages[Math.floor(index / RECIPIENT_PAGE)]?.[index % RECIPIENT_PAGE];
    },

    async create(draft) {
      const created = await api.invoke('campaigns:create', draft);
      await get().load();
      return created;
    },
    async update(campaignId, draft) {
      return api.invoke('campaigns:update', { campaignId, draft });
    },
    preflight: (campaignId) => api.invoke('campaigns:preflight', { campaignId }),
    async start(campaignId) {
      await api.invoke('campaigns:start', { campaignId });
      await get().load();
    },
    async schedule(campaignId, at) {
      await api.invoke('campaigns:schedule', { campaignId, at });
      await get().load();
    },
    async action(kind, campaignId) {
      if (kind === 'resend-unconfirmed') await api.invoke('campaigns:resend-unconfirmed', { campaignId });
      else if (kind === 'retry-capped') await api.invoke('campaigns:retry-capped', { campaignId });
      else await api.invoke(`campaigns:${kind}`, { campaignId });
      await refreshDetail();
    },
    async setResendWait(campaignId, ms) {
      const updated = await api.invoke('campaigns:set-resend-wait', {
        campaignId,
        unconfirmedResendAfterMs: ms,
      });
      if (get().detail?.id === updated.id) set({ detail: updated });
    },
    async exportResults(campaignId) {
      set({ exportResult: undefined, exportError: undefined });
      try {
        set({ exportResult: await api.invoke('campaigns:export', { campaignId }) });
      } catch (error) {
        set({ exportError: errorMessage(error) });
      }
    },
    async retarget(campaignId, which) {
      const created = await api.invoke('campaigns:retarget', { campaignId, which });
      await get().load();
      return created;
    },
  };
});
