// The import, step by step: upload progress, the column mapping (with a preview of the first rows and
// what each phone cell becomes), the progress of the running import with cancel, and the summary with
// the rejects file to download.
import { useId, useState, type DragEvent } from 'react';
import {
  contactDownloadPaths,
  importModes,
  type ColumnTarget,
  type ImportMode,
  type ImportPreview,
  type ImportProgress,
  type ImportSummary,
} from '../../../src-preload/contacts.contract';
import { useContactsStore, type MappingDraft } from '../../stores/contacts';
import { countryCodes, countryName } from './countries';
import { bytes, count, delimiterName, duration } from './format';
import { onFileDragStart, saveWithDialog, useDesktopShell } from './shellFiles';

const modeLabels: Record<ImportMode, string> = {
  'add-and-update': 'Add new contacts and update existing ones',
  'add-new': 'Add new contacts only (leave existing ones as they are)',
  'update-existing': 'Update existing contacts only (add nobody new)',
};

type TargetKind = ColumnTarget['kind'];
const targetLabels: Record<TargetKind, string> = {
  phone: 'Phone number',
  name: 'Name',
  email: 'Email',
  tags: 'Tags',
  attribute: 'Custom attribute',
  ignore: 'Do not import',
};

function ColumnRow({
  index,
  header,
  samples,
  target,
  onChange,
}: {
  index: number;
  header: string;
  samples: string[];
  target: ColumnTarget;
  onChange: (target: ColumnTarget) => void;
}) {
  const selectId = useId();
  return (
    <tr data-testid={`mapping-row-${index}`}>
      <th scope="row">
        <label htmlFor={selectId}>{header}</label>
      </th>
      <td className="sample-cells">
        {samples.slice(0, 3).map((s, i) => (
          <span key={i} className="sample-cell" title={s}>
            {s || '—'}
          </span>
        ))}
      </td>
      <td>
        <select
          id={selectId}
          value={target.kind}
          data-testid={`mapping-select-${index}`}
          onChange={(e) => {
            const kind = e.target.value as TargetKind;
            onChange(
              kind === 'attribute' ? { kind, key: header.slice(0, 64) || `column_${index + 1}` } : { kind },
            );
          }}
        >
          {(Object.keys(targetLabels) as TargetKind[]).map((kind) => (
            <option key={kind} value={kind}>
              {targetLabels[kind]}
            </option>
          ))}
        </select>
        {target.kind === 'attribute' ? (
          <input
            className="attribute-key"
            aria-label={`Attribute name for ${header}`}
            value={target.key}
            maxLength={64}
            onChange={(e) => onChange({ kind: 'attribute', key: e.target.value })}
          />
        ) : null}
      </td>
    </tr>
  );
}

function MappingStep({
  preview,
  draft,
  starting,
}: {
  preview: ImportPreview;
  draft: MappingDraft;
  starting: boolean;
}) {
  const store = useContactsStore.getState();
  const error = useContactsStore((s) => s.importError);
  const countryId = useId();
  const delimiterId = useId();
  const phoneIndex = draft.columns.findIndex((c) => c.kind === 'phone');
  const phoneCount = draft.columns.filter((c) => c.kind === 'phone').length;
  const setColumn = (index: number, target: ColumnTarget): void => {
    const columns = draft.columns.map((c, i): ColumnTarget => {
      if (i === index) return target;
      // One phone column: choosing another one turns the old one into "do not import".
      if (target.kind === 'phone' && c.kind === 'phone') return { kind: 'ignore' };
      return c;
    });
    store.updateDraft({ columns });
    if (target.kind === 'phone' || draft.columns[index]?.kind === 'phone') {
      void store.repreview({ defaultCountry: draft.defaultCountry });
    }
  };

  return (
    <div className="import-mapping" data-testid="import-mapping">
      <p className="muted">
        <strong>{preview.fileName}</strong> · {bytes(preview.size)} · about {count(preview.estimatedRows)}{' '}
        rows · {preview.encoding.toUpperCase()}
        {preview.hadBom ? ' with BOM' : ''} · {delimiterName(preview.delimiter)}-separated
      </p>
      <div className="import-options">
        <label htmlFor={delimiterId}>
          Separator{' '}
          <select
            id={delimiterId}
            value={draft.delimiter}
            onChange={(e) => void store.repreview({ delimiter: e.target.value as MappingDraft['delimiter'] })}
          >
            {([',', ';', '\t', '|'] as const).map((d) => (
              <option key={d} value={d}>
                {delimiterName(d)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={draft.hasHeader}
            onChange={(e) => void store.repreview({ hasHeader: e.target.checked })}
          />{' '}
          The first row holds column names
        </label>
        <label htmlFor={countryId}>
          Country for numbers without a +country code{' '}
          <select
            id={countryId}
            data-testid="default-country"
            value={draft.defaultCountry ?? ''}
            onChange={(e) => {
              const defaultCountry = e.target.value || null;
              store.updateDraft({ defaultCountry });
              void store.repreview({ defaultCountry });
            }}
          >
            <option value="">None: every number has its country code</option>
            {countryCodes.map((code) => (
              <option key={code} value={code}>
                {countryName(code)} ({code})
              </option>
            ))}
          </select>
        </label>
      </div>

      <table className="data-table mapping-table" aria-label="Column mapping">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">First values</th>
            <th scope="col">Import as</th>
          </tr>
        </thead>
        <tbody>
          {preview.headers.map((header, i) => (
            <ColumnRow
              key={`${i}-${header}`}
              index={i}
              header={header}
              samples={preview.sample.map((r) => r[i] ?? '')}
              target={draft.columns[i] ?? { kind: 'ignore' }}
              onChange={(t) => setColumn(i, t)}
            />
          ))}
        </tbody>
      </table>

      {phoneIndex >= 0 ? (
        <details className="phone-preview" open>
          <summary>How the first phone numbers will be read</summary>
          <ul data-testid="phone-preview">
            {preview.sample.slice(0, 5).map((row, i) => {
              const result = preview.samplePhones[i];
              return (
                <li key={i}>
                  <code>{row[phoneIndex] || '—'}</code> →{' '}
                  {result?.ok ? (
                    <strong>{result.e164}</strong>
                  ) : (
                    <span className="reject-reason">{result?.reason}</span>
                  )}
                </li>
              );
            })}
          </ul>
        </details>
      ) : null}

      <fieldset className="import-mode">
        <legend>Contacts already in this workspace</legend>
        {importModes.map((mode) => (
          <label key={mode}>
            <input
              type="radio"
              name="import-mode"
              value={mode}
              checked={draft.mode === mode}
              onChange={() => store.updateDraft({ mode })}
            />{' '}
            {modeLabels[mode]}
          </label>
        ))}
      </fieldset>

      {phoneCount !== 1 ? (
        <p className="banner error" role="alert">
          Choose exactly one column as the phone number.
        </p>
      ) : null}
      {error ? (
        <p className="banner error" role="alert" data-testid="import-error">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="import-start"
          disabled={starting || phoneCount !== 1}
          onClick={() => void store.startImport()}
        >
          {starting ? 'Starting…' : 'Import'}
        </button>
        <button type="button" onClick={() => store.closeImport()}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function Counts({ counts }: { counts: ImportProgress['counts'] }) {
  return (
    <dl className="import-counts" data-testid="import-counts">
      <dt>Created</dt>
      <dd data-testid="count-created">{count(counts.created)}</dd>
      <dt>Updated</dt>
      <dd data-testid="count-updated">{count(counts.updated)}</dd>
      <dt>Unchanged</dt>
      <dd data-testid="count-unchanged">{count(counts.unchanged)}</dd>
      {counts.skipped > 0 ? (
        <>
          <dt>Skipped</dt>
          <dd data-testid="count-skipped">{count(counts.skipped)}</dd>
        </>
      ) : null}
      <dt>Rejected</dt>
      <dd data-testid="count-rejected">{count(counts.rejected)}</dd>
      {counts.emptyRows > 0 ? (
        <>
          <dt>Empty rows</dt>
          <dd>{count(counts.emptyRows)}</dd>
        </>
      ) : null}
    </dl>
  );
}

function RunningStep({ progress }: { progress: ImportProgress }) {
  const error = useContactsStore((s) => s.importError);
  const [cancelling, setCancelling] = useState(false);
  const reading = progress.phase === 'reading' || progress.phase === 'starting';
  return (
    <div className="import-running" data-testid="import-progress">
      <p>
        <strong>{progress.fileName}</strong>:{' '}
        {reading ? 'reading the file and saving contacts…' : 'saving the last contacts…'}
      </p>
      <progress max={1} value={progress.fraction} aria-label="Import progress" />
      <p className="muted" data-testid="import-rates">
        {count(progress.rowsRead)} rows read · {count(progress.rowsSaved)} saved ·{' '}
        {count(progress.rowsPerSecond)} rows/s · {duration(progress.etaSeconds)}
      </p>
      {error ? <p className="banner error">{error}</p> : null}
      <button
        type="button"
        data-testid="import-cancel"
        disabled={cancelling}
        onClick={() => {
          setCancelling(true);
          void useContactsStore.getState().cancelImport();
        }}
      >
        {cancelling ? 'Cancelling…' : 'Cancel import'}
      </button>
    </div>
  );
}

function SummaryStep({ summary }: { summary: ImportSummary }) {
  return (
    <div className="import-summary" data-testid="import-summary" data-phase={summary.phase}>
      <p className={summary.phase === 'failed' ? 'banner error' : ''} data-testid="import-message">
        {summary.message}
      </p>
      <Counts counts={summary.counts} />
      {Object.keys(summary.rejectedByReason).length > 0 ? (
        <ul className="reject-reasons">
          {Object.entries(summary.rejectedByReason).map(([code, n]) => (
            <li key={code}>
              {code.toLowerCase().replace(/_/g, ' ')}: {count(n)}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        {summary.rejectsFileId ? <RejectsFile fileId={summary.rejectsFileId} /> : null}
        <button type="button" onClick={() => useContactsStore.getState().closeImport()}>
          Close
        </button>
      </div>
    </div>
  );
}

export function ImportWizard() {
  const stage = useContactsStore((s) => s.importStage);
  const error = useContactsStore((s) => s.importError);
  if (stage.kind === 'idle') {
    return error ? (
      <div className="banner error import-refused" role="alert" data-testid="import-error">
        {error}{' '}
        <button type="button" onClick={() => useContactsStore.getState().closeImport()}>
          Dismiss
        </button>
      </div>
    ) : null;
  }
  return (
    <section className="import-panel" aria-label="Import contacts">
      <h2>Import contacts</h2>
      {stage.kind === 'uploading' ? (
        <div data-testid="import-uploading">
          <p>
            Uploading <strong>{stage.fileName}</strong>…
          </p>
          <progress max={stage.size} value={stage.sent} aria-label="Upload progress" />
        </div>
      ) : null}
      {stage.kind === 'mapping' ? (
        <MappingStep preview={stage.preview} draft={stage.draft} starting={stage.starting} />
      ) : null}
      {stage.kind === 'running' ? <RunningStep progress={stage.progress} /> : null}
      {stage.kind === 'finished' ? <SummaryStep summary={stage.summary} /> : null}
    </section>
  );
}

/** The rows not imported: saved with the OS dialog in the desktop app, downloaded in the browser. */
export function RejectsFile({ fileId }: { fileId: string }) {
  const desktop = useDesktopShell();
  const [saved, setSaved] = useState<string>();
  const ref = { kind: 'rejects' as const, id: fileId };
  const url = contactDownloadPaths.rejects(fileId);
  const drag = (event: DragEvent<HTMLElement>): void =>
    onFileDragStart(event, ref, desktop, { fileName: `rejected-rows-${fileId}`, url });
  if (!desktop) {
    return (
      <a className="button" data-testid="download-rejects" href={url} download draggable onDragStart={drag}>
        Download the rows not imported (CSV)
      </a>
    );
  }
  return (
    <>
      <button
        type="button"
        data-testid="save-rejects"
        draggable
        onDragStart={drag}
        onClick={() => void saveWithDialog(ref).then(setSaved)}
      >
        Save the rows not imported (CSV)…
      </button>
      {saved ? (
        <span className="muted" role="status">
          {saved}
        </span>
      ) : null}
    </>
  );
}
