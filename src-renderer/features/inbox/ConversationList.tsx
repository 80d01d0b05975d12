// The conversation list, virtualized (only the rows in view are in the DOM; the next keyset page loads
// as the end comes into view), newest first: name, last message, time, unread badge, the 24 h window's
// time left, and bot-paused / handoff / closed badges.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { ConversationView } from '../../../src-preload/messaging.contract';
import { useInboxStore } from '../../stores/inbox';
import { listTime, windowState } from './inboxTime';

const ROW_HEIGHT = 72;

export function ConversationRow(props: {
  conversation: ConversationView;
  selected: boolean;
  now: number;
  style?: React.CSSProperties;
  onOpen: () => void;
}) {
  const c = props.conversation;
  const chatWindow = windowState(c.windowEndsAt, props.now);
  const name = c.contact.name || c.contact.phone;
  return (
    <li
      role="option"
      aria-selected={props.selected}
      tabIndex={0}
      className={`conv-row${props.selected ? ' selected' : ''}${c.unreadCount > 0 ? ' unread' : ''}`}
      style={props.style}
      data-testid="conversation-row"
      data-conversation-id={c.id}
      onClick={props.onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          props.onOpen();
        }
      }}
    >
      <div className="conv-line">
        <span className="conv-name">{name}</span>
        <span className="conv-time muted">
          {c.lastMessageAt !== null ? listTime(c.lastMessageAt, props.now) : ''}
        </span>
      </div>
      <div className="conv-line">
        <span className="conv-preview muted">{c.lastMessagePreview ?? ''}</span>
        {c.unreadCount > 0 ? (
          <span className="conv-unread" aria-label={`${c.unreadCount} unread`} data-testid="unread-badge">
            {c.unreadCount}
          </span>
        ) : null}
      </div>
      <div className="conv-line conv-badges">
        <span className={`window-chip window-${chatWindow.kind}`}>
          {chatWindow.kind === 'open' ? `⏱ ${chatWindow.label}` : chatWindow.label}
        </span>
        {c.handoffRequestedAt !== null ? <span className="badge badge-handoff">Handoff</span> : null}
        {c.botPaused ? <span className="badge">Bot paused</span> : null}
        {c.status === 'closed' ? <span className="badge">Closed</span> : null}
      </div>
    </li>
  );
}

export function ConversationList() {
  const conversations = useInboxStore((s) => s.conversations);
  const nextCursor = useInboxStore((s) => s.nextCursor);
  const selectedId = useInboxStore((s) => s.selectedId);
  const listLoaded = useInboxStore((s) => s.listLoaded);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions by design; the list re-renders from the store.
  const virtualizer = useVirtualizer({
    count: conversations.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // Until the list's box is measured (after the first commit) the virtualizer would render no rows,
    // and the first screenful would need a second render and layout: guess the window's height.
    initialRect: { width: 0, height: window.innerHeight },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (nextCursor && lastIndex >= conversations.length - 10) void useInboxStore.getState().loadMore();
  }, [lastIndex, conversations.length, nextCursor]);

  return (
    <div
      className="conv-scroll"
      ref={scrollRef}
      data-testid="conversation-list"
      data-loaded={listLoaded ? 'true' : 'false'}
    >
      {listLoaded && conversations.length === 0 ? (
        <p className="muted conv-empty">No conversations here yet.</p>
      ) : null}
      <ul
        role="listbox"
        aria-label="Conversations"
        className="conv-canvas"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map((item) => {
          const conversation = conversations[item.index];
          if (!conversation) return null;
          return (
            <ConversationRow
              key={conversation.id}
              conversation={conversation}
              selected={conversation.id === selectedId}
              now={now}
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              onOpen={() => void useInboxStore.getState().open(conversation.id)}
            />
          );
        })}
      </ul>
    </div>
  );
}
