// Small helpers shared by the repos. Parameters are always bound, never concatenated (house style 5).
import { SqliteError } from 'better-sqlite3';

/** True when `error` is a UNIQUE or PRIMARY KEY violation (SQLite's extended result codes). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof SqliteError &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

/**
 * Splits a long list for `IN (...)`: SQLite caps bound parameters per statement (32,766 by default), and
 * one statement per chunk keeps each step short enough not to block the main thread.
 */
export function* chunks<T>(items: readonly T[], size = 500): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** `?, ?, ?` for n bound parameters. */
export function placeholders(n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new Error(`placeholders: need a positive count, got ${n}`);
  return Array.from({ length: n }, () => '?').join(', ');
}
