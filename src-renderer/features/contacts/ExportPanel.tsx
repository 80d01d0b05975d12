// Export: the columns to include and whether to export only the current filter; progress while the file
// is written; then a download link, which can also be dragged out of the window onto the desktop where the
// browser supports it (Chromium's DownloadURL drag data).
import { useState, type DragEvent } from 'react';
import { exportColumns, type ExportColumn } from '../../../src-preload/contacts.contract';
import { useContactsStore } from '../../stores/contacts';
import { bytes, count } from './format';

const columnLabels: Record<ExportColumn, string> = {
  phone: 'Phone',
  name: 'Name',
  email: 'Email',
  tags: 'Tags',
  attributes: 'Custom attributes',
  opted_out_at: 'Opted out at',
  opted_out_reason: 'Opt-out reason',
  source: 'Source',
  wa_id: 'WhatsApp ID',
  created_at: 'Created at',
  updated_at: 'Updated at',
};

export function ExportPanel({ onClose, filtered }: { onClose: () => void; filtered: boolean }) {
  const state = useContactsStore((s) => s.exportState);
  const [columns, setColumns] = useState<ExportColumn[]>([...exportColumns]);
  const [onlyFiltered, setOnlyFiltered] = useState(filtered);

  const toggle = (column: ExportColumn): void => {
    setColumns((current) =>
      current.includes(column) ? current.filter((c) => c !== column) : [...current, column],
    );
  };

  const onDragStart = (event: DragEvent<HTMLAnchorElement>): void => {
    const result = state.result;
    if (!result) return;
    const url = new URL(result.downloadUrl, location.href).href;
    event.dataTransfer.setData('DownloadURL', `text/csv:${result.fileName}:${url}`);
  };

  return (
    <section className="export-panel" aria-label="Export contacts" data-testid="export-panel">
      <h2>Export contacts</h2>
      <fieldset>
        <legend>Columns</legend>
        {exportColumns.map((column) => (
          <label key={column} className="check">
            <input type="checkbox" checked={columns.includes(column)} onChange={() => toggle(column)} />{' '}
            {columnLabels[column]}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input
          type="checkbox"
          checked={onlyFiltered}
          disabled={!filtered}
          onChange={(e) => setOnlyFiltered(e.target.checked)}
        />{' '}
        Only the contacts that match the current search and filters
      </label>
      {state.running ? (
        <div>
          <progress
            max={state.progress?.rowsTotal || 1}
            value={state.progress?.rowsDone ?? 0}
            aria-label="Export progress"
          />
          <p className="muted">
            {state.progress
              ? `${count(state.progress.rowsDone)} of ${count(state.progress.rowsTotal)} contacts written`
              : 'Starting…'}
          </p>
        </div>
      ) : null}
      {state.error ? (
        <p className="banner error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.result && !state.running ? (
        <p data-testid="export-result">
          {count(state.result.rows)} contacts ({bytes(state.result.bytes)}):{' '}
          <a
            href={state.result.downloadUrl}
            download={state.result.fileName}
            draggable
            onDragStart={onDragStart}
            data-testid="export-download"
          >
            {state.result.fileName}
          </a>
        </p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={state.running || columns.length === 0}
          onClick={() => void useContactsStore.getState().exportContacts(columns, onlyFiltered)}
        >
          {state.running ? 'Exporting…' : 'Export CSV'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
