// The whole import of one file, run on the import worker thread (contactsWorker.ts) with the worker's own
// SQLite connection, so neither parsing a million rows nor writing them ever blocks the main thread:
//   1. read: decode → records → fields → validated rows; bad rows go to the rejects file as they come,
//      good ones into sorted runs (sortedRuns.ts);
//   2. save: the runs merged in phone order; copies of a number after its first row are rejected as
//      duplicates; rows upserted in short transactions (≈20 ms each, so a main-thread write waits at most
//      that long for SQLite's write lock), each checking the import lock's fence, so an import whose lock
//      expired cannot write over a newer one.
// Cancel (a shared flag the main thread sets) is checked between transactions: what is committed stays.
import { join } from 'node:path';
import type { ImportCounts, ImportMode, ImportSettings } from '../../../src-preload/contacts.contract';
import { openDatabase, type Db } from '../../db/open';
import { createFenceGuard, StaleFenceError } from '../../locks/fence.store';
import { createContactsRepo, type ImportOutcome } from '../contacts.repo';
import type { DetectedEncoding } from '../csv/decode';
import { parseRecords } from '../csv/fields';
import { readRecords, type ReadItem } from '../csv/readRecords';
import { RejectsWriter } from './rejectsWriter';
import { buildRow, planRows, type CandidateContact, type RejectCode, type RowPlan } from './rowBuilder';
import { SortedRuns } from './sortedRuns';

export interface ImportJobInput {
  dbFile: string;
  workspaceId: string;
  filePath: string;
  encoding: DetectedEncoding;
  settings: ImportSettings;
  /** Scratch folder for sorted runs; removed at the end. */
  tempDir: string;
  rejectsPath: string;
  lock: { key: string; fence: number };
  /** Rows per sorted run (memory bound of the read phase). */
  runRows?: number;
  /** Target duration of one write transaction. */
  transactionMs?: number;
  /** Int32Array over a SharedArrayBuffer; [0] !== 0 means cancel. */
  cancelFlag: Int32Array;
}

export type ImportPhaseReport = 'reading' | 'saving';

export type EngineMessage =
  | {
      type: 'progress';
      phase: ImportPhaseReport;
      bytesRead: number;
      totalBytes: number;
      rowsRead: number;
      rowsToSave: number;
      rowsSaved: number;
      counts: ImportCounts;
    }
  | {
      type: 'finished';
      outcome: 'done' | 'cancelled' | 'failed';
      counts: ImportCounts;
      rejectedByReason: Record<string, number>;
      rejectsWritten: number;
      rowsSaved: number;
      rowsToSave: number;
      error: { code: string; message: string } | null;
    };

export class ImportFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

const PROGRESS_EVERY_MS = 100;

function emptyCounts(): ImportCounts {
  return { rows: 0, emptyRows: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0 };
}

export async function runImportJob(
  input: ImportJobInput,
  totalBytes: number,
  emit: (message: EngineMessage) => void,
): Promise<void> {
  const counts = emptyCounts();
  const byReason: Record<string, number> = {};
  const rejects = new RejectsWriter(input.rejectsPath);
  const runs = new SortedRuns(join(input.tempDir, 'runs'), input.runRows ?? 20_000);
  const cancelled = (): boolean => Atomics.load(input.cancelFlag, 0) !== 0;
  let db: Db | undefined;
  let rowsToSave = 0;
  let rowsSaved = 0;
  let bytesRead = 0;
  let phase: ImportPhaseReport = 'reading';
  let lastProgress = 0;

  const progress = (force = false): void => {
    const now = performance.now();
    if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    emit({
      type: 'progress',
      phase,
      bytesRead,
      totalBytes,
      rowsRead: counts.rows,
      rowsToSave,
      rowsSaved,
      counts: { ...counts },
    });
  };

  const reject = async (
    code: RejectCode,
    row: number,
    line: number,
    message: string,
    values: readonly string[],
  ): Promise<void> => {
    if (code === 'ALREADY_EXISTS' || code === 'NOT_IN_WORKSPACE') counts.skipped++;
    else counts.rejected++;
    byReason[code] = (byReason[code] ?? 0) + 1;
    await rejects.write({ row, line, message, values });
  };

  const finish = async (
    outcome: 'done' | 'cancelled' | 'failed',
    error: { code: string; message: string } | null,
  ): Promise<void> => {
    await rejects.close().catch(() => undefined);
    await runs.cleanup().catch(() => undefined);
    db?.close();
    emit({
      type: 'finished',
      outcome,
      counts: { ...counts },
      rejectedByReason: byReason,
      rejectsWritten: rejects.written,
      rowsSaved,
      rowsToSave,
      error,
    });
  };

  try {
    db = openDatabase(input.dbFile);
    // A bigger page cache keeps the (workspace, phone) index's hot pages in memory while the merge walks it.
    db.pragma('cache_size = -16384');
    // The only foreign key of `contacts` is its workspace. Checking it once per transaction (below, inside
    // the transaction, so a workspace deleted meanwhile is seen) gives the same guarantee as SQLite's
    // per-row check, which costs a third of the insert time. This connection writes nothing else.
    db.pragma('foreign_keys = OFF');
    const repo = createContactsRepo(db);
    const fences = createFenceGuard(db);
    if (!repo.workspaceExists(input.workspaceId)) {
      throw new ImportFileError('NOT_FOUND', 'That workspace no longer exists.');
    }

    // --- 1. read ---------------------------------------------------------------------------------------
    const { settings } = input;
    let plan: RowPlan | undefined = settings.hasHeader
      ? undefined
      : planRows(
          settings,
          settings.columns.map((_, i) => `Column ${i + 1}`),
        );
    if (plan) rejects.setHeaders(plan.headers);

    const handle = async (item: ReadItem): Promise<void> => {
      if (!plan) {
        if (item.kind === 'bad') {
          throw new ImportFileError(
            'BAD_HEADER',
            `The header row (line ${item.line}) cannot be read: ${item.message}.`,
          );
        }
        if (item.fields.every((f) => f.trim() === '')) return;
        const headers = item.fields.map((h, i) => h.trim() || `Column ${i + 1}`);
        plan = planRows(settings, headers);
        rejects.setHeaders(headers);
        return;
      }
      counts.rows++;
      if (item.kind === 'bad') {
        await reject(item.code, item.row, item.line, item.message, item.values);
        return;
      }
      const built = buildRow(item.fields, item.raw, item.row, item.line, plan);
      switch (built.kind) {
        case 'empty':
          counts.emptyRows++;
          return;
        case 'reject':
          await reject(
            built.reject.code,
            built.reject.row,
            built.reject.line,
            built.reject.message,
            built.reject.values,
          );
          return;
        case 'contact':
          rowsToSave++;
          await runs.add(built.contact);
          return;
      }
    };

    for await (const chunk of readRecords({
      filePath: input.filePath,
      encoding: input.encoding,
      delimiter: settings.delimiter,
    })) {
      bytesRead = chunk.bytesRead;
      for (const item of chunk.items) await handle(item);
      if (cancelled()) {
        await finish('cancelled', null);
        return;
      }
      progress();
    }
    if (!plan) throw new ImportFileError('NO_ROWS', 'The file has no header row and no data.');

    const originalValues = (raw: string): string[] => {
      const parsed = parseRecords([raw], settings.delimiter)[0];
      return Array.isArray(parsed) ? parsed : [raw];
    };

    // --- 2. save -----------------------------------------------------------------------------------------
    phase = 'saving';
    progress(true);
    const targetMs = input.transactionMs ?? 20;
    let batchSize = 250;
    let batch: CandidateContact[] = [];
    const pendingRejects: { code: RejectCode; contact: CandidateContact; message: string }[] = [];
    const mode: ImportMode = settings.mode;

    const commit = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      if (cancelled()) return false;
      const started = performance.now();
      const now = Date.now();
      const rows = batch;
      batch = [];
      fences.write(input.lock.key, input.lock.fence, () => {
        if (!repo.workspaceExists(input.workspaceId)) {
          throw new ImportFileError('NOT_FOUND', 'The workspace was deleted during the import.');
        }
        for (const contact of rows) {
          const outcome: ImportOutcome = repo.importRow(input.workspaceId, mode, contact, now);
          if (outcome === 'skipped') {
            pendingRejects.push(
              mode === 'add-new'
                ? {
                    code: 'ALREADY_EXISTS',
                    contact,
                    message: `${contact.phone} is already a contact (mode: add new only)`,
                  }
                : {
                    code: 'NOT_IN_WORKSPACE',
                    contact,
                    message: `${contact.phone} is not a contact yet (mode: update existing only)`,
                  },
            );
          } else {
            counts[outcome]++;
          }
        }
      });
      rowsSaved += rows.length;
      const elapsed = performance.now() - started;
      // Aim each transaction at targetMs: big enough to amortise the commit, short enough for other writers.
      const perRow = elapsed / rows.length;
      batchSize = Math.max(50, Math.min(5000, Math.round(targetMs / Math.max(perRow, 0.0005))));
      for (const r of pendingRejects.splice(0)) {
        await reject(r.code, r.contact.row, r.contact.line, r.message, originalValues(r.contact.raw));
      }
      progress();
      return true;
    };

    let last: CandidateContact | undefined;
    for await (const contact of runs.drain()) {
      if (last && last.phone === contact.phone) {
        rowsToSave--;
        await reject(
          'DUPLICATE_IN_FILE',
          contact.row,
          contact.line,
          `Same number (${contact.phone}) as row ${last.row}; the first row was imported`,
          originalValues(contact.raw),
        );
        continue;
      }
      last = contact;
      batch.push(contact);
      if (batch.length >= batchSize && !(await commit())) {
        await finish('cancelled', null);
        return;
      }
    }
    if (!(await commit())) {
      await finish('cancelled', null);
      return;
    }
    progress(true);
    await finish('done', null);
  } catch (error) {
    const known =
      error instanceof ImportFileError
        ? { code: error.code, message: error.message }
        : error instanceof StaleFenceError
          ? {
              code: 'LOCK_LOST',
              message: 'The import lost its lock (it ran past its time limit) and stopped.',
            }
          : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
    await finish('failed', known);
  }
}
