// Contacts for the renderer: a page cache behind the virtualized table (pages of PAGE_SIZE fetched on
// demand, so 200,000 contacts never sit in memory at once), the filter, the import wizard (upload →
// mapping → progress → summary) and exports. Fed by api calls and refreshed by push events.
import { create } from 'zustand';
import { UPLOAD_CHUNK_BYTES } from '../../src-preload/transferLimits';
import type {
  ColumnTarget,
  Contact,
  ContactFacets,
  ContactFilter,
  ContactSort,
  ExportColumn,
  ExportProgress,
  ExportResult,
  ImportMode,
  ImportPreview,
  ImportProgress,
  ImportSettings,
  ImportSummary,
} from '../../src-preload/contacts.contract';
import { api, errorMessage } from '../lib/api';

export const PAGE_SIZE = 100;
const MAX_CACHED_PAGES = 40;

export interface MappingDraft {
  delimiter: ImportSettings['delimiter'];
  hasHeader: boolean;
  columns: ColumnTarget[];
  defaultCountry: string | null;
  mode: ImportMode;
}

export type ImportStage =
  | { kind: 'idle' }
  | { kind: 'uploading'; fileName: string; sent: number; size: number }
  | { kind: 'mapping'; preview: ImportPreview; draft: MappingDraft; starting: boolean }
  | { kind: 'running'; progress: ImportProgress }
  | { kind: 'finished'; summary: ImportSummary };

/**
 * Why a file is being imported: into the contacts, or as a campaign's audience ("contacts from this
 * CSV"), which also asks the import to remember exactly which contacts the file holds.
 */
export type ImportPurpose = 'contacts' | 'campaign-audience';

export interface ExportState {
  running: boolean;
  progress?: ExportProgress;
  result?: ExportResult;
  error?: string;
}

interface ContactsState {
  workspaceId: string | null;
  filter: ContactFilter;
  sort: ContactSort;
  /** Bumped whenever cached pages stop matching (filter, sort, workspace, data changed). */
  generation: number;
  total: number | null;
  pages: Record<number, Contact[]>;
  /** Pages of the previous generation, shown until their fresh copies arrive (no flash on refresh). */
  stalePages: Record<number, Contact[]>;
  loadingPages: Record<number, boolean>;
  listError?: string;
  facets?: ContactFacets;
  selectedId: string | null;
  importStage: ImportStage;
  importError?: string;
  importPurpose: ImportPurpose;
  exportState: ExportState;

  setWorkspace(workspaceId: string | null): void;
  setFilter(patch: Partial<ContactFilter>): void;
  setSort(sort: ContactSort): void;
  /** Makes sure the pages covering rows [start, end] are loaded. */
  ensureRows(start: number, end: number): void;
  refresh(): void;
  loadFacets(): Promise<void>;
  select(contactId: string | null): void;
  contactAt(index: number): Contact | undefined;
  findLoaded(contactId: string): Contact | undefined;
  updateContact(
    contactId: string,
    patch: Partial<Pick<Contact, 'name' | 'email' | 'tags' | 'attributes'>>,
  ): Promise<Contact>;
  setOptOut(contactId: string, optedOut: boolean, reason?: string): Promise<Contact>;
  deleteContacts(contactIds: string[]): Promise<number>;

  importFile(file: File, purpose?: ImportPurpose): Promise<void>;
  /** The desktop app's file dialog instead of the file input (the file stays where it is). */
  pickImportFile(purpose?: ImportPurpose): Promise<void>;
  updateDraft(patch: Partial<MappingDraft>): void;
  repreview(options: {
    delimiter?: ImportSettings['delimiter'];
    hasHeader?: boolean;
    defaultCountry?: string | null;
  }): Promise<void>;
  startImport(): Promise<void>;
  cancelImport(): Promise<void>;
  closeImport(): void;
  exportContacts(columns: ExportColumn[], onlyFiltered: boolean): Promise<void>;
}

/** Base64 of a Blob slice via FileReader (native; no giant strings built by hand). */
export function base64Of(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsDataURL(blob);
  });
}

function cleanFilter(filter: ContactFilter): ContactFilter {
  const out: ContactFilter = {};
  if (filter.search?.trim()) out.search = filter.search.trim();
  if (filter.tag) out.tag = filter.tag;
  if (filter.attribute?.key) {
    out.attribute = filter.attribute.value
      ? { key: filter.attribute.key, value: filter.attribute.value }
      : { key: filter.attribute.key };
  }
  if (filter.optedOut && filter.optedOut !== 'any') out.optedOut = filter.optedOut;
  if (filter.source) out.source = filter.source;
  return out;
}

const inflight = new Map<string, Promise<void>>();

export const useContactsStore = create<ContactsState>((set, get) => {
  const reset = (patch: Partial<ContactsState> = {}): void => {
    set((state) => ({
      ...patch,
      generation: state.generation + 1,
      pages: {},
      stalePages: {},
      loadingPages: {},
      total: null,
    }));
    loadPage(0, true);
  };

  function loadPage(page: number, withTotal = false): void {
    const { workspaceId, generation } = get();
    if (!workspaceId) return;
    const key = `${generation}:${page}`;
    if (inflight.has(key) || get().pages[page]) return;
    set((state) => ({ loadingPages: { ...state.loadingPages, [page]: true } }));
    const request = api
      .invoke('contacts:list', {
        workspaceId,
        filter: cleanFilter(get().filter),
        sort: get().sort,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
        withTotal: withTotal || get().total === null,
      })
      .then((result) => {
        if (get().generation !== generation) return;
        set((state) => {
          const pages = { ...state.pages, [page]: result.rows };
          // Keep memory flat: forget the pages furthest from this one.
          const loaded = Object.keys(pages).map(Number);
          if (loaded.length > MAX_CACHED_PAGES) {
            loaded.sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
            for (const far of loaded.slice(0, loaded.length - MAX_CACHED_PAGES)) delete pages[far];
          }
          const loadingPages = { ...state.loadingPages };
          delete loadingPages[page];
          const stalePages = { ...state.stalePages };
          delete stalePages[page];
          return {
            pages,
            stalePages,
            loadingPages,
            total: result.total ?? state.total,
            listError: undefined,
          };
        });
      })
      .catch((error: unknown) => {
        if (get().generation === generation) set({ listError: errorMessage(error) });
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, request);
  }

  return {
    workspaceId: null,
    filter: {},
    sort: 'recent',
    generation: 0,
    total: null,
    pages: {},
    stalePages: {},
    loadingPages: {},
    selectedId: null,
    importStage: { kind: 'idle' },
    importPurpose: 'contacts',
    exportState: { running: false },

    setWorkspace(workspaceId) {
      if (workspaceId === get().workspaceId) return;
      // An import belongs to its workspace: the wizard starts over, and shows the new workspace's own
      // running import if it has one.
      reset({
        workspaceId,
        selectedId: null,
        facets: undefined,
        importStage: { kind: 'idle' },
        importError: undefined,
      });
      void get().loadFacets();
      if (workspaceId) {
        void api.invoke('contacts:import-status', { workspaceId }).then((status) => {
          if (status.running) set({ importStage: { kind: 'running', progress: status.running } });
        });
      }
    },

    setFilter(patch) {
      reset({ filter: { ...get().filter, ...patch } });
    },

    setSort(sort) {
      reset({ sort });
    },

    ensureRows(start, end) {
      const first = Math.max(0, Math.floor(start / PAGE_SIZE));
      const last = Math.max(first, Math.floor(end / PAGE_SIZE));
      for (let page = first; page <= last; page++) loadPage(page);
    },

    refresh() {
      // Keep what is on screen until the fresh pages arrive, so the table does not flash empty.
      const visible = Object.keys(get().pages).map(Number);
      set((state) => ({
        generation: state.generation + 1,
        stalePages: { ...state.stalePages, ...state.pages },
        pages: {},
        loadingPages: {},
      }));
      loadPage(visible[0] ?? 0, true);
      for (const page of visible.slice(1)) loadPage(page);
      void get().loadFacets();
    },

    async loadFacets() {
      const { workspaceId } = get();
      if (!workspaceId) return;
      try {
        const facets = await api.invoke('contacts:facets', { workspaceId });
        if (get().workspaceId === workspaceId) set({ facets });
      } catch {
        // Filters still work by typing; the lists are a convenience.
      }
    },

    select(contactId) {
      set({ selectedId: contactId });
    },

    contactAt(index) {
      const page = Math.floor(index / PAGE_SIZE);
      const { pages, stalePages } = get();
      return (pages[page] ?? stalePages[page])?.[index % PAGE_SIZE];
    },

    findLoaded(contactId) {
      for (const rows of [...Object.values(get().pages), ...Object.values(get().stalePages)]) {
        const found = rows.find((c) => c.id === contactId);
        if (found) return found;
      }
      return undefined;
    },

    async updateContact(contactId, patch) {
      const updated = await api.invoke('contacts:update', {
        workspaceId: get().workspaceId ?? undefined,
        contactId,
        ...patch,
      });
      replaceLoaded(updated);
      return updated;
    },

    async setOptOut(contactId, optedOut, reason) {
      const updated = await api.invoke('contacts:set-opt-out', {
        workspaceId: get().workspaceId ?? undefined,
        contactId,
        optedOut,
        ...(reason ? { reason } : {}),
      });
      replaceLoaded(updated);
      return updated;
    },

    async deleteContacts(contactIds) {
      const { deleted } = await api.invoke('contacts:delete', {
        workspaceId: get().workspaceId ?? undefined,
        contactIds,
      });
      if (contactIds.includes(get().selectedId ?? '')) set({ selectedId: null });
      get().refresh();
      return deleted;
    },

    async importFile(file, purpose = 'contacts') {
      set({
        importStage: { kind: 'uploading', fileName: file.name, sent: 0, size: file.size },
        importError: undefined,
        importPurpose: purpose,
      });
      try {
        if (file.size === 0) throw new Error('The file is empty.');
        const begun = await api.invoke('contacts:upload-begin', { fileName: file.name, size: file.size });
        for (let offset = 0; offset < file.size; offset += UPLOAD_CHUNK_BYTES) {
          const data = await base64Of(file.slice(offset, Math.min(file.size, offset + UPLOAD_CHUNK_BYTES)));
          const state = await api.invoke('contacts:upload-chunk', { uploadId: begun.uploadId, offset, data });
          set({
            importStage: { kind: 'uploading', fileName: file.name, sent: state.received, size: file.size },
          });
        }
        await showMapping(begun.uploadId);
      } catch (error) {
        set({ importStage: { kind: 'idle' }, importError: errorMessage(error) });
      }
    },

    async pickImportFile(purpose = 'contacts') {
      set({ importError: undefined, importPurpose: purpose });
      try {
        const picked = await api.invoke('contacts:pick-import-file', {});
        if (!picked) return;
        set({
          importStage: { kind: 'uploading', fileName: picked.fileName, sent: picked.size, size: picked.size },
        });
        await showMapping(picked.uploadId);
      } catch (error) {
        set({ importStage: { kind: 'idle' }, importError: errorMessage(error) });
      }
    },

    updateDraft(patch) {
      const stage = get().importStage;
      if (stage.kind !== 'mapping') return;
      set({ importStage: { ...stage, draft: { ...stage.draft, ...patch } } });
    },

    async repreview(options) {
      const stage = get().importStage;
      if (stage.kind !== 'mapping') return;
      const draft = { ...stage.draft, ...options };
      try {
        const preview = await api.invoke('contacts:import-preview', {
          uploadId: stage.preview.uploadId,
          delimiter: draft.delimiter,
          hasHeader: draft.hasHeader,
          defaultCountry: draft.defaultCountry,
          phoneColumn: Math.max(
            0,
            draft.columns.findIndex((c) => c.kind === 'phone'),
          ),
        });
        const sameShape =
          preview.headers.length === stage.draft.columns.length &&
          options.delimiter === undefined &&
          options.hasHeader === undefined;
        set({
          importStage: {
            kind: 'mapping',
            preview,
            starting: false,
            draft: { ...draft, columns: sameShape ? draft.columns : preview.suggested.columns },
          },
          importError: undefined,
        });
      } catch (error) {
        set({ importError: errorMessage(error) });
      }
    },

    async startImport() {
      const stage = get().importStage;
      if (stage.kind !== 'mapping') return;
      set({ importStage: { ...stage, starting: true }, importError: undefined });
      try {
        const progress = await api.invoke('contacts:import-start', {
          workspaceId: get().workspaceId ?? undefined,
          uploadId: stage.preview.uploadId,
          settings: { ...stage.draft },
          ...(get().importPurpose === 'campaign-audience' ? { rememberContacts: true } : {}),
        });
        const current = get().importStage;
        // A fast import may already have finished (its event arrived before this answer).
        if (current.kind !== 'finished') set({ importStage: { kind: 'running', progress } });
      } catch (error) {
        set({ importStage: { ...stage, starting: false }, importError: errorMessage(error) });
      }
    },

    async cancelImport() {
      const stage = get().importStage;
      if (stage.kind !== 'running') return;
      try {
        await api.invoke('contacts:import-cancel', { importId: stage.progress.importId });
      } catch (error) {
        set({ importError: errorMessage(error) });
      }
    },

    closeImport() {
      set({ importStage: { kind: 'idle' }, importError: undefined });
    },

    async exportContacts(columns, onlyFiltered) {
      set({ exportState: { running: true } });
      try {
        const result = await api.invoke('contacts:export', {
          workspaceId: get().workspaceId ?? undefined,
          columns,
          ...(onlyFiltered ? { filter: cleanFilter(get().filter) } : {}),
        });
        set({ exportState: { running: false, result } });
      } catch (error) {
        set({ exportState: { running: false, error: errorMessage(error) } });
      }
    },
  };

  /** The preview of a completed upload, as the mapping step with the suggested columns. */
  async function showMapping(uploadId: string): Promise<void> {
    const preview = await api.invoke('contacts:import-preview', { uploadId });
    set({
      importStage: {
        kind: 'mapping',
        preview,
        starting: false,
        draft: {
          delimiter: preview.delimiter,
          hasHeader: preview.hasHeader,
          columns: preview.suggested.columns,
          defaultCountry: preview.suggested.defaultCountry ?? defaultCountryFromLocale(),
          mode: 'add-and-update',
        },
      },
    });
  }

  function replaceLoaded(contact: Contact): void {
    set((state) => {
      const swap = (all: Record<number, Contact[]>): Record<number, Contact[]> => {
        const out: Record<number, Contact[]> = {};
        for (const [page, rows] of Object.entries(all))
          out[Number(page)] = rows.map((c) => (c.id === contact.id ? contact : c));
        return out;
      };
      return { pages: swap(state.pages), stalePages: swap(state.stalePages) };
    });
  }
});

/** The region of the browser's language ("pt-BR" → "BR"), as the default country's first guess. */
export function defaultCountryFromLocale(): string | null {
  const region = /-([A-Z]{2})\b/.exec(navigator.language)?.[1];
  return region ?? null;
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
api.on('contacts:changed', ({ workspaceId }) => {
  if (workspaceId !== useContactsStore.getState().workspaceId) return;
  // Imports announce changes about once a second; coalesce bursts into one refresh.
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => useContactsStore.getState().refresh(), 300);
});

api.on('contacts:import-progressed', (progress) => {
  const { workspaceId, importStage } = useContactsStore.getState();
  if (progress.workspaceId !== workspaceId) return;
  if (importStage.kind === 'finished') return;
  if (importStage.kind === 'mapping' && !importStage.starting) return;
  useContactsStore.setState({ importStage: { kind: 'running', progress } });
});

api.on('contacts:import-finished', (summary) => {
  const { workspaceId } = useContactsStore.getState();
  if (summary.workspaceId !== workspaceId) return;
  useContactsStore.setState({ importStage: { kind: 'finished', summary } });
  useContactsStore.getState().refresh();
});

api.on('contacts:export-progressed', (progress) => {
  const { exportState, workspaceId } = useContactsStore.getState();
  if (progress.workspaceId !== workspaceId || !exportState.running) return;
  useContactsStore.setState({ exportState: { ...exportState, progress } });
});
