// Opens the app's SQLite store with the pragmas every connection needs. One writer connection lives in
// the main process; better-sqlite3 is synchronous, so a `db.transaction(fn)` cannot interleave with other
// JavaScript and is our row lock (house style, "Concurrency, SQLite and Node").
import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a statement waits for another connection's write lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false });
  try {
    // WAL: readers never block the writer and a commit is one sequential append, which is what lets the
    // job queue and the webhook intake commit thousands of small transactions per second.
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // A second connection (a tool, a test, a crashed instance's successor) waits instead of failing.
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    // NORMAL in WAL mode: a commit survives a crash of the app (the WAL is in the OS page cache) and the
    // database can never be corrupted; only a power cut or OS crash can lose the last commits, and then
    // the work they recorded is redone (jobs are at-least-once, rate limits are reserved ahead). That is
    // the right price for ordinary writes, which would otherwise pay one fsync each.
    // What must survive a power cut is fsynced before it is acknowledged: `durableTransaction` below
    // (FULL: the commit returns once on disk), or, for the webhook intake (issue 5), an fsync of the WAL
    // after each group commit, pipelined with the next one (webhooks/groupCommit.ts), so a 200 sent to
    // Meta always means the event is on disk (Meta never re-sends an acknowledged one).
    db.pragma('synchronous = NORMAL');
    // 32 MB of page cache instead of SQLite's 2 MB: the hot indexes (jobs, contacts, messages) stay in
    // memory instead of being re-read from the OS on every claim and lookup.
    db.pragma('cache_size = -32768');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Runs `fn` in one transaction committed with synchronous=FULL: when it returns, the commit (and every
 * earlier one) has been fsynced. For writes acknowledged to someone who will not send them again.
 */
export function durableTransaction<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) {
    throw new Error(
      'durableTransaction must not run inside another transaction: its commit is what is made durable.',
    );
  }
  db.pragma('synchronous = FULL');
  try {
    return db.transaction(fn).immediate();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

/** PRAGMA user_version: the migration ledger. */
export function schemaVersionOf(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
