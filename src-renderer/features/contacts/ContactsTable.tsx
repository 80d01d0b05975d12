// The contacts table, virtualized: only the rows in view (plus a margin) are in the DOM, and only the
// pages they fall on are fetched, so scrolling through 200,000 contacts stays smooth.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useContactsStore } from '../../stores/contacts';
import { dateTime } from './format';

const ROW_HEIGHT = 40;

export function ContactsTable() {
  const total = useContactsStore((s) => s.total);
  const selectedId = useContactsStore((s) => s.selectedId);
  // Re-render when pages arrive; rows are read through contactAt below.
  useContactsStore((s) => s.pages);
  useContactsStore((s) => s.stalePages);
  const scrollRef = useRef<HTMLDivElement>(null);

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions by design; the table re-renders from the store, not memoized props.
  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    useContactsStore.getState().ensureRows(first, last);
  }, [first, last, total]);

  const store = useContactsStore.getState();
  return (
    <div
      className="contacts-table"
      role="table"
      aria-label="Contacts"
      aria-rowcount={total ?? 0}
      data-testid="contacts-table"
    >
      <div className="contacts-row contacts-head" role="row">
        <span role="columnheader">Phone</span>
        <span role="columnheader">Name</span>
        <span role="columnheader">Email</span>
        <span role="columnheader">Tags</span>
        <span role="columnheader">Status</span>
        <span role="columnheader">Updated</span>
      </div>
      <div className="contacts-scroll" ref={scrollRef}>
        <div className="contacts-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const contact = store.contactAt(item.index);
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                className={`contacts-row${contact && contact.id === selectedId ? ' selected' : ''}${contact ? '' : ' loading'}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                data-testid={contact ? 'contact-row' : 'contact-row-loading'}
                data-phone={contact?.phoneE164}
                tabIndex={contact ? 0 : -1}
                onClick={() => contact && store.select(contact.id)}
                onKeyDown={(e) => {
                  if (contact && (e.key === 'Enter' || e.key === ' ')) {
                    e.preventDefault();
                    store.select(contact.id);
                  }
                }}
              >
                {contact ? (
                  <>
                    <span role="cell" className="phone">
                      {contact.phoneE164}
                    </span>
                    <span role="cell">{contact.name ?? ''}</span>
                    <span role="cell">{contact.email ?? ''}</span>
                    <span role="cell" className="tags">
                      {contact.tags.map((t) => (
                        <span key={t} className="tag">
                          {t}
                        </span>
                      ))}
                    </span>
                    <span role="cell">
                      {contact.optedOutAt !== null ? (
                        <span className="badge opted-out" title={contact.optedOutReason ?? undefined}>
                          Opted out
                        </span>
                      ) : null}
                    </span>
                    <span role="cell" className="muted">
                      {dateTime(contact.updatedAt)}
                    </span>
                  </>
                ) : (
                  <span role="cell" className="muted">
                    Loading…
                  </span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
