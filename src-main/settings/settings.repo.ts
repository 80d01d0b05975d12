// The only SQL on `settings`: app-wide values stored as JSON, one row per key (upserted).
import type { Db } from '../db/open';

export interface SettingsStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export function createSettingsRepo(db: Db, now: () => number = Date.now): SettingsStore {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const set = db.prepare<[string, string, number]>(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  return {
    get(key) {
      const row = get.get(key);
      return row ? (JSON.parse(row.value) as unknown) : undefined;
    },
    set(key, value) {
      set.run(key, JSON.stringify(value ?? null), now());
    },
  };
}
