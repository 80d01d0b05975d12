// The workspace switcher for the sidebar: pick the current workspace (one per brand or shop), rename
// it, or create a new one. Inline forms, because Electron has no window.prompt.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { fieldErrorOf } from '../features/settings/formErrors';
import { useConnectionsStore } from '../stores/connections';

type Mode = { kind: 'idle' } | { kind: 'create' } | { kind: 'rename'; workspaceId: string };

export function WorkspaceSwitcher() {
  const workspaces = useConnectionsStore((s) => s.workspaces);
  const currentId = useConnectionsStore((s) => s.currentWorkspaceId);
  const loaded = useConnectionsStore((s) => s.loaded);
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const selectId = useId();
  const nameId = useId();

  useEffect(() => {
    if (!loaded) void useConnectionsStore.getState().load();
  }, [loaded]);

  const current = workspaces.find((w) => w.id === currentId);

  const open = (next: Mode): void => {
    setMode(next);
    setError(undefined);
    setName(next.kind === 'rename' ? (current?.name ?? '') : '');
  };

  const onSwitch = async (workspaceId: string): Promise<void> => {
    setError(undefined);
    try {
      await useConnectionsStore.getState().switchWorkspace(workspaceId);
    } catch (failure) {
      setError(fieldErrorOf(failure).message);
    }
  };

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const store = useConnectionsStore.getState();
      if (mode.kind === 'create') await store.createWorkspace(name);
      else if (mode.kind === 'rename') await store.renameWorkspace(mode.workspaceId, name);
      setMode({ kind: 'idle' });
    } catch (failure) {
      setError(fieldErrorOf(failure).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="workspace-switcher" data-testid="workspace-switcher">
      <label htmlFor={selectId} className="workspace-label">
        Workspace
      </label>
      {workspaces.length > 0 ? (
        <select
          id={selectId}
          value={currentId ?? ''}
          onChange={(event) => void onSwitch(event.target.value)}
          data-testid="workspace-select"
        >
          {workspaces.map((workspace) => (
            <option key={workspace.id} value={workspace.id}>
              {workspace.name}
            </option>
          ))}
        </select>
      ) : (
        <span id={selectId} className="muted">
          {loaded ? 'None yet' : 'Loading…'}
        </span>
      )}
      {mode.kind === 'idle' ? (
        <div className="workspace-actions">
          {current ? (
            <button
              type="button"
              className="link-button"
              onClick={() => open({ kind: 'rename', workspaceId: current.id })}
              data-testid="workspace-rename"
            >
              Rename
            </button>
          ) : null}
          <button
            type="button"
            className="link-button"
            onClick={() => open({ kind: 'create' })}
            data-testid="workspace-new"
          >
            New workspace
          </button>
        </div>
      ) : (
        <form className="workspace-form" onSubmit={(event) => void onSubmit(event)}>
          <label htmlFor={nameId}>{mode.kind === 'create' ? 'New workspace name' : 'New name'}</label>
          <input
            id={nameId}
            value={name}
            maxLength={100}
            required
            autoFocus
            onChange={(event) => setName(event.target.value)}
            data-testid="workspace-name"
          />
          <div className="workspace-actions">
            <button type="submit" className="primary" disabled={busy} data-testid="workspace-save">
              {mode.kind === 'create' ? 'Create' : 'Save'}
            </button>
            <button type="button" onClick={() => setMode({ kind: 'idle' })} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
