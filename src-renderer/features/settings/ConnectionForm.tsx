// Add or edit a Cloud API connection. Saved secrets are never sent back to this screen: when editing,
// the token and app secret fields start empty ("saved"), and an empty field keeps the saved value.
// Main validates everything; its message is shown next to the field it names.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ConnectionView } from '../../../src-preload/connections.contract';
import { useConnectionsStore } from '../../stores/connections';
import { fieldErrorOf, type FieldError } from './formErrors';

interface Props {
  /** Absent: add a new connection. */
  connection?: ConnectionView;
  onDone: (saved?: ConnectionView) => void;
}

interface Values {
  name: string;
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  apiVersion: string;
  rateLimitPerMinute: string;
}

function initialValues(connection?: ConnectionView): Values {
  return {
    name: connection?.name ?? '',
    phoneNumberId: connection?.phoneNumberId ?? '',
    wabaId: connection?.wabaId ?? '',
    accessToken: '',
    appSecret: '',
    verifyToken: connection?.verifyToken ?? '',
    apiVersion: connection?.apiVersion ?? 'v24.0',
    rateLimitPerMinute: String(connection?.rateLimitPerMinute ?? 100),
  };
}

export function ConnectionForm({ connection, onDone }: Props) {
  const editing = connection !== undefined;
  const sandbox = connection?.kind === 'sandbox';
  const [values, setValues] = useState<Values>(() => initialValues(connection));
  const [error, setError] = useState<FieldError>();
  const [busy, setBusy] = useState(false);
  const formId = useId();
  const shownFields: (keyof Values)[] = sandbox
    ? ['name', 'rateLimitPerMinute']
    : [
        'name',
        'phoneNumberId',
        'wabaId',
        'accessToken',
        'appSecret',
        'verifyToken',
        'apiVersion',
        'rateLimitPerMinute',
      ];
  const errorField = shownFields.find((key) => key === error?.field);

  const set = (key: keyof Values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const rate = values.rateLimitPerMinute.trim() === '' ? undefined : Number(values.rateLimitPerMinute);
    try {
      const store = useConnectionsStore.getState();
      let saved: ConnectionView;
      if (!connection) {
        saved = await store.createConnection({
          name: values.name,
          phoneNumberId: values.phoneNumberId,
          wabaId: values.wabaId,
          accessToken: values.accessToken,
          appSecret: values.appSecret,
          verifyToken: values.verifyToken,
          apiVersion: values.apiVersion,
          ...(rate !== undefined ? { rateLimitPerMinute: rate } : {}),
        });
      } else if (sandbox) {
        saved = await store.updateConnection({
          connectionId: connection.id,
          name: values.name,
          ...(rate !== undefined ? { rateLimitPerMinute: rate } : {}),
        });
      } else {
        saved = await store.updateConnection({
          connectionId: connection.id,
          name: values.name,
          phoneNumberId: values.phoneNumberId,
          wabaId: values.wabaId,
          // Empty keeps the saved secret.
          accessToken: values.accessToken,
          appSecret: values.appSecret,
          verifyToken: values.verifyToken,
          apiVersion: values.apiVersion,
          ...(rate !== undefined ? { rateLimitPerMinute: rate } : {}),
        });
      }
      onDone(saved);
    } catch (failure) {
      setError(fieldErrorOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const field = (
    key: keyof Values,
    label: string,
    input: (id: string, describedBy: string | undefined) => ReactNode,
    hint?: string,
  ) => {
    const id = `${formId}-${key}`;
    const hintId = hint ? `${id}-hint` : undefined;
    const errorId = errorField === key ? `${id}-error` : undefined;
    const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
    return (
      <div className={`form-field${errorId ? ' has-error' : ''}`}>
        <label htmlFor={id}>{label}</label>
        {input(id, describedBy)}
        {hint ? (
          <span id={hintId} className="field-hint">
            {hint}
          </span>
        ) : null}
        {errorId ? (
          <span id={errorId} className="field-error" role="alert">
            {error?.message}
          </span>
        ) : null}
      </div>
    );
  };

  const text = (
    key: keyof Values,
    extra: { placeholder?: string; inputMode?: 'numeric'; type?: string } = {},
  ) =>
    function TextInput(id: string, describedBy: string | undefined) {
      return (
        <input
          id={id}
          name={key}
          type={extra.type ?? 'text'}
          value={values[key]}
          onChange={(event) => set(key)(event.target.value)}
          aria-invalid={errorField === key ? true : undefined}
          aria-describedby={describedBy}
          placeholder={extra.placeholder}
          inputMode={extra.inputMode}
          autoComplete="off"
          spellCheck={false}
          data-testid={`connection-${key}`}
        />
      );
    };

  return (
    <form
      className="connection-form"
      onSubmit={(event) => void onSubmit(event)}
      aria-label={editing ? `Edit ${connection.name}` : 'Add a Cloud API connection'}
      data-testid="connection-form"
    >
      <h3>{editing ? `Edit “${connection.name}”` : 'Add a Cloud API connection'}</h3>
      {!editing ? (
        <p className="muted">
          From Meta&apos;s WhatsApp Manager → API Setup and Business Settings → System users. The token and
          app secret are stored encrypted on this computer and are never shown again.
        </p>
      ) : null}
      {field('name', 'Name', text('name', { placeholder: 'Main shop number' }))}
      {sandbox ? null : (
        <>
          {field(
            'phoneNumberId',
            'Phone-number ID',
            text('phoneNumberId', { inputMode: 'numeric' }),
            'The long ID from API Setup, not the phone number itself.',
          )}
          {field('wabaId', 'WhatsApp Business Account ID', text('wabaId', { inputMode: 'numeric' }))}
          {field(
            'accessToken',
            'Access token',
            text('accessToken', {
              type: 'password',
              placeholder:
                editing && connection.hasToken ? `Saved (${connection.tokenHint}) — leave empty to keep` : '',
            }),
            'A System User token with whatsapp_business_messaging and whatsapp_business_management.',
          )}
          {field(
            'appSecret',
            'App secret',
            text('appSecret', {
              type: 'password',
              placeholder: editing && connection.hasAppSecret ? 'Saved — leave empty to keep' : '',
            }),
            'App Dashboard → App settings → Basic. Used to check that webhooks really come from Meta.',
          )}
          {field(
            'verifyToken',
            'Verify token',
            text('verifyToken', { placeholder: 'Leave empty to generate one' }),
            "Enter the same value in Meta's App Dashboard when you set the callback URL.",
          )}
          {field('apiVersion', 'API version', text('apiVersion', { placeholder: 'v24.0' }))}
        </>
      )}
      {field(
        'rateLimitPerMinute',
        'Rate limit (requests per minute)',
        text('rateLimitPerMinute', { inputMode: 'numeric' }),
        'Shared by campaigns, the inbox, chatbots and template sync. 100 by default, at most 4,800.',
      )}
      {error && errorField === undefined ? (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="connection-save">
          {busy ? 'Saving…' : editing ? 'Save changes' : 'Add connection'}
        </button>
        <button type="button" onClick={() => onDone()} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
