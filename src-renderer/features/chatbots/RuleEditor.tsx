// Edits one rule (or a new one) as a local draft; "Save rule" sends the bot's whole ordered rule list
// with this rule in place, and main checks the whole bot (limits, go-to targets, loops). Main's answer
// names each problem's place ("rule 2 › action 1 › button 3 › title: …"), shown as is.
import { useId, useState, type FormEvent } from 'react';
import {
  botLimits,
  type ActionType,
  type ActionView,
  type BotView,
  type RuleView,
} from '../../../src-preload/chatbots.contract';
import { errorMessage } from '../../lib/api';
import { useChatbotsStore } from '../../stores/chatbots';
import { ActionForm, actionLabels, defaultAction } from './ActionForm';
import { TriggerForm } from './TriggerForm';

export type RuleDraftState = Omit<RuleView, 'id'> & { id?: string };

export function newRuleDraft(): RuleDraftState {
  return {
    name: '',
    enabled: true,
    trigger: { type: 'keyword', match: 'exact', keywords: [] },
    actions: [],
  };
}

function move<T>(items: readonly T[], index: number, delta: number): T[] {
  const target = index + delta;
  if (target < 0 || target >= items.length) return [...items];
  const copy = [...items];
  const [item] = copy.splice(index, 1);
  copy.splice(target, 0, item as T);
  return copy;
}

export function RuleEditor({
  bot,
  initial,
  onClose,
}: {
  bot: BotView;
  initial: RuleDraftState;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState<RuleDraftState>(initial);
  const [newActionType, setNewActionType] = useState<ActionType>('reply_text');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const nameId = useId();
  const enabledId = useId();
  const addTypeId = useId();
  const otherRules = bot.rules.filter((rule) => rule.id !== draft.id);
  const isNew = draft.id === undefined;

  const save = async (rules: readonly RuleDraftState[]): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await useChatbotsStore.getState().saveRules(rules.map((rule) => ({ ...rule })));
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    const rules: RuleDraftState[] = isNew
      ? [...bot.rules, draft]
      : bot.rules.map((rule) => (rule.id === draft.id ? draft : rule));
    void save(rules);
  };

  const setActions = (actions: ActionView[]): void => setDraft({ ...draft, actions });

  return (
    <form
      className="rule-editor"
      aria-label={isNew ? 'New rule' : `Edit rule ${initial.name}`}
      onSubmit={onSubmit}
      data-testid="rule-editor"
    >
      <h3>{isNew ? 'New rule' : `Edit rule “${initial.name}”`}</h3>
      <div className="form-field">
        <label htmlFor={nameId}>Rule name</label>
        <input
          id={nameId}
          value={draft.name}
          maxLength={botLimits.ruleName}
          onChange={(event) => setDraft({ ...draft, name: event.target.value })}
          placeholder="Main menu"
        />
      </div>
      <label className="checkbox" htmlFor={enabledId}>
        <input
          id={enabledId}
          type="checkbox"
          checked={draft.enabled}
          onChange={(event) => setDraft({ ...draft, enabled: event.target.checked })}
        />{' '}
        Rule enabled
      </label>
      <TriggerForm
        trigger={draft.trigger}
        onChange={(trigger) => setDraft({ ...draft, trigger })}
        hasBusinessHours={bot.businessHours !== null}
      />
      <fieldset className="actions-form">
        <legend>Then</legend>
        {draft.actions.length === 0 ? <p className="muted">No actions yet.</p> : null}
        {draft.actions.map((action, index) => (
          <ActionForm
            // Actions have no id; the index is their identity while the rule is edited.
            key={`${index}:${action.type}`}
            action={action}
            index={index}
            count={draft.actions.length}
            otherRules={otherRules}
            onChange={(next) => setActions(draft.actions.map((a, i) => (i === index ? next : a)))}
            onRemove={() => setActions(draft.actions.filter((_, i) => i !== index))}
            onMove={(delta) => setActions(move(draft.actions, index, delta))}
          />
        ))}
        <div className="add-action">
          <label htmlFor={addTypeId}>New action</label>
          <select
            id={addTypeId}
            value={newActionType}
            onChange={(event) => setNewActionType(event.target.value as ActionType)}
          >
            {(Object.keys(actionLabels) as ActionType[]).map((type) => (
              <option key={type} value={type}>
                {actionLabels[type]}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={draft.actions.length >= botLimits.actionsPerRule}
            onClick={() => setActions([...draft.actions, defaultAction(newActionType, otherRules)])}
          >
            Add action
          </button>
        </div>
      </fieldset>
      {error ? (
        <p className="form-error multiline" role="alert" data-testid="rule-error">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save rule
        </button>
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        {!isNew ? (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => void save(bot.rules.filter((rule) => rule.id !== draft.id))}
          >
            Delete rule
          </button>
        ) : null}
      </div>
    </form>
  );
}
