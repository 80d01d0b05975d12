// Pick a sendable template of a connection, fill its variables and see the live preview beside the form.
// Used by "New message" and by the inbox composer outside the 24 h window. The list is refreshed when a
// sync finishes or Meta changes a template's status. Submit stays disabled until every variable is
// filled, and while a submit is in flight (a double click submits once).
import { useEffect, useId, useMemo, useState } from 'react';
import type { TemplateParams, TemplateView } from '../../../src-preload/messaging.contract';
import { api, errorMessage } from '../../lib/api';
import { TemplatePreview } from './TemplatePreview';
import { TemplateVariablesForm } from './TemplateVariablesForm';
import { buildTemplateParams, missingVariables, templateShape } from './templateVariables';
import './templates.css';

/** §5: only APPROVED sends; REINSTATED is approved again and FLAGGED still sends (the server agrees). */
export const SENDABLE_STATUSES = new Set(['APPROVED', 'REINSTATED', 'FLAGGED']);

export interface TemplatePickerRef {
  name: string;
  language: string;
  params?: TemplateParams;
}

function keyOf(t: Pick<TemplateView, 'name' | 'language'>): string {
  return `${t.name}/${t.language}`;
}

export function TemplatePicker(props: {
  connectionId: string;
  onSubmit: (ref: TemplatePickerRef) => void | Promise<void>;
  submitLabel?: string;
}) {
  const { connectionId, onSubmit } = props;
  const idBase = useId();
  const [templates, setTemplates] = useState<TemplateView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [params, setParams] = useState<TemplateParams>({});
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const load = (): void => {
      api.invoke('templates:list', { connectionId, includeDeleted: false }).then(
        (list) => {
          if (!current) return;
          setTemplates(list.filter((t) => SENDABLE_STATUSES.has(t.status)));
          setLoadError(null);
        },
        (error: unknown) => {
          if (current) setLoadError(errorMessage(error));
        },
      );
    };
    load();
    const offSynced = api.on('templates:synced', (e) => {
      if (e.connectionId === connectionId) load();
    });
    const offStatus = api.on('templates:status-changed', (e) => {
      if (e.connectionId === connectionId) load();
    });
    return () => {
      current = false;
      offSynced();
      offStatus();
    };
  }, [connectionId]);

  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (templates ?? []).filter(
      (t) => !needle || t.name.includes(needle) || templateShape(t).body.toLowerCase().includes(needle),
    );
  }, [templates, search]);
  const selected = templates?.find((t) => keyOf(t) === selectedKey) ?? null;
  const missing = selected ? missingVariables(selected, params) : [];
  const canSubmit = selected !== null && missing.length === 0 && !submitting;

  const choose = (template: TemplateView): void => {
    setSelectedKey(keyOf(template));
    setParams(buildTemplateParams(template, {}) ?? {});
    setSubmitError(null);
  };

  const submit = async (): Promise<void> => {
    if (!selected || !canSubmit) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      const hasParams = buildTemplateParams(selected, {}) !== undefined;
      await onSubmit({
        name: selected.name,
        language: selected.language,
        ...(hasParams ? { params } : {}),
      });
    } catch (error) {
      setSubmitError(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="tpl-picker">
      <div className="tpl-picker-list">
        <label htmlFor={`${idBase}-search`}>Search templates</label>
        <input
          id={`${idBase}-search`}
          type="search"
          value={search}
          placeholder="Name or text"
          onChange={(e) => setSearch(e.target.value)}
        />
        {loadError ? (
          <p role="alert" className="error-text">
            Templates could not be loaded: {loadError}
          </p>
        ) : null}
        {templates === null && !loadError ? <p className="muted">Loading templates…</p> : null}
        {templates !== null && templates.length === 0 ? (
          <p className="muted">No approved templates yet. Sync or create one on the Templates screen.</p>
        ) : null}
        <div role="radiogroup" aria-label="Templates" className="tpl-picker-options">
          {visible.map((t) => (
            <label key={keyOf(t)} className={`tpl-option${keyOf(t) === selectedKey ? ' selected' : ''}`}>
              <input
                type="radio"
                name={`${idBase}-template`}
                value={keyOf(t)}
                checked={keyOf(t) === selectedKey}
                onChange={() => choose(t)}
              />
              <span className="tpl-option-name">{t.name}</span>
              <span className="muted tpl-option-meta">
                {t.language} · {t.category.toLowerCase()}
                {t.status !== 'APPROVED' ? ` · ${t.status.toLowerCase()}` : ''}
              </span>
            </label>
          ))}
        </div>
        {templates !== null && templates.length > 0 && visible.length === 0 ? (
          <p className="muted">No template matches “{search}”.</p>
        ) : null}
      </div>
      {selected ? (
        <form
          className="tpl-picker-compose"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <div className="tpl-picker-side">
            <TemplateVariablesForm template={selected} value={params} onChange={setParams} />
            {missing.length > 0 ? (
              <p className="muted" id={`${idBase}-missing`}>
                Fill in {missing.map((v) => v.placeholder).join(', ')} to send.
              </p>
            ) : null}
            {submitError ? (
              <p role="alert" className="error-text">
                {submitError}
              </p>
            ) : null}
            <button type="submit" className="primary" disabled={!canSubmit}>
              {submitting ? 'Sending…' : (props.submitLabel ?? 'Send template')}
            </button>
          </div>
          <TemplatePreview template={selected} params={params} />
        </form>
      ) : (
        <p className="muted tpl-picker-hint">Choose a template to fill in its variables.</p>
      )}
    </div>
  );
}
