// One labelled input per variable of a template (header text or media, body, URL suffix, copy code),
// limited to Meta's lengths (whatsapp-cloud-api.md §2, §5). The value is the TemplateParams a send
// takes, so a parent can keep it as is and pass it to TemplatePreview and the send call.
import { useId } from 'react';
import type { TemplateParams, TemplateView } from '../../../src-preload/messaging.contract';
import { buildTemplateParams, templateVariables, valuesFromParams } from './templateVariables';

export function TemplateVariablesForm(props: {
  template: TemplateView;
  value: TemplateParams;
  onChange: (v: TemplateParams) => void;
}) {
  const { template, value, onChange } = props;
  const idBase = useId();
  const variables = templateVariables(template);
  if (variables.length === 0) {
    return <p className="muted tpl-no-vars">This template has no variables: it is sent as it is.</p>;
  }
  const values = valuesFromParams(template, value);
  const update = (key: string, text: string): void => {
    onChange(buildTemplateParams(template, { ...values, [key]: text }) ?? {});
  };

  return (
    <fieldset className="tpl-vars">
      <legend>Variables</legend>
      {variables.map((variable) => {
        const id = `${idBase}-${variable.key}`;
        const current = values[variable.key] ?? '';
        const hintId = `${id}-hint`;
        return (
          <div key={variable.key} className="tpl-var-field">
            <label htmlFor={id}>{variable.label}</label>
            <input
              id={id}
              type="text"
              value={current}
              maxLength={variable.maxLength}
              placeholder={variable.example ?? ''}
              aria-describedby={hintId}
              required
              onChange={(e) => update(variable.key, e.target.value)}
            />
            <span id={hintId} className="muted tpl-var-hint">
              {variable.media
                ? `Upload the ${variable.media} first and paste its media id.`
                : `${current.length}/${variable.maxLength}${variable.example ? ` · e.g. ${variable.example}` : ''}`}
            </span>
          </div>
        );
      })}
    </fieldset>
  );
}
