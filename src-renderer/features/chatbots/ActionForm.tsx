// One action of a rule. Inputs carry Meta's limits (whatsapp-cloud-api.md §2) as maxLength and the
// add buttons stop at the counts Meta allows; main re-checks everything on save.
import { useId, type ReactNode } from 'react';
import {
  botLimits,
  botMessageLimits as limits,
  type ActionType,
  type ActionView,
  type ListSectionView,
  type RuleView,
} from '../../../src-preload/chatbots.contract';

export const actionLabels: Record<ActionType, string> = {
  reply_text: 'Reply with text',
  reply_buttons: 'Reply with buttons',
  reply_list: 'Reply with a list',
  send_template: 'Send a template',
  add_tag: 'Add a tag',
  remove_tag: 'Remove a tag',
  set_attribute: 'Set an attribute',
  opt_out: 'Opt the contact out',
  opt_in: 'Opt the contact in',
  handoff: 'Hand off to a person',
  go_to_rule: 'Go to another rule',
};

export function defaultAction(type: ActionType, otherRules: readonly RuleView[]): ActionView {
  switch (type) {
    case 'reply_text':
      return { type, text: '', previewUrl: false };
    case 'reply_buttons':
      return { type, body: '', buttons: [{ id: '', title: '' }] };
    case 'reply_list':
      return { type, body: '', button: '', sections: [{ rows: [{ id: '', title: '' }] }] };
    case 'send_template':
      return { type, name: '', language: 'en_US', params: [] };
    case 'add_tag':
    case 'remove_tag':
      return { type, tag: '' };
    case 'set_attribute':
      return { type, key: '', value: '' };
    case 'opt_out':
    case 'opt_in':
    case 'handoff':
      return { type };
    case 'go_to_rule':
      return { type, ruleId: otherRules[0]?.id ?? '' };
  }
}

const placeholderHint =
  'Placeholders: {{name}}, {{phone}}, {{attribute.city}}; a fallback: {{name | there}}.';

function Field({
  label,
  value,
  onChange,
  maxLength,
  multiline = false,
  hint,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  maxLength: number;
  multiline?: boolean;
  hint?: string;
  placeholder?: string;
}) {
  const id = useId();
  const hintId = useId();
  const common = {
    id,
    value,
    maxLength,
    placeholder,
    'aria-describedby': hintId,
  };
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={3} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <input {...common} onChange={(event) => onChange(event.target.value)} />
      )}
      <span id={hintId} className="muted field-hint">
        {hint ? `${hint} ` : ''}
        <span className="counter">
          {value.length}/{maxLength}
        </span>
      </span>
    </div>
  );
}

/** header/footer/note: an empty optional text is left out rather than saved empty. */
function optional(value: string): string | undefined {
  return value === '' ? undefined : value;
}

function Row({ children }: { children: ReactNode }) {
  return <div className="action-row">{children}</div>;
}

function SectionsForm({
  sections,
  onChange,
}: {
  sections: ListSectionView[];
  onChange: (sections: ListSectionView[]) => void;
}) {
  const rowCount = sections.reduce((total, section) => total + section.rows.length, 0);
  const update = (index: number, section: ListSectionView): void =>
    onChange(sections.map((s, i) => (i === index ? section : s)));
  return (
    <div className="list-sections">
      {sections.map((section, sectionIndex) => (
        <fieldset key={sectionIndex} className="list-section">
          <legend>Section {sectionIndex + 1}</legend>
          <Field
            label={`Section ${sectionIndex + 1} title`}
            value={section.title ?? ''}
            maxLength={limits.listSectionTitle}
            hint={sections.length > 1 ? 'Required when a list has 2 or more sections.' : 'Optional.'}
            onChange={(title) => update(sectionIndex, { ...section, title: optional(title) })}
          />
          {section.rows.map((row, rowIndex) => (
            <Row key={rowIndex}>
              <Field
                label={`Row ${rowIndex + 1} id`}
                value={row.id}
                maxLength={limits.listRowId}
                onChange={(id) =>
                  update(sectionIndex, {
                    ...section,
                    rows: section.rows.map((r, i) => (i === rowIndex ? { ...r, id } : r)),
                  })
                }
              />
              <Field
                label={`Row ${rowIndex + 1} title`}
                value={row.title}
                maxLength={limits.listRowTitle}
                onChange={(title) =>
                  update(sectionIndex, {
                    ...section,
                    rows: section.rows.map((r, i) => (i === rowIndex ? { ...r, title } : r)),
                  })
                }
              />
              <Field
                label={`Row ${rowIndex + 1} description`}
                value={row.description ?? ''}
                maxLength={limits.listRowDescription}
                onChange={(description) =>
                  update(sectionIndex, {
                    ...section,
                    rows: section.rows.map((r, i) =>
                      i === rowIndex ? { ...r, description: optional(description) } : r,
                    ),
                  })
                }
              />
              <button
                type="button"
                aria-label={`Remove row ${rowIndex + 1} of section ${sectionIndex + 1}`}
                disabled={section.rows.length <= 1}
                onClick={() =>
                  update(sectionIndex, { ...section, rows: section.rows.filter((_, i) => i !== rowIndex) })
                }
              >
                Remove row
              </button>
            </Row>
          ))}
          <div className="form-actions">
            <button
              type="button"
              disabled={rowCount >= limits.listRowsMax}
              onClick={() =>
                update(sectionIndex, { ...section, rows: [...section.rows, { id: '', title: '' }] })
              }
            >
              Add row
            </button>
            <button
              type="button"
              disabled={sections.length <= 1}
              onClick={() => onChange(sections.filter((_, i) => i !== sectionIndex))}
            >
              Remove section
            </button>
          </div>
        </fieldset>
      ))}
      <button
        type="button"
        disabled={sections.length >= limits.listSectionsMax || rowCount >= limits.listRowsMax}
        onClick={() => onChange([...sections, { title: '', rows: [{ id: '', title: '' }] }])}
      >
        Add section
      </button>
      <span className="muted field-hint">
        {' '}
        {rowCount}/{limits.listRowsMax} rows in all.
      </span>
    </div>
  );
}

function ActionFields({
  action,
  onChange,
  otherRules,
}: {
  action: ActionView;
  onChange: (action: ActionView) => void;
  otherRules: readonly RuleView[];
}) {
  const goToId = useId();
  const previewId = useId();
  switch (action.type) {
    case 'reply_text':
      return (
        <>
          <Field
            label="Reply text"
            multiline
            value={action.text}
            maxLength={limits.textBody}
            hint={placeholderHint}
            onChange={(text) => onChange({ ...action, text })}
          />
          <label className="checkbox" htmlFor={previewId}>
            <input
              id={previewId}
              type="checkbox"
              checked={action.previewUrl}
              onChange={(event) => onChange({ ...action, previewUrl: event.target.checked })}
            />{' '}
            Show a link preview
          </label>
        </>
      );
    case 'reply_buttons':
      return (
        <>
          <MessageFrameFields
            frame={action}
            bodyMaxLength={limits.buttonsBody}
            onChange={(frame) => onChange({ ...action, ...frame })}
          />
          {action.buttons.map((button, index) => (
            <Row key={index}>
              <Field
                label={`Button ${index + 1} id`}
                value={button.id}
                maxLength={limits.buttonId}
                hint="What a rule's reply id matches."
                onChange={(id) =>
                  onChange({
                    ...action,
                    buttons: action.buttons.map((b, i) => (i === index ? { ...b, id } : b)),
                  })
                }
              />
              <Field
                label={`Button ${index + 1} title`}
                value={button.title}
                maxLength={limits.buttonTitle}
                onChange={(title) =>
                  onChange({
                    ...action,
                    buttons: action.buttons.map((b, i) => (i === index ? { ...b, title } : b)),
                  })
                }
              />
              <button
                type="button"
                aria-label={`Remove button ${index + 1}`}
                disabled={action.buttons.length <= limits.buttonsMin}
                onClick={() => onChange({ ...action, buttons: action.buttons.filter((_, i) => i !== index) })}
              >
                Remove
              </button>
            </Row>
          ))}
          <button
            type="button"
            disabled={action.buttons.length >= limits.buttonsMax}
            onClick={() => onChange({ ...action, buttons: [...action.buttons, { id: '', title: '' }] })}
          >
            Add button
          </button>
          <span className="muted field-hint">
            {' '}
            {limits.buttonsMin}–{limits.buttonsMax} buttons.
          </span>
        </>
      );
    case 'reply_list':
      return (
        <>
          <MessageFrameFields
            frame={action}
            bodyMaxLength={limits.listBody}
            onChange={(frame) => onChange({ ...action, ...frame })}
          />
          <Field
            label="List button text"
            value={action.button}
            maxLength={limits.listButton}
            onChange={(button) => onChange({ ...action, button })}
          />
          <SectionsForm
            sections={action.sections}
            onChange={(sections) => onChange({ ...action, sections })}
          />
        </>
      );
    case 'send_template':
      return (
        <>
          <Field
            label="Template name"
            value={action.name}
            maxLength={512}
            hint="Exactly as in Meta: lowercase letters, digits and _."
            onChange={(name) => onChange({ ...action, name })}
          />
          <Field
            label="Template language"
            value={action.language}
            maxLength={10}
            hint="The template's exact language code (en is not en_US)."
            onChange={(language) => onChange({ ...action, language })}
          />
          {action.params.map((param, index) => (
            <Row key={index}>
              <Field
                label={`Parameter {{${index + 1}}}`}
                value={param.text}
                maxLength={botLimits.templateParam}
                onChange={(text) =>
                  onChange({
                    ...action,
                    params: action.params.map((p, i) => (i === index ? { ...p, text } : p)),
                  })
                }
              />
              <button
                type="button"
                aria-label={`Remove parameter ${index + 1}`}
                onClick={() => onChange({ ...action, params: action.params.filter((_, i) => i !== index) })}
              >
                Remove
              </button>
            </Row>
          ))}
          <button
            type="button"
            disabled={action.params.length >= botLimits.templateParams}
            onClick={() => onChange({ ...action, params: [...action.params, { text: '' }] })}
          >
            Add parameter
          </button>
        </>
      );
    case 'add_tag':
    case 'remove_tag':
      return (
        <Field
          label="Tag"
          value={action.tag}
          maxLength={botLimits.tag}
          onChange={(tag) => onChange({ ...action, tag })}
        />
      );
    case 'set_attribute':
      return (
        <Row>
          <Field
            label="Attribute name"
            value={action.key}
            maxLength={botLimits.attributeKey}
            onChange={(key) => onChange({ ...action, key })}
          />
          <Field
            label="Value"
            value={action.value}
            maxLength={botLimits.attributeValue}
            hint={placeholderHint}
            onChange={(value) => onChange({ ...action, value })}
          />
        </Row>
      );
    case 'opt_out':
    case 'opt_in':
      return (
        <Field
          label="Confirmation"
          multiline
          value={action.confirmation ?? ''}
          maxLength={limits.textBody}
          hint="Optional; sent only when the opt-in state actually changes."
          onChange={(confirmation) => onChange({ ...action, confirmation: optional(confirmation) })}
        />
      );
    case 'handoff':
      return (
        <Field
          label="Note for the agent"
          value={action.note ?? ''}
          maxLength={botLimits.note}
          hint="Optional. The bot pauses for this conversation until an agent resumes it."
          onChange={(note) => onChange({ ...action, note: optional(note) })}
        />
      );
    case 'go_to_rule':
      return (
        <div className="form-field">
          <label htmlFor={goToId}>Rule to run</label>
          <select
            id={goToId}
            value={action.ruleId}
            onChange={(event) => onChange({ ...action, ruleId: event.target.value })}
          >
            <option value="">Choose a saved rule…</option>
            {otherRules.map((rule) => (
              <option key={rule.id} value={rule.id}>
                {rule.name}
              </option>
            ))}
          </select>
        </div>
      );
  }
}

export function ActionForm({
  action,
  index,
  count,
  onChange,
  onRemove,
  onMove,
  otherRules,
}: {
  action: ActionView;
  index: number;
  count: number;
  onChange: (action: ActionView) => void;
  onRemove: () => void;
  onMove: (delta: -1 | 1) => void;
  otherRules: readonly RuleView[];
}) {
  return (
    <fieldset className="action-form" data-testid="action-form">
      <legend>
        Action {index + 1}: {actionLabels[action.type]}
      </legend>
      <ActionFields action={action} onChange={onChange} otherRules={otherRules} />
      <div className="form-actions">
        <button
          type="button"
          aria-label={`Move action ${index + 1} up`}
          disabled={index === 0}
          onClick={() => onMove(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          aria-label={`Move action ${index + 1} down`}
          disabled={index === count - 1}
          onClick={() => onMove(1)}
        >
          ↓
        </button>
        <button type="button" aria-label={`Remove action ${index + 1}`} onClick={onRemove}>
          Remove action
        </button>
      </div>
    </fieldset>
  );
}

interface MessageFrame {
  header?: string | undefined;
  body: string;
  footer?: string | undefined;
}

/** The header, body and footer that reply buttons and lists share (their limits differ only in the body). */
function MessageFrameFields(props: {
  frame: MessageFrame;
  bodyMaxLength: number;
  onChange: (frame: MessageFrame) => void;
}) {
  const { frame, onChange } = props;
  return (
    <>
      <Field
        label="Header"
        value={frame.header ?? ''}
        maxLength={limits.header}
        hint="Optional."
        onChange={(header) => onChange({ ...frame, header: optional(header) })}
      />
      <Field
        label="Body"
        multiline
        value={frame.body}
        maxLength={props.bodyMaxLength}
        hint={placeholderHint}
        onChange={(body) => onChange({ ...frame, body })}
      />
      <Field
        label="Footer"
        value={frame.footer ?? ''}
        maxLength={limits.footer}
        hint="Optional."
        onChange={(footer) => onChange({ ...frame, footer: optional(footer) })}
      />
    </>
  );
}
