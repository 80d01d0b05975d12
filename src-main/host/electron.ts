// Binds the contract to Electron IPC. One ipcMain handler carries every channel; the sender is checked
// (it must be our window's main frame showing our own page) before the shared router validates and runs it.
import { ipcMain, type BrowserWindow, type WebFrameMain } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from '../../src-preload/channels';
import type { Core } from '../core';

export function bindElectronIpc(
  core: Core,
  window: BrowserWindow,
  isAppUrl: (url: string) => boolean,
): () => void {
  const isTrustedFrame = (frame: WebFrameMain | null): boolean =>
    frame !== null && frame === window.webContents.mainFrame && isAppUrl(frame.url);

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
