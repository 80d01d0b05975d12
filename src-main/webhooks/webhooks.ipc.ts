// IPC for the webhook path: diagnostics (events that could not be processed, with why) and the tunnel.
import type { TunnelStatusView, WebhookAlarmSettings } from '../../src-preload/contract';
import { AppError } from '../ipc/errors';
import type { Handlers } from '../ipc/router';
import type { SettingsStore } from '../settings/settings.repo';
import type { TunnelModule } from '../tunnel/tunnel.module';
import { defaultSilenceMinutes, silenceMinutesSetting } from './silenceAlarm';
import type { WebhooksModule } from './webhooks.module';

export function tunnelView(tunnel: TunnelModule): TunnelStatusView {
  const status = tunnel.status();
  const state = status.state;
  return {
    mode: status.mode,
    status: state.status,
    ...(status.publicUrl ? { publicUrl: status.publicUrl } : {}),
    ...(status.customUrl ? { customUrl: status.customUrl } : {}),
    ...('lastError' in state && state.lastError ? { lastError: state.lastError } : {}),
    callbackUrls: status.callbackUrls,
    repoint: status.lastRepoint.map((r) => ({
      connectionId: r.connectionId,
      outcome: r.outcome,
      ...(r.outcome === 'failed' ? { message: r.message } : {}),
    })),
  };
}

function alarmSettings(settings: SettingsStore): WebhookAlarmSettings {
  const stored = Number(settings.get(silenceMinutesSetting));
  return { silenceMinutes: stored > 0 ? stored : defaultSilenceMinutes };
}

export function bindWebhooks(
  webhooks: WebhooksModule,
  tunnel: TunnelModule,
  settings: SettingsStore,
): Partial<Handlers> {
  return {
    'webhooks:alarm': () => alarmSettings(settings),
    'webhooks:set-alarm': ({ silenceMinutes }) => {
      settings.set(silenceMinutesSetting, silenceMinutes);
      return alarmSettings(settings);
    },
    'webhooks:diagnostics': () => {
      const d = webhooks.diagnostics();
      return {
        counts: d.counts,
        refusedSignatures: d.refusedSignatures,
        problems: d.problems.map((p) => ({
          id: p.id,
          connectionId: p.connection_id,
          receivedAt: p.received_at,
          state: p.state,
          reason: p.reason,
          size: p.size,
          preview: p.preview,
        })),
      };
    },
    'tunnel:status': () => tunnelView(tunnel),
    'tunnel:configure': (request) => {
      const result = tunnel.configure(request);
      if (!result.ok) throw new AppError('BAD_REQUEST', result.message);
      return tunnelView(tunnel);
    },
  };
}
