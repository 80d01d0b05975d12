// The webhook intake's checkpoint thread: copies the WAL into the database file beside the intake's
// writer. The writer's own connection never checkpoints (SQLite's automatic checkpoint runs inside the
// commit that crosses 1,000 WAL pages and held it, with every webhook waiting on it, for tens of ms).
// A PASSIVE checkpoint here takes no write lock, so the writer keeps committing while the pages are
// copied and the database file is fsynced; then the writer copies the few pages committed meanwhile,
// between two of its commits, so that the WAL restarts from its beginning (intakeWorker.ts).
import { fsyncSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open';
import { copyWalIntoDatabase } from './intakeCheckpoint';
import type { CheckpointRequest } from './intakeProtocol';

const { dbFile, dbFileDescriptor } = workerData as { dbFile: string; dbFileDescriptor: number };
const db = openDatabase(dbFile);
db.pragma('wal_autocheckpoint = 0');

parentPort!.on('message', (message: CheckpointRequest) => {
  if (message === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  copyWalIntoDatabase(db, () => fsyncSync(dbFileDescriptor));
  parentPort!.postMessage('done');
});
