// Export: the columns to include and whether to export only the current filter; progress while the file
// is written; then the file: in the desktop app a Save button (OS save dialog), in the browser a download
// link; either can be dragged out of the window onto the desktop (shellFiles.ts).
import { useState, type DragEvent } from 'react';
import { exportColumns, type ExportColumn, type ExportResult } from '../../../src-preload/contacts.contract';
import { useContactsStore } from '../../stores/contacts';
import { bytes, count } from './format';
import { onFileDragStart, saveWithDialog, useDesktopShell } from './shellFiles';

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
  const [saveMessage, setSaveMessage] = useState<string>();
  const desktop = useDesktopShell();

  const toggle = (column: ExportColumn): void => {
    setColumns((current) =>
      current.includes(column) ? current.filter((c) => c !== column) : [...current, column],
    );
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
        <ExportResultView result={state.result} desktop={desktop} onSaved={setSaveMessage} />
      ) : null}
      {saveMessage ? (
        <p className="muted" role="status" data-testid="export-saved">
          {saveMessage}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={state.running || columns.length === 0}
          onClick={() => {
            setSaveMessage(undefined);
            void useContactsStore.getState().exportContacts(columns, onlyFiltered);
          }}
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

function ExportResultView({
  result,
  desktop,
  onSaved,
}: {
  result: ExportResult;
  desktop: boolean;
  onSaved: (message: string) => void;
}) {
  const ref = { kind: 'export' as const, id: result.exportId };
  const drag = (event: DragEvent<HTMLElement>): void =>
    onFileDragStart(event, ref, desktop, { fileName: result.fileName, url: result.downloadUrl });
  return (
    <p data-testid="export-result">
      {count(result.rows)} contacts ({bytes(result.bytes)}):{' '}
      {desktop ? (
        <>
          <span className="file-chip" draggable onDragStart={drag} title="Drag onto the desktop or a folder">
            {result.fileName}
          </span>{' '}
          <button
            type="button"
            data-testid="export-save"
            onClick={() => void saveWithDialog(ref).then(onSaved)}
          >
            Save…
          </button>
        </>
      ) : (
        <a
          href={result.downloadUrl}
          download={result.fileName}
          draggable
          onDragStart={drag}
          data-testid="export-download"
        >
          {result.fileName}
        </a>
      )}
    </p>
  );
}
