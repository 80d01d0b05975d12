// The tunnel as the core runs it: localtunnel in front of the local webhook server when a real (cloud)
// connection needs Meta to reach us, a user-supplied public URL instead when they run their own proxy,
// or nothing. Whenever the public URL changes, Meta is re-pointed at it (§12) and the outcome kept for
// Settings. Template and account webhooks do not follow overrides; periodic template sync covers those.
import type { ComponentState } from '../../src-preload/contract';
import type { Logger } from '../log';
import type { SettingsStore } from '../settings/settings.repo';
import {
  callbackUrlFor,
  checkCustomPublicUrl,
  createMetaRepointer,
  type RepointResult,
  type SetOverrideResult,
} from './callback';
import { getOrCreateSubdomain } from './subdomain';
import type { TunnelManager, TunnelState } from './tunnel.manager';

export type TunnelMode = 'auto' | 'custom' | 'off';

export interface TunnelTarget {
  id: string;
  name: string;
  verifyToken: string;
  setOverride(callbackUrl: string, verifyToken: string): Promise<SetOverrideResult>;
}

export interface TunnelModuleOptions {
  settings: SettingsStore;
  log: Logger;
  localPort: number;
  /** Connections Meta must reach (kind 'cloud'); the Sandbox is delivered locally and needs no tunnel. */
  targets(): TunnelTarget[];
  onChanged(): void;
  /** localtunnel's server; BELLHOP_TUNNEL_SERVER overrides it (tests point it at a loopback server). */
  serverUrl?: string;
}

export interface TunnelStatus {
  mode: TunnelMode;
  state: TunnelState | { status: 'off'; since: number; attempts: 0 };
  publicUrl?: string;
  customUrl?: string;
  callbackUrls: { connectionId: string; name: string; url: string; verifyToken: string }[];
  lastRepoint: RepointResult[];
}

export interface TunnelModule {
  status(): TunnelStatus;
  health(): { state: ComponentState; detail?: string };
  /** Switches mode; a bad custom URL is refused with a clear message and changes nothing. */
  configure(input: { mode: TunnelMode; customUrl?: string }): { ok: true } | { ok: false; message: string };
  /** Re-evaluates whether the tunnel should run (after connections change) and re-points Meta. */
  refresh(): void;
  close(): Promise<void>;
}

export function createTunnelModule(options: TunnelModuleOptions): TunnelModule {
  const { settings, log } = options;
  const repointer = createMetaRepointer();
  let manager: TunnelManager | undefined;
  let lastRepoint: RepointResult[] = [];
  let lastPublicUrl: string | undefined;
  let closed = false;
  const offSince = Date.now();

  const mode = (): TunnelMode => {
    const value = settings.get('tunnel.mode');
    return value === 'custom' || value === 'off' ? value : 'auto';
  };
  const customUrl = (): string | undefined => {
    const value = settings.get('tunnel.customUrl');
    return typeof value === 'string' ? value : undefined;
  };

  const publicUrl = (): string | undefined => {
    if (mode() === 'custom') return customUrl();
    const state = manager?.state();
    return state?.status === 'up' ? state.publicUrl : undefined;
  };

  const repoint = (): void => {
    const url = publicUrl();
    if (!url || url === lastPublicUrl) return;
    lastPublicUrl = url;
    void repointer
      .repoint({ publicUrl: url, connections: options.targets(), log })
      .then((results) => {
        lastRepoint = results;
        options.onChanged();
      })
      .catch((error: unknown) => log.error('tunnel: re-pointing Meta failed', { error }));
  };

  // The localtunnel client (and its HTTP stack) loads only when a tunnel is wanted: most installs start
  // on the Sandbox alone, and start-up time matters more than the first tunnel's few milliseconds.
  let loading = false;
  const ensure = (): void => {
    const wanted = mode() === 'auto' && options.targets().length > 0;
    if (wanted && !manager && !loading) {
      loading = true;
      void import('./tunnel.manager')
        .then(({ createTunnelManager }) => {
          loading = false;
          if (closed || manager || !(mode() === 'auto' && options.targets().length > 0)) return;
          manager = createTunnelManager({
            localPort: options.localPort,
            serverUrl: options.serverUrl ?? process.env.BELLHOP_TUNNEL_SERVER ?? 'https://localtunnel.me',
            subdomain: getOrCreateSubdomain(settings),
            log,
            onStateChanged: () => {
              repoint();
              options.onChanged();
            },
          });
          manager.start();
          options.onChanged();
        })
        .catch((error: unknown) => {
          loading = false;
          log.error('tunnel: could not load the tunnel client', { error });
        });
    } else if (!wanted && manager) {
      const stopping = manager;
      manager = undefined;
      void stopping.stop();
    }
    repoint();
  };

  return {
    status() {
      const url = publicUrl();
      return {
        mode: mode(),
        state: manager?.state() ?? { status: 'off', since: offSince, attempts: 0 },
        ...(url ? { publicUrl: url } : {}),
        ...(customUrl() ? { customUrl: customUrl() } : {}),
        callbackUrls: url
          ? options.targets().map((t) => ({
              connectionId: t.id,
              name: t.name,
              url: callbackUrlFor(url, t.id),
              verifyToken: t.verifyToken,
            }))
          : [],
        lastRepoint,
      };
    },
    health() {
      if (mode() === 'off') return { state: 'off', detail: 'The tunnel is turned off in Settings.' };
      if (mode() === 'custom') return { state: 'ok', detail: `Using your public URL ${customUrl() ?? ''}.` };
      if (!manager) return { state: 'off', detail: 'Not needed: the Sandbox is reached without a tunnel.' };
      const state = manager.state();
      const failed = lastRepoint.filter((r) => r.outcome === 'failed');
      switch (state.status) {
        case 'up':
          return failed.length
            ? {
                state: 'degraded',
                detail: `Tunnel up at ${state.publicUrl ?? ''}, but Meta could not be re-pointed: ${failed.map((f) => f.outcome === 'failed' && f.message).join('; ')}`,
              }
            : // The status bar shows this as the tunnel item's tooltip: the URL Meta reaches us at.
              { state: 'ok', detail: `Meta reaches this computer at ${state.publicUrl ?? ''}.` };
        case 'connecting':
        case 'reconnecting':
          return {
            state: 'degraded',
            detail: `Connecting the tunnel${state.lastError ? ` (last error: ${state.lastError})` : ''}.`,
          };
        case 'error':
          return { state: 'down', detail: state.lastError ?? 'The tunnel failed.' };
        case 'custom':
        case 'off':
          return { state: 'off' };
      }
    },
    configure(input) {
      if (input.mode === 'custom') {
        const checked = checkCustomPublicUrl(input.customUrl ?? '');
        if (!checked.ok) return checked;
        settings.set('tunnel.customUrl', checked.value);
      }
      settings.set('tunnel.mode', input.mode);
      lastPublicUrl = undefined;
      ensure();
      options.onChanged();
      return { ok: true };
    },
    refresh: ensure,
    async close() {
      closed = true;
      await manager?.stop();
      manager = undefined;
    },
  };
}
