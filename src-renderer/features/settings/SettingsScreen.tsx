import { useEffect } from 'react';
import { useAppStore } from '../../stores/app';
import { useConnectionsStore } from '../../stores/connections';
import { BackupsPanel } from './BackupsPanel';
import { ConnectionsSection } from './ConnectionsSection';
import { DiagnosticsPanel } from './DiagnosticsPanel';
import { SandboxCard } from './SandboxCard';
import { WebhooksPanel } from './WebhooksPanel';
import './settings.css';

export function SettingsScreen() {
  const info = useAppStore((s) => s.info);
  const sandbox = useConnectionsStore((s) => s.connections.find((c) => c.kind === 'sandbox'));

  useEffect(() => {
    void useConnectionsStore.getState().load();
  }, []);

  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">Settings</h1>
      <ConnectionsSection />
      {sandbox ? <SandboxCard sandbox={sandbox} /> : null}
      <WebhooksPanel />
      <BackupsPanel />
      <DiagnosticsPanel />
      <h2>About this installation</h2>
      {info ? (
        <dl className="facts" aria-label="App information">
          <dt>Version</dt>
          <dd data-testid="info-version">{info.version}</dd>
          <dt>Data folder</dt>
          <dd data-testid="info-data-dir">{info.dataDir}</dd>
          <dt>Database schema</dt>
          <dd data-testid="info-schema">{info.schemaVersion}</dd>
          <dt>Running as</dt>
          <dd data-testid="info-host">{info.hostKind === 'electron' ? 'Desktop app' : 'Browser host'}</dd>
        </dl>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}
