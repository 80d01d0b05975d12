// The import's writer thread: upserts the batches the reader (importEngine.ts) sends, on its own SQLite
// connection, so reading the file and writing the database run on both cores at once and the main thread
// does neither. A batch is one JSON text (contacts.repo.ts ImportRowTuple) applied by one statement in one
// transaction; the reader sizes batches from the pace each acknowledgement reports so a transaction stays
// near its target (≈20 ms), and a main-thread write never waits long for SQLite's write lock. Each
// transaction checks the import lock's fence (a writer whose lock expired cannot overwrite a newer import)
// and that the workspace still exists.
import type { ImportMode } from '../../../src-preload/contacts.contract';
import { openDatabase, type Db } from '../../db/open';
import { createFenceGuard, StaleFenceError } from '../../locks/fence.store';
import { createContactImportsRepo, type ContactImportsRepo } from '../contactImports.repo';
import { createContactsRepo } from '../contacts.repo';
import type { RejectCode } from './rowBuilder';

export interface ImportWriterInput {
  dbFile: string;
  workspaceId: string;
  mode: ImportMode;
  lock: { key: string; fence: number };
  cancelFlag: Int32Array;
  /**
   * The import whose contacts are listed as they are written (a campaign's "contacts from this CSV"
   * audience, contactImports.repo.ts); absent for a plain import, which then costs nothing more.
   */
  rememberAs?: string;
}

export interface SkippedRow {
  code: Extract<RejectCode, 'ALREADY_EXISTS' | 'NOT_IN_WORKSPACE'>;
  message: string;
  phone: string;
}

export type WriterRequest = { type: 'rows'; seq: number; count: number; rowsJson: string } | { type: 'end' };

export type WriterReply =
  | {
      type: 'ack';
      seq: number;
      /** Rows in the batch. */
      count: number;
      /** Rows committed (0 when a cancel came first: the batch was not written). */
      saved: number;
      created: number;
      updated: number;
      unchanged: number;
      skipped: SkippedRow[];
      /** Time the transaction took, per row, in milliseconds: the reader sizes the next batches by it. */
      msPerRow: number;
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

function skippedRow(mode: ImportMode, phone: string): SkippedRow {
  return mode === 'add-new'
    ? { code: 'ALREADY_EXISTS', message: `${phone} is already a contact (mode: add new only)`, phone }
    : {
        code: 'NOT_IN_WORKSPACE',
        message: `${phone} is not a contact yet (mode: update existing only)`,
        phone,
      };
}

/** Keeps the connection and its prepared statements between batches. */
export class ImportWriter {
  private readonly db: Db;
  private readonly repo;
  private readonly fences;
  private readonly members: ContactImportsRepo | undefined;

  constructor(private readonly input: ImportWriterInput) {
    this.db = openDatabase(input.dbFile);
    // The (workspace, phone) index's hot pages stay in memory while a sorted batch walks it.
    this.db.pragma('cache_size = -12288');
    // A batch is one multi-row statement, so SQLite keeps a statement journal (the pages it touches, as
    // they were) to undo just that statement if a row fails a constraint. Past 64 KB it goes to a temporary
    // file by default: a file created, written and deleted for every batch (strace: one unlink per batch,
    // 11 % of the writer's pwrite calls). In memory it is the same copy without the system calls; it is
    // freed when the statement ends (a batch touches a few MB at most).
    this.db.pragma('temp_store = MEMORY');
    // `contacts` has one foreign key, its workspace. It is checked once per transaction below (inside it,
    // so a workspace deleted meanwhile is seen) instead of per row, which costs a third of an insert.
    // This connection writes nothing else but, for a remembered import, its list of contacts, whose keys
    // are the import's row (written before the writer starts) and contacts joined in the same statement.
    this.db.pragma('foreign_keys = OFF');
    this.repo = createContactsRepo(this.db);
    this.fences = createFenceGuard(this.db);
    this.members = input.rememberAs !== undefined ? createContactImportsRepo(this.db) : undefined;
  }

  /** Writes one batch in one transaction, unless the import was cancelled. Throws WriterError. */
  write(seq: number, count: number, rowsJson: string): Extract<WriterReply, { type: 'ack' }> {
    const ack = {
      type: 'ack' as const,
      seq,
      count,
      saved: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      skipped: [] as SkippedRow[],
      msPerRow: 0,
    };
    if (Atomics.load(this.input.cancelFlag, 0) !== 0 || count === 0) return ack;
    const { workspaceId, mode, lock } = this.input;
    const began = performance.now();
    try {
      const outcome = this.fences.write(lock.key, lock.fence, () => {
        if (!this.repo.workspaceExists(workspaceId)) {
          throw new WriterError('NOT_FOUND', 'The workspace was deleted during the import.');
        }
        const applied = this.repo.importBatch(workspaceId, mode, rowsJson, count, Date.now());
        // In the batch's transaction: the list and the contacts it names commit together.
        if (this.members && this.input.rememberAs !== undefined)
          this.members.addBatchMembers(this.input.rememberAs, workspaceId, rowsJson);
        return applied;
      });
      ack.saved = count;
      ack.created = outcome.created;
      ack.updated = outcome.updated;
      ack.unchanged = outcome.unchanged;
      ack.skipped = outcome.skipped.map((phone) => skippedRow(mode, phone));
    } catch (error) {
      if (error instanceof StaleFenceError) {
        throw new WriterError(
          'LOCK_LOST',
          'The import lost its lock (it ran past its time limit) and stopped.',
        );
      }
      throw error;
    }
    ack.msPerRow = (performance.now() - began) / count;
    return ack;
  }

  close(): void {
    this.db.close();
  }
}
