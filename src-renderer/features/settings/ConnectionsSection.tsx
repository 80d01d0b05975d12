// Settings → Connections: the current workspace's WhatsApp numbers with kind and status badges, Test
// connection with its plain-language result, add / edit / remove (with confirmation). Secrets appear only
// as "saved".
import { useState } from 'react';
import type {
  ConnectionStatus,
  ConnectionTestResult,
  ConnectionView,
} from '../../../src-preload/connections.contract';
import { errorMessage } from '../../lib/api';
import { useConnectionsStore, type ConnectionTestState } from '../../stores/connections';
import { ConnectionForm } from './ConnectionForm';

const statusWords: Record<ConnectionStatus, string> = {
  active: 'Active',
  needs_reauth: 'Needs a new token',
  disabled: 'Disabled',
};

function StatusBadge({ connection }: { connection: ConnectionView }) {
  if (connection.status === 'active' && !connection.reachable) {
    return <span className="badge badge-down">Not running</span>;
  }
  const tone =
    connection.status === 'active' ? 'ok' : connection.status === 'needs_reauth' ? 'warn' : 'muted';
  return (
    <span className={`badge badge-${tone}`} data-testid="connection-status">
      {statusWords[connection.status]}
    </span>
  );
}

function TestResult({ test }: { test: ConnectionTestState }) {
  if (test.running) {
    return (
      <p className="test-result" role="status">
        Testing…
      </p>
    );
  }
  if (test.error) {
    return (
      <p className="test-result test-failed" role="alert">
        {test.error}
      </p>
    );
  }
  const result: ConnectionTestResult | undefined = test.result;
  if (!result) return null;
  if (result.ok) {
    const facts = [
      ['Verified name', result.phone.verifiedName],
      ['Number', result.phone.displayPhoneNumber],
      ['Quality', result.phone.qualityRating],
      ['Throughput', result.phone.throughput],
      ['Messaging limit', result.phone.messagingLimit],
    ].filter((entry): entry is [string, string] => entry[1] !== null);
    return (
      <div className="test-result test-ok" role="status" data-testid="connection-test-result">
        <p>✓ {result.headline}</p>
        <dl className="facts">
          {facts.map(([label, value]) => (
            <div key={label} className="fact-row">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </div>
    );
  }
  return (
    <div className="test-result test-failed" role="alert" data-testid="connection-test-result">
      <p className="test-headline">{result.headline}</p>
      <p>{result.advice}</p>
      {result.code !== null ? <p className="muted">Meta error code {result.code}</p> : null}
    </div>
  );
}

function ConnectionCard({ connection }: { connection: ConnectionView }) {
  const test = useConnectionsStore((s) => s.tests[connection.id]);
  const [editing, setEditing] = useState(false);
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const [removeError, setRemoveError] = useState<string>();
  const [removing, setRemoving] = useState(false);

  const remove = async (): Promise<void> => {
    setRemoving(true);
    setRemoveError(undefined);
    try {
      await useConnectionsStore.getState().removeConnection(connection.id);
    } catch (error) {
      setRemoveError(errorMessage(error));
      setRemoving(false);
    }
  };

  if (editing) {
    return (
      <li className="connection-card">
        <ConnectionForm connection={connection} onDone={() => setEditing(false)} />
      </li>
    );
  }

  return (
    <li className="connection-card" data-testid="connection-card" data-connection-id={connection.id}>
      <div className="connection-head">
        <strong className="connection-name">{connection.name}</strong>
        <span className={`badge badge-kind`} data-testid="connection-kind">
          {connection.kind === 'sandbox' ? 'Sandbox' : 'Cloud API'}
        </span>
        <StatusBadge connection={connection} />
      </div>
      {connection.status === 'needs_reauth' && connection.statusReason ? (
        <p className="connection-warning" role="alert">
          {connection.statusReason} Use Edit to paste a new token.
        </p>
      ) : null}
      <dl className="facts connection-facts">
        <dt>Number</dt>
        <dd>
          {connection.displayPhoneNumber ? `+${connection.displayPhoneNumber}` : 'Not read yet — run a test'}
        </dd>
        <dt>Phone-number ID</dt>
        <dd>{connection.phoneNumberId}</dd>
        <dt>WhatsApp Business Account ID</dt>
        <dd>{connection.wabaId}</dd>
        {connection.kind === 'cloud' ? (
          <>
            <dt>Access token</dt>
            <dd data-testid="connection-token">
              {connection.hasToken ? `Saved (${connection.tokenHint})` : 'Missing'}
            </dd>
            <dt>App secret</dt>
            <dd data-testid="connection-app-secret">{connection.hasAppSecret ? 'Saved' : 'Missing'}</dd>
            <dt>Verify token</dt>
            <dd className="mono">{connection.verifyToken}</dd>
          </>
        ) : null}
        <dt>API version</dt>
        <dd>{connection.apiVersion}</dd>
        <dt>Rate limit</dt>
        <dd>{connection.rateLimitPerMinute.toLocaleString()} requests per minute</dd>
      </dl>
      <div className="form-actions">
        <button
          type="button"
          onClick={() => void useConnectionsStore.getState().testConnection(connection.id)}
          disabled={test?.running === true}
          data-testid="connection-test"
        >
          Test connection
        </button>
        <button type="button" onClick={() => setEditing(true)} data-testid="connection-edit">
          Edit
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => setConfirmingRemove(true)}
          data-testid="connection-remove"
        >
          Remove
        </button>
      </div>
      {test ? <TestResult test={test} /> : null}
      {confirmingRemove ? (
        <div className="confirm" role="alertdialog" aria-label={`Remove ${connection.name}`}>
          <p>
            Remove “{connection.name}”? Its conversations, messages, templates and campaign history on this
            number are deleted from this computer too. Contacts stay.
          </p>
          {removeError ? (
            <p className="form-error" role="alert">
              {removeError}
            </p>
          ) : null}
          <div className="form-actions">
            <button
              type="button"
              className="danger"
              onClick={() => void remove()}
              disabled={removing}
              data-testid="connection-remove-confirm"
            >
              Remove
            </button>
            <button type="button" onClick={() => setConfirmingRemove(false)} disabled={removing}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </li>
  );
}

export function ConnectionsSection() {
  const connections = useConnectionsStore((s) => s.connections);
  const loaded = useConnectionsStore((s) => s.loaded);
  const loadError = useConnectionsStore((s) => s.loadError);
  const [adding, setAdding] = useState(false);

  return (
    <section
      className="settings-section"
      aria-labelledby="connections-title"
      data-testid="connections-section"
    >
      <div className="section-head">
        <h2 id="connections-title">Connections</h2>
        {!adding ? (
          <button
            type="button"
            className="primary"
            onClick={() => setAdding(true)}
            data-testid="connection-add"
          >
            Add a Cloud API connection
          </button>
        ) : null}
      </div>
      {loadError ? (
        <div className="banner error" role="alert">
          Connections could not be loaded: {loadError}
        </div>
      ) : null}
      {adding ? <ConnectionForm onDone={() => setAdding(false)} /> : null}
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : connections.length === 0 ? (
        <p className="muted">No WhatsApp number in this workspace yet.</p>
      ) : (
        <ul className="connection-list">
          {connections.map((connection) => (
            <ConnectionCard key={connection.id} connection={connection} />
          ))}
        </ul>
      )}
    </section>
  );
}
