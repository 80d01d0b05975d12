// The Electron entry, and the only place besides host/electron*.ts that touches Electron: a single
// instance, one hardened window, IPC bound to the core, and a clean quit that drains workers and
// closes the database.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { startAppRuntime, type AppRuntime } from './backup/appRuntime';
import {
  bindElectronIpc,
  createDesktopSecretBox,
  openFolder,
  showSecretStorageWarning,
} from './host/electron';
import { createElectronShell } from './host/electronShell';
import { hardenElectron } from './host/electronSecurity';
import { mainWindowOptions } from './host/windowOptions';

const rendererFile = join(__dirname, '../renderer/index.html');
const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(rendererFile).href;
const isAppUrl = (url: string): boolean => url.split('#')[0] === rendererUrl.split('#')[0];

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Tests point the app at a fresh folder; everyone else gets the OS user-data folder.
  if (process.env.BELLHOP_DATA_DIR) app.setPath('userData', process.env.BELLHOP_DATA_DIR);
  hardenElectron(isAppUrl);

  let core: AppRuntime | undefined;
  let window: BrowserWindow | undefined;
  let quitting = false;

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    event.preventDefault();
    quitting = true;
    void core.close().finally(() => app.exit(0));
  });
  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(async () => {
    const dataDir = app.getPath('userData');
    const secrets = createDesktopSecretBox(dataDir);
    // The runtime, not one core: a restore swaps the core while the window and IPC binding stay.
    core = await startAppRuntime({
      dataDir,
      hostKind: 'electron',
      secrets: secrets.box,
      openFolder,
      shell: createElectronShell(() => window),
      ...(secrets.warning ? { secretsWarning: secrets.warning } : {}),
    });
    window = new BrowserWindow(mainWindowOptions(join(__dirname, '../preload')));
    bindElectronIpc(core, window, isAppUrl);
    if (secrets.warning) showSecretStorageWarning(window, secrets.warning);
    window.once('ready-to-show', () => window?.show());
    await window.loadURL(rendererUrl);
  });
}
