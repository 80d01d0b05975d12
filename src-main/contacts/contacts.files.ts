// The contacts screen's files through a desktop shell: pick the import file with the OS dialog, save an
// export or a rejects file where the user chooses, drag one out of the window. The shell is an interface
// the Electron host implements (host/electronShell.ts); the browser host has none, and these channels then
// answer UNAVAILABLE so the screen falls back to its file input, downloads and DownloadURL drags.
import { randomBytes } from 'node:crypto';
import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MAX_IMPORT_FILE_BYTES, type ContactFileRef } from '../../src-preload/contacts.contract';
import { AppError } from '../ipc/errors';
import type { Handlers } from '../ipc/router';
import type { ContactsService } from './contacts.service';

/** What a desktop shell does for the contacts screen. No Electron types: the core stays Electron-free. */
export interface DesktopShell {
  /** The OS open dialog for a CSV file; undefined when the user cancels. */
  pickImportFile(): Promise<string | undefined>;
  /** The OS save dialog, proposing `defaultName`; undefined when the user cancels. */
  pickSaveTarget(defaultName: string): Promise<string | undefined>;
  /** Starts an OS drag of `filePath` out of the app window. */
  startFileDrag(filePath: string): void;
}

/**
 * Copies `source` to `target` so that `target` is either untouched or complete: the copy is written next
 * to it under a unique temporary name and renamed over it (atomic on one file system). A failed copy
 * leaves nothing behind.
 */
export async function saveCopy(source: string, target: string): Promise<void> {
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    await copyFile(source, temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function describeIoError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'the app is not allowed to write there';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'that place is read-only';
    case 'ENOENT':
      return 'that folder no longer exists';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

export function bindContactFiles(
  contacts: ContactsService,
  shell: DesktopShell | undefined,
): Partial<Handlers> {
  const needShell = (): DesktopShell => {
    if (!shell) {
      throw new AppError('UNAVAILABLE', 'This needs the desktop app; in the browser, use downloads instead.');
    }
    return shell;
  };
  const fileOf = (ref: ContactFileRef): { path: string; fileName: string } => {
    const file = contacts.downloadFile(ref.kind, ref.id);
    if (!file) {
      throw new AppError(
        'NOT_FOUND',
        ref.kind === 'export'
          ? 'That export is no longer there; export again.'
          : 'That rejects file is no longer there.',
      );
    }
    return file;
  };

  return {
    'contacts:pick-import-file': async () => {
      const path = await needShell().pickImportFile();
      if (path === undefined) return null;
      let size: number;
      try {
        const info = await stat(path);
        if (!info.isFile()) throw new AppError('BAD_REQUEST', `${basename(path)} is not a file.`);
        size = info.size;
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('BAD_REQUEST', `${basename(path)} cannot be read: ${describeIoError(error)}.`);
      }
      if (size === 0) throw new AppError('BAD_REQUEST', `${basename(path)} is empty.`);
      if (size > MAX_IMPORT_FILE_BYTES) {
        throw new AppError('BAD_REQUEST', 'The file is larger than 1 GB; split it and import the parts.');
      }
      return contacts.adoptFile(path, basename(path), size);
    },

    'contacts:save-file': async (ref) => {
      const file = fileOf(ref);
      const target = await needShell().pickSaveTarget(file.fileName);
      if (target === undefined) return { savedTo: null };
      try {
        await saveCopy(file.path, target);
      } catch (error) {
        throw new AppError('UNAVAILABLE', `The file was not saved: ${describeIoError(error)}.`);
      }
      return { savedTo: target };
    },

    'contacts:drag-file': (ref) => {
      const file = fileOf(ref);
      needShell().startFileDrag(file.path);
      return { dragging: true as const };
    },
  };
}
