// What makes a rule fire. Keywords and reply ids are typed as a comma-separated list; the raw text is
// kept while typing so a trailing comma does not vanish under the cursor.
import { useId, useState } from 'react';
import {
  botLimits,
  type KeywordMatch,
  type TriggerType,
  type TriggerView,
} from '../../../src-preload/chatbots.contract';

export const triggerLabels: Record<TriggerType, string> = {
  keyword: 'Keyword',
  first_message: 'First message of a conversation',
  outside_business_hours: 'Outside business hours',
  reply_id: 'Button or list reply',
  fallback: 'Fallback (nothing else matched)',
};

const matchLabels: Record<KeywordMatch, string> = {
  exact: 'is exactly',
  contains: 'contains',
  starts_with: 'starts with',
  regex: 'matches the pattern (regex)',
};

export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function defaultTrigger(type: TriggerType): TriggerView {
  switch (type) {
    case 'keyword':
      return { type, match: 'exact', keywords: [] };
    case 'reply_id':
      return { type, ids: [] };
    case 'first_message':
    case 'outside_business_hours':
    case 'fallback':
      return { type };
  }
}

function ListInput({
  label,
  values,
  onChange,
  placeholder,
  hint,
  maxLength,
}: {
  label: string;
  values: string[];
  onChange: (values: string[]) => void;
  placeholder: string;
  hint: string;
  maxLength: number;
}) {
  const [text, setText] = useState(values.join(', '));
  const id = useId();
  const hintId = useId();
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={text}
        placeholder={placeholder}
        maxLength={maxLength}
        aria-describedby={hintId}
        onChange={(event) => {
          setText(event.target.value);
          onChange(splitList(event.target.value));
        }}
      />
      <span id={hintId} className="muted field-hint">
        {hint}
      </span>
    </div>
  );
}

export function TriggerForm({
  trigger,
  onChange,
  hasBusinessHours,
}: {
  trigger: TriggerView;
  onChange: (trigger: TriggerView) => void;
  hasBusinessHours: boolean;
}) {
  const typeId = useId();
  const matchId = useId();
  return (
    <fieldset className="trigger-form">
      <legend>When</legend>
      <div className="form-field">
        <label htmlFor={typeId}>Trigger</label>
        <select
          id={typeId}
          value={trigger.type}
          onChange={(event) => onChange(defaultTrigger(event.target.value as TriggerType))}
        >
          {(Object.keys(triggerLabels) as TriggerType[]).map((type) => (
            <option key={type} value={type}>
              {triggerLabels[type]}
            </option>
          ))}
        </select>
      </div>
      {trigger.type === 'keyword' ? (
        <>
          <div className="form-field">
            <label htmlFor={matchId}>The message</label>
            <select
              id={matchId}
              value={trigger.match}
              onChange={(event) => onChange({ ...trigger, match: event.target.value as KeywordMatch })}
            >
              {(Object.keys(matchLabels) as KeywordMatch[]).map((match) => (
                <option key={match} value={match}>
                  {matchLabels[match]}
                </option>
              ))}
            </select>
          </div>
          <ListInput
            label="Keywords"
            values={trigger.keywords}
            onChange={(keywords) => onChange({ ...trigger, keywords })}
            placeholder="menu, hi, hello"
            hint={`Separate with commas; at most ${botLimits.keywordsPerRule}. Case and accents do not matter.`}
            maxLength={botLimits.keywordsPerRule * (botLimits.keyword + 2)}
          />
        </>
      ) : null}
      {trigger.type === 'reply_id' ? (
        <ListInput
          label="Button or row ids"
          values={trigger.ids}
          onChange={(ids) => onChange({ ...trigger, ids })}
          placeholder="hours, prices"
          hint="The id of a reply button or list row the customer taps (or a template quick-reply payload)."
          maxLength={botLimits.replyIdsPerRule * 258}
        />
      ) : null}
      {trigger.type === 'outside_business_hours' ? (
        <p className="muted field-hint">
          Fires for any message while closed, at most once per conversation per day.
          {hasBusinessHours ? '' : ' Set the business hours below first.'}
        </p>
      ) : null}
      {trigger.type === 'first_message' ? (
        <p className="muted field-hint">Fires for the first message of a new conversation.</p>
      ) : null}
      {trigger.type === 'fallback' ? (
        <p className="muted field-hint">Fires when no other rule matched, wherever it sits in the list.</p>
      ) : null}
    </fieldset>
  );
}
