// The contacts screen: search and filters over the virtualized table, the import wizard (also reached by
// dropping a CSV anywhere on the window, CsvDropOverlay.tsx), exports, and the side panel for one contact.
import { useEffect, useId, useRef, useState } from 'react';
import {
  contactSources,
  type ContactFilter,
  type ContactSource,
} from '../../../src-preload/contacts.contract';
import { useConnectionsStore } from '../../stores/connections';
import { useContactsStore } from '../../stores/contacts';
import { ContactEditor } from './ContactEditor';
import { ContactsTable } from './ContactsTable';
import { ExportPanel } from './ExportPanel';
import { count } from './format';
import { ImportWizard } from './ImportWizard';
import { useDesktopShell } from './shellFiles';
import './contacts.css';

function SearchBox() {
  const search = useContactsStore((s) => s.filter.search ?? '');
  const [text, setText] = useState(search);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <input
      type="search"
      className="contacts-search"
      placeholder="Search name, number or email"
      aria-label="Search contacts"
      data-testid="contacts-search"
      value={text}
      onChange={(e) => {
        const value = e.target.value;
        setText(value);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => useContactsStore.getState().setFilter({ search: value }), 250);
      }}
    />
  );
}

function Filters() {
  const filter = useContactsStore((s) => s.filter);
  const facets = useContactsStore((s) => s.facets);
  const sort = useContactsStore((s) => s.sort);
  const store = useContactsStore.getState();
  const attrValueId = useId();
  return (
    <div className="contacts-filters" role="group" aria-label="Filters">
      <select
        aria-label="Tag"
        value={filter.tag ?? ''}
        onChange={(e) => store.setFilter({ tag: e.target.value || undefined })}
      >
        <option value="">Any tag</option>
        {facets?.tags.map((t) => (
          <option key={t.tag} value={t.tag}>
            {t.tag} ({count(t.count)})
          </option>
        ))}
      </select>
      <select
        aria-label="Attribute"
        value={filter.attribute?.key ?? ''}
        onChange={(e) => store.setFilter({ attribute: e.target.value ? { key: e.target.value } : undefined })}
      >
        <option value="">Any attribute</option>
        {facets?.attributeKeys.map((key) => (
          <option key={key} value={key}>
            has {key}
          </option>
        ))}
      </select>
      {filter.attribute ? (
        <input
          id={attrValueId}
          aria-label={`${filter.attribute.key} equals`}
          placeholder={`${filter.attribute.key} equals…`}
          defaultValue={filter.attribute.value ?? ''}
          onBlur={(e) =>
            store.setFilter({
              attribute: { key: filter.attribute?.key ?? '', value: e.target.value || undefined },
            })
          }
          onKeyDown={(e) => {
            if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
          }}
        />
      ) : null}
      <select
        aria-label="Opt-out status"
        value={filter.optedOut ?? 'any'}
        onChange={(e) => store.setFilter({ optedOut: e.target.value as ContactFilter['optedOut'] })}
      >
        <option value="any">Opted in or out</option>
        <option value="opted-in">Can be messaged</option>
        <option value="opted-out">Opted out{facets ? ` (${count(facets.optedOut)})` : ''}</option>
      </select>
      <select
        aria-label="Source"
        value={filter.source ?? ''}
        onChange={(e) =>
          store.setFilter({ source: (e.target.value || undefined) as ContactSource | undefined })
        }
      >
        <option value="">Any source</option>
        {contactSources.map((s) => (
          <option key={s} value={s}>
            {s.replace('_', ' ')}
          </option>
        ))}
      </select>
      <select
        aria-label="Sort"
        value={sort}
        onChange={(e) => store.setSort(e.target.value as 'recent' | 'phone')}
      >
        <option value="recent">Recently changed first</option>
        <option value="phone">By number</option>
      </select>
    </div>
  );
}

export function ContactsScreen() {
  const workspaceId = useConnectionsStore((s) => s.currentWorkspaceId);
  const connectionsLoaded = useConnectionsStore((s) => s.loaded);
  const total = useContactsStore((s) => s.total);
  const listError = useContactsStore((s) => s.listError);
  const selectedId = useContactsStore((s) => s.selectedId);
  const filter = useContactsStore((s) => s.filter);
  const selected = useContactsStore((s) => (s.selectedId ? s.findLoaded(s.selectedId) : undefined));
  const [exporting, setExporting] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  // The desktop app opens the OS file dialog (the file is read where it is); the browser, its file input.
  const desktop = useDesktopShell();

  useEffect(() => {
    if (!connectionsLoaded) void useConnectionsStore.getState().load();
  }, [connectionsLoaded]);
  useEffect(() => {
    useContactsStore.getState().setWorkspace(workspaceId);
  }, [workspaceId]);

  const filtered = Object.values(filter).some((v) => v !== undefined && v !== '' && v !== 'any');

  return (
    <section className="screen contacts-screen" aria-labelledby="contacts-title">
      <div className="contacts-header">
        <h1 id="contacts-title">Contacts</h1>
        <span className="muted" data-testid="contacts-total">
          {total === null
            ? ''
            : `${count(total)} ${filtered ? 'matching' : total === 1 ? 'contact' : 'contacts'}`}
        </span>
        <div className="contacts-actions">
          <input
            ref={fileInput}
            type="file"
            accept=".csv,.tsv,.txt,text/csv"
            className="visually-hidden"
            data-testid="import-file-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void useContactsStore.getState().importFile(file);
              e.target.value = '';
            }}
          />
          <button
            type="button"
            className="primary"
            onClick={() =>
              desktop ? void useContactsStore.getState().pickImportFile() : fileInput.current?.click()
            }
          >
            Import CSV…
          </button>
          <button type="button" onClick={() => setExporting(true)}>
            Export…
          </button>
        </div>
      </div>
      <p className="muted drop-hint">Tip: drop a CSV file anywhere on this window to import it.</p>
      <ImportWizard />
      {exporting ? <ExportPanel filtered={filtered} onClose={() => setExporting(false)} /> : null}
      <div className="contacts-toolbar">
        <SearchBox />
        <Filters />
      </div>
      {!workspaceId && connectionsLoaded ? (
        <p className="banner error">Create or choose a workspace first.</p>
      ) : null}
      {listError ? (
        <p className="banner error" role="alert">
          {listError}
        </p>
      ) : null}
      <div className={`contacts-body${selectedId ? ' with-editor' : ''}`}>
        <ContactsTable />
        {selected ? <ContactEditor key={`${selected.id}:${selected.updatedAt}`} contact={selected} /> : null}
      </div>
      {total === 0 && !filtered ? (
        <p className="muted empty-state" data-testid="contacts-empty">
          No contacts yet. Import a CSV file (phone numbers in any format; a name, email, tags and any other
          columns become contact details).
        </p>
      ) : null}
    </section>
  );
}
