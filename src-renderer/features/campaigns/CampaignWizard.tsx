// The create wizard: number and approved template, where each variable takes its value from (a contact
// field, an attribute or a constant, with a fallback), header media, the audience (tags, an attribute,
// or the contacts of a CSV file imported right here, CsvAudience.tsx), whether unconfirmed sends are
// ever sent again, then the preflight report, the campaign's summary and "Send now" or a schedule in
// the local time zone (shown). The campaign is saved as a draft at the preflight step, so the preflight
// checks exactly what will be sent.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  unconfirmedResendChoicesMs,
  type Audience,
  type CampaignDraft,
  type CampaignView,
  type PreflightReport,
  type VariableSource,
} from '../../../src-preload/campaigns.contract';
import type { TemplateView } from '../../../src-preload/messaging.contract';
import { api, errorMessage } from '../../lib/api';
import { useCampaignsStore } from '../../stores/campaigns';
import { useConnectionsStore } from '../../stores/connections';
import { openCampaign } from './CampaignsScreen';
import { AudienceCount, CsvAudience, type CsvAudienceChoice } from './CsvAudience';
import { describeAudience, duration, localZone, resendWaitText, waitLabel } from './format';
import { PreflightPanel } from './PreflightPanel';

interface Shape {
  body: string;
  variables: string[];
  headerFormat: string | null;
  headerHasVariable: boolean;
}

function shapeOf(template: TemplateView | undefined): Shape {
  const components = (template?.components ?? []) as { type?: string; format?: string; text?: string }[];
  const body = components.find((c) => c.type?.toUpperCase() === 'BODY')?.text ?? '';
  const header = components.find((c) => c.type?.toUpperCase() === 'HEADER');
  const variables = [...new Set([...body.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? ''))];
  if (template?.parameterFormat !== 'NAMED') variables.sort((a, b) => Number(a) - Number(b));
  return {
    body,
    variables,
    headerFormat: header?.format?.toUpperCase() ?? null,
    headerHasVariable: /\{\{/.test(header?.text ?? ''),
  };
}

type SourceKind = 'name' | 'phone' | 'email' | 'attribute' | 'constant';
interface Mapping {
  kind: SourceKind;
  value: string;
  fallback: string;
}

function toSource(m: Mapping): VariableSource {
  const fallback = m.fallback.trim() ? { fallback: m.fallback.trim() } : {};
  if (m.kind === 'constant') return { source: 'constant', value: m.value };
  if (m.kind === 'attribute') return { source: 'attribute', key: m.value.trim(), ...fallback };
  return { source: 'field', field: m.kind, ...fallback };
}

function MappingRow({
  label,
  mapping,
  onChange,
}: {
  label: string;
  mapping: Mapping;
  onChange: (m: Mapping) => void;
}) {
  return (
    <div className="mapping-row">
      <span className="mapping-label">{label}</span>
      <label>
        <span className="visually-hidden">Source of {label}</span>
        <select
          value={mapping.kind}
          onChange={(e) => onChange({ ...mapping, kind: e.target.value as SourceKind })}
        >
          <option value="name">Contact name</option>
          <option value="phone">Contact phone</option>
          <option value="email">Contact email</option>
          <option value="attribute">Attribute</option>
          <option value="constant">Same text for everyone</option>
        </select>
      </label>
      {mapping.kind === 'attribute' || mapping.kind === 'constant' ? (
        <label>
          <span className="visually-hidden">
            {mapping.kind === 'attribute' ? `Attribute for ${label}` : `Text for ${label}`}
          </span>
          <input
            value={mapping.value}
            placeholder={mapping.kind === 'attribute' ? 'attribute name' : 'text'}
            onChange={(e) => onChange({ ...mapping, value: e.target.value })}
          />
        </label>
      ) : null}
      {mapping.kind !== 'constant' ? (
        <label>
          <span className="visually-hidden">Fallback for {label}</span>
          <input
            value={mapping.fallback}
            placeholder="if empty"
            onChange={(e) => onChange({ ...mapping, fallback: e.target.value })}
          />
        </label>
      ) : null}
    </div>
  );
}

export function CampaignWizard() {
  const connections = useConnectionsStore((s) => s.connections);
  const [name, setName] = useState('');
  const [chosenConnectionId, setConnectionId] = useState('');
  // The first number until one is chosen.
  const connectionId = chosenConnectionId || connections[0]?.id || '';
  const [templates, setTemplates] = useState<TemplateView[]>([]);
  const [templateId, setTemplateId] = useState('');
  const [mappings, setMappings] = useState<Record<string, Mapping>>({});
  const [headerText, setHeaderText] = useState<Mapping>({ kind: 'constant', value: '', fallback: '' });
  const [headerMediaId, setHeaderMediaId] = useState('');
  const [audienceKind, setAudienceKind] = useState<'all' | 'tags' | 'attribute' | 'csv'>('all');
  const [csvChoice, setCsvChoice] = useState<CsvAudienceChoice | null>(null);
  // Off by default: an unconfirmed send is never sent twice unless the user opts in (issue 8).
  const [resendOn, setResendOn] = useState(false);
  const [resendWaitMs, setResendWaitMs] = useState<number>(unconfirmedResendChoicesMs[1]);
  const [saved, setSaved] = useState<CampaignView | null>(null);
  /** The audience last counted with "Count the audience" (tags, attribute, all). */
  const [counted, setCounted] = useState<{ audience: Audience; at: number } | null>(null);
  const [tags, setTags] = useState('');
  const [attributeKey, setAttributeKey] = useState('');
  const [attributeValue, setAttributeValue] = useState('');
  const [campaignId, setCampaignId] = useState<string | null>(null);
  const [report, setReport] = useState<PreflightReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [scheduleAt, setScheduleAt] = useState('');

  useEffect(() => {
    void useConnectionsStore.getState().load();
  }, []);
  useEffect(() => {
    if (!connectionId) return;
    let live = true;
    const load = (): void => {
      api
        .invoke('templates:list', { connectionId, status: 'APPROVED', includeDeleted: false })
        .then((list) => {
          if (!live) return;
          setTemplates(list);
          setTemplateId((current) => (list.some((t) => t.id === current) ? current : (list[0]?.id ?? '')));
        })
        .catch((e: unknown) => live && setError(errorMessage(e)));
    };
    load();
    // A sync (the Sandbox's first one, or "Sync now" elsewhere) may bring the approved templates.
    const off = api.on('templates:synced', (result) => {
      if (result.connectionId === connectionId) load();
    });
    return () => {
      live = false;
      off();
    };
  }, [connectionId]);

  const template = templates.find((t) => t.id === templateId);
  const shape = useMemo(() => shapeOf(template), [template]);
  const mappingOf = (v: string): Mapping =>
    mappings[v] ?? { kind: v === '1' ? 'name' : 'constant', value: '', fallback: '' };

  function currentAudience(): Audience {
    if (audienceKind === 'csv' && !csvChoice) {
      throw new Error('Import the CSV file of the audience first (step 3).');
    }
    const audience: Audience =
      audienceKind === 'all'
        ? { kind: 'all' }
        : audienceKind === 'csv' && csvChoice
          ? { kind: 'import', importId: csvChoice.importId, fileName: csvChoice.fileName }
          : audienceKind === 'tags'
            ? {
                kind: 'filter',
                tags: tags
                  .split(',')
                  .map((t) => t.trim())
                  .filter(Boolean),
                attributes: [],
              }
            : {
                kind: 'filter',
                tags: [],
                attributes: [
                  {
                    key: attributeKey.trim(),
                    ...(attributeValue.trim() ? { value: attributeValue.trim() } : {}),
                  },
                ],
              };
    return audience;
  }

  function draft(): CampaignDraft {
    if (!template) throw new Error('Choose an approved template.');
    const audience = currentAudience();
    const media = shape.headerFormat && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(shape.headerFormat);
    return {
      name: name.trim(),
      connectionId,
      templateName: template.name,
      templateLanguage: template.language,
      content: {
        body: Object.fromEntries(shape.variables.map((v) => [v, toSource(mappingOf(v))])),
        ...(shape.headerFormat === 'TEXT' && shape.headerHasVariable
          ? { headerText: toSource(headerText) }
          : {}),
        ...(media && headerMediaId.trim()
          ? {
              headerMedia: {
                type: shape.headerFormat!.toLowerCase() as 'image' | 'video' | 'document',
                mediaId: headerMediaId.trim(),
              },
            }
          : {}),
      },
      audience,
      unconfirmedResendAfterMs: resendOn ? resendWaitMs : null,
    };
  }

  async function check(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const store = useCampaignsStore.getState();
      const saved = campaignId ? await store.update(campaignId, draft()) : await store.create(draft());
      setCampaignId(saved.id);
      setSaved(saved);
      setReport(await store.preflight(saved.id));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function sendNow(): Promise<void> {
    if (!campaignId) return;
    setBusy(true);
    try {
      await useCampaignsStore.getState().start(campaignId);
      openCampaign(campaignId);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  async function schedule(): Promise<void> {
    if (!campaignId) return;
    const at = new Date(scheduleAt).getTime();
    if (!Number.isFinite(at)) {
      setError('Choose the date and time to send.');
      return;
    }
    setBusy(true);
    try {
      await useCampaignsStore.getState().schedule(campaignId, at);
      openCampaign(campaignId);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <section className="campaigns-screen" aria-labelledby="wizard-title">
      <header className="campaigns-header">
        <h1 id="wizard-title">New campaign</h1>
        <div className="campaigns-actions">
          <button type="button" onClick={() => openCampaign(null)}>
            Back to campaigns
          </button>
        </div>
      </header>
      <form className="campaign-wizard" onSubmit={(e) => void check(e)}>
        <fieldset>
          <legend>1. Number and template</legend>
          <label>
            Campaign name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </label>
          <label>
            Number
            <select value={connectionId} onChange={(e) => setConnectionId(e.target.value)}>
              {connections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Template
            <select value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
              {templates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.language}, {t.category.toLowerCase()})
                </option>
              ))}
            </select>
          </label>
          {templates.length === 0 && connectionId ? (
            <p className="muted">
              No approved template on this number yet: sync or create one under Templates.
            </p>
          ) : null}
          {template ? (
            <p className="template-body" aria-label="Template text">
              {shape.body}
            </p>
          ) : null}
        </fieldset>
        {shape.variables.length > 0 || shape.headerFormat ? (
          <fieldset>
            <legend>2. Variables</legend>
            {shape.variables.map((v) => (
              <MappingRow
                key={v}
                label={`{{${v}}}`}
                mapping={mappingOf(v)}
                onChange={(m) => setMappings({ ...mappings, [v]: m })}
              />
            ))}
            {shape.headerFormat === 'TEXT' && shape.headerHasVariable ? (
              <MappingRow label="Header" mapping={headerText} onChange={setHeaderText} />
            ) : null}
            {shape.headerFormat && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(shape.headerFormat) ? (
              <label>
                Header {shape.headerFormat.toLowerCase()} (uploaded media id)
                <input value={headerMediaId} onChange={(e) => setHeaderMediaId(e.target.value)} />
              </label>
            ) : null}
          </fieldset>
        ) : null}
        <fieldset>
          <legend>3. Audience</legend>
          <label className="inline">
            <input
              type="radio"
              name="audience"
              checked={audienceKind === 'all'}
              onChange={() => setAudienceKind('all')}
            />
            All contacts
          </label>
          <label className="inline">
            <input
              type="radio"
              name="audience"
              checked={audienceKind === 'tags'}
              onChange={() => setAudienceKind('tags')}
            />
            Contacts with a tag
          </label>
          <label className="inline">
            <input
              type="radio"
              name="audience"
              checked={audienceKind === 'attribute'}
              onChange={() => setAudienceKind('attribute')}
            />
            Contacts with an attribute
          </label>
          <label className="inline">
            <input
              type="radio"
              name="audience"
              checked={audienceKind === 'csv'}
              onChange={() => setAudienceKind('csv')}
            />
            Contacts from a CSV file
          </label>
          {audienceKind === 'csv' ? (
            <CsvAudience connectionId={connectionId} choice={csvChoice} onChoose={setCsvChoice} />
          ) : null}
          {audienceKind === 'tags' ? (
            <label>
              Tags (any of, separated by commas)
              <input value={tags} onChange={(e) => setTags(e.target.value)} />
            </label>
          ) : null}
          {audienceKind === 'attribute' ? (
            <div className="mapping-row">
              <label>
                Attribute
                <input value={attributeKey} onChange={(e) => setAttributeKey(e.target.value)} />
              </label>
              <label>
                Equals (empty: any value)
                <input value={attributeValue} onChange={(e) => setAttributeValue(e.target.value)} />
              </label>
            </div>
          ) : null}
          {audienceKind !== 'csv' ? (
            <div className="audience-count-row">
              <button
                type="button"
                disabled={!connectionId}
                onClick={() => {
                  try {
                    setCounted({ audience: currentAudience(), at: Date.now() });
                  } catch (e) {
                    setError(errorMessage(e));
                  }
                }}
              >
                Count the audience
              </button>
              {counted ? (
                <AudienceCount
                  key={`${connectionId}:${counted.at}`}
                  connectionId={connectionId}
                  audience={counted.audience}
                />
              ) : null}
            </div>
          ) : null}
          <p className="muted">
            Opted-out contacts, invalid numbers and duplicates are always left out; the count and the check
            show how many.
          </p>
        </fieldset>
        <fieldset>
          <legend>4. Sends whose outcome is unknown</legend>
          <p className="muted" id="resend-help">
            If Bellhop stops (a crash, a power cut) while a message is being handed to WhatsApp, it cannot
            know whether that message went out. WhatsApp’s status update usually settles it within seconds; if
            none arrives, the recipient stays “unconfirmed” and you decide on the campaign page. Nobody gets
            the message twice.
          </p>
          <label className="inline">
            <input
              type="checkbox"
              checked={resendOn}
              aria-describedby="resend-help"
              onChange={(e) => setResendOn(e.target.checked)}
            />
            Send unconfirmed messages again automatically
          </label>
          {resendOn ? (
            <>
              <label>
                Wait before sending again
                <select value={resendWaitMs} onChange={(e) => setResendWaitMs(Number(e.target.value))}>
                  {unconfirmedResendChoicesMs.map((ms) => (
                    <option key={ms} value={ms}>
                      {waitLabel(ms)}
                    </option>
                  ))}
                </select>
              </label>
              <p className="banner warning" role="note">
                Risk of a double send: if the first message did reach the customer but its status update was
                lost or comes later than {waitLabel(resendWaitMs)}, the customer gets the same message twice.
              </p>
            </>
          ) : null}
        </fieldset>
        <div className="wizard-actions">
          <button type="submit" className="primary" disabled={busy || !template}>
            Check before sending
          </button>
        </div>
      </form>
      {error ? (
        <div className="banner error" role="alert">
          {error}
        </div>
      ) : null}
      {report ? (
        <>
          <PreflightPanel report={report} />
          {saved ? (
            <dl className="preflight-facts campaign-summary" aria-label="Campaign summary">
              <dt>Campaign</dt>
              <dd>{saved.name}</dd>
              <dt>Template</dt>
              <dd>
                {saved.templateName} ({saved.templateLanguage})
              </dd>
              <dt>Audience</dt>
              <dd>{describeAudience(saved.audience)}</dd>
              <dt>Unconfirmed sends</dt>
              <dd data-testid="summary-resend">{resendWaitText(saved.unconfirmedResendAfterMs)}</dd>
            </dl>
          ) : null}
          <div className="send-panel" aria-label="Send">
            <p>
              Estimated time: <strong>{duration(report.etaSeconds)}</strong> at{' '}
              {report.ratePerSecond.toLocaleString()} messages per second.
            </p>
            <button
              type="button"
              className="primary"
              disabled={busy || !report.canSend}
              onClick={() => void sendNow()}
            >
              Send now
            </button>
            <label>
              Or schedule for
              <input
                type="datetime-local"
                value={scheduleAt}
                onChange={(e) => setScheduleAt(e.target.value)}
              />
            </label>
            <span className="muted">Time zone: {localZone()}</span>
            <button
              type="button"
              disabled={busy || !report.canSend || !scheduleAt}
              onClick={() => void schedule()}
            >
              Schedule
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
