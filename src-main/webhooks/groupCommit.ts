// The intake writer's pipelined group commit. A commit writes its batches into the WAL without
// waiting for the disk; one fsync of the WAL then makes every commit written before it durable, and
// only then are those commits' events answered. While that fsync is in flight (on libuv's thread
// pool) the writer goes on committing the batches that keep arriving, and the next fsync covers them
// all. So the writer's CPU work overlaps the disk's, and a batch no longer waits for a whole earlier
// commit — inserts and fsync one after the other — before its own can even begin.
//
// An fsync covers what was written to the file before it was called, whichever descriptor it goes
// through, so a commit's results are released only by an fsync that *began* after that commit
// returned. An fsync that fails releases its commits with the error: nothing is acknowledged that
// might not be on disk (Meta retries what is not acknowledged, §6).

export interface GroupCommitOptions<Batch, Results> {
  /** Writes the batches in one transaction, not yet durable, and returns their results. */
  commit(batches: Batch[]): Results;
  /** Makes everything written so far durable; calls `done` once it is, or with why it is not. */
  sync(done: (error: Error | null) => void): void;
  /** The results of commits an fsync has made durable (error null), or could not (the error). */
  durable(results: Results[], error: Error | null): void;
  /** Runs after each commit, once the fsync that covers it is under way: work between two commits. */
  afterCommit?(): void;
}

export interface GroupCommit<Batch> {
  /** Takes a batch into the next commit (which runs once the messages already queued are in). */
  add(batch: Batch): void;
  /** Commits what is waiting now, without waiting for the next turn. */
  commitNow(): void;
  /** Whether batches are waiting for their commit. */
  readonly committing: boolean;
  /** Whether commits are waiting for an fsync or batches for a commit. */
  readonly pending: boolean;
  /** Calls `done` once every batch added so far is committed, synced and released. */
  whenIdle(done: () => void): void;
}

export function createGroupCommit<Batch, Results>(
  options: GroupCommitOptions<Batch, Results>,
): GroupCommit<Batch> {
  let waiting: Batch[] = [];
  let commitScheduled = false;
  /** Committed, waiting for an fsync that starts after them. */
  let unsynced: Results[] = [];
  let syncing = false;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = (): void => {
    if (waiting.length || unsynced.length || syncing) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const done of waiters) done();
  };

  const startSync = (): void => {
    if (syncing || unsynced.length === 0) return;
    syncing = true;
    const covered = unsynced;
    unsynced = [];
    options.sync((error) => {
      syncing = false;
      options.durable(covered, error);
      // What was committed during this fsync is covered by the next one, started at once.
      startSync();
      settleIdle();
    });
  };

  const commitNow = (): void => {
    commitScheduled = false;
    if (waiting.length === 0) return;
    const batches = waiting;
    waiting = [];
    unsynced.push(options.commit(batches));
    startSync();
    options.afterCommit?.();
  };

  return {
    add(batch) {
      waiting.push(batch);
      // The port delivers every message queued meanwhile before the check phase runs this, so
      // the batches that arrived during the last commit all go into the next one.
      if (!commitScheduled) {
        commitScheduled = true;
        setImmediate(commitNow);
      }
    },
    commitNow,
    get committing() {
      return waiting.length > 0;
    },
    get pending() {
      return waiting.length > 0 || unsynced.length > 0 || syncing;
    },
    whenIdle(done) {
      idleWaiters.push(done);
      settleIdle();
    },
  };
}
