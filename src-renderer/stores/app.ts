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
    // Each shows as it comes: the host answers app:info at once, app:health once the Sandbox and the
    // job queue it reports on have started (src-main/startup/firstPaintGate.ts).
    const fail = (error: unknown): void => set({ loadError: errorMessage(error) });
    await Promise.all([
      api.invoke('app:info', {}).then((info) => set({ info, loadError: undefined }), fail),
      api.invoke('app:health', {}).then((health) => set({ health }), fail),
    ]);
  },
}));

api.on('app:health-changed', (health) => useAppStore.setState({ health }));
