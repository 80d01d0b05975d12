// The Templates screen, per connection: the synced list with status / category / quality badges and
// filters, the selected template's preview and facts, "Sync now" with the last sync time, "New
// template" (submitted for review: PENDING until Meta decides), delete with confirmation, and "New
// message" (a one-off template send to any number).
import { useEffect, useId, useMemo, useState } from 'react';
import type { TemplateView } from '../../../src-preload/messaging.contract';
import { errorMessage } from '../../lib/api';
import { useConnectionsStore } from '../../stores/connections';
import { useTemplatesStore } from '../../stores/templates';
import { NewMessageDialog } from './NewMessageDialog';
import { TemplateCreateForm } from './TemplateCreateForm';
import { filterTemplates, lastSyncedAt, templateKey, type TemplateFilters } from './templateFilters';
import { TemplatePreview } from './TemplatePreview';
import './templates.css';

function statusTone(status: string): 'ok' | 'warn' | 'down' | 'muted' {
  switch (status) {
    case 'APPROVED':
    case 'REINSTATED':
    case 'UNARCHIVED':
      return 'ok';
    case 'PENDING':
    case 'IN_APPEAL':
    case 'FLAGGED':
    case 'PENDING_DELETION':
    case 'LIMIT_EXCEEDED':
      return 'warn';
    case 'REJECTED':
    case 'PAUSED':
    case 'DISABLED':
    case 'LOCKED':
      return 'down';
    default:
      return 'muted';
  }
}

function qualityTone(quality: string | null): 'ok' | 'warn' | 'down' | 'muted' {
  if (quality === 'GREEN') return 'ok';
  if (quality === 'YELLOW') return 'warn';
  if (quality === 'RED') return 'down';
  return 'muted';
}

export function Badge(props: { tone: 'ok' | 'warn' | 'down' | 'muted'; label: string; children: string }) {
  return (
    <span className={`tpl-badge tpl-badge-${props.tone}`} aria-label={`${props.label}: ${props.children}`}>
      {props.children}
    </span>
  );
}

function formatTime(at: number | null): string {
  if (at === null) return 'never';
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))].sort();
}

function Filters({ templates }: { templates: TemplateView[] }) {
  const filters = useTemplatesStore((s) => s.filters);
  const setFilters = (patch: Partial<TemplateFilters>): void =>
    useTemplatesStore.getState().setFilters(patch);
  const select = (
    label: string,
    key: keyof Omit<TemplateFilters, 'search' | 'showDeleted'>,
    values: string[],
  ) => (
    <select aria-label={label} value={filters[key]} onChange={(e) => setFilters({ [key]: e.target.value })}>
      <option value="">Any {label.toLowerCase()}</option>
      {values.map((v) => (
        <option key={v} value={v}>
          {v.toLowerCase().replace(/_/g, ' ')}
        </option>
      ))}
    </select>
  );
  return (
    <div className="tpl-toolbar" role="group" aria-label="Filters">
      <input
        type="search"
        aria-label="Search templates"
        placeholder="Search name or text"
        value={filters.search}
        onChange={(e) => setFilters({ search: e.target.value })}
      />
      {select('Status', 'status', distinct(templates.map((t) => t.status)))}
      {select('Category', 'category', distinct(templates.map((t) => t.category)))}
      {select('Quality', 'quality', distinct(templates.map((t) => t.qualityScore ?? 'UNKNOWN')))}
      {select('Language', 'language', distinct(templates.map((t) => t.language)))}
      <label className="tpl-check">
        <input
          type="checkbox"
          checked={filters.showDeleted}
          onChange={(e) => setFilters({ showDeleted: e.target.checked })}
        />
        Show deleted
      </label>
    </div>
  );
}

function TemplateDetails({ template }: { template: TemplateView }) {
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();

  const remove = async (): Promise<void> => {
    setDeleting(true);
    setError(null);
    try {
      await useTemplatesStore.getState().remove(template);
      setConfirming(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setDeleting(false);
    }
  };

  return (
    <section className="tpl-details" aria-labelledby={headingId}>
      <h2 id={headingId}>{template.name}</h2>
      <dl className="facts">
        <dt>Language</dt>
        <dd>{template.language}</dd>
        <dt>Status</dt>
        <dd>
          <Badge tone={statusTone(template.status)} label="Status">
            {template.status}
          </Badge>
          {template.status === 'PENDING' ? <span className="muted"> — waiting for Meta's review</span> : null}
        </dd>
        <dt>Category</dt>
        <dd>
          <Badge tone="muted" label="Category">
            {template.category}
          </Badge>
        </dd>
        <dt>Quality</dt>
        <dd>
          <Badge tone={qualityTone(template.qualityScore)} label="Quality">
            {template.qualityScore ?? 'UNKNOWN'}
          </Badge>
        </dd>
        <dt>Variables</dt>
        <dd>{template.parameterFormat === 'NAMED' ? 'named' : 'numbered'}</dd>
        {template.rejectedReason && template.rejectedReason !== 'NONE' ? (
          <>
            <dt>Rejected because</dt>
            <dd>{template.rejectedReason.toLowerCase().replace(/_/g, ' ')}</dd>
          </>
        ) : null}
      </dl>
      <TemplatePreview template={template} />
      {template.status !== 'DELETED' ? (
        <div className="tpl-field-row">
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete template
          </button>
        </div>
      ) : (
        <p className="muted">Deleted at Meta; kept here because campaigns may refer to it.</p>
      )}
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-label={`Delete ${template.name}`}>
          <p>
            Delete “{template.name}” ({template.language}) at Meta? It cannot be sent any more, and Meta does
            not let you reuse the name for 30 days.
          </p>
          {error ? (
            <p role="alert" className="error-text">
              {error}
            </p>
          ) : null}
          <div className="tpl-field-row">
            <button type="button" className="danger" onClick={() => void remove()} disabled={deleting}>
              {deleting ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={deleting}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}

export function TemplatesScreen() {
  const connections = useConnectionsStore((s) => s.connections);
  const connectionsLoaded = useConnectionsStore((s) => s.loaded);
  const connectionId = useTemplatesStore((s) => s.connectionId);
  const templates = useTemplatesStore((s) => s.templates);
  const loaded = useTemplatesStore((s) => s.loaded);
  const loadError = useTemplatesStore((s) => s.loadError);
  const filters = useTemplatesStore((s) => s.filters);
  const selectedKey = useTemplatesStore((s) => s.selectedKey);
  const sync = useTemplatesStore((s) => s.sync);
  const syncNotice = useTemplatesStore((s) => s.syncNotice);
  const lastEventAt = useTemplatesStore((s) => s.lastSyncEventAt);
  const [creating, setCreating] = useState(false);
  const [composing, setComposing] = useState(false);

  useEffect(() => {
    if (!connectionsLoaded) void useConnectionsStore.getState().load();
  }, [connectionsLoaded]);

  // Coming back to the screen shows fresh rows (the store outlives the screen).
  useEffect(() => {
    void useTemplatesStore.getState().load();
  }, []);

  // Keep the chosen connection while it exists; otherwise the first one.
  useEffect(() => {
    if (connectionId && connections.some((c) => c.id === connectionId)) return;
    useTemplatesStore.getState().setConnection(connections[0]?.id ?? null);
  }, [connections, connectionId]);

  const visible = useMemo(() => filterTemplates(templates, filters), [templates, filters]);
  const selected = templates.find((t) => templateKey(t) === selectedKey) ?? null;
  const lastSync = lastSyncedAt(templates, lastEventAt);

  return (
    <section className="screen tpl-screen" aria-labelledby="screen-title">
      <div className="tpl-screen-head">
        <h1 id="screen-title">Templates</h1>
        {connections.length > 1 ? (
          <select
            aria-label="Connection"
            value={connectionId ?? ''}
            onChange={(e) => useTemplatesStore.getState().setConnection(e.target.value)}
          >
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        ) : null}
        <div className="tpl-screen-actions">
          <button
            type="button"
            onClick={() => void useTemplatesStore.getState().syncNow()}
            disabled={!connectionId}
          >
            {sync.running ? 'Syncing…' : 'Sync now'}
          </button>
          <button type="button" onClick={() => setCreating(true)} disabled={!connectionId}>
            New template
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => setComposing(true)}
            disabled={!connectionId}
          >
            New message
          </button>
        </div>
      </div>
      <p className="muted tpl-sync-line">
        Last synced: <span data-testid="templates-last-synced">{formatTime(lastSync)}</span>
        {sync.message ? ' · ' : ''}
        <span
          role="status"
          data-testid="templates-sync-status"
          className={sync.tone === 'error' ? 'error-text' : ''}
        >
          {sync.message ?? ''}
        </span>
        {syncNotice ? (
          <span role="alert" data-testid="templates-sync-notice" className="tpl-notice">
            {' '}
            {syncNotice}
          </span>
        ) : null}
      </p>

      {!connectionId && connectionsLoaded ? (
        <p className="muted">Add a WhatsApp number in Settings to see its templates.</p>
      ) : null}
      {loadError ? (
        <div className="banner error" role="alert">
          Templates could not be loaded: {loadError}
        </div>
      ) : null}

      {creating && connectionId ? (
        <TemplateCreateForm
          connectionId={connectionId}
          onCreated={() => setCreating(false)}
          onCancel={() => setCreating(false)}
        />
      ) : null}

      {connectionId ? (
        <>
          <Filters templates={templates} />
          <div className={`tpl-screen-body${selected ? ' with-details' : ''}`}>
            <div className="tpl-list">
              <table className="data-table" aria-label="Templates">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Language</th>
                    <th scope="col">Category</th>
                    <th scope="col">Status</th>
                    <th scope="col">Quality</th>
                  </tr>
                </thead>
                <tbody>
                  {visible.map((t) => (
                    <tr
                      key={t.id}
                      data-template={templateKey(t)}
                      className={templateKey(t) === selectedKey ? 'selected' : undefined}
                      aria-selected={templateKey(t) === selectedKey}
                    >
                      <td>
                        <button
                          type="button"
                          className="tpl-link"
                          onClick={() => useTemplatesStore.getState().select(templateKey(t))}
                        >
                          {t.name}
                        </button>
                      </td>
                      <td>{t.language}</td>
                      <td>
                        <Badge tone="muted" label="Category">
                          {t.category}
                        </Badge>
                      </td>
                      <td>
                        <Badge tone={statusTone(t.status)} label="Status">
                          {t.status}
                        </Badge>
                      </td>
                      <td>
                        <Badge tone={qualityTone(t.qualityScore)} label="Quality">
                          {t.qualityScore ?? 'UNKNOWN'}
                        </Badge>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {loaded && visible.length === 0 ? (
                <p className="muted">
                  {templates.length === 0
                    ? 'No templates yet: press “Sync now” to fetch them from Meta, or create one.'
                    : 'No template matches these filters.'}
                </p>
              ) : null}
              {loaded ? (
                <p className="muted tpl-count">
                  {visible.length} of{' '}
                  {templates.filter((t) => filters.showDeleted || t.status !== 'DELETED').length} templates
                </p>
              ) : null}
            </div>
            {/* Keyed: another template starts with no open confirmation. */}
            {selected ? <TemplateDetails key={selected.id} template={selected} /> : null}
          </div>
        </>
      ) : null}

      {composing && connectionId ? (
        <NewMessageDialog initialConnectionId={connectionId} onClose={() => setComposing(false)} />
      ) : null}
    </section>
  );
}
