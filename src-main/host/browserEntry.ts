// `npm run start:browser`: the same core under plain Node, the renderer served to any local browser.
// BELLHOP_PORT picks the port (default 4780, 0 = any free port), BELLHOP_DATA_DIR the data folder
// (default: the user-data folder the desktop app uses).
import { join } from 'node:path';
import type { startAppRuntime as StartAppRuntime } from '../backup/appRuntime';
import { startBrowserHost } from './browser';
import type { mountDownloads as MountDownloads } from './downloads';
import { createPendingApp } from './pendingApp';
import { defaultUserDataDir } from './paths';
import { markStartup, startupTraceLine } from '../startup/startupTrace';

export const defaultBrowserPort = 4780;

async function main(): Promise<void> {
  markStartup('host: entry loaded');
  const dataDir = process.env.BELLHOP_DATA_DIR || defaultUserDataDir();
  const port = process.env.BELLHOP_PORT !== undefined ? Number(process.env.BELLHOP_PORT) : defaultBrowserPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`BELLHOP_PORT must be a port number (0-65535), got "${process.env.BELLHOP_PORT}".`);
  }
  // Listen first, with this entry's few small modules only: the page and its script load while the
  // core's modules load and the store opens (import() below keeps them out of this entry's chunk).
  const pending = createPendingApp();
  let host;
  try {
    host = await startBrowserHost({
      core: pending.app,
      port,
      rendererDir: join(__dirname, '../renderer'),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${port} is in use (another Bellhop running?). Set BELLHOP_PORT to another port.`);
    }
    throw error;
  }
  markStartup('host: listening');
  // Tests and benchmarks read this line to find the address; keep its shape.
  process.stdout.write(`Bellhop is running at ${host.url}\n`);

  let runtime;
  try {
    const { startAppRuntime, mountDownloads } = await loadAppModules();
    markStartup('host: app modules loaded');
    // The runtime, not one core: a restore swaps the core under this host (same port and token).
    // A large store's integrity pass (a worker reading every page) waits until the first paint is long done.
    // The Sandbox and the job queue start once the page's first conversation list is served.
    runtime = await startAppRuntime({
      dataDir,
      hostKind: 'browser',
      backgroundCheckDelayMs: 5_000,
      holdUntilFirstPaint: true,
    });
    const started = runtime;
    mountDownloads(host, () => started.core());
  } catch (error) {
    pending.failed('Bellhop could not start; see the message where it was started.');
    await host.close();
    throw error;
  }
  pending.ready(runtime);
  markStartup('host: app ready');
  process.stdout.write(`Data folder: ${dataDir}\n`);
  process.stdout.write(`Logs: ${runtime.logsDir}\n`);
  const core = runtime.core();
  if (core) {
    process.stdout.write(`Webhooks: ${core.webhooks.server.localUrl}/webhooks/whatsapp/<connection id>\n`);
  } else {
    process.stdout.write('Recovery mode: the database failed its check. Open the app to restore a backup.\n');
  }
  // Printed once the app behind the address is up: test/helpers/browserHostProcess.ts waits for it.
  process.stdout.write('Bellhop is ready\n');

  const running = runtime;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // Printed on the way out so the trace holds the page's first requests too (bench:startup reads it).
    if (process.env.BELLHOP_STARTUP_TRACE) process.stdout.write(startupTraceLine() + '\n');
    void host
      .close()
      .then(() => running.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * Loading a module blocks the event loop, and a page opened at once asks for its HTML, script and
 * styles meanwhile. The app's modules therefore load in a few slices (each import() is its own chunk),
 * the costliest first: zod, the IPC contract (every channel's schema), then the core. Between two,
 * the host answers the requests that came in. (Holding the next slice back until an opening page had
 * fetched its script was tried and measured slower: page and core then take turns instead of sharing
 * the two cores.)
 */
async function loadAppModules(): Promise<{
  startAppRuntime: typeof StartAppRuntime;
  mountDownloads: typeof MountDownloads;
}> {
  const between = async (): Promise<void> => {
    // setImmediate runs after the event loop's I/O phase: connections and requests waiting are served.
    await new Promise((resolve) => setImmediate(resolve));
  };
  await between();
  // zod through a module of ours: the build bundles zod (electron.vite.config.ts), so this is the chunk
  // that holds it; a bare import('zod') would load a second copy from node_modules.
  await import('../../src-preload/contractSchema');
  await between();
  await import('../../src-preload/contract');
  await between();
  const { startAppRuntime } = await import('../backup/appRuntime');
  await between();
  const { mountDownloads } = await import('./downloads');
  return { startAppRuntime, mountDownloads };
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Bellhop could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
