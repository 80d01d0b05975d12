import { create } from 'zustand';
import type { TunnelStatusView, WebhookDiagnostics } from '../../src-preload/contract';
import { api, errorMessage } from '../lib/api';

interface WebhooksState {
  tunnel?: TunnelStatusView;
  diagnostics?: WebhookDiagnostics;
  error?: string;
  load: () => Promise<void>;
  configure: (mode: TunnelStatusView['mode'], customUrl?: string) => Promise<boolean>;
}

export const useWebhooksStore = create<WebhooksState>((set) => ({
  async load() {
    try {
      const [tunnel, diagnostics] = await Promise.all([
        api.invoke('tunnel:status', {}),
        api.invoke('webhooks:diagnostics', {}),
      ]);
      set({ tunnel, diagnostics, error: undefined });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  async configure(mode, customUrl) {
    try {
      const tunnel = await api.invoke(
        'tunnel:configure',
        customUrl === undefined ? { mode } : { mode, customUrl },
      );
      set({ tunnel, error: undefined });
      return true;
    } catch (error) {
      set({ error: errorMessage(error) });
      return false;
    }
  },
}));

api.on('tunnel:changed', (tunnel) => useWebhooksStore.setState({ tunnel }));
