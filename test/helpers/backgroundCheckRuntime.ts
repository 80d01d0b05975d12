// The app runtime as the background integrity tests start it: the browser host's kind, no Sandbox, a
// memory log to read the check's verdict from, and the size threshold at 0 bytes so a small test store
// stands in for a large one (its integrity pass runs beside the app, backgroundIntegrity.ts).
import { startAppRuntime, type AppRuntime, type RuntimeOptions } from '../../src-main/backup/appRuntime';
import { createMemoryLogger } from '../../src-main/log';

export async function startBackgroundCheckedRuntime(
  dataDir: string,
  options: Pick<RuntimeOptions, 'backgroundCheckDelayMs'> = {},
): Promise<{ runtime: AppRuntime; log: ReturnType<typeof createMemoryLogger> }> {
  const log = createMemoryLogger();
  const runtime = await startAppRuntime({
    dataDir,
    hostKind: 'browser',
    sandbox: false,
    log,
    backgroundCheckAboveBytes: 0,
    ...options,
  });
  return { runtime, log };
}
