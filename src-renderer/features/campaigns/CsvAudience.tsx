// The wizard's "contacts from this CSV" audience: the file goes through the contacts import itself (the
// same upload, column mapping, normalisation, import lock and rejects file as the contacts screen — its
// ImportWizard is shown here), started with rememberContacts so the import lists exactly the contacts
// the file holds. Once it is done, the audience names that import, and the count of who will get the
// campaign (and who is left out, and why) comes from the main process's own audience resolution.
import { useEffect, useRef, useState } from 'react';
import type { Audience, AudiencePreview } from '../../../src-preload/campaigns.contract';
import type { ImportSummary } from '../../../src-preload/contacts.contract';
import { api, errorMessage } from '../../lib/api';
import { useConnectionsStore } from '../../stores/connections';
import { useContactsStore } from '../../stores/contacts';
import { claimCsvDrop } from '../contacts/CsvDropOverlay';
import { ImportWizard, RejectsFile } from '../contacts/ImportWizard';
import { useDesktopShell } from '../contacts/shellFiles';

export interface CsvAudienceChoice {
  importId: string;
  fileName: string;
  rejectsFileId: string | null;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "2 opted out · 1 invalid number …", or null when nobody was left out. */
export function leftOutText(exclusions: AudiencePreview['exclusions']): string | null {
  const parts = [
    exclusions.optedOut ? `${plural(exclusions.optedOut, 'contact', 'contacts')} opted out` : '',
    exclusions.invalid ? plural(exclusions.invalid, 'invalid number', 'invalid numbers') : '',
    exclusions.duplicate ? plural(exclusions.duplicate, 'duplicate', 'duplicates') : '',
    exclusions.rejectedRows ? `${plural(exclusions.rejectedRows, 'row', 'rows')} not imported` : '',
    exclusions.missing ? `${plural(exclusions.missing, 'contact', 'contacts')} no longer there` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/**
 * How many contacts an audience comes to now and who is left out, as the main process resolves it.
 * Counted once per mount: key it by the audience to count again.
 */
export function AudienceCount({
  connectionId,
  audience,
  rejectsFileId = null,
}: {
  connectionId: string;
  audience: Audience;
  rejectsFileId?: string | null;
}) {
  const [preview, setPreview] = useState<AudiencePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asked] = useState(audience);
  const fileName = asked.kind === 'import' ? (asked.fileName ?? 'the file') : null;
  useEffect(() => {
    let live = true;
    api
      .invoke('campaigns:audience-preview', { connectionId, audience: asked })
      .then((result) => live && setPreview(result))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [connectionId, asked]);

  if (error) {
    return (
      <p className="banner error" role="alert">
        {error}
      </p>
    );
  }
  if (!preview) return <p className="muted">Counting the audience…</p>;
  const leftOut = leftOutText(preview.exclusions);
  return (
    <div className="csv-audience-count">
      <p role="status" aria-label="Audience size">
        <strong data-testid="audience-count">{preview.contacts.toLocaleString('en-US')}</strong>{' '}
        {preview.contacts === 1 ? 'contact' : 'contacts'}
        {fileName !== null ? (
          <>
            {' '}
            from <strong>{fileName}</strong>
          </>
        ) : null}{' '}
        will get this campaign.
      </p>
      {leftOut ? (
        <p className="muted" data-testid="audience-left-out">
          Left out: {leftOut}.
        </p>
      ) : null}
      {rejectsFileId ? <RejectsFile fileId={rejectsFileId} /> : null}
    </div>
  );
}

export function CsvAudience({
  connectionId,
  choice,
  onChoose,
}: {
  connectionId: string;
  choice: CsvAudienceChoice | null;
  onChoose: (choice: CsvAudienceChoice | null) => void;
}) {
  const workspaceId = useConnectionsStore((s) => s.currentWorkspaceId);
  const stage = useContactsStore((s) => s.importStage);
  const purpose = useContactsStore((s) => s.importPurpose);
  const fileInput = useRef<HTMLInputElement>(null);
  const desktop = useDesktopShell();
  const ours = purpose === 'campaign-audience';

  // The import's progress events are matched to the store's workspace.
  useEffect(() => {
    useContactsStore.getState().setWorkspace(workspaceId);
  }, [workspaceId]);

  // While this step is shown, a CSV dropped anywhere on the window becomes the audience's file.
  useEffect(
    () =>
      claimCsvDrop({
        label: 'Drop the CSV file: its contacts become this campaign’s audience',
        onFile: (file) => {
          onChoose(null);
          void useContactsStore.getState().importFile(file, 'campaign-audience');
        },
      }),
    [onChoose],
  );

  const finished: ImportSummary | null = ours && stage.kind === 'finished' ? stage.summary : null;
  useEffect(() => {
    if (finished?.phase === 'done' && finished.importId !== choice?.importId) {
      onChoose({
        importId: finished.importId,
        fileName: finished.fileName,
        rejectsFileId: finished.rejectsFileId,
      });
    }
  }, [finished, choice?.importId, onChoose]);

  const importing = ours && stage.kind !== 'idle' && stage.kind !== 'finished';
  const pick = (): void => {
    onChoose(null);
    if (desktop) void useContactsStore.getState().pickImportFile('campaign-audience');
    else fileInput.current?.click();
  };

  return (
    <div className="csv-audience" role="group" aria-label="Contacts from a CSV file">
      {choice ? (
        // Keyed: another file or number starts a fresh count.
        <AudienceCount
          key={`${connectionId}:${choice.importId}`}
          connectionId={connectionId}
          audience={{ kind: 'import', importId: choice.importId, fileName: choice.fileName }}
          // While the import's summary is shown, its own link is the one.
          rejectsFileId={finished ? null : choice.rejectsFileId}
        />
      ) : null}
      {!importing ? (
        <div className="csv-drop-zone" data-testid="audience-drop-zone">
          <p>
            {choice ? 'Use another file: drop' : 'Drop'} a CSV file here (or anywhere on this window), or{' '}
            <button type="button" onClick={pick}>
              Choose a CSV file…
            </button>
          </p>
          <p className="muted">
            Its rows are imported into your contacts (mapped and checked as on the Contacts screen); the
            campaign goes to exactly the contacts of this file.
          </p>
          <input
            ref={fileInput}
            type="file"
            accept=".csv,.tsv,.txt,text/csv"
            className="visually-hidden"
            aria-label="CSV file for the audience"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void useContactsStore.getState().importFile(file, 'campaign-audience');
              e.target.value = '';
            }}
          />
        </div>
      ) : null}
      {finished && finished.phase !== 'done' ? (
        <p className="banner error" role="alert">
          This import did not finish, so it cannot be the audience: import the file again.
        </p>
      ) : null}
      {ours ? <ImportWizard /> : null}
    </div>
  );
}
