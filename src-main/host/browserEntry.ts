// `npm run start:browser`: the same core under plain Node, the renderer served to any local browser.
// BELLHOP_PORT picks the port (default 4780, 0 = any free port), BELLHOP_DATA_DIR the data folder
// (default: the user-data folder the desktop app uses).
import { join } from 'node:path';
import { startAppRuntime } from '../backup/appRuntime';
import { startBrowserHost } from './browser';
import { mountDownloads } from './downloads';
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
  // The runtime, not one core: a restore swaps the core under this host (same port and token).
  const runtime = await startAppRuntime({ dataDir, hostKind: 'browser' });
  let host;
  try {
    host = await startBrowserHost({ core: runtime, port, rendererDir: join(__dirname, '../renderer') });
  } catch (error) {
    await runtime.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${port} is in use (another Bellhop running?). Set BELLHOP_PORT to another port.`);
    }
    throw error;
  }
  markStartup('host: listening');
  mountDownloads(host, () => runtime.core());
  // Tests and benchmarks read this line to find the address; keep its shape.
  process.stdout.write(`Bellhop is running at ${host.url}\n`);
  process.stdout.write(`Data folder: ${dataDir}\n`);
  process.stdout.write(`Logs: ${runtime.logsDir}\n`);
  const core = runtime.core();
  if (core) {
    process.stdout.write(`Webhooks: ${core.webhooks.server.localUrl}/webhooks/whatsapp/<connection id>\n`);
  } else {
    process.stdout.write('Recovery mode: the database failed its check. Open the app to restore a backup.\n');
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // Printed on the way out so the trace holds the page's first requests too (bench:startup reads it).
    if (process.env.BELLHOP_STARTUP_TRACE) process.stdout.write(startupTraceLine() + '\n');
    void host
      .close()
      .then(() => runtime.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Bellhop could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
