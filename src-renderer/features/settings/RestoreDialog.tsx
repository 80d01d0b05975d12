import { useState } from 'react';
import { useBackupsStore } from '../../stores/backups';

/**
 * The restore confirmation: the user types RESTORE, because a restore replaces everything since the
 * backup (the replaced data is kept aside, but the app switches to the backup's state at once).
 */
export function RestoreDialog({ name, onCancel }: { name: string; onCancel: () => void }) {
  const [typed, setTyped] = useState('');
  const busy = useBackupsStore((s) => s.busy === 'restore');
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="restore-title" className="panel restore-dialog">
      <h3 id="restore-title">Restore {name}?</h3>
      <p>
        Everything changed since this backup is replaced by the backup&apos;s data. Your current data is kept
        aside in the backups folder first.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void useBackupsStore
            .getState()
            .restore(name, typed)
            .then((ok) => {
              // Every screen's data changed under it: start the page afresh on the restored store.
              if (ok) window.location.reload();
            });
        }}
      >
        <label>
          Type RESTORE to confirm
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit" disabled={typed !== 'RESTORE' || busy}>
          {busy ? 'Restoring…' : 'Restore this backup'}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </form>
    </div>
  );
}
