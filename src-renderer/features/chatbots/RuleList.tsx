// The bot's rules in the order they are tried. Reorder by dragging a rule onto another (HTML5 drag and
// drop) or, from the keyboard, with its Move up / Move down buttons; both send the new order to main
// at once. Each rule has its own enabled switch.
import { useState } from 'react';
import type { BotView, RuleView, TriggerView } from '../../../src-preload/chatbots.contract';
import { errorMessage } from '../../lib/api';
import { useChatbotsStore } from '../../stores/chatbots';
import { actionLabels } from './ActionForm';
import { triggerLabels } from './TriggerForm';

function describeTrigger(trigger: TriggerView): string {
  switch (trigger.type) {
    case 'keyword':
      return `Keyword ${trigger.match.replace('_', ' ')}: ${trigger.keywords.join(', ')}`;
    case 'reply_id':
      return `Reply id: ${trigger.ids.join(', ')}`;
    case 'first_message':
    case 'outside_business_hours':
    case 'fallback':
      return triggerLabels[trigger.type];
  }
}

/** `ids` with `moved` taken out and put where `target` is. */
export function moveTo(ids: readonly string[], moved: string, target: string): string[] {
  const from = ids.indexOf(moved);
  const to = ids.indexOf(target);
  if (from === -1 || to === -1 || from === to) return [...ids];
  const copy = [...ids];
  copy.splice(from, 1);
  copy.splice(to, 0, moved);
  return copy;
}

export function RuleList({ bot, onEdit }: { bot: BotView; onEdit: (rule: RuleView) => void }) {
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const ids = bot.rules.map((rule) => rule.id);

  const reorder = (next: string[]): void => {
    setError(undefined);
    useChatbotsStore
      .getState()
      .reorderRules(next)
      .catch((failure: unknown) => setError(errorMessage(failure)));
  };
  const step = (index: number, delta: -1 | 1): void => {
    const target = ids[index + delta];
    const moved = ids[index];
    if (target !== undefined && moved !== undefined) reorder(moveTo(ids, moved, target));
  };

  if (bot.rules.length === 0) {
    return <p className="muted">No rules yet. Add one: a keyword menu, an away message, a fallback…</p>;
  }
  return (
    <>
      <ol className="rule-list" aria-label="Rules, in the order they are tried">
        {bot.rules.map((rule, index) => (
          <li
            key={rule.id}
            className={`rule-item${dragging === rule.id ? ' dragging' : ''}${over === rule.id && dragging !== rule.id ? ' drop-target' : ''}${rule.enabled ? '' : ' disabled'}`}
            draggable
            data-testid="rule-item"
            data-rule-name={rule.name}
            aria-label={rule.name}
            onDragStart={(event) => {
              event.dataTransfer.setData('text/plain', rule.id);
              event.dataTransfer.effectAllowed = 'move';
              setDragging(rule.id);
            }}
            onDragEnd={() => {
              setDragging(null);
              setOver(null);
            }}
            onDragOver={(event) => {
              event.preventDefault();
              event.dataTransfer.dropEffect = 'move';
              setOver(rule.id);
            }}
            onDragLeave={() => setOver((current) => (current === rule.id ? null : current))}
            onDrop={(event) => {
              event.preventDefault();
              const moved = event.dataTransfer.getData('text/plain') || dragging;
              setDragging(null);
              setOver(null);
              if (moved && moved !== rule.id) reorder(moveTo(ids, moved, rule.id));
            }}
          >
            <span className="drag-handle" aria-hidden="true">
              ⠿
            </span>
            <span className="rule-position">{index + 1}.</span>
            <div className="rule-summary">
              <strong>{rule.name}</strong>
              <span className="muted">{describeTrigger(rule.trigger)}</span>
              <span className="muted">
                {rule.actions.map((action) => actionLabels[action.type]).join(' → ') || 'No actions'}
              </span>
            </div>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={rule.enabled}
                aria-label={`Rule ${rule.name} enabled`}
                onChange={(event) => {
                  setError(undefined);
                  useChatbotsStore
                    .getState()
                    .setRuleEnabled(rule.id, event.target.checked)
                    .catch((failure: unknown) => setError(errorMessage(failure)));
                }}
              />{' '}
              On
            </label>
            <button
              type="button"
              aria-label={`Move ${rule.name} up`}
              disabled={index === 0}
              onClick={() => step(index, -1)}
            >
              ↑
            </button>
            <button
              type="button"
              aria-label={`Move ${rule.name} down`}
              disabled={index === bot.rules.length - 1}
              onClick={() => step(index, 1)}
            >
              ↓
            </button>
            <button type="button" aria-label={`Edit ${rule.name}`} onClick={() => onEdit(rule)}>
              Edit
            </button>
          </li>
        ))}
      </ol>
      {error ? (
        <p className="form-error multiline" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
