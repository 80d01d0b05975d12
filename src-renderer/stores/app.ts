import { create } from 'zustand';
import type { AppInfo, Health } from '../../src-preload/contract';
import { api, errorMessage } from '../lib/api';

interface AppState {
  info?: AppInfo;
  health?: Health;
  loadError?: string;
  load(): Promise<void>;
}

export const useAppStore = create<AppState>((set) => ({
  async load() {
    try {
      const [info, health] = await Promise.all([api.invoke('app:info', {}), api.invoke('app:health', {})]);
      set({ info, health, loadError: undefined });
    } catch (error) {
      set({ loadError: errorMessage(error) });
    }
  },
}));

api.on('app:health-changed', (health) => useAppStore.setState({ health }));
