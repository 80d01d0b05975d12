// The import of one file, read on the import worker thread (contactsWorker.ts) and written by the writer
// thread (importWriter.ts), so that parsing and SQLite run on both cores at once and the main thread
// does neither:
//   read: decode → records → fields → validated rows; bad rows go to the rejects file as they come;
//         repeats of a number already seen in the file are rejected as duplicates (first row wins);
//   sort: good rows are buffered in runs (60,000 rows or 24 MB), each row already as its JSON tuple
//         (contacts.repo.ts ImportRowTuple), and each run is sent in phone order, so the writer walks the
//         (workspace, phone) index page after page instead of jumping at random — measured 32 µs/row
//         against 74 µs/row in file order, at 500,000 rows, on this schema;
//   write: a run goes out as batches of one JSON text each (one string to copy between threads, one
//         statement for SQLite); the writer applies each in one transaction and acknowledges it with its
//         outcomes and its pace, from which the next batches are sized to stay near TRANSACTION_MS.
// Up to one run is unacknowledged while the next is read, so both threads stay busy; beyond that reading
// waits for writing, and memory stays bounded.
// Cancel is a shared flag both threads check between steps: what is committed stays.
import type { MessagePort } from 'node:worker_threads';
import type { ImportCounts, ImportSettings } from '../../../src-preload/contacts.contract';
import type { DetectedEncoding } from '../csv/decode';
import { parseRecords } from '../csv/fields';
import { decodedChunks, DEFAULT_SPLIT_LIMITS, toItems, type ReadItem } from '../csv/readRecords';
import { RecordSplitter, type SplitEvent } from '../csv/records';
import { FastRows } from './fastRows';
import { newIds } from '../../db/ids';
import { PhoneIndex } from './phoneIndex';
import { RejectsWriter } from './rejectsWriter';
import { phoneId, SortedRun, type RunOrder } from './sortedRun';
import { buildRow, planRows, type CandidateContact, type RejectCode, type RowPlan } from './rowBuilder';
import {
  ImportWriter,
  WriterError,
  type SkippedRow,
  type WriterReply,
  type WriterRequest,
} from './importWriter';

export interface ImportJobInput {
  dbFile: string;
  workspaceId: string;
  filePath: string;
  encoding: DetectedEncoding;
  settings: ImportSettings;
  rejectsPath: string;
  lock: { key: string; fence: number };
  /** Rows per sorted run. */
  runRows?: number;
  /** Int32Array over a SharedArrayBuffer; [0] !== 0 means cancel. Shared with the writer thread. */
  cancelFlag: Int32Array;
  /** See ImportWriterInput.rememberAs (used when the writer runs on this thread). */
  rememberAs?: string;
  /** The writer thread's port. Without one the writer runs on this thread (tests, the fuzz). */
  writerPort?: MessagePort;
  /**
   * false: every row through the general path (records.ts → fields.ts → rowBuilder.ts), a chunk of
   * records at a time, without fastRows.ts; the test that proves both give the same import uses it.
   */
  fastPath?: boolean;
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
/** Target duration of one write transaction: long enough to amortise its commit, short enough that a
 * main-thread write waiting for SQLite's write lock is not noticed. */
const TRANSACTION_MS = 20;
const FIRST_BATCH_ROWS = 500;
const FIRST_RUN_ROWS = 2000;
const MIN_BATCH_ROWS = 100;
const MAX_BATCH_ROWS = 5000;
/** A run is also cut by size, so a file of long rows cannot fill the worker's memory. */
const RUN_BYTES = 24 * 1024 * 1024;

/** The rows of one unacknowledged batch: positions in its run. */
interface SentBatch {
  run: SortedRun;
  rows: RunOrder;
}

function emptyCounts(): ImportCounts {
  return { rows: 0, emptyRows: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0 };
}

/**
 * A contact's ImportRowTuple as JSON text without its id and opening bracket (`"+1…",…]`), written
 * directly: the phone is E.164 (nothing to escape), tags and attributes are already JSON text (rowBuilder),
 * so only the name and email go through JSON.stringify.
 * join, not `+`: the text waits in a sorted run with tens of thousands of others, and `+` would keep it as
 * a tree of its ten pieces (measured 465 bytes of heap a row against 114 for join's one flat string).
 */
export function tupleTextWithoutId(c: CandidateContact): string {
  return [
    '"',
    c.phone,
    '",',
    c.name === null ? 'null' : JSON.stringify(c.name),
    ',',
    c.email === null ? 'null' : JSON.stringify(c.email),
    ',',
    c.tagsJson,
    ',',
    c.attributesJson,
    ']',
  ].join('');
}

/**
 * One JSON array text of the run's rows at `order` positions [from, to). Each row's own JSON is dropped
 * once copied: the batch text is what travels, and a run in flight should not be held in memory twice.
 * Ids are made here, in the order the rows are sent, not as rows are read: the ids (time-ordered) then
 * reach the primary-key index in ascending order and append to it, where ids made at read time and
 * shuffled by the phone sort land all over the run's part of it.
 */
function batchJson(run: SortedRun, order: RunOrder, from: number, to: number): string {
  const ids = newIds(to - from);
  const json = run.json;
  let text = '[';
  for (let i = from; i < to; i++) {
    const index = order[i] as number;
    text += (i > from ? ',["' : '["') + (ids[i - from] as string) + '",' + (json[index] as string);
    json[index] = '';
  }
  return text + ']';
}

/** How the reader talks to the writer: a worker's port, or the writer called on this thread. */
interface WriterLink {
  send(request: WriterRequest): void;
  onReply(listener: (reply: WriterReply) => void): void;
}

function portLink(port: MessagePort): WriterLink {
  let listener: ((reply: WriterReply) => void) | undefined;
  let ended = false;
  port.on('message', (reply: WriterReply) => {
    if (reply.type === 'ended') ended = true;
    listener?.(reply);
  });
  // The writer thread died without saying goodbye (it crashed, or was terminated).
  port.on('close', () => {
    if (!ended)
      listener?.({ type: 'failed', code: 'INTERNAL', message: 'The import’s writer stopped unexpectedly.' });
  });
  return {
    send: (request) => port.postMessage(request),
    onReply: (l) => {
      listener = l;
    },
  };
}

function inlineLink(input: ImportJobInput): WriterLink {
  let listener: ((reply: WriterReply) => void) | undefined;
  let writer: ImportWriter | undefined;
  const reply = (r: WriterReply): void => listener?.(r);
  return {
    send(request) {
      // Answer asynchronously, as a thread would.
      setImmediate(() => {
        try {
          writer ??= new ImportWriter({
            dbFile: input.dbFile,
            workspaceId: input.workspaceId,
            mode: input.settings.mode,
            lock: input.lock,
            cancelFlag: input.cancelFlag,
            ...(input.rememberAs !== undefined ? { rememberAs: input.rememberAs } : {}),
          });
          if (request.type === 'rows') reply(writer.write(request.seq, request.count, request.rowsJson));
          else {
            writer.close();
            reply({ type: 'ended' });
          }
        } catch (error) {
          reply(
            error instanceof WriterError
              ? { type: 'failed', code: error.code, message: error.message }
              : {
                  type: 'failed',
                  code: 'INTERNAL',
                  message: error instanceof Error ? error.message : String(error),
                },
          );
        }
      });
    },
    onReply: (l) => {
      listener = l;
    },
  };
}

export async function runImportJob(
  input: ImportJobInput,
  totalBytes: number,
  emit: (message: EngineMessage) => void,
): Promise<void> {
  const counts = emptyCounts();
  const byReason: Record<string, number> = {};
  const rejects = new RejectsWriter(input.rejectsPath);
  const cancelled = (): boolean => Atomics.load(input.cancelFlag, 0) !== 0;
  const { settings } = input;
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

  const originalValues = (raw: string): string[] => {
    const parsed = parseRecords([raw], settings.delimiter)[0];
    return Array.isArray(parsed) ? parsed : [raw];
  };

  // --- the writer ----------------------------------------------------------------------------------------
  const link = input.writerPort ? portLink(input.writerPort) : inlineLink(input);
  const runRows = input.runRows ?? 60_000;
  // The writer idles until the first run is read, so runs start small and double up to runRows: the
  // writer starts within milliseconds, and while the table is small its index is in cache anyway.
  let runLimit = Math.min(runRows, FIRST_RUN_ROWS);
  // One run in flight while the next is read; a small run size (tests) still lets a few batches overlap.
  const maxInFlightRows = Math.max(runRows, 4 * MIN_BATCH_ROWS);
  let batchRows = FIRST_BATCH_ROWS;
  let seq = 0;
  let inFlightRows = 0;
  let writerError: { code: string; message: string } | undefined;
  let wake: (() => void) | undefined;
  let ended = false;
  const pendingSkips: { skip: SkippedRow; row: number; line: number; raw: string }[] = [];
  /**
   * The entries of each unacknowledged batch, to find the rows the writer skipped. Only the modes that skip
   * rows need them ("add and update" applies every row).
   */
  const sentBatches = new Map<number, SentBatch>();
  const keepSentBatches = settings.mode !== 'add-and-update';
  const noteSkipped = (batch: SentBatch | undefined, skipped: SkippedRow[]): void => {
    if (!batch) return;
    const { run, rows } = batch;
    const byPhone = new Map(skipped.map((skip) => [phoneId(skip.phone), skip]));
    for (const index of rows) {
      const skip = byPhone.get(run.phoneIdAt(index));
      if (skip) {
        pendingSkips.push({
          skip,
          row: run.rows[index] as number,
          line: run.lines[index] as number,
          raw: run.raw[index] as string,
        });
      }
    }
  };
  link.onReply((reply) => {
    switch (reply.type) {
      case 'ack': {
        inFlightRows -= reply.count;
        const batch = sentBatches.get(reply.seq);
        sentBatches.delete(reply.seq);
        rowsSaved += reply.saved;
        if (reply.msPerRow > 0) {
          batchRows = Math.max(
            MIN_BATCH_ROWS,
            Math.min(MAX_BATCH_ROWS, Math.round(TRANSACTION_MS / reply.msPerRow)),
          );
        }
        counts.created += reply.created;
        counts.updated += reply.updated;
        counts.unchanged += reply.unchanged;
        if (reply.skipped.length > 0) noteSkipped(batch, reply.skipped);
        break;
      }
      case 'failed':
        writerError ??= { code: reply.code, message: reply.message };
        break;
      case 'ended':
        ended = true;
        break;
    }
    wake?.();
  });
  const nextReply = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = () => {
        wake = undefined;
        resolve();
      };
    });
  const drainSkips = async (): Promise<void> => {
    for (const { skip, row, line, raw } of pendingSkips.splice(0))
      await reject(skip.code, row, line, skip.message, originalValues(raw));
  };
  /** Waits until at most `limit` rows are unacknowledged (or the writer failed). */
  const waitForWriter = async (limit: number): Promise<void> => {
    while (inFlightRows > limit && !writerError) await nextReply();
    await drainSkips();
    progress();
  };
  const endWriter = async (): Promise<void> => {
    await waitForWriter(0);
    link.send({ type: 'end' });
    while (!ended && !writerError) await nextReply();
  };

  let buffer = new SortedRun(keepSentBatches);
  const flushRun = async (): Promise<void> => {
    const run = buffer;
    buffer = new SortedRun(keepSentBatches);
    runLimit = Math.min(runRows, runLimit * 2);
    const order = run.sortedOrder();
    let i = 0;
    while (i < run.length && !cancelled() && !writerError) {
      await waitForWriter(maxInFlightRows);
      if (writerError || cancelled()) break;
      const end = Math.min(run.length, i + batchRows);
      inFlightRows += end - i;
      if (keepSentBatches) sentBatches.set(seq + 1, { run, rows: order.subarray(i, end) });
      seq++;
      link.send({ type: 'rows', seq, count: end - i, rowsJson: batchJson(run, order, i, end) });
      i = end;
    }
  };

  const finish = async (
    outcome: 'done' | 'cancelled' | 'failed',
    error: { code: string; message: string } | null,
  ): Promise<void> => {
    await drainSkips().catch(() => undefined);
    await rejects.close().catch(() => undefined);
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
    // --- read ----------------------------------------------------------------------------------------
    const seen = new PhoneIndex();
    let plan: RowPlan | undefined = settings.hasHeader
      ? undefined
      : planRows(
          settings,
          settings.columns.map((_, i) => `Column ${i + 1}`),
        );
    if (plan) rejects.setHeaders(plan.headers);

    // Not async: most rows need no await, and a promise per row of a million-row file is measurable
    // (allocation and a microtask each). It returns a promise only when there is something to wait for.
    const handle = (item: ReadItem): Promise<void> | undefined => {
      if (!plan) {
        if (item.kind === 'bad') {
          throw new ImportFileError(
            'BAD_HEADER',
            `The header row (line ${item.line}) cannot be read: ${item.message}.`,
          );
        }
        if (item.fields.every((f) => f.trim() === '')) return undefined;
        const headers = item.fields.map((h, i) => h.trim() || `Column ${i + 1}`);
        plan = planRows(settings, headers);
        rejects.setHeaders(headers);
        return undefined;
      }
      counts.rows++;
      if (item.kind === 'bad') return reject(item.code, item.row, item.line, item.message, item.values);
      const built = buildRow(item.fields, item.raw, item.row, item.line, plan);
      switch (built.kind) {
        case 'empty':
          counts.emptyRows++;
          return undefined;
        case 'reject':
          return reject(
            built.reject.code,
            built.reject.row,
            built.reject.line,
            built.reject.message,
            built.reject.values,
          );
        case 'contact': {
          const contact = built.contact;
          const firstRow = seen.firstRowOrAdd(contact.phone, contact.row);
          if (firstRow !== undefined) {
            return reject(
              'DUPLICATE_IN_FILE',
              contact.row,
              contact.line,
              `Same number (${contact.phone}) as row ${firstRow}; the first row was imported`,
              item.fields,
            );
          }
          rowsToSave++;
          buffer.add(contact.phone, tupleTextWithoutId(contact), contact.row, contact.line, contact.raw);
          return buffer.length >= runLimit || buffer.bytes >= RUN_BYTES ? flushRun() : undefined;
        }
      }
    };

    // The file's rows: a line the fast path can read on its own (fastRows.ts) is read straight into its
    // tuple; anything else goes through the RecordSplitter and the general row builder. Until the header
    // is read (no plan yet), lines are handed over one at a time, so the fast path starts right after it.
    const useFastPath = input.fastPath !== false;
    const splitter = new RecordSplitter(settings.delimiter, DEFAULT_SPLIT_LIMITS);
    const events: SplitEvent[] = [];
    let fast: FastRows | undefined;
    const handleAll = async (items: readonly ReadItem[]): Promise<void> => {
      for (const item of items) {
        const pending = handle(item);
        if (pending) await pending;
      }
    };
    const general = (text: string): Promise<void> | undefined => {
      splitter.push(text, events);
      return events.length > 0 ? handleAll(toItems(events.splice(0), settings.delimiter)) : undefined;
    };
    /** A line the fast path split, as one row: built there, or handed to the general row builder. */
    const fastLine = (f: FastRows, text: string, start: number, end: number): Promise<void> | undefined => {
      const line = splitter.nextRecordLine;
      const row = splitter.takeLine();
      if (!f.build(text, start, end)) {
        return handle({ kind: 'fields', row, line, fields: f.fields(text), raw: text.slice(start, end) });
      }
      counts.rows++;
      const firstRow = seen.firstRowOrAdd(f.phone, row);
      if (firstRow !== undefined) {
        return reject(
          'DUPLICATE_IN_FILE',
          row,
          line,
          `Same number (${f.phone}) as row ${firstRow}; the first row was imported`,
          f.fields(text),
        );
      }
      rowsToSave++;
      buffer.add(f.phone, f.json, row, line, keepSentBatches ? text.slice(start, end) : '');
      return buffer.length >= runLimit || buffer.bytes >= RUN_BYTES ? flushRun() : undefined;
    };

    let chunkNumber = 0;
    for await (const chunk of decodedChunks({ filePath: input.filePath, encoding: input.encoding })) {
      bytesRead = chunk.bytesRead;
      const text = chunk.text;
      chunkNumber++;
      let at = 0;
      let lf = -1;
      while (at < text.length) {
        if (!useFastPath) {
          await general(text.slice(at));
          break;
        }
        if (lf < at) lf = text.indexOf('\n', at);
        if (lf < 0) {
          await general(text.slice(at));
          break;
        }
        if (plan && !fast) fast = new FastRows(plan, settings.delimiter, DEFAULT_SPLIT_LIMITS.maxRecordChars);
        let pending: Promise<void> | undefined;
        if (fast && splitter.atRecordStart && fast.split(text, at, lf)) {
          if (fast.chunkNumber !== chunkNumber) fast.startChunk(chunkNumber, text);
          pending = fastLine(fast, text, at, lf);
        } else {
          pending = general(text.slice(at, lf + 1));
        }
        if (pending) await pending;
        at = lf + 1;
      }
      if (cancelled() || writerError) break;
      progress();
    }
    if (!cancelled() && !writerError) {
      splitter.end(events);
      if (events.length > 0) await handleAll(toItems(events.splice(0), settings.delimiter));
    }
    if (!plan && !cancelled() && !writerError)
      throw new ImportFileError('NO_ROWS', 'The file has no header row and no data.');

    // --- write what is left, then wait for the writer ----------------------------------------------------
    if (!cancelled() && !writerError) await flushRun();
    phase = 'saving';
    progress(true);
    await endWriter();
    await drainSkips();
    progress(true);
    if (writerError) await finish('failed', writerError);
    else await finish(cancelled() ? 'cancelled' : 'done', null);
  } catch (error) {
    const known =
      error instanceof ImportFileError
        ? { code: error.code, message: error.message }
        : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
    // Let the writer finish what it holds before reporting, so rowsSaved is what the database has.
    Atomics.store(input.cancelFlag, 0, 1);
    await endWriter().catch(() => undefined);
    await finish('failed', known);
  }
}
