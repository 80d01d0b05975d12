// The Sandbox card: what the Sandbox is, and "Simulate a customer message" so the inbox and chatbots
// can be tried without a phone. Shown when the current workspace has a Sandbox connection.
import { useId, useState, type FormEvent } from 'react';
import type { ConnectionView } from '../../../src-preload/connections.contract';
import { useConnectionsStore } from '../../stores/connections';
import { fieldErrorOf, type FieldError } from './formErrors';

export function SandboxCard({ sandbox }: { sandbox: ConnectionView }) {
  const [from, setFrom] = useState('+14155550123');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FieldError>();
  const [sent, setSent] = useState<string>();
  const fromId = useId();
  const textId = useId();

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSent(undefined);
    try {
      const result = await useConnectionsStore
        .getState()
        .simulateMessage({ type: 'text', connectionId: sandbox.id, from, text });
      setSent(`Sent as ${result.from}. It arrives in the Inbox in a moment.`);
      setText('');
    } catch (failure) {
      setError(fieldErrorOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section
      className="settings-section sandbox-card"
      aria-labelledby="sandbox-title"
      data-testid="sandbox-card"
    >
      <h2 id="sandbox-title">Sandbox</h2>
      <p className="muted">
        The Sandbox is a practice WhatsApp number that runs inside Bellhop: messages, templates and delivery
        ticks behave like Meta&apos;s Cloud API, but nothing reaches a real phone.
      </p>
      {sandbox.reachable ? (
        <form
          className="simulate-form"
          onSubmit={(event) => void onSubmit(event)}
          aria-label="Simulate a customer message"
        >
          <h3>Simulate a customer message</h3>
          <div className={`form-field${error?.field === 'from' ? ' has-error' : ''}`}>
            <label htmlFor={fromId}>Customer number</label>
            <input
              id={fromId}
              value={from}
              onChange={(event) => setFrom(event.target.value)}
              inputMode="tel"
              autoComplete="off"
              aria-invalid={error?.field === 'from' ? true : undefined}
              data-testid="sandbox-from"
            />
          </div>
          <div className={`form-field${error?.field === 'text' ? ' has-error' : ''}`}>
            <label htmlFor={textId}>Message</label>
            <textarea
              id={textId}
              value={text}
              rows={2}
              maxLength={4096}
              onChange={(event) => setText(event.target.value)}
              placeholder="Hi! Do you deliver on Sundays?"
              aria-invalid={error?.field === 'text' ? true : undefined}
              data-testid="sandbox-text"
            />
          </div>
          {error ? (
            <p className="form-error" role="alert">
              {error.message}
            </p>
          ) : null}
          {sent ? (
            <p className="form-ok" role="status" data-testid="sandbox-sent">
              {sent}
            </p>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="primary" disabled={busy} data-testid="sandbox-send">
              Send as the customer
            </button>
          </div>
        </form>
      ) : (
        <p className="connection-warning">
          The Sandbox is not running in this session. Restart Bellhop to start it.
        </p>
      )}
    </section>
  );
}
