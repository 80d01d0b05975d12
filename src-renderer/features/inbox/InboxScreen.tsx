// The Inbox: the conversation list (filters, search over chats and messages) beside the open thread.
import { useEffect, useId, useRef, useState } from 'react';
import { claimEarlyLoad } from '../../lib/earlyLoads';
import { useInboxStore, type ConversationFilter } from '../../stores/inbox';
import { ConversationList } from './ConversationList';
import { SearchResults } from './SearchResults';
import { ThreadView } from './ThreadView';
import './inbox.css';

const filters: { id: ConversationFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'open', label: 'Open' },
  { id: 'unread', label: 'Unread' },
  { id: 'closed', label: 'Closed' },
  { id: 'bot_paused', label: 'Bot paused' },
];

function NotificationsPrompt() {
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'denied' : Notification.permission,
  );
  if (permission !== 'default') return null;
  return (
    <div className="notify-prompt">
      <span>Get a desktop notification when a customer writes.</span>
      <button
        type="button"
        onClick={() => void Notification.requestPermission().then((p) => setPermission(p))}
      >
        Turn on notifications
      </button>
    </div>
  );
}

export function InboxScreen() {
  const filter = useInboxStore((s) => s.filter);
  const search = useInboxStore((s) => s.search);
  const listError = useInboxStore((s) => s.listError);
  const [query, setQuery] = useState(search);
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const searchId = useId();

  useEffect(() => {
    const store = useInboxStore.getState();
    // On the page's first paint boot.ts already asked for the list and the unread count.
    if (!claimEarlyLoad('inboxList')) {
      void store.loadList();
      void store.refreshUnread();
    }
    if (store.selectedId) void store.refreshThread();
  }, []);

  const onQuery = (value: string): void => {
    setQuery(value);
    clearTimeout(debounce.current);
    debounce.current = setTimeout(() => useInboxStore.getState().setSearch(value), 200);
  };

  return (
    <div className="inbox" data-testid="inbox">
      <aside className="inbox-side" aria-label="Conversations panel">
        <h1 className="inbox-title">Inbox</h1>
        <NotificationsPrompt />
        <label htmlFor={searchId} className="visually-hidden">
          Search chats and messages
        </label>
        <input
          id={searchId}
          type="search"
          className="inbox-search"
          placeholder="Search chats and messages"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
        />
        <div className="inbox-filters" role="group" aria-label="Filter conversations">
          {filters.map((f) => (
            <button
              key={f.id}
              type="button"
              aria-pressed={filter === f.id}
              className={filter === f.id ? 'selected' : ''}
              onClick={() => useInboxStore.getState().setFilter(f.id)}
            >
              {f.label}
            </button>
          ))}
        </div>
        {listError ? (
          <p className="error-text" role="alert">
            {listError}
          </p>
        ) : null}
        {search.trim() ? <SearchResults /> : <ConversationList />}
      </aside>
      <ThreadView />
    </div>
  );
}
