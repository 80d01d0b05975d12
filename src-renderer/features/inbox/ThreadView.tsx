// The open conversation: who it is, the 24 h window, close / reopen and bot pause; the messages with day
// separators (older pages on demand; a search hit is scrolled to and highlighted); the composer.
import { Fragment, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { MessageView } from '../../../src-preload/messaging.contract';
import { api, errorMessage } from '../../lib/api';
import { useInboxStore, type ThreadState } from '../../stores/inbox';
import { Composer } from './Composer';
import { dayKey, dayLabel, windowState } from './inboxTime';
import { MessageBubble, shownAt } from './MessageBubble';
import { field, str } from './MessageContent';

export function ThreadView() {
  const thread = useInboxStore((s) => s.thread);
  const loading = useInboxStore((s) => s.threadLoading);
  const threadError = useInboxStore((s) => s.threadError);
  if (!thread) {
    return (
      <section className="thread thread-empty" aria-label="Conversation">
        {loading ? <p className="muted">Opening…</p> : null}
        {threadError ? (
          <p className="error-text" role="alert">
            {threadError}
          </p>
        ) : null}
        {!loading && !threadError ? <p className="muted">Choose a conversation to read and reply.</p> : null}
      </section>
    );
  }
  // Keyed by conversation: another conversation starts with a fresh composer, reply and scroll state.
  return <OpenThread key={thread.conversation.id} thread={thread} />;
}

function OpenThread({ thread }: { thread: ThreadState }) {
  const [replyTo, setReplyTo] = useState<MessageView | null>(null);
  const [templateMode, setTemplateMode] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scrollRef = useRef<HTMLDivElement>(null);
  const lastCount = useRef(0);
  const byWamid = useMemo(() => {
    const map = new Map<string, MessageView>();
    for (const m of thread.items) if (m.wamid) map.set(m.wamid, m);
    return map;
  }, [thread.items]);

  // Keep the newest message in view as messages arrive, unless the user is reading older ones or a
  // search hit is focused.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const grew = thread.items.length > lastCount.current;
    const first = lastCount.current === 0;
    lastCount.current = thread.items.length;
    if (thread.focusMessageId) {
      const target = el.querySelector(`[data-message-id="${CSS.escape(thread.focusMessageId)}"]`);
      if (target instanceof HTMLElement) target.scrollIntoView({ block: 'center' });
      return;
    }
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 160;
    if (
      first ||
      (grew && nearBottom) ||
      (grew && thread.items[thread.items.length - 1]?.direction === 'outbound')
    ) {
      el.scrollTop = el.scrollHeight;
    }
  }, [thread]);

  const { conversation } = thread;
  const chatWindow = windowState(conversation.windowEndsAt);
  const name = conversation.contact.name || conversation.contact.phone;

  const act = async (run: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setActionError(null);
    try {
      await run();
    } catch (error) {
      setActionError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  const setStatus = (status: 'open' | 'closed') =>
    act(async () =>
      useInboxStore
        .getState()
        .upsertConversation(
          await api.invoke('conversations:set-status', { conversationId: conversation.id, status }),
        ),
    );
  const setBotPaused = (paused: boolean) =>
    act(async () =>
      useInboxStore
        .getState()
        .upsertConversation(
          await api.invoke('conversations:set-bot-paused', { conversationId: conversation.id, paused }),
        ),
    );

  return (
    <section
      className="thread"
      aria-label={`Conversation with ${name}`}
      data-testid="thread"
      data-conversation-id={conversation.id}
    >
      <header className="thread-head">
        <div>
          <h2 className="thread-title">{name}</h2>
          <div className="muted thread-sub">
            {conversation.contact.name ? <span>{conversation.contact.phone}</span> : null}
            <span className={`window-chip window-${chatWindow.kind}`} data-testid="thread-window">
              {chatWindow.label}
            </span>
            {conversation.status === 'closed' ? <span className="badge">Closed</span> : null}
            {conversation.handoffRequestedAt !== null ? (
              <span className="badge badge-handoff">Handoff waiting</span>
            ) : null}
            {conversation.botPaused ? <span className="badge">Bot paused</span> : null}
            {conversation.contact.optedOut ? <span className="badge opted-out">Opted out</span> : null}
          </div>
        </div>
        <div className="thread-actions">
          {conversation.status === 'open' ? (
            <button type="button" disabled={busy} onClick={() => void setStatus('closed')}>
              Close conversation
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => void setStatus('open')}>
              Reopen conversation
            </button>
          )}
          {conversation.botPaused ? (
            <button type="button" disabled={busy} onClick={() => void setBotPaused(false)}>
              Resume bot
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => void setBotPaused(true)}>
              Pause bot
            </button>
          )}
        </div>
      </header>
      {actionError ? (
        <p className="error-text" role="alert">
          {actionError}
        </p>
      ) : null}
      <div className="thread-messages" ref={scrollRef} role="log" aria-label="Messages" aria-live="polite">
        {thread.olderCursor ? (
          <button
            type="button"
            className="thread-older"
            disabled={thread.loadingOlder}
            onClick={() => void useInboxStore.getState().loadOlder()}
          >
            {thread.loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        ) : null}
        {thread.items.map((message, i) => {
          const previous = thread.items[i - 1];
          const at = shownAt(message);
          const newDay = !previous || dayKey(shownAt(previous)) !== dayKey(at);
          return (
            <Fragment key={message.id}>
              {newDay ? (
                <div className="day-separator" role="separator" aria-label={dayLabel(at)}>
                  <span>{dayLabel(at)}</span>
                </div>
              ) : null}
              <MessageBubble
                message={message}
                quoted={message.contextWamid ? (byWamid.get(message.contextWamid) ?? null) : undefined}
                reactedTo={
                  message.type === 'reaction'
                    ? (byWamid.get(str(field(message.body, 'reaction', 'message_id'))) ?? null)
                    : undefined
                }
                focused={thread.focusMessageId === message.id}
                onReply={setReplyTo}
                onSendTemplateInstead={() => setTemplateMode(true)}
              />
            </Fragment>
          );
        })}
        {thread.hasNewer ? (
          <button
            type="button"
            className="thread-latest"
            onClick={() => void useInboxStore.getState().jumpToLatest()}
          >
            Jump to the latest messages
          </button>
        ) : null}
      </div>
      <Composer
        conversation={conversation}
        replyTo={replyTo}
        onClearReply={() => setReplyTo(null)}
        templateMode={templateMode}
        onTemplateModeChange={setTemplateMode}
      />
    </section>
  );
}
