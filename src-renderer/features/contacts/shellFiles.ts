// Files through the desktop shell (contacts:save-file, contacts:drag-file): the desktop app saves with the
// OS save dialog and drags the real file out of the window; the browser host keeps its download links and
// Chromium's DownloadURL drag. Which host this is comes from app:info.
import type { DragEvent } from 'react';
import type { ContactFileRef } from '../../../src-preload/contacts.contract';
import { api, errorMessage } from '../../lib/api';
import { useAppStore } from '../../stores/app';

export function useDesktopShell(): boolean {
  return useAppStore((s) => s.info?.hostKind === 'electron');
}

/** Asks where to save the file and copies it there; returns a sentence for the screen. */
export async function saveWithDialog(ref: ContactFileRef): Promise<string> {
  try {
    const { savedTo } = await api.invoke('contacts:save-file', ref);
    return savedTo ? `Saved to ${savedTo}` : 'Not saved.';
  } catch (error) {
    return errorMessage(error);
  }
}

/** dragstart handler: the desktop app drags the file itself; a browser gets DownloadURL drag data. */
export function onFileDragStart(
  event: DragEvent<HTMLElement>,
  ref: ContactFileRef,
  desktop: boolean,
  browserDownload: { fileName: string; url: string },
): void {
  if (desktop) {
    // Electron's webContents.startDrag takes over from the page's own drag.
    event.preventDefault();
    void api.invoke('contacts:drag-file', ref).catch(() => undefined);
    return;
  }
  const url = new URL(browserDownload.url, location.href).href;
  event.dataTransfer.setData('DownloadURL', `text/csv:${browserDownload.fileName}:${url}`);
}
