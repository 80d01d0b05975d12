// Where the Electron binary is, if it is installed. Checked without require('electron'), which would
// try to download it on the spot (and hang or fail on machines without internet access).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const electronDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'electron');

/** @returns {{ ok: true, path: string } | { ok: false, reason: string }} */
export function findElectronBinary() {
  if (!existsSync(join(electronDir, 'package.json'))) {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      ok: false,
      reason:
        'the Electron binary was not downloaded (its download needs internet access; where you have it, run `node node_modules/electron/install.js`)',
    };
  }
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary)
    ? { ok: true, path: binary }
    : { ok: false, reason: `the Electron binary is missing at ${binary}` };
}
