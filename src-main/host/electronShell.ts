// The desktop shell the core's contacts channels use (contacts/contacts.files.ts): the OS open and save
// dialogs, attached to the app window, and dragging a file out of it. Dialog functions are looked up on
// `dialog` at each call, so an Electron test can stand in for the user (test/electron/app.spec.ts).
import { app, dialog, nativeImage, type BrowserWindow, type NativeImage } from 'electron';
import type { DesktopShell } from '../contacts/contacts.files';
import { DRAG_ICON_DATA_URL, importFileDialogOptions, saveFileDialogOptions } from './shellDialogs';

export function createElectronShell(currentWindow: () => BrowserWindow | undefined): DesktopShell {
  let icon: NativeImage | undefined;
  const openWindow = (): BrowserWindow | undefined => {
    const window = currentWindow();
    return window && !window.isDestroyed() ? window : undefined;
  };
  return {
    async pickImportFile() {
      const window = openWindow();
      const options = importFileDialogOptions();
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },
    async pickSaveTarget(defaultName) {
      const window = openWindow();
      const options = saveFileDialogOptions(defaultName, app.getPath('downloads'));
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? undefined : result.filePath;
    },
    startFileDrag(filePath) {
      const window = openWindow();
      if (!window) throw new Error('There is no window to drag the file out of.');
      icon ??= nativeImage.createFromDataURL(DRAG_ICON_DATA_URL);
      window.webContents.startDrag({ file: filePath, icon });
    },
  };
}
