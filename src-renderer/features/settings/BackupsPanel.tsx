import { useEffect, useState } from 'react';
import { useAppStore } from '../../stores/app';
import { useBackupsStore } from '../../stores/backups';
import { RestoreDialog } from './RestoreDialog';

const sizeText = (bytes: number): string =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;

/** Settings → Backups: daily automatic backups, one on demand, restore with confirmation, export everything. */
export function BackupsPanel() {
  const { status, busy, error, notice, lastExport, load, backupNow, exportAll } = useBackupsStore();
  const hostKind = useAppStore((s) => s.info?.hostKind);
  const [restoring, setRestoring] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="backups-title" className="panel">
      <h2 id="backups-title">Backups</h2>
      <p className="muted">
        Bellhop backs up its database every day (keeping 7 daily and 4 weekly backups) in{' '}
        <code>{status?.folder ?? '…'}</code>.
      </p>
      {error ? (
        <div className="banner error" role="alert">
          {error}
        </div>
      ) : null}
      {notice ? <p role="status">{notice}</p> : null}
      {status?.lastRestore ? (
        <div className={`banner ${status.lastRestore.ok ? '' : 'error'}`} role="status">
          {status.lastRestore.message}
        </div>
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => void backupNow()} disabled={busy !== undefined}>
          {busy === 'backup' ? 'Backing up…' : 'Back up now'}
        </button>
        <button type="button" onClick={() => void exportAll()} disabled={busy !== undefined}>
          {busy === 'export' ? 'Exporting…' : 'Export everything'}
        </button>
      </div>
      {lastExport ? (
        <p role="status" data-testid="export-result">
          Export written ({sizeText(lastExport.size)}):{' '}
          {hostKind === 'browser' ? (
            <a href={`/downloads/archives/${encodeURIComponent(lastExport.fileName)}`} download>
              {lastExport.fileName}
            </a>
          ) : (
            <code>{lastExport.path}</code>
          )}
        </p>
      ) : null}
      {status && status.backups.length > 0 ? (
        <table aria-label="Backups">
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">Kind</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {status.backups.map((backup) => (
              <tr key={backup.name}>
                <td>{new Date(backup.createdAt).toLocaleString()}</td>
                <td>{backup.kind === 'daily' ? 'Automatic' : 'Manual'}</td>
                <td>{sizeText(backup.size)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => setRestoring(backup.name)}
                    aria-label={`Restore the backup of ${new Date(backup.createdAt).toLocaleString()}`}
                  >
                    Restore…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No backups yet.</p>
      )}
      {restoring ? <RestoreDialog name={restoring} onCancel={() => setRestoring(null)} /> : null}
    </section>
  );
}
