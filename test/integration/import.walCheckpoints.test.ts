import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startContactsWorker } from '../../src-main/contacts/contacts.workers';
import {
  CHECKPOINT_EVERY_ROWS,
  newCheckpointSignal,
  WalCheckpoints,
} from '../../src-main/contacts/import/walCheckpoints';
import { openDatabase } from '../../src-main/db/open';
import { waitFor } from '../helpers/waitFor';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('import WAL checkpoints off the writer thread', () => {
  it('keeps the WAL bounded while the writer never checkpoints itself, and the thread ends on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walck-'));
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
    const signal = newCheckpointSignal();
    const thread = startContactsWorker({ role: 'import-checkpoint', dbFile: file, signal });
    let exited = false;
    thread.on('exit', () => (exited = true));
    const checkpoints = new WalCheckpoints(db, signal, thread);
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const body = 'x'.repeat(400);
    const batch = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run(body);
    });
    // 40 requests' worth of rows (~16 MB of rows): without checkpoints the WAL would hold all of it.
    for (let i = 0; i < 40; i++) {
      batch(CHECKPOINT_EVERY_ROWS);
      checkpoints.afterCommit(CHECKPOINT_EVERY_ROWS);
      // Give the checkpoint thread its turn, as the reader's pace does in an import.
      await waitFor(() => Atomics.load(signal, 1) === Atomics.load(signal, 0), { timeoutMs: 60_000 });
    }
    const walBytes = statSync(`${file}-wal`).size;
    const rowBytes = 40 * CHECKPOINT_EVERY_ROWS * body.length;
    expect(walBytes).toBeLessThan(rowBytes / 4);
    checkpoints.stop();
    await waitFor(() => exited, { timeoutMs: 60_000 });
    db.close();
  }, 120_000);
});
