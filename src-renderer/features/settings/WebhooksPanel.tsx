import { useEffect, useState } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { useWebhooksStore } from '../../stores/webhooks';
import { SilenceAlarmForm } from './SilenceAlarmForm';

const statusWords: Record<string, string> = {
  off: 'Off',
  connecting: 'Connecting…',
  up: 'Connected',
  reconnecting: 'Reconnecting…',
  error: 'Failed',
  custom: 'Using your URL',
};

/** Settings → Webhooks: how Meta reaches this computer, and the events that could not be processed. */
export function WebhooksPanel() {
  const { tunnel, diagnostics, error, load, configure } = useWebhooksStore();
  const [customUrl, setCustomUrl] = useState('');

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="webhooks-title" className="panel">
      <h2 id="webhooks-title">Webhooks and tunnel</h2>
      {error ? (
        <div className="banner error" role="alert">
          {error}
        </div>
      ) : null}
      {tunnel ? (
        <>
          <fieldset className="tunnel-mode">
            <legend>How Meta reaches this computer</legend>
            <label>
              <input
                type="radio"
                name="tunnel-mode"
                checked={tunnel.mode === 'auto'}
                onChange={() => void configure('auto')}
              />
              Automatic tunnel (localtunnel) for real numbers
            </label>
            <label>
              <input
                type="radio"
                name="tunnel-mode"
                checked={tunnel.mode === 'custom'}
                onChange={() => setCustomUrl(tunnel.customUrl ?? '')}
              />
              My own public URL (reverse proxy or tunnel)
            </label>
            <label>
              <input
                type="radio"
                name="tunnel-mode"
                checked={tunnel.mode === 'off'}
                onChange={() => void configure('off')}
              />
              Off
            </label>
            <form
              className="inline-form"
              onSubmit={(event) => {
                event.preventDefault();
                void configure('custom', customUrl);
              }}
            >
              <input
                type="url"
                aria-label="Public URL"
                placeholder="https://whatsapp.example.com"
                value={customUrl}
                onChange={(e) => setCustomUrl(e.target.value)}
              />
              <button type="submit">Use this URL</button>
            </form>
          </fieldset>
          <p data-testid="tunnel-status">
            Status: {statusWords[tunnel.status] ?? tunnel.status}
            {tunnel.publicUrl ? ` — ${tunnel.publicUrl}` : ''}
            {tunnel.lastError ? ` (${tunnel.lastError})` : ''}
          </p>
          {tunnel.callbackUrls.length > 0 ? (
            <table className="data-table">
              <thead>
                <tr>
                  <th>Number</th>
                  <th>Callback URL</th>
                  <th>Verify token</th>
                </tr>
              </thead>
              <tbody>
                {tunnel.callbackUrls.map((c) => (
                  <tr key={c.connectionId}>
                    <td>{c.name}</td>
                    <td>
                      <code>{c.url}</code> <CopyButton value={c.url} label={`callback URL of ${c.name}`} />
                    </td>
                    <td>
                      <code>{c.verifyToken}</code>{' '}
                      <CopyButton value={c.verifyToken} label={`verify token of ${c.name}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">
              Callback URLs appear here once a real (Cloud API) number is connected and the tunnel is up.
            </p>
          )}
          {tunnel.repoint
            .filter((r) => r.outcome === 'failed')
            .map((r) => (
              <div key={r.connectionId} className="banner error" role="alert">
                Meta could not be pointed at this computer: {r.message}
              </div>
            ))}
        </>
      ) : null}

      <h3>Silent-webhook alarm</h3>
      <SilenceAlarmForm />

      <h3>Diagnostics</h3>
      {diagnostics ? (
        <>
          <p data-testid="webhook-counts">
            Stored events:{' '}
            {Object.entries(diagnostics.counts)
              .map(([state, n]) => `${state} ${n}`)
              .join(', ') || 'none yet'}
            . Refused for a bad signature since start: {diagnostics.refusedSignatures}.
          </p>
          {diagnostics.problems.length ? (
            <table className="data-table" aria-label="Webhook events that could not be processed">
              <thead>
                <tr>
                  <th>Received</th>
                  <th>State</th>
                  <th>Why</th>
                  <th>Body (start)</th>
                </tr>
              </thead>
              <tbody>
                {diagnostics.problems.map((p) => (
                  <tr key={p.id}>
                    <td>{new Date(p.receivedAt).toLocaleString()}</td>
                    <td>{p.state}</td>
                    <td>{p.reason}</td>
                    <td>
                      <code>{p.preview}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No webhook has failed to process.</p>
          )}
          <button type="button" onClick={() => void load()}>
            Refresh
          </button>
        </>
      ) : null}
    </section>
  );
}
