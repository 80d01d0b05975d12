// SQLite's own consistency check over a database file, run at start-up before the core opens it and on
// every backup before it is offered for restore. quick_check verifies every page and b-tree (the
// corruption a dying disk or a killed copy leaves) in one pass; it skips only the index-vs-table
// cross-check of integrity_check, which costs a multiple of it on a large store.
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import Database from 'better-sqlite3';

export type IntegrityResult = { ok: true } | { ok: false; problem: string };

export function checkDatabaseFile(file: string): IntegrityResult {
  if (!existsSync(file)) return { ok: true };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((text) => text !== 'ok');
    return problems.length === 0 ? { ok: true } : { ok: false, problem: problems.join('; ') };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  } finally {
    db?.close();
  }
}

/** PRAGMA user_version read from the file header (bytes 60-63), without opening a possibly damaged store. */
export function schemaVersionInHeader(file: string): number | null {
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    if (readSync(fd, header, 0, 100, 0) < 100) return null;
    if (header.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') return null;
    return header.readUInt32BE(60);
  } finally {
    closeSync(fd);
  }
}
