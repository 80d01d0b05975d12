// Manage quick replies: saved snippets typed in the composer as /shortcut. Shortcuts are unique per
// workspace (the server refuses a clash with a clear message).
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { QuickReply } from '../../../src-preload/inbox.contract';
import { api, errorMessage } from '../../lib/api';
import { useInboxStore } from '../../stores/inbox';

export function QuickRepliesDialog({ onClose }: { onClose: () => void }) {
  const quickReplies = useInboxStore((s) => s.quickReplies);
  const [editing, setEditing] = useState<QuickReply | null>(null);
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const ids = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const edit = (q: QuickReply | null): void => {
    setEditing(q);
    setShortcut(q?.shortcut ?? '');
    setText(q?.text ?? '');
    setError(null);
  };

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.invoke('quickReplies:save', { ...(editing ? { id: editing.id } : {}), shortcut, text });
      await useInboxStore.getState().loadQuickReplies();
      edit(null);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (q: QuickReply): Promise<void> => {
    try {
      await api.invoke('quickReplies:delete', { id: q.id });
      await useInboxStore.getState().loadQuickReplies();
      if (editing?.id === q.id) edit(null);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  return (
    <dialog ref={dialogRef} className="quick-dialog" aria-labelledby={`${ids}-title`} onClose={onClose}>
      <h2 id={`${ids}-title`}>Quick replies</h2>
      <p className="muted">Type / and the shortcut in a reply to insert the text.</p>
      {quickReplies.length === 0 ? <p className="muted">No quick replies yet.</p> : null}
      <ul className="quick-list" aria-label="Saved quick replies">
        {quickReplies.map((q) => (
          <li key={q.id}>
            <strong>/{q.shortcut}</strong> <span className="quick-text">{q.text}</span>
            <button type="button" className="link-button" onClick={() => edit(q)}>
              Edit
            </button>
            <button
              type="button"
              className="link-button"
              onClick={() => void remove(q)}
              aria-label={`Delete /${q.shortcut}`}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void save(e)} aria-label={editing ? 'Edit quick reply' : 'New quick reply'}>
        <div className="form-field">
          <label htmlFor={`${ids}-shortcut`}>Shortcut</label>
          <input
            id={`${ids}-shortcut`}
            value={shortcut}
            onChange={(e) => setShortcut(e.target.value)}
            placeholder="hours"
          />
        </div>
        <div className="form-field">
          <label htmlFor={`${ids}-text`}>Text</label>
          <textarea
            id={`${ids}-text`}
            rows={3}
            value={text}
            maxLength={4096}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        {error ? (
          <p className="error-text" role="alert">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {editing ? 'Save changes' : 'Add quick reply'}
          </button>
          {editing ? (
            <button type="button" onClick={() => edit(null)}>
              Cancel editing
            </button>
          ) : null}
          <button type="button" onClick={() => dialogRef.current?.close()}>
            Done
          </button>
        </div>
      </form>
    </dialog>
  );
}
