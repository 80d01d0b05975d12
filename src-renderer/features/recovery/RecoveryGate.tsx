import { useEffect, useState, type ReactNode } from 'react';
import { DiagnosticsPanel } from '../settings/DiagnosticsPanel';
import { RestoreDialog } from '../settings/RestoreDialog';
import { useBackupsStore } from '../../stores/backups';

/**
 * Shows the screens as usual, or, when the database failed its start-up check, the recovery screen:
 * what is wrong, the newest backup that passes the same check, and a way to restore it.
 */
export function RecoveryGate({ children }: { children: ReactNode }) {
  const status = useBackupsStore((s) => s.status);
  const error = useBackupsStore((s) => s.error);
  const [restoring, setRestoring] = useState<string | null>(null);

  useEffect(() => {
    void useBackupsStore.getState().load();
  }, []);

  if (status?.mode !== 'recovery') return <>{children}</>;
  const newest = status.newestGood;
  return (
    <section className="screen" aria-labelledby="recovery-title">
      <h1 id="recovery-title">Bellhop needs to recover its data</h1>
      <div className="banner error" role="alert">
        {status.problem ?? 'The database could not be opened.'}
      </div>
      {error ? (
        <div className="banner error" role="alert">
          {error}
        </div>
      ) : null}
      {newest ? (
        <p>
          The newest good backup is <code>{newest}</code>.{' '}
          <button type="button" onClick={() => setRestoring(newest)}>
            Restore the newest good backup…
          </button>
        </p>
      ) : (
        <p>
          No usable backup was found in <code>{status.folder}</code>. Copy a backup file there (or contact
          support with the diagnostics below).
        </p>
      )}
      {restoring ? <RestoreDialog name={restoring} onCancel={() => setRestoring(null)} /> : null}
      <DiagnosticsPanel />
    </section>
  );
}
