// The main connection shares the store with other connections that commit at any moment (the webhook
// intake's writer thread, the import writer). A deferred transaction that reads and then writes fails at
// once with SQLITE_BUSY_SNAPSHOT ("database is locked", no busy wait) when another connection committed
// in between; BEGIN IMMEDIATE takes the write lock first (waiting with the busy timeout) and cannot.
// Seen for real: the webhook processor's batch transaction failed that way while intake committed.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/open';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('write transactions begin IMMEDIATE', () => {
  it('a deferred read-then-write fails when another connection commits in between; an immediate one cannot', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bellhop-immediate-')), 'store.sqlite');
    const main = openDatabase(file);
    const other = openDatabase(file);
    main.exec('CREATE TABLE t (x INTEGER)');
    const read = main.prepare('SELECT count(*) FROM t');
    const write = main.prepare('INSERT INTO t VALUES (1)');
    const otherWrite = other.prepare('INSERT INTO t VALUES (2)');
    const readThenWrite = main.transaction(() => {
      read.get();
      // Another connection commits here, as the intake writer thread can at any moment.
      otherWrite.run();
      write.run();
    });
    expect(() => readThenWrite()).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY_SNAPSHOT' }));
    const readThenWriteImmediate = main.transaction(() => {
      read.get();
      write.run();
    });
    otherWrite.run();
    expect(() => readThenWriteImmediate.immediate()).not.toThrow();
    main.close();
    other.close();
  });

  it('every transaction in the app runs IMMEDIATE (no bare db.transaction(...)() call)', () => {
    const offenders: string[] = [];
    for (const path of sourceFiles(join(process.cwd(), 'src-main'))) {
      const text = readFileSync(path, 'utf8');
      // A transaction invoked directly: `.transaction(...)(` — its deferred default.
      for (const match of text.matchAll(/\.transaction\(/g)) {
        let depth = 0;
        let at = match.index + match[0].length - 1;
        for (; at < text.length; at++) {
          if (text[at] === '(') depth++;
          else if (text[at] === ')' && --depth === 0) break;
        }
        const after = text.slice(at + 1, at + 12).replace(/\s/g, '');
        if (after.startsWith('(') || after.startsWith('.deferred') || after.startsWith('.exclusive')) {
          offenders.push(`${path}: ${text.slice(match.index, match.index + 40).split('\n')[0]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
