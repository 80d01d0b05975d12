// db/open.ts pragmas, the durable (synchronous=FULL) transaction helper, and db/sql.ts helpers.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { durableTransaction, openDatabase } from '../../src-main/db/open';
import { chunks, isUniqueViolation, placeholders } from '../../src-main/db/sql';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();

describe('db/open', () => {
  it('opens in WAL with foreign keys on, a busy timeout and synchronous=NORMAL', () => {
    const db = openDatabase(join(temp.dir(), 'x.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    db.close();
  });

  it('durableTransaction commits with synchronous=FULL and restores NORMAL, also when it throws', () => {
    const db = temp.openMigrated();
    let inside: unknown;
    durableTransaction(db, () => {
      inside = db.pragma('synchronous', { simple: true });
      db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('a', '1', 1)`).run();
    });
    expect(inside).toBe(2); // FULL
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(() =>
      durableTransaction(db, () => {
        db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('b', '1', 1)`).run();
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.prepare('SELECT key FROM settings').pluck().all()).toEqual(['a']);
    expect(() => db.transaction(() => durableTransaction(db, () => undefined))()).toThrow(
      /inside another transaction/,
    );
  });
});

describe('db/sql', () => {
  it('chunks long IN lists and builds placeholders', () => {
    expect([...chunks([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
    expect(placeholders(3)).toBe('?, ?, ?');
    expect(() => placeholders(0)).toThrow();
  });

  it('recognises a unique violation and nothing else', () => {
    const db = temp.openMigrated();
    const add = db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('k', ?, 1)`);
    add.run('1');
    let unique: unknown;
    try {
      add.run('2');
    } catch (error) {
      unique = error;
    }
    expect(isUniqueViolation(unique)).toBe(true);
    let check: unknown;
    try {
      db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('j', 'not json', 1)`).run();
    } catch (error) {
      check = error;
    }
    expect(isUniqueViolation(check)).toBe(false);
  });
});
