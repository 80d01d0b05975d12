// The intake's checkpoint thread's work (intakeCheckpointWorker.ts): copy the WAL into the database
// file in PASSIVE passes beside the writer, then fsync the database file.
//
// Why the fsync: SQLite fsyncs the database file only at the end of a pass that copied the *whole*
// WAL, and with the writer committing throughout, this thread's passes never are. The pages they
// copied (megabytes per checkpoint) stayed dirty until the writer's short finishing pass, which does
// copy the whole WAL, so its fsync wrote them all: 10-25 ms of a pass that holds every webhook of
// its moment (strace under the tail diagnostic; 1-3 ms once this fsync has written them first).
import type { Db } from '../db/open';

/**
 * A pass that copied no more frames than this was short, and so were the commits made during it: the
 * writer can copy those. Till then passes repeat, each copying what was committed during the last one:
 * the writer's part holds every webhook of its moment, so it should be a few commits' pages, not the
 * whole pass's worth (3 MB at 10,000 webhooks/s).
 */
const shortPassFrames = 64;
const maxPasses = 4;

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * Copies the WAL in passes (`db` is the checkpoint thread's own connection, which never writes), then
 * calls `syncDatabaseFile`, which must fsync the database file (cheap when nothing was copied).
 */
export function copyWalIntoDatabase(db: Db, syncDatabaseFile: () => void): void {
  // `checkpointed` counts the frames copied since the WAL last restarted, over every pass.
  let copiedBefore = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    if (!result || result.checkpointed - copiedBefore <= shortPassFrames) break;
    copiedBefore = result.checkpointed;
  }
  syncDatabaseFile();
}
