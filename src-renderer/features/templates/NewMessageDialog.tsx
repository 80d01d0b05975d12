// "New message": a one-off template send to any phone number, contact or not (seed §6 TemplateSend).
// Main normalises the number (any format, the default country for numbers without a country code),
// gets or creates the contact and conversation and queues the message in one transaction. The compose
// carries one client id from open to send, so a double click or a retry after an error is one message;
// only "Send another" starts a new compose with a new id. Reachable from the Templates screen and
// exported for the inbox.
import { useEffect, useId, useRef, useState } from 'react';
import type { ConversationView, MessageView } from '../../../src-preload/messaging.contract';
import { api } from '../../lib/api';
import { useConnectionsStore } from '../../stores/connections';
import { countryCodes, countryName } from '../contacts/countries';
import { fieldErrorOf } from '../settings/formErrors';
import { TemplatePicker, type TemplatePickerRef } from './TemplatePicker';
import './templates.css';

function newClientId(): string {
  return `tsend-${crypto.randomUUID()}`;
}

/** The region of the user's locale (en-US → US), as the default country for local numbers. */
function localeCountry(): string {
  const region = /[-_]([A-Z]{2})\b/.exec(navigator.language)?.[1];
  return region && countryCodes.includes(region) ? region : '';
}

const statusText: Record<MessageView['status'], string> = {
  pending: 'Queued',
  accepted: 'Accepted by WhatsApp',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  played: 'Played',
  failed: 'Failed',
  unknown: 'Unconfirmed (it may have gone out; it is not resent automatically)',
  received: 'Received',
};

interface Sent {
  message: MessageView;
  conversation: ConversationView;
}

export function NewMessageDialog(props: {
  onClose: () => void;
  initialConnectionId?: string;
  initialPhone?: string;
  onSent?: (sent: Sent) => void;
}) {
  const id = useId();
  const connections = useConnectionsStore((s) => s.connections);
  const [chosenConnectionId, setConnectionId] = useState(props.initialConnectionId ?? '');
  // Until the user chooses, the first connection (the list may still be loading when the dialog opens).
  const connectionId = chosenConnectionId || connections[0]?.id || '';
  const [phone, setPhone] = useState(props.initialPhone ?? '');
  const [country, setCountry] = useState(localeCountry);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const clientId = useRef(newClientId());
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    dialogRef.current?.querySelector<HTMLElement>('input, select')?.focus();
  }, []);

  // Follow the sent message's ticks (sent → delivered → read, or failed with its advice).
  useEffect(() => {
    if (!sent) return;
    const { conversation, message } = sent;
    return api.on('messages:status-changed', ({ messageIds }) => {
      if (!messageIds.includes(message.id)) return;
      void api.invoke('conversations:thread', { conversationId: conversation.id, limit: 20 }).then(
        (thread) => {
          const fresh = thread.items.find((m) => m.id === message.id);
          if (fresh) setSent((s) => (s && s.message.id === fresh.id ? { ...s, message: fresh } : s));
        },
        () => undefined,
      );
    });
  }, [sent?.message.id]); // eslint-disable-line react-hooks/exhaustive-deps -- re-subscribe per message only

  const send = async (ref: TemplatePickerRef): Promise<void> => {
    setError(null);
    try {
      const result = await api.invoke('messages:send-template-to-number', {
        connectionId,
        phone,
        ...(country ? { defaultCountry: country } : {}),
        template: ref,
        clientId: clientId.current,
      });
      setSent(result);
      props.onSent?.(result);
    } catch (e) {
      // Nothing was created: the same compose (and client id) may be corrected and sent again.
      setError(fieldErrorOf(e));
    }
  };

  const sendAnother = (): void => {
    clientId.current = newClientId();
    setSent(null);
    setPhone('');
    setError(null);
  };

  return (
    <div className="tpl-dialog-backdrop">
      <div
        ref={dialogRef}
        className="tpl-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onClose();
        }}
      >
        <div className="tpl-dialog-head">
          <h2 id={`${id}-title`}>New message</h2>
          <button type="button" onClick={props.onClose} aria-label="Close new message">
            ✕
          </button>
        </div>
        {sent ? (
          <div className="tpl-sent" role="status" aria-label="Send result">
            <p>
              Template <strong>{templateNameOf(sent.message)}</strong> to{' '}
              <strong>{sent.conversation.contact.name ?? sent.conversation.contact.phone}</strong>{' '}
              <span className="muted">({sent.conversation.contact.phone})</span>
            </p>
            <p data-testid="new-message-status" data-status={sent.message.status}>
              {statusText[sent.message.status]}
            </p>
            {sent.message.status === 'failed' ? (
              <p className="error-text">{sent.message.advice ?? sent.message.errorMessage}</p>
            ) : null}
            <div className="tpl-field-row">
              <button type="button" className="primary" onClick={sendAnother}>
                Send another
              </button>
              <button type="button" onClick={props.onClose}>
                Done
              </button>
            </div>
          </div>
        ) : (
          <>
            <div className="tpl-field-row">
              <div className="tpl-field">
                <label htmlFor={`${id}-connection`}>From</label>
                <select
                  id={`${id}-connection`}
                  value={connectionId}
                  onChange={(e) => setConnectionId(e.target.value)}
                >
                  {connections.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                      {c.displayPhoneNumber ? ` (${c.displayPhoneNumber})` : ''}
                    </option>
                  ))}
                </select>
              </div>
              <div className="tpl-field">
                <label htmlFor={`${id}-phone`}>To (phone number)</label>
                <input
                  id={`${id}-phone`}
                  type="tel"
                  value={phone}
                  placeholder="+1 650 555 1234"
                  maxLength={64}
                  aria-invalid={error?.field === 'phone' || undefined}
                  aria-describedby={`${id}-phone-hint`}
                  onChange={(e) => setPhone(e.target.value)}
                />
                <span id={`${id}-phone-hint`} className="muted tpl-var-hint">
                  Any format; numbers without a country code use the default country.
                </span>
              </div>
              <div className="tpl-field">
                <label htmlFor={`${id}-country`}>Default country</label>
                <select id={`${id}-country`} value={country} onChange={(e) => setCountry(e.target.value)}>
                  <option value="">None (number has +country code)</option>
                  {countryCodes.map((code) => (
                    <option key={code} value={code}>
                      {countryName(code)} ({code})
                    </option>
                  ))}
                </select>
              </div>
            </div>
            {error ? (
              <p role="alert" className="error-text" data-testid="new-message-error">
                {error.message}
              </p>
            ) : null}
            {connectionId ? (
              <TemplatePicker
                key={connectionId}
                connectionId={connectionId}
                onSubmit={send}
                submitLabel="Send"
              />
            ) : (
              <p className="muted">Add a WhatsApp number in Settings first.</p>
            )}
          </>
        )}
      </div>
    </div>
  );
}

function templateNameOf(message: MessageView): string {
  const body = message.body;
  if (typeof body !== 'object' || body === null || !('template' in body)) return 'message';
  const template = body.template;
  if (typeof template !== 'object' || template === null || !('name' in template)) return 'message';
  return String(template.name);
}
