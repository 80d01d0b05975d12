// Binds the contract to Electron IPC. One ipcMain handler carries every channel; the sender is checked
// (it must be our window's main frame showing our own page) before the shared router validates and runs it.
// Also the desktop's secret sealing (safeStorage) and the file-manager hook for "Open logs folder".
import { dialog, ipcMain, safeStorage, shell, type BrowserWindow, type WebFrameMain } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from '../../src-preload/channels';
import type { Core } from '../core';
import { isTrustedSenderFrame } from './hardening';
import { chooseDesktopSecretBox, withPreviousBoxes } from '../secrets/safeStorageBox';
import { createKeyFileSecretBox, openExistingKeyFileSecretBox, type SecretBox } from '../secrets/secretBox';

/**
 * safeStorage (OS keychain) when it works, else the 0600 key file with a warning for the user. Secrets
 * the key-file box sealed before (older versions, restored backups) still open, and the core re-seals
 * them at start-up. Call after app 'ready' (safeStorage needs it on Linux).
 */
export function createDesktopSecretBox(dataDir: string): { box: SecretBox; warning?: string } {
  const choice = chooseDesktopSecretBox({
    safeStorage,
    platform: process.platform,
    keyFileBox: () => createKeyFileSecretBox(dataDir),
  });
  const box =
    choice.box.kind === 'key-file'
      ? choice.box
      : withPreviousBoxes(choice.box, [openExistingKeyFileSecretBox(dataDir)]);
  return { box, ...(choice.warning ? { warning: choice.warning } : {}) };
}

/** Tells the user once, without blocking start-up, that the OS keyring is unavailable. */
export function showSecretStorageWarning(window: BrowserWindow, warning: string): void {
  void dialog.showMessageBox(window, {
    type: 'warning',
    title: 'OS keyring unavailable',
    message: 'Bellhop cannot use your system keyring.',
    detail: warning,
  });
}

/** shell.openPath resolves to an error message, '' on success. */
export function openFolder(path: string): Promise<string> {
  return shell.openPath(path);
}

export function bindElectronIpc(
  core: Pick<Core, 'router' | 'events'>,
  window: BrowserWindow,
  isAppUrl: (url: string) => boolean,
): () => void {
  const isTrustedFrame = (frame: WebFrameMain | null): boolean =>
    isTrustedSenderFrame(frame, window.webContents.mainFrame, isAppUrl);

  ipcMain.handle(IPC_INVOKE, (event, channel: unknown, payload: unknown) =>
    core.router.dispatch(channel, payload, {
      trusted: isTrustedFrame(event.senderFrame),
      description: event.senderFrame?.url ?? 'unknown frame',
    }),
  );
  const unsubscribe = core.events.subscribe((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT, name, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE);
  };
}
