// `npm start`: the desktop app where Electron's binary exists; otherwise one clear line saying why,
// and the browser host instead, so the README's command works on every machine.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electronBinary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: 'inherit',
      env,
      shell: process.platform === 'win32',
    });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const electron = findElectronBinary();
if (electron.ok) {
  // preview = build + launch the production bundle (the strict CSP has no room for the dev server's
  // inline scripts).
  process.exit(await run(bin('electron-vite'), ['preview']));
}

console.log(`Electron cannot start here: ${electron.reason}. Starting the browser host instead.`);
const built = await run(bin('electron-vite'), ['build']);
if (built !== 0) process.exit(built);
process.exit(await run(process.execPath, [join(root, 'out', 'main', 'browser.js')]));
