// The webhook intake's checkpoint thread: copies the WAL into the database file beside the intake's
// writer. The writer's own connection never checkpoints (SQLite's automatic checkpoint runs inside the
// commit that crosses 1,000 WAL pages and held it, with every webhook waiting on it, for tens of ms).
// A PASSIVE checkpoint here takes no write lock, so the writer keeps committing while the pages are
// copied and the database file is fsynced; then the writer copies the few pages committed meanwhile,
// between two of its commits, so that the WAL restarts from its beginning (intakeWorker.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open';
import type { CheckpointRequest } from './intakeProtocol';

const { dbFile } = workerData as { dbFile: string };
const db = openDatabase(dbFile);
db.pragma('wal_autocheckpoint = 0');

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

function checkpoint(): void {
  let copiedBefore = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    if (!result || result.checkpointed - copiedBefore <= shortPassFrames) return;
    copiedBefore = result.checkpointed;
  }
}

parentPort!.on('message', (message: CheckpointRequest) => {
  if (message === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  checkpoint();
  parentPort!.postMessage('done');
});
