// One labelled input per variable of a template (header text or media, body, URL suffix, copy code),
// limited to Meta's lengths (whatsapp-cloud-api.md §2, §5). The value is the TemplateParams a send
// takes, so a parent can keep it as is and pass it to TemplatePreview and the send call.
import { useEffect, useId, useRef, useState } from 'react';
import type { TemplateParams, TemplateView } from '../../../src-preload/messaging.contract';
import { api, errorMessage } from '../../lib/api';
import { stageFile } from '../../lib/stageFile';
import { buildTemplateParams, templateVariables, valuesFromParams } from './templateVariables';

const acceptByKind = {
  image: 'image/jpeg,image/png',
  video: 'video/mp4,video/3gpp',
  document: '.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt',
} as const;

/**
 * The header file of a send: staged like an attachment, uploaded to the connection's /media (§8), and
 * its media id put into the variable.
 */
function HeaderFileUpload(props: {
  connectionId: string;
  kind: 'image' | 'video' | 'document';
  onUploaded: (mediaId: string) => void;
}) {
  const id = useId();
  const [state, setState] = useState<{ busy: boolean; note: string | null; error: string | null }>({
    busy: false,
    note: null,
    error: null,
  });
  const upload = async (file: File): Promise<void> => {
    setState({ busy: true, note: `Uploading ${file.name}…`, error: null });
    try {
      const uploadId = await stageFile(file);
      const uploaded = await api.invoke('media:upload-template-header', {
        connectionId: props.connectionId,
        uploadId,
      });
      props.onUploaded(uploaded.mediaId);
      setState({ busy: false, note: `Uploaded ${uploaded.fileName}.`, error: null });
    } catch (error) {
      setState({ busy: false, note: null, error: errorMessage(error) });
    }
  };
  return (
    <div className="tpl-var-upload">
      <label htmlFor={id}>Upload the header {props.kind}</label>
      <input
        id={id}
        type="file"
        accept={acceptByKind[props.kind]}
        disabled={state.busy}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void upload(file);
        }}
      />
      {state.note ? (
        <span className="muted" role="status">
          {state.note}
        </span>
      ) : null}
      {state.error ? (
        <span className="error-text" role="alert">
          {state.error}
        </span>
      ) : null}
    </div>
  );
}

export function TemplateVariablesForm(props: {
  template: TemplateView;
  value: TemplateParams;
  onChange: (v: TemplateParams) => void;
}) {
  const { template, value, onChange } = props;
  const idBase = useId();
  // An upload finishes later: it must add its id to what the fields hold then, not when it started.
  const latest = useRef({ value, onChange });
  useEffect(() => {
    latest.current = { value, onChange };
  });
  const variables = templateVariables(template);
  if (variables.length === 0) {
    return <p className="muted tpl-no-vars">This template has no variables: it is sent as it is.</p>;
  }
  const values = valuesFromParams(template, value);
  const update = (key: string, text: string): void => {
    onChange(buildTemplateParams(template, { ...values, [key]: text }) ?? {});
  };
  const uploaded = (key: string, mediaId: string): void => {
    const { value: current, onChange: change } = latest.current;
    change(buildTemplateParams(template, { ...valuesFromParams(template, current), [key]: mediaId }) ?? {});
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
                ? `Upload the ${variable.media} below, or paste the id of one already uploaded.`
                : `${current.length}/${variable.maxLength}${variable.example ? ` · e.g. ${variable.example}` : ''}`}
            </span>
            {variable.media ? (
              <HeaderFileUpload
                connectionId={template.connectionId}
                kind={variable.media}
                onUploaded={(mediaId) => uploaded(variable.key, mediaId)}
              />
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}
