// The only SQL on rate_limit_state. Statements are prepared once.
import type { Db } from '../db/open';

export interface RateLimitStore {
  reservedUntil(key: string): number | undefined;
  reserve(key: string, until: number, now: number): void;
  /** On a clean stop: exact TATs replace the reservations (rows already in the past are deleted). */
  writeBack(states: { key: string; tat: number }[], now: number): void;
  pruneExpired(now: number): number;
}

export function createRateLimitStore(db: Db): RateLimitStore {
  const get = db
    .prepare<[string], number>('SELECT reserved_until FROM rate_limit_state WHERE key = ?')
    .pluck();
  const upsert = db.prepare<[string, number, number]>(
    `INSERT INTO rate_limit_state (key, reserved_until, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET reserved_until = excluded.reserved_until, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare<[string]>('DELETE FROM rate_limit_state WHERE key = ?');
  const prune = db.prepare<[number]>('DELETE FROM rate_limit_state WHERE reserved_until <= ?');
  const writeBack = db.transaction((states: { key: string; tat: number }[], now: number) => {
    for (const { key, tat } of states) {
      if (tat <= now) remove.run(key);
      else upsert.run(key, tat, now);
    }
  });

  return {
    reservedUntil: (key) => get.get(key),
    reserve(key, until, now) {
      upsert.run(key, until, now);
    },
    writeBack(states, now) {
      if (db.open) writeBack.immediate(states, now);
    },
    pruneExpired: (now) => prune.run(now).changes,
  };
}
