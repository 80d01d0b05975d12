// Runs the ordered migrations (db/migrations/index.ts) with PRAGMA user_version as the ledger, one
// transaction per step, as Signal Desktop does. A database written by a newer Bellhop is refused
// untouched: an older binary cannot know what a newer schema means.
import type { Logger } from '../log';
import { schemaVersionOf, type Db } from './open';

export interface Migration {
  /** 1, 2, 3 ... with no gaps; the file is named after it (0001-initial.ts). Never edit a shipped one. */
  version: number;
  name: string;
  /** True when the step rewrites or moves existing rows: such a step must have its own data test. */
  movesData: boolean;
  /**
   * For a step that moves rows of named tables only: the references checked before it commits are those
   * of these tables and of every table that references them, instead of every table of the store (the
   * whole check takes seconds on a store of a million messages, and no other reference can have changed).
   */
  movedTables?: readonly string[];
  /** Runs inside the migration's transaction, with foreign keys off (so tables can be rebuilt). */
  up(db: Db): void;
}

/** Broken references a step may have left: all of them, or only around the tables it says it moved. */
function danglingReferences(db: Db, migration: Migration): unknown[] {
  if (!migration.movesData) return [];
  if (migration.movedTables === undefined) return db.pragma('foreign_key_check') as unknown[];
  const moved = new Set(migration.movedTables);
  const tables = db
    .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all();
  const referencing = tables.filter((table) =>
    (db.pragma(`foreign_key_list(${JSON.stringify(table)})`) as { table: string }[]).some((fk) =>
      moved.has(fk.table),
    ),
  );
  return [...new Set([...moved, ...referencing])].flatMap(
    (table) => db.pragma(`foreign_key_check(${JSON.stringify(table)})`) as unknown[],
  );
}

export class DatabaseTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `This data folder was written by a newer version of Bellhop (database schema ${found}; this version ` +
        `understands up to ${supported}). Update Bellhop to open it, or start with another data folder. ` +
        `Nothing was changed.`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

export interface MigrateOptions {
  /** Stop after this version (tests seed data at version N-1, then migrate to N). Defaults to the last. */
  toVersion?: number;
  log?: Logger;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
}

export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Migration list is out of order: position ${index + 1} holds version ${migration.version} (${migration.name}).`,
      );
    }
  });
}

export function migrate(db: Db, list: readonly Migration[], options: MigrateOptions = {}): MigrateResult {
  checkMigrationList(list);
  const latest = list.length;
  const target = options.toVersion ?? latest;
  if (!Number.isInteger(target) || target < 0 || target > latest) {
    throw new Error(`Cannot migrate to version ${target}: known versions are 0..${latest}.`);
  }
  const from = schemaVersionOf(db);
  if (from > latest) throw new DatabaseTooNewError(from, latest);

  const applied: string[] = [];
  for (const migration of list) {
    if (migration.version > target) break;
    if (migration.version <= from) continue;
    // Foreign keys cannot be switched inside a transaction; a step that rebuilds a table needs them off,
    // and foreign_key_check below proves it left no dangling reference before it commits.
    db.pragma('foreign_keys = OFF');
    try {
      const ran = db
        .transaction((): boolean => {
          // Re-read inside the write lock: another process may have migrated while we waited for it.
          if (schemaVersionOf(db) >= migration.version) return false;
          migration.up(db);
          // The check reads every table (seconds on a store of a million messages), so it runs only after
          // a step that moves rows: one that only adds tables, columns or indexes cannot break a reference.
          const dangling = danglingReferences(db, migration);
          if (dangling.length > 0) {
            throw new Error(
              `Migration ${migration.version} (${migration.name}) left ${dangling.length} broken foreign key reference(s).`,
            );
          }
          db.pragma(`user_version = ${migration.version}`);
          return true;
        })
        .immediate();
      if (ran) {
        applied.push(`${migration.version}-${migration.name}`);
        options.log?.info('db: migrated', { version: migration.version, name: migration.name });
      }
    } finally {
      db.pragma('foreign_keys = ON');
    }
  }
  return { from, to: schemaVersionOf(db), applied };
}
