// The options of the desktop shell's dialogs and drags (host/electronShell.ts), kept free of 'electron'
// so a unit test can check them; electronShell.ts passes them to Electron unchanged.
import { join } from 'node:path';

const csvFilters = [
  { name: 'CSV files', extensions: ['csv', 'tsv', 'txt'] },
  { name: 'All files', extensions: ['*'] },
];

export function importFileDialogOptions() {
  return {
    title: 'Import contacts from a CSV file',
    buttonLabel: 'Import',
    properties: ['openFile' as const],
    filters: csvFilters,
  };
}

/**
 * The save dialog for a file the app wrote: it proposes the file's own name in `folder` (the user's
 * Downloads), and only CSV as the type so the name keeps its extension.
 */
export function saveFileDialogOptions(defaultName: string, folder: string) {
  // The name comes from the app (exports: contacts-<workspace>-<time>-<suffix>.csv), never from a path.
  // Control characters are refused by every file system dialog, as are the separators and reserved marks.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being removed
  const safeName = defaultName.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
  return {
    title: 'Save the CSV file',
    defaultPath: join(folder, safeName),
    filters: [{ name: 'CSV files', extensions: ['csv'] }],
    properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
  };
}

/** The image under the pointer while a file is dragged out (16×16 PNG of a sheet; macOS requires one). */
export const DRAG_ICON_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAALElEQVR4nGNgoBbQyAv4TwrGagCxgKABuGwl2gCKXTDqhVEvUOQCijITuQAA8ocHB1y29ygAAAAASUVORK5CYII=';
