// The Chatbots screen: pick a WhatsApp number, its bots, and edit the open bot — rules in order (drag
// or move up/down), each rule's trigger and actions, business hours and STOP/START confirmations — then
// try it in the tester (nothing sent) or, on the Sandbox number, on the Sandbox phone (for real).
import { useEffect, useId, useState, type FormEvent } from 'react';
import { botLimits, type BotView } from '../../../src-preload/chatbots.contract';
import { errorMessage } from '../../lib/api';
import { useChatbotsStore } from '../../stores/chatbots';
import { useConnectionsStore } from '../../stores/connections';
import { SandboxPhone } from '../sandbox/SandboxPhone';
import { BotSettingsPanel } from './BusinessHoursEditor';
import { newRuleDraft, RuleEditor, type RuleDraftState } from './RuleEditor';
import { RuleList } from './RuleList';
import { TesterPanel } from './TesterPanel';
import './chatbots.css';

function CreateBotForm() {
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const nameId = useId();
  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await useChatbotsStore.getState().createBot(name);
      setName('');
    } catch (failure) {
      setError(errorMessage(failure).replace(/^Invalid request for [\w:-]+ at name: /, ''));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="create-bot" onSubmit={(event) => void onSubmit(event)} aria-label="New chatbot">
      <label htmlFor={nameId}>New chatbot name</label>
      <div className="inline-form">
        <input
          id={nameId}
          value={name}
          maxLength={botLimits.botName}
          placeholder="Opening hours bot"
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          Create chatbot
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

function BotHeader({ bot, othersEnabled }: { bot: BotView; othersEnabled: boolean }) {
  const [name, setName] = useState(bot.name);
  const [error, setError] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const nameId = useId();
  const enabledId = useId();
  const act = (action: () => Promise<void>): void => {
    setError(undefined);
    action().catch((failure: unknown) =>
      setError(errorMessage(failure).replace(/^Invalid request for [\w:-]+ at \w+: /, '')),
    );
  };
  return (
    <div className="bot-header">
      <form
        className="inline-form"
        aria-label="Rename chatbot"
        onSubmit={(event) => {
          event.preventDefault();
          act(() => useChatbotsStore.getState().renameBot(name));
        }}
      >
        <label htmlFor={nameId} className="visually-hidden">
          Chatbot name
        </label>
        <input
          id={nameId}
          value={name}
          maxLength={botLimits.botName}
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" disabled={name === bot.name}>
          Rename
        </button>
      </form>
      <label className="checkbox bot-enabled" htmlFor={enabledId}>
        <input
          id={enabledId}
          type="checkbox"
          checked={bot.enabled}
          onChange={(event) => {
            const enabled = event.target.checked;
            act(() => useChatbotsStore.getState().setBotEnabled(enabled));
          }}
        />{' '}
        Bot enabled
      </label>
      {confirmDelete ? (
        <span className="confirm-delete">
          Delete “{bot.name}” and its {bot.rules.length} rules?{' '}
          <button
            type="button"
            className="danger"
            onClick={() => act(() => useChatbotsStore.getState().deleteBot())}
          >
            Delete chatbot
          </button>{' '}
          <button type="button" onClick={() => setConfirmDelete(false)}>
            Keep it
          </button>
        </span>
      ) : (
        <button type="button" onClick={() => setConfirmDelete(true)}>
          Delete…
        </button>
      )}
      {othersEnabled && bot.enabled ? (
        <p className="connection-warning">
          Another chatbot on this number is also on: only the oldest enabled one answers.
        </p>
      ) : null}
      {error ? (
        <p className="form-error multiline" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function BotEditor({ bot, othersEnabled }: { bot: BotView; othersEnabled: boolean }) {
  const [editing, setEditing] = useState<RuleDraftState | null>(null);
  return (
    <div className="bot-editor" data-testid="bot-editor">
      <BotHeader key={`${bot.id}:${bot.name}`} bot={bot} othersEnabled={othersEnabled} />
      <section aria-labelledby="rules-title" className="rules-section">
        <div className="section-head">
          <h2 id="rules-title">Rules</h2>
          <button
            type="button"
            disabled={editing !== null || bot.rules.length >= botLimits.rules}
            onClick={() => setEditing(newRuleDraft())}
          >
            Add rule
          </button>
        </div>
        <p className="muted">
          Tried from the top; the first that matches answers. STOP and START are handled before any rule.
        </p>
        <RuleList bot={bot} onEdit={(rule) => setEditing(rule)} />
        {editing ? (
          <RuleEditor
            key={editing.id ?? 'new'}
            bot={bot}
            initial={editing}
            onClose={() => setEditing(null)}
          />
        ) : null}
      </section>
      <TesterPanel key={`tester:${bot.id}`} bot={bot} />
      <BotSettingsPanel bot={bot} />
    </div>
  );
}

export function ChatbotsScreen() {
  const connections = useConnectionsStore((s) => s.connections);
  const connectionsLoaded = useConnectionsStore((s) => s.loaded);
  const workspaceId = useConnectionsStore((s) => s.currentWorkspaceId);
  const connectionId = useChatbotsStore((s) => s.connectionId);
  const bots = useChatbotsStore((s) => s.bots);
  const selectedBotId = useChatbotsStore((s) => s.selectedBotId);
  const bot = useChatbotsStore((s) => s.bot);
  const listError = useChatbotsStore((s) => s.listError);
  const connectionSelectId = useId();

  const numbers = connections.filter((c) => c.workspaceId === workspaceId);
  const connection = numbers.find((c) => c.id === connectionId);

  useEffect(() => {
    if (!connectionsLoaded) void useConnectionsStore.getState().load();
  }, [connectionsLoaded]);
  useEffect(() => {
    // Keep the chosen number while it exists; otherwise the Sandbox (the place to try bots), else the first.
    if (connectionId && numbers.some((c) => c.id === connectionId)) return;
    const preferred = numbers.find((c) => c.kind === 'sandbox') ?? numbers[0];
    void useChatbotsStore.getState().setConnection(preferred?.id ?? null);
  }, [connectionId, numbers]);

  const othersEnabled = bots.some((b) => b.enabled && b.id !== selectedBotId);

  return (
    <section className="screen chatbots-screen" aria-labelledby="chatbots-title">
      <h1 id="chatbots-title">Chatbots</h1>
      {connectionsLoaded && numbers.length === 0 ? (
        <p className="banner error">Add a WhatsApp connection in Settings first.</p>
      ) : null}
      <div className="form-field">
        <label htmlFor={connectionSelectId}>WhatsApp number</label>
        <select
          id={connectionSelectId}
          value={connectionId ?? ''}
          onChange={(event) => void useChatbotsStore.getState().setConnection(event.target.value || null)}
        >
          {numbers.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.displayPhoneNumber ? ` (+${c.displayPhoneNumber})` : ''}
            </option>
          ))}
        </select>
      </div>
      {listError ? (
        <p className="banner error" role="alert">
          {listError}
        </p>
      ) : null}
      <div className={`chatbots-layout${connection?.kind === 'sandbox' ? ' with-phone' : ''}`}>
        <nav className="bot-list" aria-label="Chatbots on this number">
          <ul>
            {bots.map((b) => (
              <li key={b.id}>
                <button
                  type="button"
                  aria-current={b.id === selectedBotId ? 'true' : undefined}
                  onClick={() => void useChatbotsStore.getState().selectBot(b.id)}
                >
                  {b.name}{' '}
                  <span className={`badge ${b.enabled ? 'badge-ok' : ''}`}>{b.enabled ? 'on' : 'off'}</span>
                </button>
              </li>
            ))}
          </ul>
          {connectionId ? <CreateBotForm /> : null}
        </nav>
        <div className="bot-main">
          {bot ? (
            <BotEditor key={bot.id} bot={bot} othersEnabled={othersEnabled} />
          ) : bots.length === 0 && connectionId ? (
            <p className="muted empty-state">
              No chatbot on this number yet. Create one: it starts switched off so you can build and test it
              first.
            </p>
          ) : null}
        </div>
        {connection?.kind === 'sandbox' && connection.reachable ? (
          <aside className="phone-column" aria-label="Sandbox phone panel">
            <SandboxPhone connectionId={connection.id} />
          </aside>
        ) : null}
      </div>
    </section>
  );
}
