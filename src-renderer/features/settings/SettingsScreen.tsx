import { useAppStore } from '../../stores/app';

export function SettingsScreen() {
  const info = useAppStore((s) => s.info);
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">Settings</h1>
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
