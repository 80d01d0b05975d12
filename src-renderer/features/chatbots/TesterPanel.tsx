// The rule tester: play a customer message (typed text, or a tap on a button or list row) and see which
// rule fires, why, and exactly the messages that would go out. Main runs the bot's decision only:
// nothing is sent or stored.
import { useId, useState, type FormEvent } from 'react';
import type {
  BotOutboundView,
  BotTestResult,
  BotView,
  TestMessage,
} from '../../../src-preload/chatbots.contract';
import { errorMessage } from '../../lib/api';
import { useChatbotsStore } from '../../stores/chatbots';

type Mode = 'text' | 'button_reply' | 'list_reply';

export function OutboundPreview({ message }: { message: BotOutboundView }) {
  switch (message.type) {
    case 'text':
      return <div className="bubble business">{message.text.body}</div>;
    case 'template':
      return (
        <div className="bubble business">
          <em>
            Template {message.template.name} ({message.template.language.code})
          </em>
          {message.template.components?.[0]?.parameters.map((param, index) => (
            <div key={index} className="muted">
              {`{{${param.parameter_name ?? index + 1}}}`} = {param.text}
            </div>
          ))}
        </div>
      );
    case 'interactive': {
      const { interactive } = message;
      return (
        <div className="bubble business">
          {interactive.header ? <strong className="bubble-header">{interactive.header.text}</strong> : null}
          <div>{interactive.body.text}</div>
          {interactive.footer ? <div className="muted bubble-footer">{interactive.footer.text}</div> : null}
          {interactive.type === 'button' ? (
            <ul className="bubble-buttons" aria-label="Reply buttons">
              {interactive.action.buttons.map((button) => (
                <li key={button.reply.id}>
                  {button.reply.title} <code className="muted">{button.reply.id}</code>
                </li>
              ))}
            </ul>
          ) : (
            <div className="bubble-list">
              <div className="bubble-list-button">☰ {interactive.action.button}</div>
              {interactive.action.sections.map((section, index) => (
                <div key={index}>
                  {section.title ? <div className="muted">{section.title}</div> : null}
                  <ul aria-label={section.title ?? 'List rows'}>
                    {section.rows.map((row) => (
                      <li key={row.id}>
                        {row.title} <code className="muted">{row.id}</code>
                        {row.description ? <div className="muted">{row.description}</div> : null}
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </div>
          )}
        </div>
      );
    }
  }
}

function outcomeText(result: BotTestResult): string {
  if (result.outcome === 'rule' && result.rule) return `Rule “${result.rule.name}” fires.`;
  if (result.outcome === 'compliance' && result.compliance) {
    return `Built-in ${result.compliance.action === 'opt_out' ? 'opt-out' : 'opt-in'}: “${result.compliance.matched}” (${result.compliance.language}).`;
  }
  return `The bot stays silent (${(result.silentReason ?? 'no_rule_matched').replaceAll('_', ' ')}).`;
}

/** The ids of the bot's own reply buttons and list rows: what a customer can actually tap. */
function replyIdsOf(bot: BotView): string[] {
  const ids = new Set<string>();
  for (const rule of bot.rules) {
    for (const action of rule.actions) {
      if (action.type === 'reply_buttons') for (const button of action.buttons) ids.add(button.id);
      if (action.type === 'reply_list') {
        for (const section of action.sections) for (const row of section.rows) ids.add(row.id);
      }
    }
  }
  return [...ids];
}

export function TesterPanel({ bot }: { bot: BotView }) {
  const [mode, setMode] = useState<Mode>('text');
  const [text, setText] = useState('');
  const [replyId, setReplyId] = useState('');
  const [firstMessage, setFirstMessage] = useState(false);
  const [at, setAt] = useState('');
  const [result, setResult] = useState<BotTestResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const modeId = useId();
  const textId = useId();
  const firstId = useId();
  const atId = useId();
  const idsListId = useId();

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const message: TestMessage =
        mode === 'text' ? { kind: 'text', text } : { kind: mode, id: replyId.trim() };
      const when = at === '' ? undefined : new Date(at).getTime();
      setResult(
        await useChatbotsStore.getState().test({
          message,
          ...(firstMessage ? { isFirstMessage: true } : {}),
          ...(when !== undefined && Number.isFinite(when) ? { at: when } : {}),
        }),
      );
    } catch (failure) {
      setResult(undefined);
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="tester" aria-labelledby="tester-title" data-testid="tester">
      <h3 id="tester-title">Test the bot</h3>
      <p className="muted">Nothing is sent: this shows what the bot would do.</p>
      <form onSubmit={(event) => void onSubmit(event)} aria-label="Test a customer message">
        <div className="form-field">
          <label htmlFor={modeId}>The customer</label>
          <select id={modeId} value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
            <option value="text">types a message</option>
            <option value="button_reply">taps a reply button</option>
            <option value="list_reply">picks a list row</option>
          </select>
        </div>
        {mode === 'text' ? (
          <div className="form-field">
            <label htmlFor={textId}>Test message</label>
            <input
              id={textId}
              value={text}
              maxLength={4096}
              onChange={(event) => setText(event.target.value)}
            />
          </div>
        ) : (
          <div className="form-field">
            <label htmlFor={textId}>Button or row id</label>
            <input
              id={textId}
              value={replyId}
              maxLength={256}
              list={idsListId}
              onChange={(event) => setReplyId(event.target.value)}
            />
            <datalist id={idsListId}>
              {replyIdsOf(bot).map((id) => (
                <option key={id} value={id} />
              ))}
            </datalist>
          </div>
        )}
        <label className="checkbox" htmlFor={firstId}>
          <input
            id={firstId}
            type="checkbox"
            checked={firstMessage}
            onChange={(event) => setFirstMessage(event.target.checked)}
          />{' '}
          First message of a new conversation
        </label>
        <div className="form-field">
          <label htmlFor={atId}>At (optional, your local time)</label>
          <input id={atId} type="datetime-local" value={at} onChange={(event) => setAt(event.target.value)} />
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            Run test
          </button>
        </div>
      </form>
      {error ? (
        <p className="form-error multiline" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <div className="tester-result" data-testid="tester-result" aria-live="polite">
          <p className="tester-outcome" data-testid="tester-outcome">
            {outcomeText(result)}
          </p>
          {result.messages.length > 0 ? (
            <>
              <h4>Would send</h4>
              <div className="tester-messages" data-testid="tester-messages">
                {result.messages.map((message, index) => (
                  <OutboundPreview key={index} message={message} />
                ))}
              </div>
            </>
          ) : (
            <p className="muted">Would send nothing.</p>
          )}
          {result.effects.some((effect) => effect.kind !== 'send') ? (
            <>
              <h4>Would also</h4>
              <ul>
                {result.effects
                  .filter((effect) => effect.kind !== 'send')
                  .map((effect, index) => (
                    <li key={index}>{effect.kind.replaceAll('_', ' ')}</li>
                  ))}
              </ul>
            </>
          ) : null}
          <details>
            <summary>Why</summary>
            <ol className="tester-trace">
              {result.trace.map((line, index) => (
                <li key={index} className={`trace-${line.step}`}>
                  {line.message}
                </li>
              ))}
            </ol>
          </details>
        </div>
      ) : null}
    </section>
  );
}
