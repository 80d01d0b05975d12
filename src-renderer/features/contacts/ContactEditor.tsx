// The side panel for one contact: name, email, tags, custom attributes, opt-out / opt-in with a reason
// and its time, and delete behind a confirmation.
import { useState, type FormEvent } from 'react';
import { CONTACT_LIMITS, type Contact } from '../../../src-preload/contacts.contract';
import { errorMessage } from '../../lib/api';
import { useContactsStore } from '../../stores/contacts';
import { dateTime } from './format';

function attributeRows(contact: Contact): [string, string][] {
  return Object.entries(contact.attributes);
}

export function ContactEditor({ contact }: { contact: Contact }) {
  const store = useContactsStore.getState();
  const [name, setName] = useState(contact.name ?? '');
  const [email, setEmail] = useState(contact.email ?? '');
  const [tags, setTags] = useState(contact.tags.join(', '));
  const [attributes, setAttributes] = useState<[string, string][]>(() => attributeRows(contact));
  const [reason, setReason] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);

  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await action();
      setSaved(true);
    } catch (failure) {
      setError(errorMessage(failure).replace(/^Invalid request for [\w:-]+(?: at [\w.]+)?: /, ''));
    } finally {
      setBusy(false);
    }
  };

  const onSave = (event: FormEvent): void => {
    event.preventDefault();
    const tagList = tags
      .split(/[,;|]/)
      .map((t) => t.trim())
      .filter(Boolean);
    const attributeMap: Record<string, string> = {};
    for (const [key, value] of attributes) if (key.trim()) attributeMap[key.trim()] = value;
    void run(() =>
      store.updateContact(contact.id, {
        name: name.trim() || null,
        email: email.trim() || null,
        tags: [...new Set(tagList)],
        attributes: attributeMap,
      }),
    );
  };

  return (
    <aside className="contact-editor" aria-label="Edit contact" data-testid="contact-editor">
      <div className="editor-head">
        <h2>{contact.name ?? contact.phoneE164}</h2>
        <button type="button" aria-label="Close" onClick={() => store.select(null)}>
          ✕
        </button>
      </div>
      <p className="muted">
        <code>{contact.phoneE164}</code> · from {contact.source.replace('_', ' ')} · added{' '}
        {dateTime(contact.createdAt)}
      </p>
      <form onSubmit={onSave} className="editor-form">
        <label>
          Name
          <input value={name} maxLength={CONTACT_LIMITS.name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Email
          <input
            type="email"
            value={email}
            maxLength={CONTACT_LIMITS.email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Tags <span className="muted">(separated by commas)</span>
          <input value={tags} onChange={(e) => setTags(e.target.value)} data-testid="editor-tags" />
        </label>
        <fieldset className="attributes">
          <legend>Custom attributes</legend>
          {attributes.map(([key, value], i) => (
            <div className="attribute-row" key={i}>
              <input
                aria-label="Attribute name"
                value={key}
                maxLength={CONTACT_LIMITS.attributeKey}
                onChange={(e) =>
                  setAttributes(attributes.map((a, j) => (j === i ? [e.target.value, a[1]] : a)))
                }
              />
              <input
                aria-label={`Value of ${key || 'attribute'}`}
                value={value}
                maxLength={CONTACT_LIMITS.attributeValue}
                onChange={(e) =>
                  setAttributes(attributes.map((a, j) => (j === i ? [a[0], e.target.value] : a)))
                }
              />
              <button
                type="button"
                aria-label={`Remove ${key || 'attribute'}`}
                onClick={() => setAttributes(attributes.filter((_, j) => j !== i))}
              >
                −
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setAttributes([...attributes, ['', '']])}>
            Add attribute
          </button>
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Save
          </button>
          {saved ? <span className="muted">Saved.</span> : null}
        </div>
      </form>

      <section className="opt-out" aria-label="Messaging consent">
        {contact.optedOutAt !== null ? (
          <>
            <p data-testid="opted-out-note">
              <strong>Opted out</strong> on {dateTime(contact.optedOutAt)}
              {contact.optedOutReason ? `: ${contact.optedOutReason}` : ''}. Campaigns skip this contact.
            </p>
            <button
              type="button"
              disabled={busy}
              onClick={() => void run(() => store.setOptOut(contact.id, false))}
            >
              Opt back in
            </button>
          </>
        ) : (
          <>
            <label>
              Reason <span className="muted">(optional)</span>
              <input
                value={reason}
                maxLength={CONTACT_LIMITS.optOutReason}
                onChange={(e) => setReason(e.target.value)}
              />
            </label>
            <button
              type="button"
              disabled={busy}
              onClick={() => void run(() => store.setOptOut(contact.id, true, reason))}
            >
              Opt out of messages
            </button>
          </>
        )}
      </section>

      <section className="danger-zone" aria-label="Delete contact">
        {confirmDelete ? (
          <p>
            Delete {contact.name ?? contact.phoneE164} and their conversations?{' '}
            <button
              type="button"
              className="danger"
              disabled={busy}
              data-testid="confirm-delete"
              onClick={() => void run(() => store.deleteContacts([contact.id]))}
            >
              Delete
            </button>{' '}
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </p>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
            Delete contact…
          </button>
        )}
      </section>
      {error ? (
        <p className="banner error" role="alert">
          {error}
        </p>
      ) : null}
    </aside>
  );
}
