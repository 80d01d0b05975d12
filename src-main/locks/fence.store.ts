// The store side of lock fencing. A lock holder whose TTL ran out may still be running (a slow API call,
// a paused laptop); its lock now belongs to someone else. Every owner gets a larger fence than the one
// before (registry.ts), so the store remembers the largest fence that wrote under a key and refuses a
// write carrying a smaller one: the stale owner's late write cannot overwrite the new owner's work.
import type { Db } from '../db/open';

export class StaleFenceError extends Error {
  readonly code = 'STALE_FENCE';
  constructor(
    readonly key: string,
    readonly fence: number,
    readonly current: number | undefined,
  ) {
    super(
      `Refused a write under lock ${key}: fence ${fence} is older than fence ${current ?? '?'}, so the lock ` +
        `expired and a newer owner has written since.`,
    );
    this.name = 'StaleFenceError';
  }
}

export interface FenceGuard {
  /**
   * Records `fence` as the latest for `key`, or throws StaleFenceError if a larger one has written.
   * Call it inside the transaction that does the fenced write, so the check and the write commit together.
   */
  check(key: string, fence: number): void;
  /** check() and fn() in one transaction. */
  write<T>(key: string, fence: number, fn: () => T): T;
  /** Forgets fences not used for `olderThanMs` (no stale owner lives that long). Returns rows removed. */
  prune(olderThanMs: number): number;
}

export function createFenceGuard(db: Db, now: () => number = Date.now): FenceGuard {
  const claim = db.prepare<[string, number, number]>(
    `INSERT INTO lock_fences (key, fence, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET fence = excluded.fence, updated_at = excluded.updated_at
     WHERE excluded.fence >= lock_fences.fence`,
  );
  const current = db.prepare<[string], number>('SELECT fence FROM lock_fences WHERE key = ?').pluck();
  const prune = db.prepare<[number]>('DELETE FROM lock_fences WHERE updated_at < ?');
  // Built once: db.transaction() makes a new wrapper (and its variants) on every call, and a campaign
  // runner writes through here several hundred times a second.
  const fenced = db.transaction(<T>(key: string, fence: number, fn: () => T): T => {
    guard.check(key, fence);
    return fn();
  });

  const guard: FenceGuard = {
    check(key, fence) {
      if (!db.inTransaction) {
        throw new Error('FenceGuard.check must run inside the transaction that does the fenced write.');
      }
      if (!Number.isSafeInteger(fence) || fence <= 0) throw new Error(`Invalid fence ${fence}.`);
      if (claim.run(key, fence, now()).changes === 0) throw new StaleFenceError(key, fence, current.get(key));
    },
    write(key, fence, fn) {
      return fenced.immediate(key, fence, fn) as ReturnType<typeof fn>;
    },
    prune(olderThanMs) {
      return prune.run(now() - olderThanMs).changes;
    },
  };
  return guard;
}

/**
 * Fence blocks for the lock registry, from the `sequences` table: one write per process start (and per
 * 2^32 locks), so fences grow across restarts without a write per lock.
 */
export function createFenceBlockSource(db: Db): () => number {
  const next = db
    .prepare<[], number>(
      `INSERT INTO sequences (name, value) VALUES ('lock_fence_block', 1)
       ON CONFLICT (name) DO UPDATE SET value = value + 1
       RETURNING value`,
    )
    .pluck();
  return () => next.get()!;
}
