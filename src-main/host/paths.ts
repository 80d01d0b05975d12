import { homedir } from 'node:os';
import { join } from 'node:path';

export const productName = 'Bellhop';

/**
 * The same folder Electron's app.getPath('userData') gives for our productName, so the desktop app
 * and the browser host share one data folder on a machine.
 */
export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), productName);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', productName);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), productName);
}
