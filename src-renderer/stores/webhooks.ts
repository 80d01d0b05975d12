import { create } from 'zustand';
import type { TunnelStatusView, WebhookAlarmSettings, WebhookDiagnostics } from '../../src-preload/contract';
import { api, errorMessage } from '../lib/api';

interface WebhooksState {
  tunnel?: TunnelStatusView;
  diagnostics?: WebhookDiagnostics;
  alarm?: WebhookAlarmSettings;
  error?: string;
  load: () => Promise<void>;
  configure: (mode: TunnelStatusView['mode'], customUrl?: string) => Promise<boolean>;
  setSilenceMinutes: (silenceMinutes: number) => Promise<boolean>;
}

export const useWebhooksStore = create<WebhooksState>((set) => ({
  async load() {
    try {
      const [tunnel, diagnostics, alarm] = await Promise.all([
        api.invoke('tunnel:status', {}),
        api.invoke('webhooks:diagnostics', {}),
        api.invoke('webhooks:alarm', {}),
      ]);
      set({ tunnel, diagnostics, alarm, error: undefined });
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
  async setSilenceMinutes(silenceMinutes) {
    try {
      const alarm = await api.invoke('webhooks:set-alarm', { silenceMinutes });
      set({ alarm, error: undefined });
      return true;
    } catch (error) {
      set({ error: errorMessage(error) });
      return false;
    }
  },
}));

api.on('tunnel:changed', (tunnel) => useWebhooksStore.setState({ tunnel }));
