// A window-wide drop target for CSV files: dragging a file anywhere over the app shows the overlay;
// dropping it opens the contacts screen and starts the import's upload and mapping step — unless a screen
// has claimed the drop (the campaign wizard's "contacts from this CSV" audience), which then gets the
// file. Mounted once at the app root. Drags that carry no files (text, links) are left alone.
import { useEffect, useRef, useState } from 'react';
import { navigate } from '../../app/useHashRoute';
import { useContactsStore } from '../../stores/contacts';
import './contacts.css';

function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

const csvLike = /\.(csv|tsv|txt)$/i;

/** A screen that takes dropped CSV files itself while it is shown. */
export interface CsvDropClaim {
  /** What the overlay says the drop will do. */
  label: string;
  onFile(file: File): void;
}

let claim: CsvDropClaim | null = null;

/** Routes window drops to `next` until the returned release is called (the last claim wins). */
export function claimCsvDrop(next: CsvDropClaim): () => void {
  claim = next;
  return () => {
    if (claim === next) claim = null;
  };
}

export function CsvDropOverlay() {
  const [visible, setVisible] = useState(false);
  const [refused, setRefused] = useState<string>();
  const depth = useRef(0);

  useEffect(() => {
    const onEnter = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current++;
      setVisible(true);
    };
    const onOver = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      // Without preventDefault the browser would open the file in place of the app.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setVisible(false);
    };
    const onDrop = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current = 0;
      setVisible(false);
      const file = event.dataTransfer?.files[0];
      if (!file) return;
      if (!csvLike.test(file.name) && file.type !== 'text/csv') {
        setRefused(`${file.name} is not a CSV file. Export the sheet as CSV (UTF-8) and drop that.`);
        return;
      }
      setRefused(undefined);
      if (claim) {
        claim.onFile(file);
        return;
      }
      navigate('contacts');
      void useContactsStore.getState().importFile(file);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('dragleave', onLeave);
    };
  }, []);

  return (
    <>
      {visible ? (
        <div className="csv-drop-overlay" data-testid="csv-drop-overlay" aria-hidden="true">
          <div className="csv-drop-message">
            <strong>{claim?.label ?? 'Drop a CSV file to import contacts'}</strong>
            <span>UTF-8 or UTF-16 · comma, semicolon or tab separated</span>
          </div>
        </div>
      ) : null}
      {refused ? (
        <div className="csv-drop-refused banner error" role="alert">
          {refused}{' '}
          <button type="button" onClick={() => setRefused(undefined)}>
            OK
          </button>
        </div>
      ) : null}
    </>
  );
}
