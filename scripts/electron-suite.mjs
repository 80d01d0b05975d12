// Runs the Electron suite (test/electron) where the Electron binary exists. Where it does not, it says
// so and exits 0 as SKIPPED — it never pretends to have passed. `--require-binary` (npm run
// test:electron) makes a missing binary an error instead.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electronBinary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electron = findElectronBinary();
if (!electron.ok) {
  const line = `Electron suite: SKIPPED (0 tests run) — ${electron.reason}.`;
  if (process.argv.includes('--require-binary')) {
    console.error(line);
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}
const args = ['playwright', 'test', '--config', join('test', 'electron', 'playwright.config.ts')];
const child = spawn('npx', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
child.on('exit', (code) => process.exit(code ?? 1));
