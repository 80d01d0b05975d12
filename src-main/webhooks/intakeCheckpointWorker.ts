// The webhook intake's checkpoint thread: copies the WAL into the database file beside the intake's
// writer. The writer's own connection never checkpoints (SQLite's automatic checkpoint runs inside the
// commit that crosses 1,000 WAL pages and held it, with every webhook waiting on it, for tens of ms).
// A PASSIVE checkpoint here takes no write lock, so the writer keeps committing while the pages are
// copied and the database file is fsynced.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open';
import type { CheckpointRequest } from './intakeProtocol';

/**
 * A PASSIVE checkpoint copies what was in the WAL when it began; while commits keep coming, SQLite can
 * never restart the WAL from its beginning, so a long burst grows it. Past this many pages (64 MB) one
 * RESTART checkpoint waits for the writer and restarts it: the bound costs that burst one stall.
 */
const RESTART_ABOVE_PAGES = 16_384;

const { dbFile } = workerData as { dbFile: string };
const db = openDatabase(dbFile);
db.pragma('wal_autocheckpoint = 0');

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

parentPort!.on('message', (message: CheckpointRequest) => {
  if (message === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  const [result] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
  if (result && result.log > RESTART_ABOVE_PAGES) db.pragma('wal_checkpoint(RESTART)');
  parentPort!.postMessage('done');
});
