// The intake's checkpoint thread copies the WAL into the database file and then fsyncs that file
// itself: SQLite fsyncs it only after a pass that copied the whole WAL, which this thread's passes
// beside a busy writer never are, and the writer's short finishing pass then paid for writing all of
// them (intakeCheckpoint.ts). Checked on a real store: the sync comes once, after the pages are in
// the database file, and the descriptor it goes through is opened once per file.
import { fsyncSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/db/open';
import { databaseFileDescriptor } from '../../src-main/webhooks/databaseFileDescriptor';
import { copyWalIntoDatabase } from '../../src-main/webhooks/intakeCheckpoint';
import { openTempStore } from '../helpers/storeFixtures';

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

describe('the intake checkpoint thread’s pass', () => {
  const open: Db[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });

  function storeWithWal(): { writer: Db; checkpointer: Db; file: string } {
    const { db: writer, file } = openTempStore();
    writer.pragma('wal_autocheckpoint = 0');
    const checkpointer = openDatabase(file);
    checkpointer.pragma('wal_autocheckpoint = 0');
    open.push(checkpointer, writer);
    writer.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = writer.prepare('INSERT INTO filler (body) VALUES (?)');
    // 2 MB in 40 commits, as the intake's writer would leave it between two checkpoint requests.
    for (let commit = 0; commit < 40; commit++)
      writer.transaction(() => {
        for (let row = 0; row < 25; row++) insert.run('x'.repeat(2000));
      })();
    return { writer, checkpointer, file };
  }

  it('fsyncs the database file once, after the WAL is copied into it', () => {
    const { checkpointer, file } = storeWithWal();
    const sizeBefore = statSync(file).size;
    const syncs: number[] = [];
    copyWalIntoDatabase(checkpointer, () => syncs.push(statSync(file).size));
    // The pages (2 MB of rows) were in the database file when the sync was asked for.
    expect(syncs).toHaveLength(1);
    expect(syncs[0]!).toBeGreaterThan(sizeBefore + 1.5 * 1024 * 1024);
  });

  it('leaves the WAL for the writer to restart, and the rows readable', () => {
    const { writer, checkpointer } = storeWithWal();
    copyWalIntoDatabase(checkpointer, () => undefined);
    writer.prepare('INSERT INTO filler (body) VALUES (?)').run('after');
    // The writer's next commit started the WAL over: it holds only that commit's frames.
    const [wal] = checkpointer.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    expect(wal!.log).toBeLessThan(10);
    expect(checkpointer.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(1001);
  });

  it('opens the database file’s descriptor once per file, whichever way its path is spelled', () => {
    const a = openTempStore();
    const b = openTempStore();
    open.push(a.db, b.db);
    const fd = databaseFileDescriptor(a.file);
    expect(databaseFileDescriptor(a.file)).toBe(fd);
    expect(databaseFileDescriptor(relative(process.cwd(), a.file))).toBe(fd);
    expect(databaseFileDescriptor(b.file)).not.toBe(fd);
    // It can be fsynced (read-write, as a flush needs on Windows), and SQLite's locks are untouched:
    // the store still takes a write transaction.
    fsyncSync(fd);
    a.db.exec('CREATE TABLE still_writable (id INTEGER PRIMARY KEY)');
    expect(a.db.prepare('SELECT count(*) FROM still_writable').pluck().get()).toBe(0);
  });
});
