// "New template": Meta's components (header, body, footer, buttons) with a sample value per variable,
// a live preview, and the rules checked before anything is sent (templateDraft.ts). Submitted templates
// come back PENDING; the list shows them until Meta's review (a webhook or the next sync) moves them on.
import { useId, useState } from 'react';
import type { TemplateView } from '../../../src-preload/messaging.contract';
import { api, errorMessage } from '../../lib/api';
import { stageFile } from '../../lib/stageFile';
import { useTemplatesStore } from '../../stores/templates';
import { TemplatePreview } from './TemplatePreview';
import {
  bodyPlaceholders,
  buildTemplateCreate,
  emptyButton,
  emptyDraft,
  nextPlaceholder,
  type ButtonDraft,
  type ButtonKind,
  type DraftError,
  type HeaderChoice,
  type TemplateDraft,
} from './templateDraft';

/** What the Resumable Upload API takes as a sample, by header format. */
const sampleTypes = {
  IMAGE: 'image/jpeg,image/png',
  VIDEO: 'video/mp4',
  DOCUMENT: 'application/pdf',
} as const;

const buttonKinds: { kind: ButtonKind; label: string }[] = [
  { kind: 'QUICK_REPLY', label: 'Quick reply' },
  { kind: 'URL', label: 'Link' },
  { kind: 'PHONE_NUMBER', label: 'Call' },
  { kind: 'COPY_CODE', label: 'Copy code' },
];

/** The draft as a TemplateView, for the live preview (sample values filled in). */
function previewOf(connectionId: string, draft: TemplateDraft): TemplateView {
  const components: unknown[] = [];
  if (draft.header === 'TEXT') components.push({ type: 'HEADER', format: 'TEXT', text: draft.headerText });
  else if (draft.header !== 'NONE') components.push({ type: 'HEADER', format: draft.header });
  components.push({ type: 'BODY', text: draft.body });
  if (draft.footer.trim()) components.push({ type: 'FOOTER', text: draft.footer });
  if (draft.buttons.length > 0) {
    components.push({
      type: 'BUTTONS',
      buttons: draft.buttons.map((b) => ({ type: b.type, text: b.text || undefined, url: b.url })),
    });
  }
  return {
    id: 'draft',
    connectionId,
    metaTemplateId: null,
    name: draft.name || 'new_template',
    language: draft.language,
    category: draft.category,
    status: 'DRAFT',
    parameterFormat: draft.parameterFormat === 'named' ? 'NAMED' : 'POSITIONAL',
    components,
    qualityScore: null,
    rejectedReason: null,
    syncedAt: null,
    updatedAt: 0,
  };
}

function FieldError({ errors, field, id }: { errors: DraftError[]; field: string; id: string }) {
  const messages = errors.filter((e) => e.field === field);
  if (messages.length === 0) return null;
  return (
    <span id={id} className="field-error error-text" role="alert">
      {messages.map((e) => e.message).join(' ')}
    </span>
  );
}

export function TemplateCreateForm(props: {
  connectionId: string;
  onCreated: (template: TemplateView) => void;
  onCancel: () => void;
}) {
  const { connectionId } = props;
  const id = useId();
  const [draft, setDraft] = useState<TemplateDraft>(emptyDraft);
  const [errors, setErrors] = useState<DraftError[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const patch = (p: Partial<TemplateDraft>): void => setDraft((d) => ({ ...d, ...p }));
  const [sample, setSample] = useState<{ busy: boolean; note: string | null; error: string | null }>({
    busy: false,
    note: null,
    error: null,
  });
  // Meta reviews a media header with a sample file, sent through its Resumable Upload API; the handle
  // it answers goes into example.header_handle (whatsapp-cloud-api.md §5).
  const uploadSample = async (file: File): Promise<void> => {
    setSample({ busy: true, note: `Uploading ${file.name}…`, error: null });
    try {
      const uploadId = await stageFile(file);
      const { handle } = await api.invoke('media:upload-template-example', { connectionId, uploadId });
      patch({ headerHandle: handle });
      setSample({ busy: false, note: `Uploaded ${file.name}.`, error: null });
    } catch (error) {
      setSample({ busy: false, note: null, error: errorMessage(error) });
    }
  };
  const patchButton = (index: number, p: Partial<ButtonDraft>): void =>
    setDraft((d) => ({ ...d, buttons: d.buttons.map((b, i) => (i === index ? { ...b, ...p } : b)) }));
  const vars = bodyPlaceholders(draft);
  const fieldProps = (field: string) => ({
    id: `${id}-${field}`,
    'aria-invalid': errors.some((e) => e.field === field) || undefined,
    'aria-describedby': `${id}-${field}-error`,
  });

  const submit = async (): Promise<void> => {
    const built = buildTemplateCreate(connectionId, draft);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors([]);
    setSubmitting(true);
    setSubmitError(null);
    try {
      props.onCreated(await useTemplatesStore.getState().create(built.request));
    } catch (error) {
      setSubmitError(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  const previewSamples = {
    ...(draft.header === 'TEXT' && draft.headerExample
      ? { header: { type: 'text' as const, text: draft.headerExample } }
      : {}),
    body:
      draft.parameterFormat === 'named'
        ? Object.fromEntries(vars.map((v) => [v, draft.bodyExamples[v] ?? '']))
        : vars.map((v) => draft.bodyExamples[v] ?? ''),
  };

  return (
    <form
      className="tpl-create"
      aria-label="New template"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="tpl-create-fields">
        <div className="tpl-field">
          <label htmlFor={`${id}-name`}>Template name</label>
          <input
            {...fieldProps('name')}
            value={draft.name}
            placeholder="spring_sale"
            maxLength={512}
            onChange={(e) => patch({ name: e.target.value })}
          />
          <FieldError errors={errors} field="name" id={`${id}-name-error`} />
        </div>
        <div className="tpl-field-row">
          <div className="tpl-field">
            <label htmlFor={`${id}-language`}>Language code</label>
            <input
              {...fieldProps('language')}
              value={draft.language}
              maxLength={15}
              onChange={(e) => patch({ language: e.target.value })}
            />
            <FieldError errors={errors} field="language" id={`${id}-language-error`} />
          </div>
          <div className="tpl-field">
            <label htmlFor={`${id}-category`}>Category</label>
            <select
              id={`${id}-category`}
              value={draft.category}
              onChange={(e) => patch({ category: e.target.value as TemplateDraft['category'] })}
            >
              <option value="UTILITY">Utility</option>
              <option value="MARKETING">Marketing</option>
              <option value="AUTHENTICATION">Authentication</option>
            </select>
          </div>
          <div className="tpl-field">
            <label htmlFor={`${id}-format`}>Variables</label>
            <select
              id={`${id}-format`}
              value={draft.parameterFormat}
              onChange={(e) => patch({ parameterFormat: e.target.value as TemplateDraft['parameterFormat'] })}
            >
              <option value="positional">Numbered {'{{1}}'}</option>
              <option value="named">Named {'{{first_name}}'}</option>
            </select>
          </div>
        </div>

        <div className="tpl-field">
          <label htmlFor={`${id}-header`}>Header</label>
          <select
            id={`${id}-header`}
            value={draft.header}
            onChange={(e) => patch({ header: e.target.value as HeaderChoice })}
          >
            <option value="NONE">None</option>
            <option value="TEXT">Text</option>
            <option value="IMAGE">Image</option>
            <option value="VIDEO">Video</option>
            <option value="DOCUMENT">Document</option>
            <option value="LOCATION">Location</option>
          </select>
        </div>
        {draft.header === 'TEXT' ? (
          <>
            <div className="tpl-field">
              <label htmlFor={`${id}-headerText`}>Header text</label>
              <input
                {...fieldProps('headerText')}
                value={draft.headerText}
                maxLength={60}
                onChange={(e) => patch({ headerText: e.target.value })}
              />
              <FieldError errors={errors} field="headerText" id={`${id}-headerText-error`} />
            </div>
            {draft.headerText.includes('{{') ? (
              <div className="tpl-field">
                <label htmlFor={`${id}-headerExample`}>Sample for the header variable</label>
                <input
                  {...fieldProps('headerExample')}
                  value={draft.headerExample}
                  maxLength={60}
                  onChange={(e) => patch({ headerExample: e.target.value })}
                />
                <FieldError errors={errors} field="headerExample" id={`${id}-headerExample-error`} />
              </div>
            ) : null}
          </>
        ) : null}
        {draft.header === 'IMAGE' || draft.header === 'VIDEO' || draft.header === 'DOCUMENT' ? (
          <>
            <div className="tpl-field">
              <label htmlFor={`${id}-headerFile`}>Sample {draft.header.toLowerCase()}</label>
              <input
                id={`${id}-headerFile`}
                type="file"
                accept={sampleTypes[draft.header]}
                disabled={sample.busy}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  e.target.value = '';
                  if (file) void uploadSample(file);
                }}
              />
              {sample.note ? (
                <span className="muted" role="status">
                  {sample.note}
                </span>
              ) : null}
              {sample.error ? (
                <span className="error-text" role="alert">
                  {sample.error}
                </span>
              ) : null}
            </div>
            <div className="tpl-field">
              <label htmlFor={`${id}-headerHandle`}>Sample media handle</label>
              <input
                {...fieldProps('headerHandle')}
                value={draft.headerHandle}
                placeholder="Filled in by the upload above"
                onChange={(e) => patch({ headerHandle: e.target.value })}
              />
              <FieldError errors={errors} field="headerHandle" id={`${id}-headerHandle-error`} />
            </div>
          </>
        ) : null}

        <div className="tpl-field">
          <label htmlFor={`${id}-body`}>Body</label>
          <textarea
            {...fieldProps('body')}
            rows={4}
            value={draft.body}
            maxLength={1024}
            placeholder="Hi {{1}}, your order {{2}} is ready. *Bold*, _italic_, ~strike~ work."
            onChange={(e) => patch({ body: e.target.value })}
          />
          <div className="tpl-field-row">
            <button type="button" onClick={() => patch({ body: `${draft.body}${nextPlaceholder(draft)}` })}>
              Add variable
            </button>
            <span className="muted">{draft.body.length}/1024</span>
          </div>
          <FieldError errors={errors} field="body" id={`${id}-body-error`} />
        </div>
        {vars.map((v) => (
          <div key={v} className="tpl-field">
            <label htmlFor={`${id}-example:${v}`}>Sample for {`{{${v}}}`}</label>
            <input
              {...fieldProps(`example:${v}`)}
              value={draft.bodyExamples[v] ?? ''}
              maxLength={1024}
              onChange={(e) => patch({ bodyExamples: { ...draft.bodyExamples, [v]: e.target.value } })}
            />
            <FieldError errors={errors} field={`example:${v}`} id={`${id}-example:${v}-error`} />
          </div>
        ))}

        <div className="tpl-field">
          <label htmlFor={`${id}-footer`}>Footer (optional)</label>
          <input
            {...fieldProps('footer')}
            value={draft.footer}
            maxLength={60}
            onChange={(e) => patch({ footer: e.target.value })}
          />
          <FieldError errors={errors} field="footer" id={`${id}-footer-error`} />
        </div>

        <fieldset className="tpl-create-buttons">
          <legend>Buttons (optional)</legend>
          {draft.buttons.map((b, i) => (
            <div key={i} className="tpl-button-draft" role="group" aria-label={`Button ${i + 1}`}>
              <span className="muted">{buttonKinds.find((k) => k.kind === b.type)?.label}</span>
              {b.type !== 'COPY_CODE' ? (
                <input
                  aria-label={`Button ${i + 1} label`}
                  value={b.text}
                  maxLength={25}
                  onChange={(e) => patchButton(i, { text: e.target.value })}
                />
              ) : (
                <input
                  aria-label={`Button ${i + 1} sample code`}
                  value={b.example}
                  maxLength={15}
                  onChange={(e) => patchButton(i, { example: e.target.value })}
                />
              )}
              {b.type === 'URL' ? (
                <>
                  <input
                    aria-label={`Button ${i + 1} link`}
                    value={b.url}
                    placeholder="https://shop.example/order/{{1}}"
                    maxLength={2000}
                    onChange={(e) => patchButton(i, { url: e.target.value })}
                  />
                  {b.url.includes('{{') ? (
                    <input
                      aria-label={`Button ${i + 1} sample link`}
                      value={b.urlExample}
                      placeholder="https://shop.example/order/1042"
                      maxLength={2000}
                      onChange={(e) => patchButton(i, { urlExample: e.target.value })}
                    />
                  ) : null}
                </>
              ) : null}
              {b.type === 'PHONE_NUMBER' ? (
                <input
                  aria-label={`Button ${i + 1} phone number`}
                  value={b.phoneNumber}
                  placeholder="+16505551234"
                  maxLength={20}
                  onChange={(e) => patchButton(i, { phoneNumber: e.target.value })}
                />
              ) : null}
              <button
                type="button"
                aria-label={`Remove button ${i + 1}`}
                onClick={() => setDraft((d) => ({ ...d, buttons: d.buttons.filter((_, j) => j !== i) }))}
              >
                Remove
              </button>
              <FieldError errors={errors} field={`button:${i}`} id={`${id}-button-${i}-error`} />
            </div>
          ))}
          <div className="tpl-field-row">
            {buttonKinds.map(({ kind, label }) => (
              <button
                key={kind}
                type="button"
                disabled={draft.buttons.length >= 10}
                onClick={() => setDraft((d) => ({ ...d, buttons: [...d.buttons, emptyButton(kind)] }))}
              >
                Add {label.toLowerCase()}
              </button>
            ))}
          </div>
          <FieldError errors={errors} field="buttons" id={`${id}-buttons-error`} />
        </fieldset>

        {errors.some((e) => e.field === 'form' || e.field === 'components' || e.field === 'connectionId') ? (
          <p role="alert" className="error-text">
            {errors.map((e) => e.message).join(' ')}
          </p>
        ) : null}
        {submitError ? (
          <p role="alert" className="error-text">
            {submitError}
          </p>
        ) : null}
        <div className="tpl-field-row">
          <button type="submit" className="primary" disabled={submitting}>
            {submitting ? 'Submitting…' : 'Submit for review'}
          </button>
          <button type="button" onClick={props.onCancel} disabled={submitting}>
            Cancel
          </button>
        </div>
      </div>
      <TemplatePreview template={previewOf(connectionId, draft)} params={previewSamples} />
    </form>
  );
}
