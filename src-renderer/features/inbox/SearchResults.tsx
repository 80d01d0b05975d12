// Search results: conversations whose name, number or last message match, then messages found by the
// full-text index (SQLite FTS5), newest first. The matching words come back wrapped in control
// characters and are turned into <mark> elements here, so customer text stays text.
import { Fragment, useState } from 'react';
import type { MessageSearchHit } from '../../../src-preload/inbox.contract';
import { SNIPPET_MARK_END, SNIPPET_MARK_START } from '../../../src-preload/transferLimits';
import { useInboxStore } from '../../stores/inbox';
import { ConversationRow } from './ConversationList';
import { listTime } from './inboxTime';

function Snippet({ text }: { text: string }) {
  const parts = text.split(SNIPPET_MARK_START);
  return (
    <>
      {parts.map((part, i) => {
        if (i === 0) return <Fragment key={i}>{part}</Fragment>;
        const [marked = '', rest = ''] = part.split(SNIPPET_MARK_END);
        return (
          <Fragment key={i}>
            <mark>{marked}</mark>
            {rest}
          </Fragment>
        );
      })}
    </>
  );
}

function HitRow({ hit }: { hit: MessageSearchHit }) {
  return (
    <li>
      <button
        type="button"
        className="hit-row"
        data-testid="search-hit"
        onClick={() => void useInboxStore.getState().open(hit.conversationId, hit.messageId)}
      >
        <span className="conv-line">
          <span className="conv-name">{hit.contact.name || hit.contact.phone}</span>
          <span className="muted">{listTime(hit.createdAt)}</span>
        </span>
        <span className="hit-snippet">
          {hit.direction === 'outbound' ? <span className="muted">You: </span> : null}
          <Snippet text={hit.snippet} />
        </span>
      </button>
    </li>
  );
}

export function SearchResults() {
  const conversations = useInboxStore((s) => s.conversations);
  const selectedId = useInboxStore((s) => s.selectedId);
  const hits = useInboxStore((s) => s.messageHits);
  const searching = useInboxStore((s) => s.searching);
  const searchError = useInboxStore((s) => s.searchError);
  const [now] = useState(() => Date.now());
  return (
    <div className="search-results conv-scroll" data-testid="search-results">
      <h3 className="search-heading">Chats</h3>
      {conversations.length === 0 ? <p className="muted">No chats match.</p> : null}
      <ul role="listbox" aria-label="Matching conversations" className="search-chats">
        {conversations.slice(0, 20).map((c) => (
          <ConversationRow
            key={c.id}
            conversation={c}
            selected={c.id === selectedId}
            now={now}
            onOpen={() => void useInboxStore.getState().open(c.id)}
          />
        ))}
      </ul>
      <h3 className="search-heading">Messages</h3>
      {searchError ? (
        <p className="error-text" role="alert">
          {searchError}
        </p>
      ) : null}
      {searching && hits.length === 0 ? <p className="muted">Searching…</p> : null}
      {!searching && hits.length === 0 && !searchError ? <p className="muted">No messages match.</p> : null}
      <ul className="search-hits" aria-label="Matching messages">
        {hits.map((hit) => (
          <HitRow key={hit.messageId} hit={hit} />
        ))}
      </ul>
    </div>
  );
}
