import { useEffect } from 'react';
import { useDiagnosticsStore } from '../../stores/diagnostics';

const when = (time: number | null): string => (time ? new Date(time).toLocaleString() : 'never');

/** Settings → Diagnostics: what support asks for first, and the way to the log files. */
export function DiagnosticsPanel() {
  const { view, error, logsNote, load, openLogs } = useDiagnosticsStore();

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="diagnostics-title" className="panel">
      <h2 id="diagnostics-title">Diagnostics and logs</h2>
      {error ? (
        <div className="banner error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => void openLogs()}>
          Open logs folder
        </button>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {logsNote ? (
        <p role="status" data-testid="logs-folder">
          {logsNote}
        </p>
      ) : null}
      {view ? (
        <>
          {view.secretStorage.warning ? (
            <div className="banner error" role="alert">
              {view.secretStorage.warning}
            </div>
          ) : null}
          <dl className="facts" aria-label="Diagnostics">
            {Object.entries(view.versions).map(([name, version]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{version}</dd>
              </div>
            ))}
            <dt>Platform</dt>
            <dd>{view.platform}</dd>
            <dt>Mode</dt>
            <dd>{view.mode === 'recovery' ? 'Recovery (database failed its check)' : 'Normal'}</dd>
            <dt>Data folder</dt>
            <dd>{view.dataDir}</dd>
            <dt>Logs folder</dt>
            <dd>{view.logsDir}</dd>
            <dt>Schema version</dt>
            <dd data-testid="diagnostics-schema">{view.schemaVersion ?? 'unknown'}</dd>
            <dt>Secret storage</dt>
            <dd>{view.secretStorage.kind}</dd>
            <dt>Tunnel</dt>
            <dd>
              {view.tunnel
                ? `${view.tunnel.mode} · ${view.tunnel.status}${view.tunnel.publicUrl ? ` · ${view.tunnel.publicUrl}` : ''}${view.tunnel.lastError ? ` · ${view.tunnel.lastError}` : ''}`
                : 'not running'}
            </dd>
            <dt>Backups</dt>
            <dd>
              {view.backups.count}
              {view.backups.newest ? `, newest ${when(view.backups.newest.createdAt)}` : ''}
            </dd>
          </dl>
          <table aria-label="Queue depths">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">State</th>
                <th scope="col">Jobs</th>
              </tr>
            </thead>
            <tbody>
              {view.queues.length === 0 ? (
                <tr>
                  <td colSpan={3}>All queues are empty.</td>
                </tr>
              ) : (
                view.queues.map((q) => (
                  <tr key={`${q.queue}-${q.state}`}>
                    <td>{q.queue}</td>
                    <td>{q.state}</td>
                    <td>{q.count}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          <table aria-label="Last webhook per connection">
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">Status</th>
                <th scope="col">Last webhook</th>
              </tr>
            </thead>
            <tbody>
              {view.connections.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td>{c.status}</td>
                  <td>{when(c.lastWebhookAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
