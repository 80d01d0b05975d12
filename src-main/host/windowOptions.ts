// The main window's options, kept free of 'electron' so a unit test can hold them to the security
// checklist; index.ts passes them to BrowserWindow unchanged.
import { join } from 'node:path';

export function mainWindowOptions(preloadDir: string) {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Bellhop',
    show: false,
    webPreferences: {
      preload: join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
    },
  } as const;
}
