// Contacts: the rules around the repo. Imports and exports run on worker threads under the seed locks
// `contact_import:workspace:{id}` (10 min, extended while the import lives) and
// `contact_export:workspace:{id}` (5 min); the screen's lists and counts run on a read-only query worker;
// edits are short indexed writes on the main connection. No electron, no http.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type Worker } from 'node:worker_threads';
import {
  contactDownloadPaths,
  exportColumns,
  type Contact,
  type ContactFacets,
  type ContactFilter,
  type ContactsPage,
  type ExportColumn,
  type ExportResult,
  type ImportCounts,
  type ImportPreview,
  type ImportProgress,
  type ImportSettings,
  type ImportSummary,
  type UploadState,
} from '../../src-preload/contacts.contract';
import { newId } from '../db/ids';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import { lockKeys } from '../locks/keys';
import { describeAge, type LockRegistry } from '../locks/registry';
import type { Logger } from '../log';
import { createContactImportsRepo } from './contactImports.repo';
import { createContactsRepo, type ContactPatch, type ContactsRepo } from './contacts.repo';
import { UploadStore } from './contacts.uploads';
import { QueryWorkerClient, startContactsWorker } from './contacts.workers';
import { detectEncoding, FileFormatError } from './csv/decode';
import { previewFile, readHead, type PreviewOptions } from './csv/preview';
import type { ExportMessage } from './export/exportWriter';
import type { EngineMessage } from './import/importEngine';
import { isSupportedDefaultCountry } from './phone/normalisePhone';

export interface ContactsServiceOptions {
  db: Db;
  /** The database file, for the workers' own connections. */
  dbFile: string;
  dataDir: string;
  locks: LockRegistry;
  events: EventBus;
  log: Logger;
  now?: () => number;
  /** The workspace a request without workspaceId means. */
  currentWorkspaceId?: () => string | null;
  /** Rows per sorted run during an import (tests make it small to exercise the merge). */
  importRunRows?: number;
  /** How long an export waits for the workspace's export lock before answering LOCKED. */
  exportLockWaitMs?: number;
  /** Overrides the import lock's TTL (10 min, locks/keys.ts); tests shorten it to watch it being extended. */
  importLockTtlMs?: number;
}

interface ImportJob {
  importId: string;
  workspaceId: string;
  fileName: string;
  startedAt: number;
  /** Reads the file. */
  worker: Worker;
  /** Writes what the reader sends (a MessageChannel joins the two). */
  writer: Worker;
  cancelFlag: Int32Array;
  progress: ImportProgress;
  rejectsPath: string;
  finished: Promise<ImportSummary>;
  rate: RateMeter;
}

/** Rows (or bytes) per second over the last few seconds. */
class RateMeter {
  private samples: { t: number; v: number }[] = [];
  add(t: number, v: number): void {
    this.samples.push({ t, v });
    while (this.samples.length > 2 && t - (this.samples[0] as { t: number }).t > 3000) this.samples.shift();
  }
  reset(): void {
    this.samples = [];
  }
  perSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < 200) return 0;
    return ((last.v - first.v) * 1000) / (last.t - first.t);
  }
}

/** Share of the progress bar for reading the file; the rest is saving (they overlap). */
const READ_SHARE = 0.3;
const IMPORT_EXTEND_EVERY_MS = 60_000;
const EVENT_EVERY_MS = 250;
const CHANGED_EVERY_MS = 1000;
const fileIdPattern = /^[A-Za-z0-9._-]{1,200}$/;

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${p(d.getUTCMilliseconds(), 3)}`
  );
}

function emptyCounts(): ImportCounts {
  return { rows: 0, emptyRows: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0 };
}

/**
 * A count with en-US digit grouping ("1,234,567"). Not toLocaleString: its first call loads ICU's number
 * data, which held the main thread for ~80 ms when the summary of a finished import was written.
 */
function n(value: number): string {
  return String(Math.trunc(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface ContactsService {
  readonly repo: ContactsRepo;
  resolveWorkspace(workspaceId: string | undefined): string;
  list(input: {
    workspaceId?: string;
    filter?: ContactFilter;
    sort?: 'recent' | 'phone';
    offset?: number;
    limit?: number;
    withTotal?: boolean;
  }): Promise<ContactsPage>;
  facets(workspaceId?: string): Promise<ContactFacets>;
  update(workspaceId: string | undefined, contactId: string, patch: ContactPatch): Contact;
  setOptOut(workspaceId: string | undefined, contactId: string, optedOut: boolean, reason?: string): Contact;
  delete(workspaceId: string | undefined, contactIds: readonly string[]): { deleted: number };
  uploadBegin(fileName: string, size: number): Promise<UploadState>;
  uploadChunk(uploadId: string, offset: number, data: string): Promise<UploadState>;
  /** For the Electron shell: a file chosen in an open dialog becomes an upload without copying. */
  adoptFile(path: string, fileName: string, size: number): Promise<UploadState>;
  preview(uploadId: string, options?: PreviewOptions): Promise<ImportPreview>;
  startImport(
    workspaceId: string | undefined,
    uploadId: string,
    settings: ImportSettings,
    options?: { rememberContacts?: boolean },
  ): Promise<ImportProgress>;
  cancelImport(importId: string): ImportProgress;
  importStatus(workspaceId?: string): { running: ImportProgress | null; last: ImportSummary | null };
  /** Resolves when the import ends (tests, and the shell's quit). */
  whenImportFinished(importId: string): Promise<ImportSummary>;
  export(input: {
    workspaceId?: string;
    filter?: ContactFilter;
    columns?: ExportColumn[];
  }): Promise<ExportResult>;
  /** A file the browser host may serve: an export by id, or an import's rejects by its file id. */
  downloadFile(kind: 'export' | 'rejects', id: string): { path: string; fileName: string } | undefined;
  close(): Promise<void>;
}

export function createContactsService(options: ContactsServiceOptions): ContactsService {
  const now = options.now ?? Date.now;
  const { db, locks, events, log } = options;
  const repo = createContactsRepo(db);
  const importLedger = createContactImportsRepo(db);
  // A remembered import that was running when the app stopped never finished: no audience may use it.
  importLedger.failInterrupted(now());
  const uploads = new UploadStore(join(options.dataDir, 'contacts-uploads'), now);
  const importsDir = join(options.dataDir, 'contacts-imports');
  const exportsDir = join(options.dataDir, 'contacts-exports');
  mkdirSync(importsDir, { recursive: true });
  mkdirSync(exportsDir, { recursive: true });
  // Scratch of imports and exports interrupted by a crash or a quit.
  for (const name of readdirSync(importsDir)) {
    if (name.endsWith('.tmp')) rmSync(join(importsDir, name), { recursive: true, force: true });
  }
  for (const name of readdirSync(exportsDir)) {
    if (name.endsWith('.partial')) rmSync(join(exportsDir, name), { force: true });
  }
  const queries = new QueryWorkerClient(options.dbFile, log);
  const imports = new Map<string, ImportJob>();
  const runningByWorkspace = new Map<string, ImportJob>();
  const lastSummary = new Map<string, ImportSummary>();
  const exportWorkers = new Set<Worker>();
  let lastChanged = 0;
  let closed = false;

  const resolveWorkspace = (workspaceId: string | undefined): string => {
    const id = workspaceId ?? options.currentWorkspaceId?.() ?? null;
    if (!id) throw new AppError('BAD_REQUEST', 'Choose a workspace first.');
    if (!repo.workspaceExists(id)) throw new AppError('NOT_FOUND', 'That workspace does not exist.');
    return id;
  };

  const changed = (workspaceId: string): void => {
    queries.invalidate(workspaceId);
    events.emit('contacts:changed', { workspaceId });
  };

  const mustGet = (workspaceId: string, contactId: string): void => {
    if (!repo.getRow(workspaceId, contactId))
      throw new AppError('NOT_FOUND', 'That contact no longer exists.');
  };

  // --- import ------------------------------------------------------------------------------------------

  function progressFrom(
    job: ImportJob,
    message: Extract<EngineMessage, { type: 'progress' }>,
  ): ImportProgress {
    const t = now();
    // Reading and saving overlap (two threads); the pace that matters is rows saved per second.
    job.rate.add(t, message.rowsSaved);
    const rowsPerSecond = Math.round(job.rate.perSecond());
    const readFraction = message.totalBytes > 0 ? Math.min(1, message.bytesRead / message.totalBytes) : 1;
    const reading = message.phase === 'reading';
    // While reading, the rows still to come are estimated from the share of the file read so far.
    const expectedToSave =
      reading && readFraction > 0 ? message.rowsToSave / readFraction : message.rowsToSave;
    const saveFraction =
      expectedToSave > 0 ? Math.min(1, message.rowsSaved / expectedToSave) : reading ? 0 : 1;
    const etaSeconds =
      rowsPerSecond > 0 && expectedToSave > 0
        ? Math.max(0, Math.ceil((expectedToSave - message.rowsSaved) / rowsPerSecond))
        : null;
    return {
      ...job.progress,
      phase: message.phase,
      fraction: READ_SHARE * readFraction + (1 - READ_SHARE) * saveFraction,
      rowsRead: message.rowsRead,
      rowsSaved: message.rowsSaved,
      rowsPerSecond,
      etaSeconds,
      counts: message.counts,
    };
  }

  function summaryMessage(
    outcome: 'done' | 'cancelled' | 'failed',
    counts: ImportCounts,
    rowsSaved: number,
    rowsToSave: number,
    error: { message: string } | null,
  ): string {
    const applied = `${n(counts.created)} created, ${n(counts.updated)} updated, ${n(counts.unchanged)} unchanged`;
    const notImported =
      counts.rejected + counts.skipped > 0
        ? `; ${n(counts.rejected)} rejected${counts.skipped ? `, ${n(counts.skipped)} skipped` : ''} (see the rejects file)`
        : '';
    switch (outcome) {
      case 'done':
        return `Imported ${n(counts.rows)} rows: ${applied}${notImported}.`;
      case 'cancelled':
        return rowsSaved === 0
          ? 'Cancelled before anything was saved: the workspace is unchanged.'
          : `Cancelled. The ${n(rowsSaved)} rows saved before the cancel stay (${applied}); the rest of the file was not imported.`;
      case 'failed':
        return rowsSaved === 0
          ? `The import failed and nothing was saved: ${error?.message ?? 'unknown error'}`
          : `The import stopped after saving ${n(rowsSaved)} rows (${applied}): ${error?.message ?? 'unknown error'}`;
    }
  }

  async function startImport(
    workspaceIdInput: string | undefined,
    uploadId: string,
    settings: ImportSettings,
    importOptions: { rememberContacts?: boolean } = {},
  ): Promise<ImportProgress> {
    if (closed) throw new AppError('UNAVAILABLE', 'The app is shutting down.');
    const workspaceId = resolveWorkspace(workspaceIdInput);
    const upload = uploads.completed(uploadId);
    if (settings.defaultCountry !== null && !isSupportedDefaultCountry(settings.defaultCountry)) {
      throw new AppError(
        'BAD_REQUEST',
        `${settings.defaultCountry} is not a country code the phone library knows.`,
      );
    }
    const spec = lockKeys.contactImport(workspaceId);
    const ttlMs = options.importLockTtlMs ?? spec.ttlMs;
    const acquired = await locks.acquire(spec, { owner: `An import of ${upload.fileName}`, ttlMs });
    if (!acquired.ok) {
      const holder = acquired.holder;
      throw new AppError(
        'LOCKED',
        `An import is already running in this workspace (started ${clock(holder.since)}, ${describeAge(holder.since, now())}` +
          `${runningByWorkspace.get(workspaceId) ? `: ${runningByWorkspace.get(workspaceId)?.fileName}` : ''}). ` +
          `Wait for it to finish or cancel it; nothing of this file was imported.`,
      );
    }
    let worker: Worker | undefined;
    let writer: Worker | undefined;
    let rememberedId: string | undefined;
    try {
      const encoding = detectEncoding(await readHead(upload.path));
      const importId = newId(now());
      const startedAt = now();
      const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
      const rejectsPath = join(importsDir, `${importId}-rejects.csv`);
      const lock = { key: acquired.key, fence: acquired.fence };
      const remember = importOptions.rememberContacts === true;
      // Before the writer starts: its batches list their contacts under this row.
      if (remember) {
        importLedger.insertRunning({ id: importId, workspaceId, fileName: upload.fileName, now: startedAt });
        rememberedId = importId;
      }
      const channel = new MessageChannel();
      writer = startContactsWorker(
        {
          role: 'import-writer',
          input: {
            dbFile: options.dbFile,
            workspaceId,
            mode: settings.mode,
            lock,
            cancelFlag,
            ...(remember ? { rememberAs: importId } : {}),
          },
          port: channel.port2,
        },
        [channel.port2],
      );
      // Starting a thread costs the main thread a few milliseconds; two in one turn would add up.
      await new Promise((resolve) => setImmediate(resolve));
      worker = startContactsWorker(
        {
          role: 'import',
          totalBytes: upload.size,
          input: {
            dbFile: options.dbFile,
            workspaceId,
            filePath: upload.path,
            encoding,
            settings,
            rejectsPath,
            lock,
            runRows: options.importRunRows,
            cancelFlag,
            writerPort: channel.port1,
          },
        },
        [channel.port1],
      );
      const progress: ImportProgress = {
        importId,
        workspaceId,
        fileName: upload.fileName,
        phase: 'starting',
        startedAt,
        fraction: 0,
        rowsRead: 0,
        rowsSaved: 0,
        rowsPerSecond: 0,
        etaSeconds: null,
        counts: emptyCounts(),
      };
      const job = {
        importId,
        workspaceId,
        fileName: upload.fileName,
        startedAt,
        worker,
        writer,
        cancelFlag,
        progress,
        rejectsPath,
        rate: new RateMeter(),
        // Set just below, once the handlers that settle it are attached.
      } satisfies Omit<ImportJob, 'finished'> as ImportJob;
      // Extended well before it would expire, for as long as the import lives (seed: 10 min TTL).
      const extender = setInterval(
        () => {
          if (!locks.extend(acquired.key, acquired.token, ttlMs)) {
            log.warn('contacts: import lost its lock; cancelling', { importId });
            Atomics.store(cancelFlag, 0, 1);
          }
        },
        Math.min(IMPORT_EXTEND_EVERY_MS, ttlMs / 3),
      );
      extender.unref();

      job.finished = new Promise<ImportSummary>((resolve) => {
        let lastEvent = 0;
        let settled = false;
        const settle = (message: Extract<EngineMessage, { type: 'finished' }>): void => {
          if (settled) return;
          settled = true;
          // The lock is released only once the writer thread can no longer write (normally it has
          // already ended; after a crash it is stopped here first).
          Atomics.store(cancelFlag, 0, 1);
          void job.writer
            .terminate()
            .catch(() => undefined)
            .then(() => finalize(message));
        };
        const finalize = (message: Extract<EngineMessage, { type: 'finished' }>): void => {
          clearInterval(extender);
          locks.release(acquired.key, acquired.token);
          imports.delete(importId);
          if (runningByWorkspace.get(workspaceId) === job) runningByWorkspace.delete(workspaceId);
          const hasRejects = message.rejectsWritten > 0;
          const summary: ImportSummary = {
            ...job.progress,
            phase: message.outcome === 'done' ? 'done' : message.outcome,
            fraction: message.outcome === 'done' ? 1 : job.progress.fraction,
            rowsSaved: message.rowsSaved,
            etaSeconds: null,
            counts: message.counts,
            finishedAt: now(),
            message: summaryMessage(
              message.outcome,
              message.counts,
              message.rowsSaved,
              message.rowsToSave,
              message.error,
            ),
            rejectedByReason: message.rejectedByReason,
            rejectsFileId: hasRejects ? `${importId}-rejects.csv` : null,
            error: message.error,
          };
          lastSummary.set(workspaceId, summary);
          if (remember) {
            importLedger.finish({
              id: importId,
              status: message.outcome,
              counts: message.counts,
              rejectedByReason: message.rejectedByReason,
              rejectsFileId: summary.rejectsFileId,
              now: summary.finishedAt,
            });
          }
          void uploads.discard(uploadId);
          if (message.rowsSaved > 0) changed(workspaceId);
          events.emit('contacts:import-finished', summary);
          log.info('contacts: import finished', {
            importId,
            workspaceId,
            outcome: message.outcome,
            counts: message.counts,
          });
          resolve(summary);
        };
        job.worker.on('message', (message: EngineMessage) => {
          if (message.type === 'finished') {
            settle(message);
            return;
          }
          job.progress = progressFrom(job, message);
          const t = now();
          if (t - lastEvent >= EVENT_EVERY_MS) {
            lastEvent = t;
            events.emit('contacts:import-progressed', job.progress);
          }
          if (message.rowsSaved > 0 && t - lastChanged >= CHANGED_EVERY_MS) {
            lastChanged = t;
            changed(workspaceId);
          }
        });
        job.writer.on('error', (error) => log.error('contacts: import writer failed', { importId, error }));
        job.worker.on('error', (error) => {
          log.error('contacts: import worker failed', { importId, error });
          settle({
            type: 'finished',
            outcome: 'failed',
            counts: job.progress.counts,
            rejectedByReason: {},
            rejectsWritten: 0,
            rowsSaved: job.progress.rowsSaved,
            rowsToSave: job.progress.rowsSaved,
            error: { code: 'INTERNAL', message: 'The import stopped unexpectedly. Details are in the log.' },
          });
        });
        job.worker.on('exit', () => {
          settle({
            type: 'finished',
            outcome: 'failed',
            counts: job.progress.counts,
            rejectedByReason: {},
            rejectsWritten: 0,
            rowsSaved: job.progress.rowsSaved,
            rowsToSave: job.progress.rowsSaved,
            error: { code: 'INTERNAL', message: 'The import stopped unexpectedly.' },
          });
        });
      });
      imports.set(importId, job);
      runningByWorkspace.set(workspaceId, job);
      events.emit('contacts:import-progressed', progress);
      log.info('contacts: import started', {
        importId,
        workspaceId,
        fileName: upload.fileName,
        size: upload.size,
      });
      return progress;
    } catch (error) {
      locks.release(acquired.key, acquired.token);
      if (worker) await worker.terminate();
      if (writer) await writer.terminate();
      if (rememberedId !== undefined) {
        importLedger.finish({
          id: rememberedId,
          status: 'failed',
          counts: emptyCounts(),
          rejectedByReason: {},
          rejectsFileId: null,
          now: now(),
        });
      }
      if (error instanceof FileFormatError) throw new AppError('BAD_REQUEST', error.message);
      throw error;
    }
  }

  // --- export ------------------------------------------------------------------------------------------

  async function exportContacts(input: {
    workspaceId?: string;
    filter?: ContactFilter;
    columns?: ExportColumn[];
  }): Promise<ExportResult> {
    if (closed) throw new AppError('UNAVAILABLE', 'The app is shutting down.');
    const workspaceId = resolveWorkspace(input.workspaceId);
    const columns =
      input.columns && input.columns.length > 0
        ? exportColumns.filter((c) => input.columns?.includes(c))
        : [...exportColumns];
    const spec = lockKeys.contactExport(workspaceId);
    // Exports of one workspace take turns (seed §4); a user's second click waits rather than failing.
    const acquired = await locks.acquire(spec, {
      waitMs: options.exportLockWaitMs ?? 120_000,
      owner: 'A contact export',
    });
    if (!acquired.ok) throw new AppError('LOCKED', acquired.message);
    const extender = setInterval(
      () => locks.extend(acquired.key, acquired.token, spec.ttlMs),
      spec.ttlMs / 3,
    );
    extender.unref();
    try {
      const safeWorkspace = workspaceId.replace(/[^A-Za-z0-9_-]/g, '_');
      const fileName = `contacts-${safeWorkspace}-${stamp(now())}-${randomBytes(4).toString('hex')}.csv`;
      const finalPath = join(exportsDir, fileName);
      const exportId = fileName;
      const worker = startContactsWorker({
        role: 'export',
        input: { dbFile: options.dbFile, workspaceId, filter: input.filter ?? {}, columns, finalPath },
      });
      exportWorkers.add(worker);
      const result = await new Promise<{ rows: number; bytes: number }>((resolve, reject) => {
        worker.on('message', (message: ExportMessage) => {
          if (message.type === 'progress') {
            events.emit('contacts:export-progressed', {
              exportId,
              workspaceId,
              rowsDone: message.rowsDone,
              rowsTotal: message.rowsTotal,
            });
          } else if (message.ok) {
            resolve({ rows: message.rows, bytes: message.bytes });
          } else {
            reject(new AppError('INTERNAL', `The export failed: ${message.message}`));
          }
        });
        worker.on('error', reject);
        worker.on('exit', () => reject(new AppError('INTERNAL', 'The export stopped unexpectedly.')));
      }).finally(() => exportWorkers.delete(worker));
      return {
        exportId,
        workspaceId,
        fileName,
        rows: result.rows,
        bytes: result.bytes,
        downloadUrl: contactDownloadPaths.export(exportId),
      };
    } finally {
      clearInterval(extender);
      locks.release(acquired.key, acquired.token);
    }
  }

  return {
    repo,
    resolveWorkspace,

    async list(input) {
      const workspaceId = resolveWorkspace(input.workspaceId);
      return queries.page({
        workspaceId,
        filter: input.filter ?? {},
        sort: input.sort ?? 'recent',
        offset: input.offset ?? 0,
        limit: input.limit ?? 100,
        withTotal: input.withTotal ?? false,
      });
    },

    async facets(workspaceIdInput) {
      return queries.facets(resolveWorkspace(workspaceIdInput));
    },

    update(workspaceIdInput, contactId, patch) {
      const workspaceId = resolveWorkspace(workspaceIdInput);
      mustGet(workspaceId, contactId);
      const clean: ContactPatch = { ...patch };
      if (clean.name !== undefined) clean.name = clean.name?.trim() || null;
      if (clean.email !== undefined) clean.email = clean.email?.trim() || null;
      if (clean.tags) clean.tags = [...new Set(clean.tags.map((t) => t.trim()).filter(Boolean))];
      if (clean.attributes) {
        const attributes: Record<string, string> = {};
        for (const [key, value] of Object.entries(clean.attributes)) {
          if (value.trim()) attributes[key.trim()] = value.trim();
        }
        clean.attributes = attributes;
      }
      const contact = repo.update(workspaceId, contactId, clean, now());
      if (!contact) throw new AppError('NOT_FOUND', 'That contact no longer exists.');
      changed(workspaceId);
      return contact;
    },

    setOptOut(workspaceIdInput, contactId, optedOut, reason) {
      const workspaceId = resolveWorkspace(workspaceIdInput);
      const contact = repo.setOptOut(workspaceId, contactId, optedOut, reason?.trim() || null, now());
      if (!contact) throw new AppError('NOT_FOUND', 'That contact no longer exists.');
      changed(workspaceId);
      return contact;
    },

    delete(workspaceIdInput, contactIds) {
      const workspaceId = resolveWorkspace(workspaceIdInput);
      const deleted = db.transaction(() => repo.deleteMany(workspaceId, contactIds)).immediate();
      if (deleted > 0) changed(workspaceId);
      return { deleted };
    },

    uploadBegin: (fileName, size) => uploads.begin(fileName, size),
    uploadChunk: (uploadId, offset, data) => uploads.chunk(uploadId, offset, data),
    adoptFile: (path, fileName, size) => uploads.adopt(path, fileName, size),

    async preview(uploadId, previewOptions = {}) {
      const upload = uploads.completed(uploadId);
      if (
        previewOptions.defaultCountry !== undefined &&
        previewOptions.defaultCountry !== null &&
        !isSupportedDefaultCountry(previewOptions.defaultCountry)
      ) {
        throw new AppError(
          'BAD_REQUEST',
          `${previewOptions.defaultCountry} is not a country code the phone library knows.`,
        );
      }
      try {
        return await previewFile(
          upload.path,
          { uploadId, fileName: upload.fileName, size: upload.size },
          previewOptions,
        );
      } catch (error) {
        if (error instanceof FileFormatError) throw new AppError('BAD_REQUEST', error.message);
        throw error;
      }
    },

    startImport,

    cancelImport(importId) {
      const job = imports.get(importId);
      if (!job) throw new AppError('NOT_FOUND', 'That import is not running.');
      Atomics.store(job.cancelFlag, 0, 1);
      return job.progress;
    },

    importStatus(workspaceIdInput) {
      const workspaceId = resolveWorkspace(workspaceIdInput);
      return {
        running: runningByWorkspace.get(workspaceId)?.progress ?? null,
        last: lastSummary.get(workspaceId) ?? null,
      };
    },

    whenImportFinished(importId) {
      const job = imports.get(importId);
      if (job) return job.finished;
      for (const summary of lastSummary.values())
        if (summary.importId === importId) return Promise.resolve(summary);
      return Promise.reject(new AppError('NOT_FOUND', 'That import is not known.'));
    },

    export: exportContacts,

    downloadFile(kind, id) {
      if (!fileIdPattern.test(id) || id.includes('..')) return undefined;
      const path = kind === 'export' ? join(exportsDir, id) : join(importsDir, id);
      if (kind === 'export' && !id.endsWith('.csv')) return undefined;
      if (kind === 'rejects' && !id.endsWith('-rejects.csv')) return undefined;
      try {
        if (!statSync(path).isFile()) return undefined;
      } catch {
        return undefined;
      }
      return { path, fileName: kind === 'rejects' ? `rejected-rows-${id}` : id };
    },

    async close() {
      if (closed) return;
      closed = true;
      const running = [...imports.values()];
      for (const job of running) Atomics.store(job.cancelFlag, 0, 1);
      await Promise.race([
        Promise.all(running.map((job) => job.finished)),
        new Promise((resolve) => setTimeout(resolve, 5000).unref()),
      ]);
      for (const job of imports.values()) {
        await job.worker.terminate();
        await job.writer.terminate();
      }
      for (const worker of exportWorkers) await worker.terminate();
      await queries.close();
      await uploads.close();
    },
  };
}
