// The Sandbox phone: play a customer of the Sandbox number. It shows the chat from the customer's side
// — what reached their phone (the embedded simulator's ledger) and what they sent — and lets them type,
// tap a reply button or pick a list row; each becomes a signed webhook from the simulator, exactly as
// Meta would deliver it (§6), so the app (and its bots) cannot tell it from a real customer.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { PhoneMessage, PhoneThread } from '../../../src-preload/connections.contract';
import { api } from '../../lib/api';
import { fieldErrorOf, type FieldError } from '../settings/formErrors';

/** Safety net for changes no push event announces (e.g. a send from another window). */
const REFRESH_MS = 2_000;

function time(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function Bubble({
  message,
  onTap,
  busy,
}: {
  message: PhoneMessage;
  onTap: (reply: {
    kind: 'button_reply' | 'list_reply';
    id: string;
    title: string;
    description?: string;
  }) => void;
  busy: boolean;
}) {
  const [listOpen, setListOpen] = useState(false);
  const listId = useId();
  return (
    <li
      className={`bubble ${message.from}`}
      data-testid="phone-message"
      data-from={message.from}
      aria-label={message.from === 'business' ? 'From the business' : 'From you'}
    >
      {message.header ? <strong className="bubble-header">{message.header}</strong> : null}
      {message.template ? (
        <em>
          Template {message.template.name} ({message.template.language})
        </em>
      ) : null}
      {message.text !== undefined ? (
        <div className="bubble-text">{message.text}</div>
      ) : message.template ? null : (
        <div className="muted">[{message.type}]</div>
      )}
      {message.footer ? <div className="muted bubble-footer">{message.footer}</div> : null}
      {message.buttons ? (
        <div className="bubble-buttons" role="group" aria-label="Reply buttons">
          {message.buttons.map((button) => (
            <button
              key={button.id}
              type="button"
              disabled={busy}
              onClick={() => onTap({ kind: 'button_reply', id: button.id, title: button.title })}
            >
              {button.title}
            </button>
          ))}
        </div>
      ) : null}
      {message.list ? (
        <div className="bubble-list">
          <button
            type="button"
            aria-expanded={listOpen}
            aria-controls={listId}
            onClick={() => setListOpen(!listOpen)}
          >
            ☰ {message.list.button}
          </button>
          {listOpen ? (
            <div id={listId} role="group" aria-label={`${message.list.button} options`}>
              {message.list.sections.map((section, index) => (
                <div key={index}>
                  {section.title ? <div className="muted">{section.title}</div> : null}
                  {section.rows.map((row) => (
                    <button
                      key={row.id}
                      type="button"
                      className="list-row"
                      disabled={busy}
                      onClick={() => {
                        setListOpen(false);
                        onTap({
                          kind: 'list_reply',
                          id: row.id,
                          title: row.title,
                          ...(row.description !== undefined ? { description: row.description } : {}),
                        });
                      }}
                    >
                      {row.title}
                      {row.description ? <span className="muted"> — {row.description}</span> : null}
                    </button>
                  ))}
                </div>
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
      <time className="muted bubble-time">{time(message.at)}</time>
    </li>
  );
}

export function SandboxPhone({ connectionId }: { connectionId: string }) {
  const [customer, setCustomer] = useState('+14155550123');
  const [thread, setThread] = useState<PhoneThread>();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FieldError>();
  const customerId = useId();
  const textId = useId();
  const generation = useRef(0);

  const refresh = useCallback(async (): Promise<void> => {
    const mine = ++generation.current;
    try {
      const next = await api.invoke('sandbox:phone-thread', { connectionId, customer });
      if (mine === generation.current) setThread(next);
    } catch {
      // A half-typed number is not worth a red message; sending with it shows main's reason.
      if (mine === generation.current) setThread(undefined);
    }
  }, [connectionId, customer]);

  useEffect(() => {
    // The first load on the next tick, like every later one: from a callback, never during the effect.
    const first = setTimeout(() => void refresh(), 0);
    const offReceived = api.on('messages:received', () => void refresh());
    const offStatus = api.on('messages:status-changed', () => void refresh());
    const offSent = api.on('messages:sent', () => void refresh());
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      offReceived();
      offStatus();
      offSent();
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [refresh]);

  const send = async (
    payload:
      | { type: 'text'; text: string }
      | {
          type: 'interactive';
          reply: 'button_reply' | 'list_reply';
          id: string;
          title: string;
          description?: string;
          contextWamid: string;
        },
  ): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await api.invoke('sandbox:simulate-message', { connectionId, from: customer, ...payload });
      await refresh();
      return true;
    } catch (failure) {
      setError(fieldErrorOf(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (await send({ type: 'text', text })) setText('');
  };

  return (
    <section className="sandbox-phone" aria-labelledby="sandbox-phone-title" data-testid="sandbox-phone">
      <h3 id="sandbox-phone-title">Sandbox phone</h3>
      <p className="muted">Be the customer: what you send here arrives like a real WhatsApp message.</p>
      <div className="form-field">
        <label htmlFor={customerId}>Customer number</label>
        <input
          id={customerId}
          value={customer}
          inputMode="tel"
          autoComplete="off"
          maxLength={20}
          onChange={(event) => setCustomer(event.target.value)}
          aria-invalid={error?.field === 'from' ? true : undefined}
        />
      </div>
      <ol className="phone-thread" role="log" aria-label={`Chat on ${customer}`} data-testid="phone-thread">
        {thread?.messages.map((message) => (
          <Bubble
            key={message.wamid}
            message={message}
            busy={busy}
            onTap={(reply) =>
              void send({
                type: 'interactive',
                reply: reply.kind,
                id: reply.id,
                title: reply.title,
                ...(reply.description !== undefined ? { description: reply.description } : {}),
                contextWamid: message.wamid,
              })
            }
          />
        ))}
      </ol>
      {thread && thread.messages.length === 0 ? (
        <p className="muted">No messages with this number yet.</p>
      ) : null}
      <form
        className="phone-compose"
        onSubmit={(event) => void onSubmit(event)}
        aria-label="Send as the customer"
      >
        <label htmlFor={textId} className="visually-hidden">
          Customer message
        </label>
        <input
          id={textId}
          value={text}
          maxLength={4096}
          placeholder="Type a message"
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
          Send
        </button>
      </form>
      {error ? (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      ) : null}
    </section>
  );
}
