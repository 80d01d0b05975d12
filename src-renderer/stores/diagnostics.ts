// The Diagnostics panel's data and the "Open logs folder" outcome.
import { create } from 'zustand';
import type { DiagnosticsView } from '../../src-preload/diagnostics.contract';
import { api, errorMessage } from '../lib/api';

interface DiagnosticsState {
  view?: DiagnosticsView;
  error?: string;
  logsNote?: string;
  load: () => Promise<void>;
  openLogs: () => Promise<void>;
}

export const useDiagnosticsStore = create<DiagnosticsState>((set) => ({
  async load() {
    try {
      set({ view: await api.invoke('diagnostics:get', {}), error: undefined });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  async openLogs() {
    try {
      const result = await api.invoke('diagnostics:open-logs-folder', {});
      // The browser cannot open folders: it shows the path to open by hand.
      set({
        logsNote: result.opened ? `Opened ${result.path}` : `${result.message ?? ''} ${result.path}`.trim(),
      });
    } catch (error) {
      set({ logsNote: errorMessage(error) });
    }
  },
}));
