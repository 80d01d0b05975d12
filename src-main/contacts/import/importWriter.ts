// The import's writer thread: upserts the rows the reader (importEngine.ts) sends, in phone order within
// each batch, on its own SQLite connection, so reading the file and writing the database run on both
// cores at once. Transactions are kept near `transactionMs` (≈20 ms) so a main-thread write never waits
// long for SQLite's write lock; each one checks the import lock's fence (a writer whose lock expired
// cannot overwrite a newer import) and that the workspace still exists.
import type { ImportMode } from '../../../src-preload/contacts.contract';
import { openDatabase, type Db } from '../../db/open';
import { createFenceGuard, StaleFenceError } from '../../locks/fence.store';
import { createContactsRepo } from '../contacts.repo';
import type { CandidateContact, RejectCode } from './rowBuilder';

export interface ImportWriterInput {
  dbFile: string;
  workspaceId: string;
  mode: ImportMode;
  lock: { key: string; fence: number };
  transactionMs: number;
  cancelFlag: Int32Array;
}

export interface SkippedRow {
  code: Extract<RejectCode, 'ALREADY_EXISTS' | 'NOT_IN_WORKSPACE'>;
  message: string;
  contact: CandidateContact;
}

export type WriterRequest = { type: 'rows'; seq: number; rows: CandidateContact[] } | { type: 'end' };

export type WriterReply =
  | {
      type: 'ack';
      seq: number;
      saved: number;
      created: number;
      updated: number;
      unchanged: number;
      skipped: SkippedRow[];
    }
  | { type: 'failed'; code: string; message: string }
  | { type: 'ended' };

export class WriterError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WriterError';
  }
}

/** Keeps the connection and the adaptive transaction size between batches. */
export class ImportWriter {
  private readonly db: Db;
  private readonly repo;
  private readonly fences;
  private batchSize = 250;

  constructor(private readonly input: ImportWriterInput) {
    this.db = openDatabase(input.dbFile);
    // The (workspace, phone) index's hot pages stay in memory while a sorted batch walks it.
    this.db.pragma('cache_size = -12288');
    // `contacts` has one foreign key, its workspace. It is checked once per transaction below (inside it,
    // so a workspace deleted meanwhile is seen) instead of per row, which costs a third of an insert.
    // This connection writes nothing else.
    this.db.pragma('foreign_keys = OFF');
    this.repo = createContactsRepo(this.db);
    this.fences = createFenceGuard(this.db);
  }

  private cancelled(): boolean {
    return Atomics.load(this.input.cancelFlag, 0) !== 0;
  }

  /** Writes one batch; stops early (between transactions) on cancel. Throws WriterError. */
  write(seq: number, rows: CandidateContact[]): Extract<WriterReply, { type: 'ack' }> {
    const ack = {
      type: 'ack' as const,
      seq,
      saved: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      skipped: [] as SkippedRow[],
    };
    const { workspaceId, mode, lock } = this.input;
    let start = 0;
    while (start < rows.length && !this.cancelled()) {
      const end = Math.min(rows.length, start + this.batchSize);
      const began = performance.now();
      const now = Date.now();
      try {
        this.fences.write(lock.key, lock.fence, () => {
          if (!this.repo.workspaceExists(workspaceId)) {
            throw new WriterError('NOT_FOUND', 'The workspace was deleted during the import.');
          }
          for (let i = start; i < end; i++) {
            const contact = rows[i] as CandidateContact;
            const outcome = this.repo.importRow(workspaceId, mode, contact, now);
            if (outcome === 'skipped') {
              ack.skipped.push(
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
              ack[outcome]++;
            }
          }
        });
      } catch (error) {
        if (error instanceof StaleFenceError) {
          throw new WriterError(
            'LOCK_LOST',
            'The import lost its lock (it ran past its time limit) and stopped.',
          );
        }
        throw error;
      }
      ack.saved += end - start;
      const perRow = (performance.now() - began) / (end - start);
      this.batchSize = Math.max(
        50,
        Math.min(5000, Math.round(this.input.transactionMs / Math.max(perRow, 0.0005))),
      );
      start = end;
    }
    return ack;
  }

  close(): void {
    this.db.close();
  }
}
