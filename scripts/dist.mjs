// `npm run dist`: installers for the current platform. electron-builder rebuilds better-sqlite3 for
// Electron's ABI (npmRebuild in electron-builder.yml) in this checkout's node_modules, which would leave
// the tests (plain Node) unable to load it. So the Node build is set aside first and put back after
// packaging, whatever happens: only the packaged app carries the Electron build.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nodeBuild = join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const keep = mkdtempSync(join(tmpdir(), 'bellhop-dist-'));
const kept = join(keep, 'better_sqlite3.node');
if (existsSync(nodeBuild)) copyFileSync(nodeBuild, kept);

let status = 1;
try {
  const builder = join(
    root,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'electron-builder.cmd' : 'electron-builder',
  );
  const result = spawnSync(
    builder,
    ['--config', 'electron-builder.yml', '--publish', 'never', ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    },
  );
  status = result.status ?? 1;
} finally {
  if (existsSync(kept)) copyFileSync(kept, nodeBuild);
  rmSync(keep, { recursive: true, force: true });
}
process.exit(status);
