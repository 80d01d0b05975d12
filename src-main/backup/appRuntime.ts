// What a host (Electron or the browser host) runs: the core, plus what must outlive it. A restore needs
// the store closed and reopened, and a damaged store must not stop the app from starting, so the host
// talks to this runtime instead of to one core:
//  - at start-up: apply a pending restore, then run the integrity check; a failing store starts the app
//    in recovery mode (app:info, app:health, backups:list/restore and diagnostics only), whose screen
//    offers the newest backup that passes the same check;
//  - backups:restore closes the core, applies the restore, and builds a new core on the same host
//    (same port, token and window), so the user's page only has to reload;
//  - one log (rotating files in the data folder, secrets redacted by value) and one event bus for all.
import { join } from 'node:path';
import type { BackupsStatus } from '../../src-preload/backups.contract';
import { isInvokeChannel, type InvokeChannel } from '../../src-preload/channels';
import type { Health, Result } from '../../src-preload/contract';
import { createCore, DATABASE_FILE, type Core, type CoreOptions } from '../core';
import { buildDiagnostics } from '../diagnostics/diagnostics';
import { createEventBus, type EventBus } from '../events';
import { AppError } from '../ipc/errors';
import { createIpcRouter, type Handlers, type IpcRouter, type Sender } from '../ipc/router';
import { createLogger, createSecretValues, type Logger, type SecretValues } from '../log';
import { LOGS_FOLDER, openRotatingFile, type RotatingFile } from '../logs/rotatingFile';
import { markStartup } from '../startup/startupTrace';
import { appVersion } from '../version';
import { BACKUPS_FOLDER, listBackups } from './backupFiles';
import { backupView } from './backups.ipc';
import { checkDatabaseFileOffThread, checkInBackground, type BackgroundCheck } from './backgroundIntegrity';
import { checkDatabaseFile, schemaVersionInHeader } from './integrity';
import { applyPendingRestore, findBackup, writeRestoreMarker, type RestoreOutcome } from './restore';

export interface RuntimeOptions extends Omit<CoreOptions, 'log' | 'secretValues'> {
  /** A logger to use instead of the rotating log files (tests). */
  log?: Logger;
  /** Shown on the Diagnostics page (e.g. "the OS keyring is unavailable"). */
  secretsWarning?: string;
  /** Electron: open a folder in the file manager; resolves to an error message, '' on success. */
  openFolder?: (path: string) => Promise<string>;
  /** Builds the core; tests inject failures here. */
  createCoreFn?: (options: CoreOptions) => Promise<Core>;
  /** Stores larger than this are checked beside the running app (backgroundIntegrity.ts). */
  backgroundCheckAboveBytes?: number;
  /** How long after start-up that check begins (default at once; the browser host waits a few s). */
  backgroundCheckDelayMs?: number;
}

export interface AppRuntime {
  readonly dataDir: string;
  readonly router: IpcRouter;
  readonly events: EventBus;
  readonly log: Logger;
  readonly logsDir: string;
  /** The running core; null in recovery mode or during a restore. */
  core(): Core | null;
  mode(): 'normal' | 'recovery';
  close(): Promise<void>;
}

/** Handled by the runtime itself, in every mode. */
const runtimeChannels = new Set<InvokeChannel>([
  'backups:list',
  'backups:restore',
  'diagnostics:get',
  'diagnostics:open-logs-folder',
]);

export async function startAppRuntime(options: RuntimeOptions): Promise<AppRuntime> {
  const { dataDir } = options;
  const databaseFile = join(dataDir, DATABASE_FILE);
  const logsDir = join(dataDir, LOGS_FOLDER);
  const secretValues: SecretValues = createSecretValues();
  let logFile: RotatingFile | null = null;
  let log: Logger;
  if (options.log) {
    log = options.log;
  } else {
    const file = openRotatingFile({ dir: logsDir });
    logFile = file;
    log = createLogger(
      (line) => {
        file.write(line);
        process.stderr.write(line + '\n');
      },
      undefined,
      secretValues,
    );
  }
  const events = createEventBus();
  const createCoreFn = options.createCoreFn ?? createCore;

  let core: Core | null = null;
  let unsubscribeCore: (() => void) | null = null;
  let problem: string | undefined;
  let lastRestore: BackupsStatus['lastRestore'];
  let restoring = false;
  let backgroundCheck: BackgroundCheck | null = null;

  /** A large store's check runs beside the app; a failure switches to recovery mode as at start. */
  const checkBesideApp = (opened: Core): void => {
    const check = checkDatabaseFileOffThread(databaseFile, { delayMs: options.backgroundCheckDelayMs ?? 0 });
    backgroundCheck = check;
    // The pass itself, not the wait before it.
    const startedAt = Date.now() + (options.backgroundCheckDelayMs ?? 0);
    void check.result.then(async (result) => {
      if (backgroundCheck !== check) return;
      backgroundCheck = null;
      if (result === null) {
        log.warn('runtime: the background integrity check could not run');
        return;
      }
      if (result.ok) {
        log.info('runtime: integrity check passed', { ms: Date.now() - startedAt });
        return;
      }
      if (core !== opened || restoring) return;
      problem = `The database failed its integrity check: ${result.problem}`;
      log.error('runtime: switching to recovery mode', { problem });
      unsubscribeCore?.();
      unsubscribeCore = null;
      core = null;
      await opened.close();
      events.emit('app:health-changed', recoveryHealth());
    });
  };

  /**
   * At start-up an error other than damage (a store from a newer Bellhop) stops the host with its
   * message, as createCore alone would; after a restore the host is already running, so any failure
   * lands in recovery mode, where another backup can be chosen.
   */
  const openCore = async (afterRestore = false): Promise<void> => {
    // A restored backup was checked before it was applied; a large store is checked beside the app.
    const besideApp = !afterRestore && checkInBackground(databaseFile, options.backgroundCheckAboveBytes);
    const integrity = besideApp ? { ok: true as const } : checkDatabaseFile(databaseFile);
    markStartup('runtime: integrity check done');
    if (!integrity.ok) {
      problem = `The database failed its integrity check: ${integrity.problem}`;
      log.error('runtime: starting in recovery mode', { problem });
      return;
    }
    try {
      core = await createCoreFn({
        ...options,
        log,
        secretValues,
        dailyBackups: options.dailyBackups ?? true,
      });
      problem = undefined;
      unsubscribeCore = core.events.subscribe((event, payload) => events.emit(event, payload));
      if (besideApp) checkBesideApp(core);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Damage that quick_check missed but opening or migrating hit: recovery, not a dead app.
      const message = error instanceof Error ? error.message : String(error);
      if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || afterRestore) {
        problem =
          code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB'
            ? `The database is damaged: ${message}`
            : `The restored database could not be opened: ${message}`;
        log.error('runtime: starting in recovery mode', { problem });
        return;
      }
      throw error;
    }
  };

  const applyRestore = (): RestoreOutcome => {
    const outcome = applyPendingRestore(dataDir, log);
    if ('failed' in outcome) lastRestore = { ok: false, message: outcome.failed };
    else if (outcome.applied)
      lastRestore = {
        ok: true,
        message: `Restored ${outcome.backupName}. Your previous data was kept in ${outcome.keptAside}.`,
      };
    return outcome;
  };

  applyRestore();
  markStartup('runtime: pending restore applied');
  await openCore();

  const status = (): BackupsStatus => {
    const backups = listBackups(dataDir);
    // Only recovery mode needs the (costly) check of each backup; normal mode lists them as they are.
    const newestGood = core ? undefined : backups.find((b) => checkDatabaseFile(b.path).ok)?.name;
    return {
      mode: core ? 'normal' : 'recovery',
      ...(problem ? { problem } : {}),
      ...(lastRestore ? { lastRestore } : {}),
      backups: backups.map(backupView),
      ...(newestGood ? { newestGood } : {}),
      folder: join(dataDir, BACKUPS_FOLDER),
    };
  };

  const recoveryHealth = (): Health => ({
    database: 'down',
    queue: 'off',
    connection: 'off',
    tunnel: 'off',
    details: { database: problem ?? 'The database is not open.' },
  });

  const restore = async (name: string): Promise<{ restoredFrom: string; keptAside: string }> => {
    if (restoring) throw new AppError('CONFLICT', 'A restore is already running.');
    const backup = findBackup(dataDir, name);
    if (!backup) throw new AppError('NOT_FOUND', `There is no backup named ${name}.`);
    const integrity = checkDatabaseFile(backup.path);
    if (!integrity.ok)
      throw new AppError('CONFLICT', `This backup is damaged and cannot be restored (${integrity.problem}).`);
    restoring = true;
    let outcome: RestoreOutcome;
    try {
      writeRestoreMarker(dataDir, backup.name, (options.now ?? Date.now)());
      backgroundCheck?.stop();
      backgroundCheck = null;
      const closing = core;
      unsubscribeCore?.();
      unsubscribeCore = null;
      core = null;
      await closing?.close();
      outcome = applyRestore();
      await openCore(true);
    } finally {
      restoring = false;
    }
    events.emit('app:health-changed', core ? (core as Core).health() : recoveryHealth());
    if (!outcome.applied)
      throw new AppError('INTERNAL', 'failed' in outcome ? outcome.failed : 'The restore was not applied.');
    if (!core)
      throw new AppError(
        'CONFLICT',
        `${problem ?? 'The restored database could not be opened.'} Choose another backup.`,
      );
    return { restoredFrom: outcome.backupName, keptAside: outcome.keptAside };
  };

  const hostKind = options.hostKind;
  const runtimeHandlers: Partial<Handlers> = {
    'backups:list': () => status(),
    'backups:restore': ({ name }) => restore(name),
    'diagnostics:get': () =>
      buildDiagnostics({
        dataDir,
        databaseFile,
        hostKind,
        core,
        secretStorage: {
          kind: core?.secrets.kind ?? 'unavailable',
          ...(options.secretsWarning ? { warning: options.secretsWarning } : {}),
        },
      }),
    'diagnostics:open-logs-folder': async () => {
      if (!options.openFolder)
        return {
          opened: false,
          path: logsDir,
          message: 'The browser cannot open folders: open this path in your file manager.',
        };
      const error = await options.openFolder(logsDir);
      return error ? { opened: false, path: logsDir, message: error } : { opened: true, path: logsDir };
    },
  };
  const runtimeRouter = createIpcRouter(runtimeHandlers, log);
  const recoveryRouter = createIpcRouter(
    {
      'app:info': () => ({
        name: 'Bellhop',
        version: appVersion,
        dataDir,
        schemaVersion: schemaVersionInHeader(databaseFile) ?? 0,
        hostKind,
      }),
      'app:health': () => recoveryHealth(),
    },
    log,
  );

  const router: IpcRouter = {
    dispatch(channel: unknown, payload: unknown, sender: Sender): Promise<Result<unknown>> {
      if (isInvokeChannel(channel) && runtimeChannels.has(channel))
        return runtimeRouter.dispatch(channel, payload, sender);
      const current = core;
      if (current) return current.router.dispatch(channel, payload, sender);
      if (sender.trusted && isInvokeChannel(channel) && channel !== 'app:info' && channel !== 'app:health') {
        return Promise.resolve({
          ok: false,
          error: {
            code: 'UNAVAILABLE',
            message: restoring
              ? 'Bellhop is restoring a backup; try again in a moment.'
              : 'Bellhop is in recovery mode: restore a backup first (Settings → Backups).',
          },
        });
      }
      return recoveryRouter.dispatch(channel, payload, sender);
    },
  };

  let closing: Promise<void> | undefined;
  return {
    dataDir,
    router,
    events,
    log,
    logsDir,
    core: () => core,
    mode: () => (core ? 'normal' : 'recovery'),
    close() {
      closing ??= (async () => {
        backgroundCheck?.stop();
        backgroundCheck = null;
        unsubscribeCore?.();
        await core?.close();
        logFile?.close();
      })();
      return closing;
    },
  };
}
